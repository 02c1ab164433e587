import { systemClock, type Clock, type Disposable, type RuntimeSession } from "@byor/core";
import type { RuntimeCommand, RuntimeEvent } from "@byor/protocol";
import type { Backplane, BusEvent, HubMessage, RuntimeRecord } from "./backplane.js";
import { RemoteLink, RemoteRuntime, type RuntimeHandle } from "./remote-runtime.js";

/** A runtime whose socket this node holds. */
export interface LocalRuntime extends RuntimeHandle {
  readonly session: RuntimeSession;
}

/** What the federation tells this node's broker about runtimes of other nodes. */
export interface FederatedBroker {
  /** A frame of a remote runtime, from the bus (`event` parsed from `text`). */
  runtimeEvent(runtime: RuntimeHandle, event: RuntimeEvent, text: string, position: string): void;
  runtimeOnline(runtime: RuntimeHandle): void;
  runtimeOffline(runtime: RuntimeHandle): void;
  runtimeForgotten(runtime: RuntimeHandle): void;
  /** A command this node forwarded could not be sent by the owner: answer the app that asked. */
  commandFailed(runtimeId: string, requestId: string, code: string, message: string): void;
}

export interface FederationOptions {
  backplane: Backplane;
  /** This node's runtimes, by id (and all of them: announced again when the backplane comes back). */
  local: { get(id: string): LocalRuntime | undefined; all?(): LocalRuntime[] };
  /** The directory record of one of this node's runtimes. */
  record(runtime: LocalRuntime): RuntimeRecord;
  broker: FederatedBroker;
  clock?: Clock;
  /** How long a watch sent to another node may take (default 30 000 ms). */
  watchTimeoutMs?: number;
  /** How often the directory is re-read to notice nodes that died (default 5 000 ms). */
  reconcileMs?: number;
  logger: { warn(message: string): void };
  /** An app session this node held resumed on another node. */
  sessionTaken?(sessionId: string): void;
}

/**
 * Runtimes across nodes. This node's runtimes go into the shared directory and their frames onto the bus; other
 * nodes' runtimes appear here as RemoteRuntimes, which the broker routes to like its own: commands and watches go
 * to the owner, frames come back on the bus. With the in-memory backplane and one node, none of that has anything
 * to do: every runtime is local.
 */
export class Federation implements Disposable {
  readonly #options: FederationOptions;
  readonly #backplane: Backplane;
  readonly #remote = new Map<string, RemoteRuntime>();
  readonly #link: RemoteLink;
  readonly #clock: Clock;
  #timer: unknown;
  #closed = false;
  #lagMs: number | undefined;

  constructor(options: FederationOptions) {
    this.#options = options;
    this.#backplane = options.backplane;
    this.#clock = options.clock ?? systemClock;
    this.#link = new RemoteLink(this.#backplane, this.#clock, options.watchTimeoutMs ?? 30_000);
  }

  get nodeId(): string {
    return this.#backplane.nodeId;
  }

  /** Connects the backplane and learns the other nodes' runtimes. */
  async start(): Promise<void> {
    await this.#backplane.start({
      event: (event) => this.#onEvent(event),
      message: (message, from) => this.#onMessage(message, from),
      health: (up) => this.#health(up),
    });
    await this.#reconcile();
    const tick = () => {
      this.#timer = this.#clock.setTimeout(() => {
        // A reconcile that throws (a handler of the broker's) must not end the loop, nor reject unhandled.
        this.#reconcile()
          .catch((error: unknown) =>
            this.#options.logger.warn(`reconciling the runtime directory failed: ${error instanceof Error ? error.message : String(error)}`),
          )
          .finally(() => this.#closed || tick());
      }, this.#options.reconcileMs ?? 5_000);
    };
    tick();
  }

  /**
   * How old the last frame of another node's runtime was when it arrived here, in ms (positions that carry a time,
   * like Redis Stream ids, only; undefined before the first one).
   */
  get lagMs(): number | undefined {
    return this.#lagMs;
  }

  /** A runtime held by another node, if the directory knows it. */
  get(runtimeId: string): RemoteRuntime | undefined {
    return this.#remote.get(runtimeId);
  }

  all(): RemoteRuntime[] {
    return [...this.#remote.values()];
  }

  /** One of this node's runtimes came online, went offline or changed: the directory and the other nodes hear it. */
  localStatus(runtime: LocalRuntime): void {
    const record = this.#options.record(runtime);
    // This node holds it now: a stale remote handle of the same runtime (it moved here) goes.
    this.#remote.delete(record.info.id);
    this.#backplane.putRuntime(record);
    this.#backplane.broadcast({ kind: "runtime_status", record });
  }

  /**
   * Call when one of this node's runtimes comes online, before the broker hears it. If this node knew it online on
   * another node (that node died, or has not noticed yet that the runtime left), returns the handle as it was there,
   * now offline, for the broker to announce first: this node's apps then hear offline → online, as the other nodes'
   * apps do (#status), and the requests they had forwarded to the old node fail instead of waiting for answers that
   * will not come. Without this, the node the runtime moved to only ever said "online" (seen with three `byor serve`
   * processes: the node holding a runtime SIGKILLed, the runtime reconnecting to another node through a balancer).
   */
  movedHere(runtimeId: string): RuntimeHandle | undefined {
    const remote = this.#remote.get(runtimeId);
    if (!remote?.online) return undefined;
    this.#remote.delete(runtimeId);
    return remoteWith(remote, false);
  }

  localForgotten(runtimeId: string): void {
    this.#backplane.removeRuntime(runtimeId);
    this.#backplane.broadcast({ kind: "runtime_forgotten", runtimeId });
  }

  /** A frame of one of this node's runtimes: onto the bus for the apps of other nodes. */
  localEvent(runtimeId: string, text: string): void {
    this.#backplane.publish(runtimeId, text);
  }

  dispose(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#link.dispose();
    this.#backplane.dispose();
  }

  /**
   * The backplane lost (or regained) its engine, e.g. Redis restarted. While it is down, the other nodes' frames and
   * this node's commands and watches to their runtimes are dropped: those runtimes are offline as far as this node's
   * apps can tell (and the requests they forwarded fail now, not at their timeout). Once it is back, the directory is
   * read again and this node's runtimes announced again, so the other nodes' runtimes come back online here with a
   * re-sync of the scopes apps watch, which restores what was dropped meanwhile. Without this, a Redis restart of
   * ~100 ms lost frames of a streaming turn at the apps on other nodes silently (no status change, no re-sync; seen
   * with three `byor serve` processes and a real redis-server), and a longer outage showed them offline until a
   * reconcile found them again.
   */
  #health(up: boolean): void {
    if (this.#closed) return;
    if (!up) {
      for (const remote of this.#remote.values()) {
        if (!remote.online) continue;
        remote.update({ ...remote.record, info: { ...remote.record.info, online: false } });
        this.#options.broker.runtimeOffline(remote);
      }
      return;
    }
    for (const runtime of this.#options.local.all?.() ?? []) if (runtime.online) this.localStatus(runtime);
    void this.#reconcile();
  }

  #onEvent({ runtimeId, text, position }: BusEvent): void {
    // This node's own runtimes were delivered to its apps directly. One that left for another node (an offline entry
    // here) is not one of them any more: its frames come from the bus, as any other node's.
    const remote = this.#remote.get(runtimeId);
    if (!remote || this.#options.local.get(runtimeId)?.online) return;
    const at = Number(position.slice(0, position.indexOf("-")));
    if (at > 0) this.#lagMs = Math.max(0, this.#clock.now() - at);
    let event: RuntimeEvent;
    try {
      event = JSON.parse(text) as RuntimeEvent; // validated by the owner before it was published
    } catch {
      return;
    }
    this.#options.broker.runtimeEvent(remote, event, text, position);
  }

  #onMessage(message: HubMessage, from: string): void {
    const self = from === this.#backplane.nodeId;
    switch (message.kind) {
      case "command":
        return this.#command(message);
      case "command_failed":
        return this.#options.broker.commandFailed(message.runtimeId, message.requestId, message.code, message.message);
      case "watch":
        return this.#watch(message);
      case "watched":
        return this.#link.answered(message.ticket, message.success, message.error);
      case "runtime_status":
        if (!self && message.record.node !== this.#backplane.nodeId) this.#status(message.record);
        return;
      case "session_taken":
        return this.#options.sessionTaken?.(message.sessionId);
      case "runtime_forgotten": {
        const remote = this.#remote.get(message.runtimeId);
        if (self || !remote) return;
        this.#remote.delete(message.runtimeId);
        this.#options.broker.runtimeForgotten(remote);
        return;
      }
    }
  }

  #command(message: Extract<HubMessage, { kind: "command" }>): void {
    const runtime = this.#options.local.get(message.runtimeId);
    const fail = (code: string, text: string) => {
      if (message.requestId)
        this.#backplane.send(message.reply, { kind: "command_failed", runtimeId: message.runtimeId, requestId: message.requestId, code, message: text });
    };
    if (!runtime?.online) return fail("runtime_offline", `runtime ${message.runtimeId} is not connected to the node that held it`);
    try {
      runtime.session.send(JSON.parse(message.text) as RuntimeCommand);
    } catch (error) {
      fail("request_failed", error instanceof Error ? error.message : String(error));
    }
  }

  #watch(message: Extract<HubMessage, { kind: "watch" }>): void {
    const answer = (success: boolean, error?: string) =>
      this.#backplane.send(message.reply, { kind: "watched", ticket: message.ticket, success, ...(error !== undefined ? { error } : {}) });
    const runtime = this.#options.local.get(message.runtimeId);
    if (!runtime?.online) return answer(false, `runtime ${message.runtimeId} is not connected to the node that held it`);
    runtime.session.watch(message.scope).then(
      () => answer(true),
      (error: unknown) => answer(false, error instanceof Error ? error.message : String(error)),
    );
  }

  #status(record: RuntimeRecord): void {
    if (this.#options.local.get(record.info.id)?.online) return; // it is connected here: this node's view wins
    let remote = this.#remote.get(record.info.id);
    // A late "offline" from a node the runtime already left for another: stale, the other node holds it.
    if (remote && !record.info.online && remote.online && remote.node !== record.node) return;
    if (!remote) {
      remote = new RemoteRuntime(record, this.#link);
      this.#remote.set(record.info.id, remote);
      if (record.info.online) this.#options.broker.runtimeOnline(remote);
      else this.#options.broker.runtimeOffline(remote);
      return;
    }
    const wasOnline = remote.online;
    const moved = record.node !== remote.node;
    // It reconnected to another node while this one still thought it online there: say it went offline first.
    if (wasOnline && moved) this.#options.broker.runtimeOffline(remoteWith(remote, false));
    const cameOnline = remote.update(record);
    if (cameOnline) {
      remote.rewatch();
      this.#options.broker.runtimeOnline(remote);
    } else if (!record.info.online && wasOnline && !moved) {
      this.#options.broker.runtimeOffline(remote);
    } else if (record.info.online) {
      // Online as before, same socket: its owner announced it again after the backplane came back (#health). A
      // watch this node sent before the owner was listening again was lost: ask again (one more sync, harmless).
      remote.rewatch();
      this.#options.broker.runtimeOnline(remote);
    }
  }

  /** Re-reads the directory: learns runtimes it missed, and notices those whose node died (their records expired). */
  async #reconcile(): Promise<void> {
    let records: RuntimeRecord[];
    try {
      records = await this.#backplane.listRuntimes();
    } catch (error) {
      this.#options.logger.warn(`could not read the runtime directory: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const record of records) {
      if (record.node === this.#backplane.nodeId) continue;
      seen.add(record.info.id);
      const known = this.#remote.get(record.info.id);
      if (!known || known.node !== record.node || known.online !== record.info.online) this.#status(record);
    }
    for (const [id, remote] of this.#remote) {
      if (seen.has(id) || !remote.online) continue;
      // Its node stopped refreshing its records: it is gone, and the runtime with it until it reconnects somewhere.
      remote.update({ ...remote.record, info: { ...remote.record.info, online: false } });
      this.#options.broker.runtimeOffline(remote);
    }
  }
}

/** The runtime as it was, with another online flag (for the offline notice of a runtime that moved). */
function remoteWith(remote: RemoteRuntime, online: boolean): RuntimeHandle {
  return { deviceId: remote.deviceId, label: remote.label, online, session: remote.session, info: () => ({ ...remote.info(), online }) };
}
