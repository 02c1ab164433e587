import {
  ByorError,
  RESPONSE_TYPES,
  decodeEvent,
  encodeCommand,
  isRequestType,
  type CommandTypeMap,
  type DecodeError,
  type EventTypeMap,
  type RequestType,
  type ResponseTypeMap,
  type RuntimeCommand,
  type RuntimeEvent,
  type SyncResponseEvent,
} from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import { RUNTIME_CLOSE } from "./close-codes.js";
import { DisposableStore, type Disposable } from "./disposable.js";
import { Emitter, errorEventReporter, ownErrorEvent, reportHandlerError } from "./emitter.js";
import { approvalAnswered } from "./approvals.js";
import { Heartbeat } from "./heartbeat.js";
import { MIRRORED_TYPES, StateMirror } from "./mirror.js";
import { RequestTracker, type RequestOptions } from "./requests.js";
import { scopeKey, toScope, type Scope } from "./scope.js";
import { EmittingStateMachine, type SessionState, type StateChange, type StateMachine } from "./states.js";
import type { CloseInfo, Transport } from "./transport.js";
import type { AbortSignalLike } from "./platform.js";

export interface RuntimeSessionOptions {
  clock?: Clock;
  /**
   * Watch on the runtime: it pings every 30 s, so 3 silent intervals mean it is gone (as the runtime judges us).
   * Frames and the transport's `onActivity` (protocol pings) count as life. `false`: no watchdog, for a transport
   * that can see neither JSON nor protocol pings.
   */
  heartbeat?: { intervalMs?: number; maxMisses?: number } | false;
  /** Default timeout of each request (30 000 ms); separate from liveness. */
  requestTimeoutMs?: number;
  mirror?: StateMirror;
}

export interface RuntimeSessionEvents {
  state: StateChange;
  /** Every valid frame from the runtime, pings included. */
  event: RuntimeEvent;
  /**
   * Every valid frame with the text it arrived as (emitted just before `event`). The text passed validation as it
   * is: a relay forwards it without encoding the event again (see `encodedEvent` and `AppConnection.deliver`).
   */
  frame: ReceivedFrame;
  /** A frame that failed to decode; it was dropped, the session goes on. */
  invalid: { error: DecodeError; text: string };
  /** Every `sync_response` (also emitted as `event`): a scope was re-synced, or failed to be. */
  sync: SyncResponseEvent;
  /**
   * A handler of another event (or of the mirror's `change`) threw: a ByorError with code `internal_error`, the
   * exception as its `cause`. The other handlers and later frames were handled as usual. Without a handler here,
   * such exceptions go to `reportHandlerError` (console.error, or reportError where it exists).
   */
  error: ByorError;
}

/** A valid runtime frame and its text as received. */
export interface ReceivedFrame {
  event: RuntimeEvent;
  text: string;
}

/** The answer to the runtime's JSON ping (the runtime leg's heartbeat is its own, not byor.ping). */
const PONG = '{"type":"pong"}';

interface Connection {
  transport: Transport;
  heartbeat: Heartbeat | undefined;
  /** The socket's listeners and heartbeat, dropped together when the socket stops being this session's. */
  store: DisposableStore;
}

/** A caller of `watch` waiting for a sync_response; it survives socket losses until it is answered. */
interface Waiter {
  scope: Scope;
  options: RequestOptions;
  settled: boolean;
  settle(error: unknown, response?: SyncResponseEvent): void;
}

/**
 * The server's side of one runtime. The runtime dials in, and its sockets come and go; the session outlives them:
 * it keeps the watched scopes, the state mirror and the event stream, and re-syncs every watched scope on each
 * new socket (the runtime replays snapshots on `sync`, nothing else survives a reconnect).
 *
 * States: idle → open → offline (socket lost, waiting for the runtime to come back) → open … → closed.
 */
export class RuntimeSession implements Disposable {
  // A server holds one session per runtime, most of them idle: the mirror, the request tracker and the maps and
  // sets below are made on first use (each empty Map or Set costs ~0.2 KiB), and the tracker is dropped again once
  // nothing waits (the session numbers requests itself, so ids never repeat). See `mirror` and `#tracker`.
  #mirror: StateMirror | undefined;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #maxMisses: number;
  readonly #timeoutMs: number | undefined;
  #requests: RequestTracker | undefined;
  #requestIds = 0;
  readonly #emitter: Emitter<RuntimeSessionEvents> = new Emitter({ onHandlerError: ownErrorEvent });
  readonly #machine: StateMachine = new EmittingStateMachine(this.#emitter);
  /** The watched scopes: one as it is (the usual case), several by scope key. */
  #watched: Scope | Map<string, Scope> | undefined;
  /** Waiters whose sync is still to be sent (no socket when they asked, or the socket died before the answer). */
  #deferred: Set<Waiter> | undefined;
  /** Waiters whose sync is on the current socket, by request id. */
  #inFlight: Map<string, Waiter> | undefined;
  #conn: Connection | undefined;

  constructor(options: RuntimeSessionOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.heartbeat === false ? 0 : (options.heartbeat?.intervalMs ?? 30_000);
    this.#maxMisses = (options.heartbeat || undefined)?.maxMisses ?? 3;
    this.#timeoutMs = options.requestTimeoutMs;
    this.#mirror = options.mirror;
  }

  /**
   * What the runtime has told about each scope (its snapshot frames and pending approvals). Made when first read,
   * or at the first frame it folds in: until then there is nothing in it.
   */
  get mirror(): StateMirror {
    return (this.#mirror ??= new StateMirror({ clock: this.#clock, onHandlerError: errorEventReporter(() => this.#emitter) }));
  }

  /** `req-<n>`, as a RequestTracker numbers them, but across trackers. */
  #nextId(): string {
    return `req-${++this.#requestIds}`;
  }

  get #tracker(): RequestTracker {
    return (this.#requests ??= new RequestTracker({ clock: this.#clock, timeoutMs: this.#timeoutMs }));
  }

  get state(): SessionState {
    return this.#machine.state;
  }

  /** The watched scopes, re-synced on every new socket. */
  get scopes(): readonly Scope[] {
    const watched = this.#watched;
    return watched instanceof Map ? [...watched.values()] : watched ? [watched] : [];
  }

  /**
   * A (re)connected socket of this runtime. It replaces the previous one (closed with a plain 1000, so the runtime
   * does not exit), the session goes open, and every watched scope is synced on it.
   */
  attach(transport: Transport): void {
    if (this.state.status === "closed") {
      transport.close(RUNTIME_CLOSE.serverShutdown.code, RUNTIME_CLOSE.serverShutdown.reason);
      throw new ByorError("invalid_state", "cannot attach a socket to a closed runtime session");
    }
    if (this.#conn) this.#lose(this.#conn, RUNTIME_CLOSE.superseded, true);
    // A state handler may have closed the session meanwhile.
    if (this.#isClosed()) {
      transport.close(RUNTIME_CLOSE.serverShutdown.code, RUNTIME_CLOSE.serverShutdown.reason);
      return;
    }

    const store = new DisposableStore();
    const heartbeat =
      this.#intervalMs > 0
        ? store.add(
            new Heartbeat({
              intervalMs: this.#intervalMs,
              maxMisses: this.#maxMisses,
              // One platform timer for the heartbeats of every runtime (a timer each costs ~0.2 KiB).
              clock: this.#clock,
              // The runtime pings us, not the other way round (it ignores JSON pings): nothing to send on a tick.
              onDead: () => this.#lose(conn, RUNTIME_CLOSE.heartbeatTimeout, true),
            }),
          )
        : undefined;
    const conn: Connection = { transport, heartbeat, store };
    store.add(transport.onMessage((text) => this.#receive(conn, text)));
    store.add(transport.onClose((close) => this.#lose(conn, close, false)));
    if (heartbeat && transport.onActivity) store.add(transport.onActivity(() => heartbeat.touch()));
    this.#conn = conn;
    heartbeat?.start();
    this.#machine.to({ status: "open", since: this.#clock.now(), resumed: false });
    if (this.#conn !== conn) return;

    const waiting = this.#deferred ? [...this.#deferred] : [];
    this.#deferred = undefined;
    const watched = this.#watched;
    for (const [key, scope] of watched instanceof Map ? watched : watched ? [[scopeKey(watched), watched] as const] : []) {
      const mine = waiting.filter((w) => scopeKey(w.scope) === key);
      if (mine.length === 0) this.#sendSync(conn, scope, undefined);
      for (const waiter of mine) this.#sendSync(conn, scope, waiter);
    }
  }

  /**
   * Adds `scope` to the watched set and syncs it: now if a socket is attached, else on the next attach. Resolves
   * with the `sync_response` (even across socket losses: the sync is sent again on the next socket); rejects with
   * `request_failed` on `success: false`, `request_timeout`, `request_aborted` (the scope stays watched), or
   * `connection_closed` when the session closes first. The runtime then emits this scope's events to the session.
   */
  watch(scope: Scope, options: RequestOptions = {}): Promise<SyncResponseEvent> {
    if (this.state.status === "closed") return Promise.reject(new ByorError("connection_closed", "runtime session is closed"));
    const target = toScope(scope);
    try {
      encodeCommand({ type: "sync", runtime: target }); // an invalid scope fails here, before it is watched
    } catch (error) {
      return Promise.reject(error);
    }
    this.#watch(target);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new ByorError("request_aborted", "watch aborted", { cause: signal.reason }));

    return new Promise<SyncResponseEvent>((resolve, reject) => {
      const onAbort = () => waiter.settle(new ByorError("request_aborted", "watch aborted", { cause: signal?.reason }));
      const waiter: Waiter = {
        scope: target,
        options,
        settled: false,
        settle: (error, response) => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.#deferred?.delete(waiter);
          signal?.removeEventListener("abort", onAbort);
          if (response) resolve(response);
          else reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (this.#conn) this.#sendSync(this.#conn, target, waiter);
      else (this.#deferred ??= new Set()).add(waiter);
    });
  }

  /**
   * Stops re-syncing `scope`; `watch` calls still waiting for a socket reject with `request_aborted`. The runtime has
   * no unsubscribe: it keeps sending this scope's events on the current connection.
   */
  unwatch(scope: Scope): void {
    const key = scopeKey(scope);
    const watched = this.#watched;
    if (watched instanceof Map) watched.delete(key);
    else if (watched && scopeKey(watched) === key) this.#watched = undefined;
    for (const waiter of this.#deferred ? [...this.#deferred] : []) {
      if (scopeKey(waiter.scope) === key) waiter.settle(new ByorError("request_aborted", "scope unwatched before it was synced"));
    }
  }

  /** Validates and sends a command. Throws `not_connected` when no socket is attached, or the DecodeError. */
  send(command: RuntimeCommand): void {
    const conn = this.#conn;
    if (!conn) throw new ByorError("not_connected", `cannot send ${command.type}: the runtime is not connected`);
    conn.transport.send(encodeCommand(command));
  }

  /**
   * Sends a command the runtime answers, assigning a `request_id` if it has none, and resolves with the response.
   * Rejects with `not_connected`, the DecodeError of an invalid command, `request_timeout`, `request_aborted`,
   * `request_failed` (`success: false` / `accepted: false`) or `connection_closed` (the socket went first).
   */
  request<T extends RequestType>(
    command: Omit<CommandTypeMap[T], "request_id"> & { type: T; request_id?: string },
    options?: RequestOptions,
  ): Promise<EventTypeMap[ResponseTypeMap[T]]> {
    const conn = this.#conn;
    if (!conn) return Promise.reject(new ByorError("not_connected", `cannot send ${command.type}: the runtime is not connected`));
    if (!isRequestType(command.type)) return Promise.reject(new ByorError("invalid_message", `${JSON.stringify(command.type)} has no response to wait for`));
    const requestId = command.request_id ?? this.#nextId();
    let text: string;
    try {
      text = encodeCommand({ ...command, request_id: requestId } as unknown as RuntimeCommand);
    } catch (error) {
      return Promise.reject(error);
    }
    const response = this.#tracker.track<EventTypeMap[ResponseTypeMap[T]]>(requestId, RESPONSE_TYPES[command.type], options);
    conn.transport.send(text);
    const answered = approvalAnswered(command);
    // The runtime accepted the answer: the approval is no longer pending, even before a device status says so
    // (a mirror not made yet has nothing pending).
    return answered === undefined ? response : response.then((event) => (this.#mirror?.answered(answered), event));
  }

  on<K extends keyof RuntimeSessionEvents>(name: K, handler: (value: RuntimeSessionEvents[K]) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /** One type of runtime event, narrowed: `session.onEvent("update_loop_status", (e) => e.loop_status)`. */
  onEvent<T extends keyof EventTypeMap>(type: T, handler: (event: EventTypeMap[T]) => void): Disposable {
    return this.#emitter.on("event", (event) => {
      if (event.type === type) handler(event as EventTypeMap[T]);
    });
  }

  /** Every valid event from the runtime, buffered; ends when the signal aborts or the session closes. */
  events(signal?: AbortSignalLike): AsyncIterableIterator<RuntimeEvent> {
    return this.#emitter.stream("event", signal);
  }

  /**
   * Closes for good: pending requests and watches reject with `connection_closed`, the socket is closed with 1001
   * (the runtime retries with backoff until a server takes it again) or, with `terminateRuntime`, with the one
   * close that makes the runtime exit.
   */
  close(options: { terminateRuntime?: boolean } = {}): void {
    if (this.state.status === "closed") return;
    const conn = this.#conn;
    this.#conn = undefined;
    let close: CloseInfo | undefined;
    if (conn) {
      conn.store.dispose();
      close = { ...(options.terminateRuntime ? RUNTIME_CLOSE.replaced : RUNTIME_CLOSE.serverShutdown) };
      conn.transport.close(close.code, close.reason);
    }
    const error = () => new ByorError("connection_closed", "runtime session closed");
    for (const waiter of [...(this.#deferred ?? []), ...(this.#inFlight?.values() ?? [])]) waiter.settle(error());
    this.#inFlight = undefined;
    this.#requests?.dispose(); // none: nothing to fail, and nothing can be sent any more
    this.#requests = undefined;
    this.#machine.to({ status: "closed", close, reason: options.terminateRuntime ? "runtime terminated" : "session closed" });
    this.#emitter.close();
  }

  dispose(): void {
    this.close();
  }

  #isClosed(): boolean {
    return this.#machine.state.status === "closed";
  }

  #receive(conn: Connection, text: string): void {
    conn.heartbeat?.touch(); // any frame is life, even one we cannot decode
    const result = decodeEvent(text);
    if (!result.ok) {
      this.#emitter.emit("invalid", { error: result.error, text });
      return;
    }
    const event = result.message;
    if (event.type === "ping") conn.transport.send(PONG);
    try {
      // Our own mirror is made at the first frame it folds in; one passed in by the caller gets every frame.
      if (this.#mirror) this.#mirror.apply(event);
      else if (MIRRORED_TYPES.has(event.type)) this.mirror.apply(event);
    } catch (error) {
      // A mirror passed in by the caller may be anything; its failure must not cost the frame its relay.
      const why = error instanceof Error ? error.message : String(error);
      const fault = new ByorError("internal_error", `the state mirror could not apply a ${event.type} frame: ${why}`, { cause: error });
      if (this.#emitter.has("error")) this.#emitter.emit("error", fault);
      else reportHandlerError(fault, "event");
    }
    if (this.#requests?.handle(event) && this.#requests.pending === 0) this.#requests = undefined;
    if (event.type === "sync_response") this.#emitter.emit("sync", event);
    if (this.#emitter.has("frame")) this.#emitter.emit("frame", { event, text });
    this.#emitter.emit("event", event);
  }

  #sendSync(conn: Connection, scope: Scope, waiter: Waiter | undefined): void {
    const requestId = this.#nextId();
    const text = encodeCommand({ type: "sync", runtime: scope, request_id: requestId });
    const options = waiter?.options ?? {};
    const response = this.#tracker.track<SyncResponseEvent>(requestId, "sync_response", options);
    if (!waiter) {
      response.catch(() => {}); // a re-sync nobody waits for: its answer is the `sync` event
    } else {
      (this.#inFlight ??= new Map()).set(requestId, waiter);
      response.then(
        (event) => {
          this.#landed(requestId);
          waiter.settle(undefined, event);
        },
        (error: unknown) => {
          // Not in flight any more: the socket was lost and the waiter moved to the next one.
          if (this.#inFlight?.get(requestId) !== waiter) return;
          this.#landed(requestId);
          waiter.settle(error);
        },
      );
    }
    conn.transport.send(text);
  }

  #watch(scope: Scope): void {
    const key = scopeKey(scope);
    const watched = this.#watched;
    if (watched === undefined || (!(watched instanceof Map) && scopeKey(watched) === key)) this.#watched = scope;
    else if (watched instanceof Map) watched.set(key, scope);
    else
      this.#watched = new Map([
        [scopeKey(watched), watched],
        [key, scope],
      ]);
  }

  #isWatched(key: string): boolean {
    const watched = this.#watched;
    return watched instanceof Map ? watched.has(key) : watched !== undefined && scopeKey(watched) === key;
  }

  /** A sync was answered (or failed): no longer in flight; the map goes once empty (most of the time it is). */
  #landed(requestId: string): void {
    const inFlight = this.#inFlight;
    if (inFlight?.delete(requestId) && inFlight.size === 0) this.#inFlight = undefined;
  }

  /** The socket stopped being this session's: by its close, a dead heartbeat or a replacement. */
  #lose(conn: Connection, close: CloseInfo, closeSocket: boolean): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    conn.store.dispose();
    // Watches survive the socket: their sync goes out again on the next one.
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    for (const waiter of inFlight?.values() ?? []) {
      if (waiter.settled) continue;
      if (this.#isWatched(scopeKey(waiter.scope))) (this.#deferred ??= new Set()).add(waiter);
      else waiter.settle(new ByorError("connection_closed", "runtime socket closed before the sync was answered"));
    }
    this.#requests?.rejectAll("connection_closed", `runtime socket closed (${close.code}${close.reason ? ` ${close.reason}` : ""})`);
    this.#requests = undefined;
    if (closeSocket) conn.transport.close(close.code, close.reason);
    this.#machine.to({ status: "offline", since: this.#clock.now(), lastClose: close });
  }
}
