import { ByorError, encodeCommand, type ByorRuntimeInfo, type RuntimeCommand } from "@byor/protocol";
import { sameScope, type Clock, type Scope } from "@byor/core";
import type { Backplane, RuntimeRecord } from "./backplane.js";
import { runtimeLabel } from "./runtime-label.js";

/** What the broker needs of a runtime's session, wherever its socket is. */
export interface RuntimeSessionLike {
  readonly scopes: readonly Scope[];
  send(command: RuntimeCommand): void;
  watch(scope: Scope): Promise<unknown>;
  unwatch(scope: Scope): void;
}

/** A runtime as the broker routes to it: held by this node (a RuntimeEntry) or by another (a RemoteRuntime). */
export interface RuntimeHandle {
  readonly deviceId: string;
  readonly label: string;
  readonly online: boolean;
  readonly session: RuntimeSessionLike;
  /** Its description on the client endpoint (byor.runtimes, byor.runtime_status). */
  info(): ByorRuntimeInfo;
}

interface Ticket {
  resolve(): void;
  reject(error: ByorError): void;
  timer: unknown;
}

/**
 * A runtime whose socket another node holds, as this node's broker sees it: commands and watches travel to the
 * owner over the backplane; its frames come back on the bus. The record is refreshed by the owner's broadcasts.
 */
export class RemoteRuntime implements RuntimeHandle {
  #record: RuntimeRecord;
  readonly session: RuntimeSessionLike;
  /** Scopes this node asked the owner to watch (re-asked when the runtime reconnects or moves). */
  readonly #watched: Scope[] = [];

  constructor(
    record: RuntimeRecord,
    private readonly link: RemoteLink,
  ) {
    this.#record = record;
    const self = this;
    this.session = {
      get scopes() {
        return self.#watched;
      },
      send: (command) => this.#send(command),
      watch: (scope) => this.#watch(scope),
      unwatch: (scope) => {
        // The runtime has no unsubscribe; the owner keeps re-syncing the scope on reconnect (one more sync, harmless).
        const at = this.#watched.findIndex((s) => sameScope(s, scope));
        if (at >= 0) this.#watched.splice(at, 1);
      },
    };
  }

  get deviceId(): string {
    return this.#record.info.id;
  }

  get node(): string {
    return this.#record.node;
  }

  get record(): RuntimeRecord {
    return this.#record;
  }

  get label(): string {
    return runtimeLabel(this.#record.info.connection_name, this.#record.info.id);
  }

  get online(): boolean {
    return this.#record.info.online;
  }

  info(): ByorRuntimeInfo {
    return this.#record.info;
  }

  /** A newer record from the owner (or a new owner). Returns whether the runtime came (back) online. */
  update(record: RuntimeRecord): boolean {
    const cameOnline =
      record.info.online && (!this.#record.info.online || record.node !== this.#record.node || record.info.connected_at !== this.#record.info.connected_at);
    this.#record = record;
    return cameOnline;
  }

  /**
   * Whether the owner already watches this scope (for a session resumed here from another node): then it is
   * tracked here too, for a re-watch when the runtime moves, without asking the owner for a sync now.
   */
  watchesRemotely(scope: Scope): boolean {
    if (!this.#record.watchedScopes.some((s) => sameScope(s, scope))) return false;
    if (!this.#watched.some((s) => sameScope(s, scope))) this.#watched.push(scope);
    return true;
  }

  /** Asks the (new) owner to watch every scope this node watches: it syncs them, and its frames reach us again. */
  rewatch(): void {
    for (const scope of this.#watched) this.link.watch(this.#record, scope).catch(() => {});
  }

  #send(command: RuntimeCommand): void {
    if (!this.online) throw new ByorError("not_connected", `cannot send ${command.type}: runtime ${this.label} is offline`);
    const requestId = (command as { request_id?: unknown }).request_id;
    this.link.backplane.send(this.#record.node, {
      kind: "command",
      runtimeId: this.deviceId,
      text: encodeCommand(command),
      reply: this.link.backplane.nodeId,
      ...(typeof requestId === "string" ? { requestId } : {}),
    });
  }

  #watch(scope: Scope): Promise<void> {
    if (!this.#watched.some((s) => sameScope(s, scope))) this.#watched.push(scope);
    if (!this.online) return Promise.reject(new ByorError("not_connected", `runtime ${this.label} is offline`));
    return this.link.watch(this.#record, scope);
  }
}

/** The node-to-node side of remote runtimes: watch tickets, answered by the owner's `watched` message. */
export class RemoteLink {
  readonly #tickets = new Map<string, Ticket>();
  #counter = 0;

  constructor(
    readonly backplane: Backplane,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  watch(record: RuntimeRecord, scope: Scope): Promise<void> {
    const ticket = `${this.backplane.nodeId}:${++this.#counter}`;
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.#tickets.delete(ticket);
        reject(new ByorError("request_timeout", `the node holding runtime ${record.info.id} did not answer a watch within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#tickets.set(ticket, { resolve, reject, timer });
      this.backplane.send(record.node, { kind: "watch", runtimeId: record.info.id, scope, ticket, reply: this.backplane.nodeId });
    });
  }

  /** The owner's answer to a watch. */
  answered(ticket: string, success: boolean, error: string | undefined): void {
    const pending = this.#tickets.get(ticket);
    if (!pending) return;
    this.#tickets.delete(ticket);
    this.clock.clearTimeout(pending.timer);
    if (success) pending.resolve();
    else pending.reject(new ByorError("request_failed", error ?? "the runtime could not sync the scope"));
  }

  dispose(): void {
    for (const [ticket, pending] of this.#tickets) {
      this.clock.clearTimeout(pending.timer);
      pending.reject(new ByorError("connection_closed", "the hub is closing"));
      this.#tickets.delete(ticket);
    }
  }
}
