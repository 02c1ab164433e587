import {
  ByorError,
  DecodeError,
  formatIssue,
  RESPONSE_TYPES,
  parseFrame,
  validateServerFrame,
  isRequestType,
  validateAppFrame,
  type AppFrame,
  type ByorErrorFrame,
  type ByorEventFrame,
  type ByorRuntimeInfo,
  type ByorRuntimeStatusFrame,
  type ByorRuntimesFrame,
  type ByorSubscribedFrame,
  type ByorUnsubscribeFrame,
  type ByorWelcomeFrame,
  type CommandTypeMap,
  type DecodeErrorCode,
  type DecodeResult,
  type EventTypeMap,
  type RequestType,
  type ResponseTypeMap,
  type RuntimeCommand,
  type RuntimeEvent,
} from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import { CLIENT_CLOSE } from "./close-codes.js";
import { ConnectRefused } from "./connect-refused.js";
import { DisposableStore, toDisposable, type Disposable } from "./disposable.js";
import { Emitter, ownErrorEvent } from "./emitter.js";
import { approvalAnswered } from "./approvals.js";
import { Heartbeat } from "./heartbeat.js";
import { BYOR_PING, BYOR_PONG } from "./heartbeat-frames.js";
import type { StateMirror } from "./mirror.js";
import { exponentialBackoff, type ReconnectPolicy } from "./reconnect.js";
import { RequestTracker, type RequestOptions } from "./requests.js";
import type { AbortSignalLike } from "./platform.js";
import { scopeKey, toScope, type Scope } from "./scope.js";
import { EventDeduper } from "./event-deduper.js";
import { SeqReceiver } from "./seq.js";
import { StateMachine, type SessionState, type StateChange } from "./states.js";
import type { ConversationView, StreamAssembler } from "./stream-assembler.js";
import type { CloseInfo, Transport } from "./transport.js";

/**
 * The app side of the client leg: one logical session with a BYOR server (or relay) that outlives its sockets.
 * It dials through `connect`, says hello (resuming where it left off when seq/ack is on), keeps the subscribed
 * scopes and re-subscribes whenever the server could not resume, acknowledges what it processed, drops
 * duplicates (by seq and by the runtime's idempotency_key), notices gaps and reconnects to fill them, and (with
 * the `views` option) folds every runtime's events into a state mirror and stream assembler per runtime.
 */

/**
 * The per-runtime views a session keeps, opt-in so a page that never uses them does not bundle them:
 * `views: { mirror: StateMirror, assembler: StreamAssembler }` (or `SESSION_VIEWS`), or just one of the two.
 */
export interface SessionViews {
  mirror?: new (options: { clock?: Clock }) => StateMirror;
  assembler?: new () => StreamAssembler;
}

/**
 * Schema checks the session runs itself, opt-in so a page does not bundle validators it does not need. A BYOR
 * server validates every command an app sends (an invalid one is refused with its issues: the request rejects
 * with a DecodeError, a plain `send` surfaces it as an `error` event) and relays only events that passed its own
 * validation. Turn them on (`validation: SESSION_VALIDATION`, or one of the two) to have `send` and `request`
 * throw before a bad command leaves, or when the page and the server may run different protocol versions.
 */
export interface SessionValidation {
  command?: (command: object) => DecodeResult<RuntimeCommand>;
  event?: (event: object) => DecodeResult<RuntimeEvent>;
}

export interface ClientSessionOptions {
  /**
   * Opens one socket to the server (an adapter's job). Rejecting counts as a failed attempt (closed with 1006, or
   * with the `close` of a ConnectRefused). The signal (a real
   * AbortSignal at run time) aborts when the session closes meanwhile.
   */
  connect: (signal: AbortSignalLike) => Promise<Transport>;
  /** Ask for numbered frames, acks and resume (default true). */
  seqAck?: boolean;
  clock?: Clock;
  /** Default: exponentialBackoff() (1 s base, 30 s cap, full jitter, no attempt budget). */
  reconnect?: ReconnectPolicy;
  /** Liveness of the server: any frame is life; a byor.ping goes out at each tick. Default 25 s × 3. */
  heartbeat?: { intervalMs?: number; maxMisses?: number };
  /** Timeout of each request, subscribe and list (default 30 000 ms); separate from liveness. */
  requestTimeoutMs?: number;
  /** Acknowledge after this many processed frames (default 32)... */
  ackEvery?: number;
  /** ...or this long after the first unacknowledged one (default 250 ms). */
  ackDelayMs?: number;
  /** Keep a StateMirror and/or StreamAssembler per runtime (`mirror()`, `assembler()`, `conversation()`). */
  views?: SessionViews;
  /** Validate sent commands and/or relayed events here too (default: the server's validation only). */
  validation?: SessionValidation;
}

export interface ClientSessionEvents {
  state: StateChange;
  /** A runtime event relayed by the server, once, in order. */
  event: { runtimeId: string; event: RuntimeEvent };
  /** A runtime connected, reconnected or went offline. */
  runtime: ByorRuntimeInfo;
  /**
   * Continuity broke: the server could not resume (`unknown_session`, `buffer_overrun`, `expired`) or the session
   * had no seq/ack (`not_resumed`). Events may have been missed; the session re-subscribes, which re-syncs every
   * scope from snapshots.
   */
  reset: { reason: string };
  /**
   * A frame the server refused (not tied to a pending call), or a server frame that could not be decoded; or a
   * handler of another event threw (code `internal_error`, the exception as `cause`: the other handlers and later
   * frames were handled as usual). Without a handler here those go to `reportHandlerError`.
   */
  error: ByorError;
}

/**
 * Who the server authenticated the app as and the privilege classes its role grants, as the welcome said (servers
 * with access control only). A page shows only what these allow; the server refuses the rest with `forbidden`.
 */
export type ByorPrincipal = NonNullable<ByorWelcomeFrame["principal"]>;

/** The app found a hole in the numbered frames: it closes and resumes from its cursor to fill it. */
export const SEQ_GAP_CLOSE = { code: CLIENT_CLOSE.seqGap, reason: "Sequence gap" } as const;
const CLOSED_BY_APP: CloseInfo = { code: CLIENT_CLOSE.normal, reason: "Client closed" };

type Controller = { readonly signal: AbortSignalLike; abort(reason?: unknown): void };
const newController = (): Controller => new (globalThis as unknown as { AbortController: new () => Controller }).AbortController();

interface Connection {
  transport: Transport;
  store: DisposableStore;
  heartbeat: Heartbeat;
  welcomed: boolean;
  /** Frames received on this socket (a probe watches it move). */
  received: number;
  probing: boolean;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  /** Its timeout, which runs from the call, across sockets. */
  timer?: unknown;
}

/** A remembered subscription, re-sent whenever the server may have lost it. */
interface Subscription {
  key: string;
  runtimeId: string;
  scope: Scope;
  /** The server confirmed it on the current session. */
  confirmed: boolean;
  waiters: Waiter<void>[];
  /** The byor.subscribe in flight on the current socket. */
  requestId?: string;
}

const subscriptionKey = (runtimeId: string, scope: Scope) => `${runtimeId}\u0001${scopeKey(scope)}`;

/** The codes a server answers a frame (or the command in it) with when it did not pass validation. */
const DECODE_CODES: ReadonlySet<string> = new Set<DecodeErrorCode>([
  "invalid_json",
  "not_an_object",
  "missing_type",
  "unknown_type",
  "wrong_direction",
  "invalid_message",
]);

/**
 * A byor.error as the error a caller gets. A command the server found invalid is a DecodeError, as if it had been
 * checked here, with its issues' pointers made relative to the command again.
 */
function serverRefusal(frame: ByorErrorFrame): ByorError {
  const issues = frame.issues ?? [];
  const text = `server refused ${frame.frame_type ?? "a frame"}: ${frame.code}: ${frame.message}`;
  if (DECODE_CODES.has(frame.code)) {
    const sent = frame.frame_type === "byor.send";
    const relative = issues.map(({ pointer, keyword = "", expected, found }) => ({
      pointer: sent ? pointer.replace(/^\/command(?=\/|$)/, "") : pointer,
      keyword,
      expected,
      found,
    }));
    return new DecodeError(frame.code as DecodeErrorCode, text, sent ? "command" : "app", undefined, relative, frame.more_issues);
  }
  const details = issues.length ? ` (${issues.map(formatIssue).join("; ")})` : "";
  return new ByorError("request_failed", `${text}${details}`, { cause: frame });
}

export class ClientSession implements Disposable {
  readonly #options: ClientSessionOptions;
  readonly #clock: Clock;
  readonly #policy: ReconnectPolicy;
  readonly #seqAckWanted: boolean;
  readonly #intervalMs: number;
  readonly #maxMisses: number;
  readonly #timeoutMs: number;
  readonly #ackEvery: number;
  readonly #ackDelayMs: number;
  readonly #emitter: Emitter<ClientSessionEvents> = new Emitter({ onHandlerError: ownErrorEvent });
  readonly #machine = new StateMachine((change) => this.#emitter.emit("state", change));
  /** Requests to runtimes: their responses are relayed events, replayed on a resume. */
  readonly #requests: RequestTracker;
  /** byor.list_runtimes (and the ids of byor.subscribe): answered directly by the server. */
  readonly #control: RequestTracker;
  /** Request id → how to fail it when the server refuses its frame with a byor.error. */
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #subscribing = new Map<string, Subscription>();
  /** Unsubscribes made while no session was open: sent if the next welcome resumes the session that had them. */
  readonly #pendingUnsubscribes = new Map<string, ByorUnsubscribeFrame>();
  /** byor.list_runtimes waiting for their answer: sent again on each new socket (answers are never replayed). */
  readonly #listings = new Set<string>();
  readonly #receiver = new SeqReceiver();
  readonly #dedupers = new Map<string, EventDeduper>();
  readonly #mirrors = new Map<string, StateMirror>();
  readonly #assemblers = new Map<string, StreamAssembler>();
  #conn: Connection | undefined;
  #connecting: Controller | undefined;
  #backoffTimer: unknown;
  #attempt = 0;
  #openedAt = 0;
  /**
   * The last welcome, kept whole: its session id (to resume), whether that session numbers its frames (what the
   * server granted), and the principal.
   */
  #lastWelcome: ByorWelcomeFrame | undefined;
  /** A byor.reset already announced that the next welcome is a fresh session. */
  #resetAnnounced = false;
  #ackTimer: unknown;
  #unacked = 0;

  constructor(options: ClientSessionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#policy = options.reconnect ?? exponentialBackoff();
    this.#seqAckWanted = options.seqAck ?? true;
    this.#intervalMs = options.heartbeat?.intervalMs ?? 25_000;
    this.#maxMisses = options.heartbeat?.maxMisses ?? 3;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#ackEvery = Math.max(1, options.ackEvery ?? 32);
    this.#ackDelayMs = options.ackDelayMs ?? 250;
    this.#requests = new RequestTracker({ clock: this.#clock, timeoutMs: this.#timeoutMs, idPrefix: "app" });
    this.#control = new RequestTracker({ clock: this.#clock, timeoutMs: this.#timeoutMs, idPrefix: "byor" });
  }

  /** idle → connecting → open (resumed or not) → backing_off → connecting … → closed. */
  get state(): SessionState {
    return this.#machine.state;
  }

  /** The session id the server gave (undefined before the first welcome). */
  get sessionId(): string | undefined {
    return this.#lastWelcome?.session_id;
  }

  /**
   * Who the last welcome said this app is, and what its role may do; undefined before it, or from a server without
   * access control. Kept as the server sent it (set before the state turns `open`).
   */
  get principal(): ByorPrincipal | undefined {
    return this.#lastWelcome?.principal;
  }

  /** The last seq processed: the resume point (0 before the first numbered frame). */
  get lastSeq(): number {
    return this.#receiver.lastSeq;
  }

  /** Starts connecting (no-op unless idle). */
  start(): void {
    if (this.state.status === "idle") this.#connect();
  }

  /**
   * Closes the current socket with this close (e.g. a page entering the back/forward cache); the session then
   * reconnects and resumes as after any drop. No-op without a socket.
   */
  drop(close: CloseInfo): void {
    if (this.#conn) this.#lose(this.#conn, close, true);
  }

  /**
   * Asks for a sign of life now, between heartbeats (after a wake-up or a network change a socket can be dead
   * without knowing it): a byor.ping goes out, and the socket is dropped with `close` unless some frame arrives
   * within `timeoutMs`. One probe at a time; no-op unless open.
   */
  probe(timeoutMs: number, close: CloseInfo): void {
    const conn = this.#conn;
    if (!conn?.welcomed || conn.probing || this.state.status !== "open") return;
    conn.probing = true;
    const before = conn.received;
    conn.transport.send(BYOR_PING);
    const timer = this.#clock.setTimeout(() => {
      conn.probing = false;
      if (this.#conn === conn && conn.received === before) this.#lose(conn, close, true);
    }, timeoutMs);
    conn.store.add(toDisposable(() => this.#clock.clearTimeout(timer)));
  }

  /** Skips the rest of a backoff wait and dials now (no-op unless backing off). */
  reconnectNow(): void {
    if (this.state.status !== "backing_off") return;
    this.#clock.clearTimeout(this.#backoffTimer);
    this.#connect();
  }

  /**
   * Watches a scope of a runtime: remembered, and sent again after every welcome that is not a resume (which
   * re-syncs it from snapshots). Resolves when the server confirms (byor.subscribed). Rejects with
   * `request_failed` if the server refuses (the subscription is then forgotten), `request_timeout` (no answer
   * within `requestTimeoutMs` of the call, connected or not; it stays remembered), `request_aborted` (unsubscribed
   * first) or `connection_closed`.
   */
  subscribe(runtimeId: string, scope: Scope): Promise<void> {
    if (this.state.status === "closed") return Promise.reject(new ByorError("connection_closed", "client session is closed"));
    const target = toScope(scope);
    const checked = validateAppFrame({ type: "byor.subscribe", runtime_id: runtimeId, scope: target });
    if (!checked.ok) return Promise.reject(checked.error);
    const key = subscriptionKey(runtimeId, target);
    // Setting a key it has keeps its place: the re-subscribe order stays that of the first calls.
    const sub: Subscription = this.#subscriptions.get(key) ?? { key, runtimeId, scope: target, confirmed: false, waiters: [] };
    this.#subscriptions.set(key, sub);
    this.#pendingUnsubscribes.delete(key);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<void> = { resolve, reject };
      waiter.timer = this.#clock.setTimeout(() => {
        sub.waiters.splice(sub.waiters.indexOf(waiter), 1);
        // Nobody waits any more: a later call asks the server again.
        if (sub.waiters.length === 0) this.#clearSubscribeRequest(sub);
        reject(new ByorError("request_timeout", `no byor.subscribed for ${sub.runtimeId} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      sub.waiters.push(waiter);
      // Each call asks the server again (a re-sync) unless a request is already on its way.
      if (this.#conn?.welcomed && sub.requestId === undefined) this.#sendSubscribe(this.#conn, sub);
    });
  }

  /** Stops watching; waiting subscribe calls reject with `request_aborted`. */
  unsubscribe(runtimeId: string, scope: Scope): void {
    const target = toScope(scope);
    const key = subscriptionKey(runtimeId, target);
    const sub = this.#subscriptions.get(key);
    if (!sub) return;
    this.#subscriptions.delete(key);
    this.#settleSubscription(sub, new ByorError("request_aborted", `unsubscribed from ${runtimeId} before the server confirmed`));
    if (this.#conn?.welcomed) this.#send(this.#conn, { type: "byor.unsubscribe", runtime_id: runtimeId, scope: target });
    // Offline: a resumed session still has it on the server; tell it once the session is back.
    else this.#pendingUnsubscribes.set(key, { type: "byor.unsubscribe", runtime_id: runtimeId, scope: target });
  }

  /**
   * Sends a command to a runtime. Throws `not_connected` unless open, or (with `validation.command`) the
   * DecodeError of an invalid command; otherwise the server's refusal of one arrives as an `error` event.
   */
  send(runtimeId: string, command: RuntimeCommand): void {
    const conn = this.#openConnection(command.type);
    this.#checkCommand(command);
    this.#send(conn, { type: "byor.send", runtime_id: runtimeId, command });
  }

  /**
   * Sends a command the runtime answers, assigning a `request_id` if it has none, and resolves with the response.
   * With seq/ack the request survives a resumed reconnect (its response is replayed). Rejects with
   * `not_connected`, the DecodeError of an invalid command (found here with `validation.command`, else by the
   * server), `request_timeout`, `request_aborted`,
   * `request_failed` (`success: false` / `accepted: false`, or the server refused it) or `connection_closed`.
   */
  request<T extends RequestType>(
    runtimeId: string,
    command: Omit<CommandTypeMap[T], "request_id"> & { type: T; request_id?: string },
    options: RequestOptions = {},
  ): Promise<EventTypeMap[ResponseTypeMap[T]]> {
    let conn: Connection;
    try {
      conn = this.#openConnection(command.type);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isRequestType(command.type)) return Promise.reject(new ByorError("invalid_message", `${JSON.stringify(command.type)} has no response to wait for`));
    const requestId = command.request_id ?? this.#requests.nextId();
    const full = { ...command, request_id: requestId } as unknown as RuntimeCommand;
    try {
      this.#checkCommand(full);
    } catch (error) {
      return Promise.reject(error);
    }
    const response = this.#requests.track<EventTypeMap[ResponseTypeMap[T]]>(requestId, RESPONSE_TYPES[command.type], options);
    this.#send(conn, { type: "byor.send", runtime_id: runtimeId, command: full });
    const answered = this.#options.views?.mirror ? approvalAnswered(full) : undefined;
    // The runtime accepted the answer: the approval is no longer pending, even before a device status says so.
    return answered === undefined ? response : response.then((event) => (this.mirror(runtimeId).answered(answered), event));
  }

  /** The runtimes the server knows, online or not. Sent when a socket is up, again on each new one until answered. */
  listRuntimes(): Promise<ByorRuntimeInfo[]> {
    if (this.state.status === "closed") return Promise.reject(new ByorError("connection_closed", "client session is closed"));
    const requestId = this.#control.nextId();
    const answer = this.#control.track<ByorRuntimesFrame>(requestId, "byor.runtimes");
    this.#listings.add(requestId);
    if (this.#conn?.welcomed) this.#send(this.#conn, { type: "byor.list_runtimes", request_id: requestId });
    return answer.then((frame) => frame.runtimes).finally(() => this.#listings.delete(requestId));
  }

  /** The state mirror of one runtime's scopes (device, loop, queue, subagents, pending approvals). Needs `views.mirror`. */
  mirror(runtimeId: string): StateMirror {
    let mirror = this.#mirrors.get(runtimeId);
    if (!mirror) this.#mirrors.set(runtimeId, (mirror = new (this.#view("mirror"))({ clock: this.#clock })));
    return mirror;
  }

  /** The stream assembler of one runtime (its `change` events say when a conversation changed). Needs `views.assembler`. */
  assembler(runtimeId: string): StreamAssembler {
    let assembler = this.#assemblers.get(runtimeId);
    if (!assembler) this.#assemblers.set(runtimeId, (assembler = new (this.#view("assembler"))()));
    return assembler;
  }

  /** A conversation of one runtime, assembled from its stream. Needs `views.assembler`. */
  conversation(runtimeId: string, scope: Scope): ConversationView {
    return this.assembler(runtimeId).view(scope);
  }

  on<K extends keyof ClientSessionEvents>(name: K, handler: (value: ClientSessionEvents[K]) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /** One type of runtime event from any runtime, narrowed: `session.onEvent("stream_delta", (e, id) => …)`. */
  onEvent<T extends keyof EventTypeMap>(type: T, handler: (event: EventTypeMap[T], runtimeId: string) => void): Disposable {
    return this.#emitter.on("event", ({ runtimeId, event }) => {
      if (event.type === type) handler(event as EventTypeMap[T], runtimeId);
    });
  }

  /** Every runtime event, buffered; ends when the signal aborts or the session closes. */
  events(signal?: AbortSignalLike): AsyncIterableIterator<{ runtimeId: string; event: RuntimeEvent }> {
    return this.#emitter.stream("event", signal);
  }

  /** Closes for good (1000); every pending call rejects with `connection_closed`. */
  close(): void {
    this.#finish(CLOSED_BY_APP, "closed by the app", true);
  }

  dispose(): void {
    this.close();
  }

  #checkCommand(command: RuntimeCommand): void {
    const checked = this.#options.validation?.command?.(command);
    if (checked && !checked.ok) throw checked.error;
  }

  #view<K extends keyof SessionViews>(name: K): NonNullable<SessionViews[K]> {
    const view = this.#options.views?.[name];
    if (!view) throw new Error(`session.${name}() needs ClientSession's \`views: { ${name} }\` option (or SESSION_VIEWS)`);
    return view;
  }

  // ── connecting ────────────────────────────────────────────────────────────────────────────────────────────

  #connect(): void {
    this.#backoffTimer = undefined;
    this.#machine.to({ status: "connecting", attempt: this.#attempt });
    if (this.state.status !== "connecting") return;
    const controller = newController();
    this.#connecting = controller;
    let pending: Promise<Transport>;
    try {
      pending = this.#options.connect(controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (transport) => {
        if (this.#connecting !== controller) {
          transport.close(CLOSED_BY_APP.code, CLOSED_BY_APP.reason);
          return;
        }
        this.#connecting = undefined;
        this.#attach(transport);
      },
      (error: unknown) => {
        if (this.#connecting !== controller) return;
        this.#connecting = undefined;
        this.#retry(error instanceof ConnectRefused ? error.close : { code: 1006, reason: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  #attach(transport: Transport): void {
    const store = new DisposableStore();
    const heartbeat = new Heartbeat({
      intervalMs: this.#intervalMs,
      maxMisses: this.#maxMisses,
      clock: this.#clock,
      onTick: () => transport.send(BYOR_PING),
      onDead: () => this.#lose(conn, { code: CLIENT_CLOSE.heartbeatTimeout, reason: "Heartbeat timeout" }, true),
    });
    const conn: Connection = { transport, store, heartbeat, welcomed: false, received: 0, probing: false };
    store.add(heartbeat);
    store.add(transport.onMessage((text) => this.#receive(conn, text)));
    store.add(transport.onClose((close) => this.#lose(conn, close, false)));
    store.add(toDisposable(() => this.#clearAckTimer()));
    this.#conn = conn;
    heartbeat.start();
    const last = this.#lastWelcome;
    const resume = this.#seqAckWanted && last?.seq_ack;
    this.#send(conn, {
      type: "byor.hello",
      ...(this.#seqAckWanted && { seq_ack: true }),
      ...(resume && { resume: { session_id: last.session_id, last_seq: this.#receiver.lastSeq } }),
    });
  }

  /** The socket stopped being this session's: closed by either side, dead, or a gap to fill by resuming. */
  #lose(conn: Connection, close: CloseInfo, closeSocket: boolean): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    conn.store.dispose();
    if (closeSocket) conn.transport.close(close.code, close.reason);
    // Direct answers (byor.subscribed, byor.runtimes) are never replayed: ask again on the next socket.
    for (const sub of this.#subscribing.values()) this.#clearSubscribeRequest(sub);
    // Without seq/ack no response can reach this session any more; with it, a resume replays them.
    if (!this.#lastWelcome?.seq_ack)
      this.#requests.rejectAll("connection_closed", `connection closed (${close.code}${close.reason ? ` ${close.reason}` : ""})`);
    if (this.state.status === "open" && this.#clock.now() - this.#openedAt >= this.#policy.stableAfterMs) this.#attempt = 0;
    this.#retry(close);
  }

  #retry(close: CloseInfo): void {
    if (this.state.status === "closed") return;
    const attempt = this.#attempt + 1;
    if (!this.#policy.shouldRetry(close, attempt)) {
      this.#finish(close, `not reconnecting after ${close.code}${close.reason ? ` ${close.reason}` : ""}`, false);
      return;
    }
    this.#attempt = attempt;
    const delayMs = this.#policy.retryDelay(attempt);
    this.#machine.to({ status: "backing_off", attempt, delayMs, lastClose: close });
    if (this.state.status !== "backing_off") return;
    this.#backoffTimer = this.#clock.setTimeout(() => this.#connect(), delayMs);
  }

  #finish(close: CloseInfo | undefined, reason: string, closeSocket: boolean): void {
    if (this.state.status === "closed") return;
    if (this.#backoffTimer !== undefined) this.#clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.#connecting?.abort(new ByorError("connection_closed", "client session closed"));
    this.#connecting = undefined;
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.store.dispose();
    if (closeSocket) conn?.transport.close(CLOSED_BY_APP.code, CLOSED_BY_APP.reason);
    // Closed by the app with no socket open: no close to report.
    const finalClose = conn || !closeSocket ? close : undefined;
    const why = `client session closed (${reason})`;
    for (const tracker of [this.#requests, this.#control]) {
      tracker.rejectAll("connection_closed", why);
      tracker.dispose();
    }
    for (const sub of this.#subscriptions.values()) this.#settleSubscription(sub, new ByorError("connection_closed", why));
    this.#subscriptions.clear();
    this.#machine.to({ status: "closed", close: finalClose, reason });
    this.#emitter.close();
  }

  #openConnection(what: string): Connection {
    const conn = this.#conn;
    if (!conn?.welcomed || this.state.status !== "open") throw new ByorError("not_connected", `cannot send ${what}: the session is ${this.state.status}`);
    return conn;
  }

  #send(conn: Connection, frame: AppFrame): void {
    conn.transport.send(JSON.stringify(frame));
  }

  // ── receiving ─────────────────────────────────────────────────────────────────────────────────────────────

  #receive(conn: Connection, text: string): void {
    if (this.#conn !== conn) return;
    conn.heartbeat.touch(); // any frame is life, even one we cannot decode
    conn.received++;
    // Parsed here and validated as an object: the server checked the depth of what it relays, and JSON.parse and
    // the views are safe on deep values, so the page need not carry the depth check.
    const parsed = parseFrame(text, "server");
    const result = parsed.ok ? validateServerFrame(parsed.value) : parsed;
    if (!result.ok) {
      this.#emitter.emit("error", result.error);
      return;
    }
    const frame = result.message;
    switch (frame.type) {
      case "byor.welcome":
        this.#welcome(conn, frame);
        return;
      case "byor.reset":
        this.#resetAnnounced = true;
        this.#receiver.reset();
        this.#emitter.emit("reset", { reason: frame.reason });
        return;
      case "byor.event":
      case "byor.runtime_status":
        this.#sequenced(conn, frame);
        return;
      case "byor.subscribed":
        this.#subscribed(frame);
        return;
      case "byor.runtimes":
        this.#control.handle(frame);
        return;
      case "byor.error":
        this.#refused(frame);
        return;
      case "byor.ping":
        conn.transport.send(BYOR_PONG);
        return;
      case "byor.pong":
        return;
    }
  }

  #welcome(conn: Connection, welcome: ByorWelcomeFrame): void {
    if (conn.welcomed) return;
    conn.welcomed = true;
    const previous = this.#lastWelcome;
    const resumed = welcome.resumed && welcome.session_id === previous?.session_id;
    this.#lastWelcome = welcome;
    this.#unacked = 0;
    if (!resumed) {
      this.#receiver.reset();
      // Responses owed to the old session will not come to this one.
      this.#requests.rejectAll("connection_closed", "the server started a new session: pending requests were lost");
      for (const sub of this.#subscriptions.values()) sub.confirmed = false;
      if (previous && !this.#resetAnnounced) this.#emitter.emit("reset", { reason: "not_resumed" });
    }
    this.#resetAnnounced = false;
    this.#openedAt = this.#clock.now();
    this.#machine.to({ status: "open", since: this.#openedAt, resumed });
    if (this.#conn !== conn) return;
    if (resumed) for (const frame of this.#pendingUnsubscribes.values()) this.#send(conn, frame);
    this.#pendingUnsubscribes.clear();
    // A fresh session knows nothing of this app: subscribe again (the server re-syncs each scope). A resumed one
    // kept its subscriptions; the ones not confirmed yet, or with a call still waiting (its answer was lost with
    // the socket), are asked again.
    for (const sub of this.#subscriptions.values()) {
      if ((!sub.confirmed || sub.waiters.length > 0) && sub.requestId === undefined) this.#sendSubscribe(conn, sub);
    }
    for (const requestId of this.#listings) this.#send(conn, { type: "byor.list_runtimes", request_id: requestId });
  }

  #sequenced(conn: Connection, frame: ByorEventFrame | ByorRuntimeStatusFrame): void {
    if (conn.welcomed && this.#lastWelcome!.seq_ack && frame.seq !== undefined) {
      const verdict = this.#receiver.accept(frame.seq);
      if (verdict === "duplicate") return;
      if (verdict === "gap") {
        this.#lose(conn, { ...SEQ_GAP_CLOSE }, true);
        return;
      }
      this.#dispatch(frame);
      if (this.#conn === conn) this.#countForAck(conn);
      return;
    }
    this.#dispatch(frame);
  }

  #dispatch(frame: ByorEventFrame | ByorRuntimeStatusFrame): void {
    if (frame.type === "byor.runtime_status") {
      this.#emitter.emit("runtime", frame.runtime);
      return;
    }
    // The server relays only events it validated; the page checks again only if it asked to.
    const checked = this.#options.validation?.event?.(frame.event);
    if (checked && !checked.ok) {
      this.#emitter.emit("error", checked.error);
      return;
    }
    const runtimeId = frame.runtime_id;
    const event = frame.event as RuntimeEvent;
    let deduper = this.#dedupers.get(runtimeId);
    if (!deduper) this.#dedupers.set(runtimeId, (deduper = new EventDeduper()));
    if (deduper.seen(event)) return;
    const views = this.#options.views;
    try {
      if (views?.mirror) this.mirror(runtimeId).apply(event);
      if (views?.assembler) this.assembler(runtimeId).apply(event);
    } catch (error) {
      // Only an event that is not what this page's protocol version expects gets here (the server validated it
      // against its own): report it and still deliver it.
      const why = error instanceof Error ? error.message : String(error);
      this.#emitter.emit(
        "error",
        new ByorError(
          "invalid_message",
          `the views could not apply a ${event.type} event of ${runtimeId} (${why}); \`validation: SESSION_VALIDATION\` checks events here`,
          { cause: error },
        ),
      );
    }
    this.#requests.handle(event);
    this.#emitter.emit("event", { runtimeId, event });
  }

  #countForAck(conn: Connection): void {
    if (++this.#unacked >= this.#ackEvery) this.#ack(conn);
    else if (this.#ackTimer === undefined) this.#ackTimer = this.#clock.setTimeout(() => this.#ack(conn), this.#ackDelayMs);
  }

  #ack(conn: Connection): void {
    this.#clearAckTimer();
    this.#unacked = 0;
    if (this.#conn === conn) this.#send(conn, { type: "byor.ack", seq: this.#receiver.lastSeq });
  }

  #clearAckTimer(): void {
    if (this.#ackTimer !== undefined) this.#clock.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  // ── subscriptions, listings, refusals ─────────────────────────────────────────────────────────────────────

  #sendSubscribe(conn: Connection, sub: Subscription): void {
    const requestId = this.#control.nextId();
    sub.requestId = requestId;
    this.#subscribing.set(requestId, sub);
    this.#send(conn, { type: "byor.subscribe", runtime_id: sub.runtimeId, scope: sub.scope, request_id: requestId });
  }

  #clearSubscribeRequest(sub: Subscription): void {
    if (sub.requestId !== undefined) this.#subscribing.delete(sub.requestId);
    sub.requestId = undefined;
  }

  #settleSubscription(sub: Subscription, error: unknown): void {
    this.#clearSubscribeRequest(sub);
    for (const waiter of sub.waiters.splice(0)) {
      this.#clock.clearTimeout(waiter.timer);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  #subscribed(frame: ByorSubscribedFrame): void {
    const sub =
      frame.request_id !== undefined ? this.#subscribing.get(frame.request_id) : this.#subscriptions.get(subscriptionKey(frame.runtime_id, frame.scope));
    if (!sub) return;
    if (frame.success) {
      sub.confirmed = true;
      this.#settleSubscription(sub, undefined);
      return;
    }
    this.#forget(sub);
    this.#settleSubscription(
      sub,
      new ByorError("request_failed", `subscribing to ${sub.runtimeId} failed${frame.error ? `: ${frame.error}` : ""}`, { cause: frame }),
    );
  }

  #forget(sub: Subscription): void {
    if (this.#subscriptions.get(sub.key) === sub) this.#subscriptions.delete(sub.key);
  }

  /** A byor.error: fails the call it names, or is reported as an `error` event. */
  #refused(frame: ByorErrorFrame): void {
    const error = serverRefusal(frame);
    const id = frame.request_id;
    if (id !== undefined) {
      const sub = this.#subscribing.get(id);
      if (sub) {
        this.#forget(sub);
        this.#settleSubscription(sub, error);
        return;
      }
      if (this.#control.fail(id, error) || this.#requests.fail(id, error)) return;
    }
    this.#emitter.emit("error", error);
  }
}
