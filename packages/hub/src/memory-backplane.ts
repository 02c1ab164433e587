import type { Backplane, BackplaneHandlers, HubMessage, RuntimeRecord } from "./backplane.js";

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

  constructor(
    readonly cluster: MemoryCluster,
    readonly nodeId: string,
  ) {}

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

