import {
  comparePositions,
  type Backplane,
  type BackplaneHandlers,
  type BusEvent,
  type HubMessage,
  type RuntimeRecord,
  type SessionStore,
  type SessionWrite,
  type TakenSession,
} from "./backplane.js";

export interface MemoryClusterOptions {
  /** Bus frames kept for sessions resumed on another node to catch up (default 0: none). */
  history?: number;
  /** Journal seq sessions, so apps may resume on another node of the cluster (default false). */
  sessions?: boolean;
}

interface Journal {
  node: string;
  lastSeq: number;
  ackedSeq: number;
  frames: { seq: number; text: string }[];
  state: string;
}

/** Records are JSON: a node must not share objects with another (a real backplane serialises them). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Nodes in one process sharing one directory and one bus: what a single `byor serve` uses (one node, nothing to set
 * up), and what tests use to run several hubs without a network. Delivery is synchronous and in order; a node's
 * handlers see its own publications too, as on any backplane.
 */
export class MemoryCluster {
  readonly #nodes = new Map<string, MemoryBackplane>();
  readonly #runtimes = new Map<string, RuntimeRecord>();
  #positions = 0;
  #ids = 0;
  readonly #history: BusEvent[] = [];
  readonly #maxHistory: number;
  readonly #journals: Map<string, Journal> | undefined;

  constructor(options: MemoryClusterOptions = {}) {
    this.#maxHistory = options.history ?? 0;
    this.#journals = options.sessions ? new Map() : undefined;
  }

  /** @internal */
  get _sessions(): boolean {
    return this.#journals !== undefined;
  }

  /** @internal */
  _readBus(after: string): BusEvent[] | "gone" {
    const afterN = Number(after.slice(after.indexOf("-") + 1));
    // The history holds the latest positions, contiguous: one before its first is the oldest point it reaches back to.
    const firstN = this.#positions - this.#history.length + 1;
    if (!Number.isInteger(afterN) || afterN + 1 < firstN) return "gone";
    return this.#history.filter((e) => comparePositions(e.position, after) > 0).map((e) => ({ ...e }));
  }

  /** @internal */
  _write(write: SessionWrite): boolean {
    const journals = this.#journals!;
    const journal = journals.get(write.sessionId);
    if (journal && journal.node !== write.node) return false;
    const next: Journal = journal ?? { node: write.node, lastSeq: 0, ackedSeq: 0, frames: [], state: write.state };
    for (const frame of write.frames) if (frame.seq > next.lastSeq) next.frames.push({ ...frame }), (next.lastSeq = frame.seq);
    next.ackedSeq = Math.max(next.ackedSeq, write.ackedSeq);
    next.frames = next.frames.filter((f) => f.seq > next.ackedSeq);
    next.state = write.state;
    journals.set(write.sessionId, next);
    return true;
  }

  /** @internal */
  _take(sessionId: string, node: string, afterSeq: number): TakenSession | "overrun" | undefined {
    const journal = this.#journals!.get(sessionId);
    if (!journal) return undefined;
    const previousNode = journal.node;
    journal.node = node;
    if (afterSeq < journal.ackedSeq || afterSeq > journal.lastSeq) return "overrun";
    return {
      previousNode,
      lastSeq: journal.lastSeq,
      ackedSeq: journal.ackedSeq,
      texts: journal.frames.filter((f) => f.seq > afterSeq).map((f) => f.text),
      state: journal.state,
    };
  }

  /** @internal */
  _drop(sessionId: string, node: string): void {
    if (this.#journals?.get(sessionId)?.node === node) this.#journals.delete(sessionId);
  }

  /** A handle for one more node (`nodeId` default: `node-1`, `node-2`, …). */
  node(nodeId = `node-${++this.#ids}`): Backplane {
    if (this.#nodes.has(nodeId)) throw new Error(`node ${nodeId} is already on this backplane`);
    const node = new MemoryBackplane(this, nodeId);
    this.#nodes.set(nodeId, node);
    return node;
  }

  /** @internal */
  _leave(node: MemoryBackplane): void {
    if (this.#nodes.get(node.nodeId) !== node) return;
    this.#nodes.delete(node.nodeId);
    // A node that goes holds no runtime any more: its records go with it (Redis lets them expire).
    for (const [id, record] of this.#runtimes) if (record.node === node.nodeId) this.#runtimes.delete(id);
  }

  /** @internal */
  _runtimes(): Map<string, RuntimeRecord> {
    return this.#runtimes;
  }

  /** @internal */
  _publish(runtimeId: string, text: string): void {
    const position = `0-${++this.#positions}`;
    if (this.#maxHistory > 0) {
      this.#history.push({ runtimeId, text, position });
      if (this.#history.length > this.#maxHistory) this.#history.shift();
    }
    for (const node of this.#nodes.values()) node._event(runtimeId, text, position);
  }

  /** @internal */
  _send(from: string, to: string | undefined, message: HubMessage): void {
    if (to === undefined) for (const node of this.#nodes.values()) node._message(message, from);
    else this.#nodes.get(to)?._message(message, from);
  }
}

class MemoryBackplane implements Backplane {
  #handlers: BackplaneHandlers | undefined;
  #closed = false;
  readonly sessions: SessionStore | undefined;

  constructor(
    readonly cluster: MemoryCluster,
    readonly nodeId: string,
  ) {
    if (cluster._sessions) {
      this.sessions = {
        write: async (writes) => writes.map((write) => !this.#closed && cluster._write(write)),
        take: async (sessionId, node, afterSeq) => cluster._take(sessionId, node, afterSeq),
        drop: (sessionId, node) => cluster._drop(sessionId, node),
      };
    }
  }

  async readBus(after: string): Promise<BusEvent[] | "gone"> {
    return this.cluster._readBus(after);
  }

  async start(handlers: BackplaneHandlers): Promise<void> {
    this.#handlers = handlers;
  }

  putRuntime(record: RuntimeRecord): void {
    if (this.#closed) return;
    const runtimes = this.cluster._runtimes();
    // An offline record never hides another node's online one (a node that noticed late that its runtime left).
    const current = runtimes.get(record.info.id);
    if (current && current.node !== record.node && current.info.online && !record.info.online) return;
    runtimes.set(record.info.id, copy(record));
  }

  removeRuntime(runtimeId: string): void {
    const runtimes = this.cluster._runtimes();
    if (runtimes.get(runtimeId)?.node === this.nodeId) runtimes.delete(runtimeId);
  }

  async listRuntimes(): Promise<RuntimeRecord[]> {
    return [...this.cluster._runtimes().values()].map((record) => copy(record));
  }

  async getRuntime(runtimeId: string): Promise<RuntimeRecord | undefined> {
    const record = this.cluster._runtimes().get(runtimeId);
    return record && copy(record);
  }

  publish(runtimeId: string, text: string): void {
    if (!this.#closed) this.cluster._publish(runtimeId, text);
  }

  send(node: string, message: HubMessage): void {
    if (!this.#closed) this.cluster._send(this.nodeId, node, message);
  }

  broadcast(message: HubMessage): void {
    if (!this.#closed) this.cluster._send(this.nodeId, undefined, message);
  }

  dispose(): void {
    this.#closed = true;
    this.#handlers = undefined;
    this.cluster._leave(this);
  }

  /** @internal */
  _event(runtimeId: string, text: string, position: string): void {
    this.#handlers?.event({ runtimeId, text, position });
  }

  /** @internal */
  _message(message: HubMessage, from: string): void {
    this.#handlers?.message(message, from);
  }
}

/** The default: one node alone on an in-memory backplane. */
export const memoryBackplane = (nodeId?: string): Backplane => new MemoryCluster().node(nodeId);
