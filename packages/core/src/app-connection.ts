import {
  ByorError,
  decodeAppFrame,
  parseFrame,
  type AppFrame,
  type ByorAckFrame,
  type ByorErrorFrame,
  type ByorEventFrame,
  type ByorHelloFrame,
  type ByorPingFrame,
  type ByorPongFrame,
  type ByorResetFrame,
  type ByorRuntimeStatusFrame,
  type ByorWelcomeFrame,
  type DecodeError,
  type ServerFrame,
} from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import { CLIENT_CLOSE } from "./close-codes.js";
import type { Disposable } from "./disposable.js";
import { stringifyJson } from "./deep-json.js";
import { Emitter, errorEventReporter, reportHandlerError } from "./emitter.js";
import { Heartbeat } from "./heartbeat.js";
import { sharedTimers } from "./shared-timers.js";
import { BYOR_PING, BYOR_PONG } from "./heartbeat-frames.js";
import { ReplayBuffer, type ReplayBufferOptions } from "./seq.js";
import { EmittingStateMachine, type SessionState, type StateChange, type StateMachine } from "./states.js";
import type { CloseInfo, Transport } from "./transport.js";

/** JSON of a delivered frame without any `seq` (each app numbers it itself), computed once per frame object. */
const encoded = new WeakMap<object, string>();
function encodeOnce(frame: object): string {
  let text = encoded.get(frame);
  if (text === undefined) {
    const { seq: _stale, ...copy } = frame as { seq?: number };
    text = stringifyJson(copy);
    encoded.set(frame, text);
  }
  return text;
}

/**
 * A relayed frame already serialised, for every app it goes to: the JSON object text of a DeliveredFrame without
 * `seq`. Trusted like any delivered frame: nothing checks it again.
 */
export interface EncodedFrame {
  readonly encoded: string;
}

/**
 * The byor.event carrying a runtime frame as its text: the frame's text as received (already validated, e.g. a
 * RuntimeSession `frame` event's `text`) is spliced in, not encoded again. Build it once per runtime frame and
 * deliver it to every subscribed app.
 */
export function encodedEvent(runtimeId: string, eventText: string): EncodedFrame {
  return { encoded: `{"type":"byor.event","runtime_id":${JSON.stringify(runtimeId)},"event":${eventText}}` };
}

/**
 * The server side of the client leg: one app session on a BYOR server's client endpoint. It speaks the whole
 * byor.* handshake (hello → welcome, resume or reset), answers pings, watches the app's liveness, numbers relayed
 * frames when the app asked for seq/ack, keeps them until acknowledged, parks the session while the app
 * reconnects, and closes apps that read too slowly. The broker only routes: it hands runtime frames to
 * `deliver`, answers the app's requests (`frame` events) with `reply`.
 */

export interface AppConnectionOptions {
  clock?: Clock;
  /** Bounds of each seq session's replay buffer. */
  replay?: ReplayBufferOptions;
  /** Liveness of the app: any frame is life; a byor.ping goes out at each tick. Default 30 s × 3. */
  heartbeat?: { intervalMs?: number; maxMisses?: number };
  /** How long a seq session whose socket dropped is kept for a resume (default 60 s). */
  parkMs?: number;
  /**
   * Unacknowledged frames a seq session may have in flight before it is closed as a slow consumer (default 4096),
   * and frames held for an app before its hello. The replay buffer's own bound (`replay`, 1024 frames / 1 MiB by
   * default) closes it too as soon as it would evict an unacknowledged frame: with the defaults that comes first.
   */
  maxBufferedFrames?: number;
  /**
   * How long an app over those bounds has to catch up before it is closed (default 2 000 ms). A burst of frames
   * goes out before the acks already waiting in the app's socket are read; they count when they arrive. Memory
   * stays bounded meanwhile: the replay buffer evicts, and the socket has its own buffered-bytes bound.
   */
  slowConsumerGraceMs?: number;
  /**
   * Invalid frames (bad JSON, unknown type, invalid fields, a second hello) an app may send per window before it is
   * closed with 4008 `Rate limit exceeded` (CLIENT_CLOSE.rateLimited; a numbered session may resume). Each one is
   * answered with a byor.error until then. Default 100 per 10 000 ms.
   */
  invalidFrames?: { max?: number; windowMs?: number };
  /**
   * Where seq sessions are made durable, so that another server sharing the journal can resume them after this one
   * dies (e.g. @byor/hub over Redis). With a journal, a seq session's frames are sent only once the journal has them,
   * and a resume of a session this endpoint does not hold is looked up there.
   */
  journal?: AppJournal;
}

/** A session found in a journal: what the app missed, and what the server kept with it. */
export type RestoredSession =
  | {
      ok: true;
      /** The last seq the session assigned. */
      lastSeq: number;
      /** Its frames after the app's last_seq, in order, as they were sent. */
      texts: string[];
      /** Whatever the journal's owner keeps with the session (its subscriptions, …), handed back to `adopted`. */
      state?: unknown;
    }
  | { ok: false; reason: ByorResetFrame["reason"] };

/** What a journal is told, and asked, by the sessions of an AppSessions. */
export interface AppJournal {
  /**
   * The connection has frames waiting: take them with `connection.drainJournal()`, make them durable, then call
   * `connection.releaseJournaled(mark)` (also when that failed: the frames go out, unjournaled).
   */
  pending(connection: AppConnection): void;
  /** The app asks to resume a session this endpoint does not hold (`lastSeq`: the last one it processed). */
  restore(sessionId: string, lastSeq: number): Promise<RestoredSession>;
  /** A restored session is open here now (welcomed, its missed frames sent). */
  adopted?(connection: AppConnection, restored: Extract<RestoredSession, { ok: true }>): void;
  /** The session ended for good (closed, expired, reset): its journal may go. Not called when it moved away. */
  ended?(connection: AppConnection): void;
}

/** A journaled session's frames not yet in the journal, and the outbox mark that releases them. */
export interface JournalBatch {
  frames: { seq: number; text: string }[];
  ackedSeq: number;
  mark: number;
}

/** Frames relayed to subscribers: numbered when the app negotiated seq/ack. */
export type DeliveredFrame = Omit<ByorEventFrame, "seq"> | Omit<ByorRuntimeStatusFrame, "seq">;

/** The reason of the close (4008) of an app over its invalid-frame budget. */
export const RATE_LIMIT_REASON = "Rate limit exceeded";

/** App frames the broker acts on (the handshake, acks and heartbeats are handled here). */
export type AppRequestFrame = Exclude<AppFrame, ByorHelloFrame | ByorAckFrame | ByorPingFrame | ByorPongFrame>;

/** Frames answered directly, never numbered. */
export type ReplyFrame = Exclude<ServerFrame, ByorEventFrame | ByorRuntimeStatusFrame | ByorWelcomeFrame | ByorResetFrame>;

export interface AppConnectionEvents {
  /** A valid request of the app (byor.send, byor.subscribe, byor.unsubscribe, byor.list_runtimes). */
  frame: AppRequestFrame;
  state: StateChange;
  /**
   * The session ended for good: closed, expired while parked, replaced by a reset, or (reason `resumed`) this
   * handle's socket resumed an earlier session, which carries on under that session's own AppConnection.
   */
  closed: CloseInfo;
  /**
   * A handler of another event threw: a ByorError with code `internal_error`, the exception as its `cause` (a
   * `frame` handler's exception is also answered to the app with a byor.error `internal_error`). The other
   * handlers and later frames were handled as usual. Without a handler here it goes to `reportHandlerError`.
   */
  error: ByorError;
}

/**
 * Handlers of every connection of an AppSessions, each told the connection: what a server registers on each app,
 * kept once instead of a closure and a list entry per app and event. They run before the connection's own `on`
 * handlers and are isolated like them (a `frame` handler's exception is answered `internal_error`, and goes to the
 * `error` handlers).
 */
export type AppConnectionHandlers = {
  [K in keyof AppConnectionEvents]?: (connection: AppConnection, value: AppConnectionEvents[K]) => void;
};

interface Resolved {
  clock: Clock;
  replay: ReplayBufferOptions;
  intervalMs: number;
  maxMisses: number;
  parkMs: number;
  maxBufferedFrames: number;
  slowConsumerGraceMs: number;
  maxInvalidFrames: number;
  invalidWindowMs: number;
  journal: AppJournal | undefined;
}

/** @internal Shared between AppSessions and its connections. */
export interface AppSessionRegistry {
  options: Resolved;
  sessions: Map<string, AppConnection>;
  /** Handles waiting for a hello, for dispose. */
  pending: Set<AppConnection>;
  /** Recently expired session ids, to tell `expired` from `unknown_session`. */
  expired: Set<string>;
  handlers: AppConnectionHandlers | undefined;
}

const EXPIRED_MEMORY = 1024;

type Crypto = { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array };

/** An unguessable id: resuming a session means receiving its events. */
function newSessionId(): string {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (crypto?.randomUUID) return `s-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `s-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Bounds of the answer to an invalid frame: it must not echo a large input back (decode already caps the issues). */
const MAX_TEXT = 200;
const MAX_MESSAGE = 1_000;
const MAX_ECHOED_ID = 256;

const clip = (text: string, max = MAX_TEXT): string => (text.length > max ? `${text.slice(0, max)}…` : text);

function errorFrame(error: DecodeError, text: string): ByorErrorFrame {
  const frame: ByorErrorFrame = { type: "byor.error", code: error.code, message: clip(error.message, MAX_MESSAGE) };
  if (error.type !== undefined) frame.frame_type = clip(error.type);
  if (error.issues.length) {
    frame.issues = error.issues.map(({ pointer, keyword, expected, found }) => ({
      pointer: clip(pointer),
      keyword: clip(keyword),
      expected: clip(expected),
      found: clip(found),
    }));
  }
  if (error.moreIssues) frame.more_issues = error.moreIssues;
  // Echo a request id if the frame carried one, so the app can fail the right request (text that is not a JSON
  // object cannot carry one: no second parse). An id too long to be a real one is not echoed.
  if (error.code !== "invalid_json" && error.code !== "not_an_object") {
    const parsed = parseFrame(text);
    if (parsed.ok) {
      const { request_id, command } = parsed.value as { request_id?: unknown; command?: { request_id?: unknown } };
      const id = typeof request_id === "string" ? request_id : command?.request_id;
      if (typeof id === "string" && id.length <= MAX_ECHOED_ID) frame.request_id = id;
    }
  }
  return frame;
}

/** The registry of app sessions on one client endpoint, so a reconnecting app finds its parked session. */
export class AppSessions implements Disposable {
  readonly #registry: AppSessionRegistry;

  /** `handlers`: run for every connection, before its own (see AppConnectionHandlers). */
  constructor(options: AppConnectionOptions = {}, handlers?: AppConnectionHandlers) {
    this.#registry = {
      options: {
        clock: options.clock ?? systemClock,
        replay: options.replay ?? {},
        intervalMs: options.heartbeat?.intervalMs ?? 30_000,
        maxMisses: options.heartbeat?.maxMisses ?? 3,
        parkMs: options.parkMs ?? 60_000,
        maxBufferedFrames: options.maxBufferedFrames ?? 4096,
        slowConsumerGraceMs: options.slowConsumerGraceMs ?? 2_000,
        maxInvalidFrames: options.invalidFrames?.max ?? 100,
        invalidWindowMs: options.invalidFrames?.windowMs ?? 10_000,
        journal: options.journal,
      },
      sessions: new Map(),
      pending: new Set(),
      expired: new Set(),
      handlers,
    };
  }

  /**
   * A new app socket. The handle waits for byor.hello (a first frame of any other type is an implicit hello
   * without seq/ack). Attach handlers at once: frames arriving later are emitted on it.
   */
  accept(transport: Transport): AppConnection {
    const connection = new AppConnection(this.#registry);
    connection._attach(transport);
    return connection;
  }

  /** A welcomed session, online or parked. */
  get(sessionId: string): AppConnection | undefined {
    return this.#registry.sessions.get(sessionId);
  }

  /** Welcomed sessions, online or parked. */
  get size(): number {
    return this.#registry.sessions.size;
  }

  /** Welcomed sessions, online or parked. */
  all(): IterableIterator<AppConnection> {
    return this.#registry.sessions.values();
  }

  /** Closes every connection (1001) and ends every session. */
  dispose(): void {
    const all = [...this.#registry.pending, ...this.#registry.sessions.values()];
    for (const connection of all) connection.close(CLIENT_CLOSE.goingAway, "Server shutting down");
  }
}

/** Set by AppConnection's static block (it reaches a private method). */
let handlerFailed: (connection: AppConnection, error: unknown, name: PropertyKey) => void;

/**
 * An app's emitter, which knows its connection: a handler's exception reaches the connection through one shared
 * reporter (the emitter is its `this`), not a closure per app; and the AppSessions' handlers run first.
 */
class ConnectionEmitter extends Emitter<AppConnectionEvents> {
  #closed = false;

  constructor(
    readonly connection: AppConnection,
    readonly handlers: AppConnectionHandlers | undefined,
  ) {
    super({ onHandlerError: connectionHandlerFailed });
  }

  override has(name: keyof AppConnectionEvents): boolean {
    return (!this.#closed && this.handlers?.[name] !== undefined) || super.has(name);
  }

  override emit<K extends keyof AppConnectionEvents>(name: K, value: AppConnectionEvents[K]): void {
    const handler = this.handlers?.[name] as ((connection: AppConnection, value: AppConnectionEvents[K]) => void) | undefined;
    if (handler && !this.#closed) {
      try {
        handler.call(this.handlers, this.connection, value);
      } catch (error) {
        try {
          connectionHandlerFailed.call(this, error, name);
        } catch (reporterError) {
          reportHandlerError(error, name);
          reportHandlerError(reporterError, name);
        }
      }
    }
    super.emit(name, value);
  }

  override close(): void {
    this.#closed = true;
    super.close();
  }
}

function connectionHandlerFailed(this: unknown, error: unknown, name: PropertyKey): void {
  handlerFailed((this as ConnectionEmitter).connection, error, name);
}

export class AppConnection {
  readonly #registry: AppSessionRegistry;
  readonly #options: Resolved;
  readonly #emitter: Emitter<AppConnectionEvents>;
  readonly #machine: StateMachine;
  #sessionId = "";
  #seqAck = false;
  #welcomed = false;
  #buffer: ReplayBuffer | undefined;
  #transport: Transport | undefined;
  // What #detach drops: fields rather than a DisposableStore, one less object and array per app (~0.1 KiB).
  #messages: Disposable | undefined;
  #closes: Disposable | undefined;
  #heartbeat: Heartbeat | undefined;
  #parkTimer: unknown;
  /** Frames delivered before the hello, sent once the session exists (made for the first such frame). */
  #early: (DeliveredFrame | EncodedFrame)[] | undefined;
  /** The slow-consumer verdict, due once the grace after passing the bounds is over. */
  #verdictTimer: unknown;
  /** Invalid frames in the current window of this socket. */
  #invalid = 0;
  #invalidSince = 0;
  /** The app request being handled by `frame` handlers (to answer it if one throws). */
  #handling: AppRequestFrame | undefined;
  /** With a journal: texts to send once the journal has the frames before them, and how many went before these. */
  #outbox: string[] | undefined;
  #outboxBase = 0;
  /** With a journal: numbered frames the journal does not have yet. */
  #unjournaled: { seq: number; text: string }[] | undefined;
  /** Frames the app sent while its resume was being looked up in the journal. */
  #restoring: string[] | undefined;

  /** @internal Created by AppSessions.accept. */
  constructor(registry: AppSessionRegistry) {
    this.#registry = registry;
    this.#options = registry.options;
    this.#emitter = new ConnectionEmitter(this, registry.handlers);
    this.#machine = new EmittingStateMachine(this.#emitter);
    registry.pending.add(this);
  }

  /** The session id ("" until the welcome). */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** Whether relayed frames are numbered and kept for a resume. */
  get seqAck(): boolean {
    return this.#seqAck;
  }

  /** Welcomed and its socket is up. */
  get online(): boolean {
    return this.#machine.state.status === "open";
  }

  /** idle (before the hello) → open ⇄ offline (parked) → closed. */
  get state(): SessionState {
    return this.#machine.state;
  }

  /** Frames sent and not yet acknowledged (0 without seq/ack). */
  get unacked(): number {
    return this.#buffer ? this.#buffer.lastSeq - this.#buffer.ackedSeq : 0;
  }

  /** What the replay buffer holds for a resume: frames and their size (UTF-16 code units of their text). */
  get replayHeld(): { frames: number; bytes: number } {
    return this.#buffer ? { frames: this.#buffer.frames, bytes: this.#buffer.bytes } : { frames: 0, bytes: 0 };
  }

  on<K extends keyof AppConnectionEvents>(name: K, handler: (value: AppConnectionEvents[K]) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /**
   * Relays a frame to the app: numbered when seq/ack is on, sent when the socket is up, kept (bounded) for a
   * resume while the session is parked. Frames are trusted (built by the broker) and not validated again, nor
   * changed after delivery: one frame object fanned out to many apps is serialised once, and an EncodedFrame
   * (e.g. `encodedEvent`) not at all. Values of any depth are fine.
   *
   * With seq/ack, an app that passes the bounds (`maxBufferedFrames` unacknowledged, or the replay buffer evicting
   * one) keeps receiving for `slowConsumerGraceMs`, and is closed with 4001 only if it is still past them then.
   */
  deliver(frame: DeliveredFrame | EncodedFrame): void {
    const status = this.#machine.state.status;
    if (status === "closed") return;
    if (!this.#welcomed) {
      // Before the hello it is not known yet whether to number frames: hold a bounded few.
      const early = (this.#early ??= []);
      if (early.length >= this.#options.maxBufferedFrames) early.shift();
      early.push(frame);
      return;
    }
    const body = "encoded" in frame ? frame.encoded : encodeOnce(frame);
    if (!this.#buffer) {
      if (status === "open") this.#transport?.send(body);
      return;
    }
    const text = this.#buffer.pushEncoded(body);
    if (this.#options.journal) {
      // Durable first: a frame the app saw must be in the journal, or a resume on another server would miss it.
      (this.#unjournaled ??= []).push({ seq: this.#buffer.lastSeq, text });
      (this.#outbox ??= []).push(text);
      this.#options.journal.pending(this);
      if (status !== "open") return;
    } else {
      if (status !== "open") return;
      this.#transport?.send(text);
    }
    // A burst goes out before the acks waiting in the app's socket are read: judge once they have had time to
    // count. Memory stays bounded meanwhile (the buffer evicts, the socket has its own bound).
    if (this.#verdictTimer === undefined && this.#behind()) {
      this.#verdictTimer = this.#options.clock.setTimeout(() => this.#verdict(), this.#options.slowConsumerGraceMs);
    }
  }

  /** Past the slow-consumer bounds: frames unacknowledged beyond the limit, or evicted from the replay buffer. */
  #behind(): boolean {
    return this.#buffer !== undefined && (this.#buffer.overflowed || this.unacked > this.#options.maxBufferedFrames);
  }

  #verdict(): void {
    this.#verdictTimer = undefined;
    // Closing lets the app resume (or reset, if the buffer no longer reaches its cursor).
    if (this.online && this.#behind()) this.#lose(CLIENT_CLOSE.slowConsumer, "Slow consumer");
  }

  /** Sends a direct answer (byor.error, byor.subscribed, byor.runtimes, ...): never numbered, dropped while offline. */
  reply(frame: ReplyFrame): void {
    if (this.#machine.state.status !== "open") return;
    const { seq: _none, ...copy } = frame as ReplyFrame & { seq?: number };
    const text = stringifyJson(copy);
    // Behind frames still waiting for the journal: an answer never overtakes what came before it.
    if (this.#outbox?.length) {
      this.#outbox.push(text);
      this.#options.journal?.pending(this); // released by the next write, which may have nothing else to carry
    } else this.#transport?.send(text);
  }

  /** With a journal: the numbered frames it does not have yet (handed over once), and the mark that releases them. */
  drainJournal(): JournalBatch {
    const frames = this.#unjournaled ?? [];
    this.#unjournaled = undefined;
    return { frames, ackedSeq: this.#buffer?.ackedSeq ?? 0, mark: this.#outboxBase + (this.#outbox?.length ?? 0) };
  }

  /** The journal has every frame drained up to `mark`: send what waited for it (dropped while the app is away). */
  releaseJournaled(mark: number): void {
    const outbox = this.#outbox;
    if (!outbox) return;
    const count = Math.min(outbox.length, mark - this.#outboxBase);
    if (count <= 0) return;
    const ready = outbox.splice(0, count);
    this.#outboxBase += count;
    if (this.#machine.state.status !== "open") return; // kept in the replay buffer for a resume
    for (const text of ready) this.#transport?.send(text);
  }

  /** Ends the session for good: closes the socket (if up) with this code and reason; no resume. */
  close(code: number, reason: string): void {
    this.#end({ code, reason }, true);
  }

  /** @internal */
  _attach(transport: Transport): void {
    this.#transport = transport;
    this.#invalid = 0; // the invalid-frame budget is per socket
    this.#messages = transport.onMessage((text) => this.#onText(text));
    this.#closes = transport.onClose((close) => {
      if (this.#transport !== transport) return;
      this.#detach();
      this.#socketLost(close);
    });
    const heartbeat = new Heartbeat({
      intervalMs: this.#options.intervalMs,
      maxMisses: this.#options.maxMisses,
      // One platform timer for the heartbeats of every app (a timer each costs ~0.2 KiB).
      clock: this.#options.clock === systemClock ? sharedTimers(this.#options.intervalMs) : this.#options.clock,
      onTick: () => this.#transport?.send(BYOR_PING),
      onDead: () => this.#lose(CLIENT_CLOSE.heartbeatTimeout, "Heartbeat timeout"),
    });
    this.#heartbeat = heartbeat;
    heartbeat.start();
  }

  #onText(text: string): void {
    this.#heartbeat?.touch();
    if (this.#restoring) {
      // The resume is being looked up: handled once it is settled, in order (bounded like frames before a hello).
      if (this.#restoring.length < this.#options.maxBufferedFrames) this.#restoring.push(text);
      return;
    }
    const result = decodeAppFrame(text);
    if (!result.ok) {
      if (this.#overInvalidBudget()) return;
      this.#sendNow(errorFrame(result.error, text));
      return;
    }
    const frame = result.message;
    switch (frame.type) {
      case "byor.hello":
        if (!this.#welcomed) this.#hello(frame);
        else if (!this.#overInvalidBudget())
          this.#sendNow({ type: "byor.error", code: "invalid_state", message: "byor.hello must be the first frame of a connection", frame_type: "byor.hello" });
        return;
      case "byor.ping":
        this.#transport?.send(BYOR_PONG);
        return;
      case "byor.pong":
        return;
      case "byor.ack":
        this.#buffer?.ack(frame.seq);
        return;
      default:
        if (!this.#welcomed) this.#hello({ type: "byor.hello" });
        // The hello may have ended this handle (never for an implicit one, but stay safe).
        if (this.#machine.state.status !== "open") return;
        this.#handling = frame;
        try {
          this.#emitter.emit("frame", frame);
        } finally {
          this.#handling = undefined;
        }
    }
  }

  /** Counts an invalid frame; past the budget the app is closed (4008) and true is returned (send nothing). */
  #overInvalidBudget(): boolean {
    const now = this.#options.clock.now();
    if (this.#invalid === 0 || now - this.#invalidSince >= this.#options.invalidWindowMs) {
      this.#invalid = 0;
      this.#invalidSince = now;
    }
    if (++this.#invalid <= this.#options.maxInvalidFrames) return false;
    this.#lose(CLIENT_CLOSE.rateLimited, RATE_LIMIT_REASON);
    return true;
  }

  static {
    handlerFailed = (connection, error, name) => connection.#handlerFailed(error, name);
  }

  /** A handler threw: the `error` event hears it, and the app gets an answer to the request it sent. */
  #handlerFailed(error: unknown, name: PropertyKey): void {
    const request = name === "frame" ? this.#handling : undefined;
    if (request) {
      const requestId = request.type === "byor.send" ? (request.command as { request_id?: unknown }).request_id : request.request_id;
      this.reply({
        type: "byor.error",
        code: "internal_error",
        message: `the server failed to handle this ${request.type}`,
        frame_type: request.type,
        ...(typeof requestId === "string" && { request_id: requestId }),
      });
    }
    errorEventReporter(() => this.#emitter)(error, name);
  }

  #hello(hello: ByorHelloFrame): void {
    // A resumable session is a numbered one: asking to resume is asking for seq/ack.
    const seqAck = hello.seq_ack === true || hello.resume !== undefined;
    const resume = hello.resume;
    if (!resume) {
      this.#start(seqAck, undefined);
      return;
    }
    const earlier = this.#registry.sessions.get(resume.session_id);
    if (!earlier || !earlier.#buffer) {
      const expired = this.#registry.expired.has(resume.session_id);
      if (this.#options.journal && !expired && !earlier) return this.#restore(this.#options.journal, resume.session_id, resume.last_seq);
      this.#start(true, expired ? "expired" : "unknown_session");
      return;
    }
    const replay = earlier.#buffer.replayAfter(resume.last_seq);
    if (!replay.ok) {
      // The app must re-sync; the old session's subscriptions go with it.
      earlier.#end({ code: CLIENT_CLOSE.normal, reason: "Session reset" }, true);
      this.#start(true, replay.reason);
      return;
    }
    // The earlier session carries on with this socket; this handle retires.
    const transport = this.#transport!;
    this.#detach();
    this.#registry.pending.delete(this);
    this.#welcomed = true;
    this.#sessionId = earlier.#sessionId;
    this.#machine.to({ status: "closed", close: undefined, reason: "resumed" });
    this.#emitter.emit("closed", { code: CLIENT_CLOSE.normal, reason: "resumed" });
    this.#emitter.close();
    earlier.#resume(transport, resume.last_seq, replay.texts);
  }

  /** Looks the session up in the journal (another server held it); the app's frames wait meanwhile. */
  #restore(journal: AppJournal, sessionId: string, lastSeq: number): void {
    this.#restoring = [];
    const settle = (restored: RestoredSession) => {
      const waiting = this.#restoring ?? [];
      this.#restoring = undefined;
      // The socket went away meanwhile: nothing to resume onto (the journal still has it for the next try).
      if (!this.#transport || this.#machine.state.status === "closed") return;
      if (!restored.ok) this.#start(true, restored.reason);
      // Resumed here by another socket meanwhile: this one starts afresh rather than sharing it.
      else if (this.#registry.sessions.has(sessionId)) this.#start(true, "unknown_session");
      else this.#adopt(journal, sessionId, lastSeq, restored);
      for (const text of waiting) if (this.#transport) this.#onText(text);
    };
    journal.restore(sessionId, lastSeq).then(settle, (error: unknown) => {
      errorEventReporter(() => this.#emitter)(error, "journal");
      settle({ ok: false, reason: "unknown_session" });
    });
  }

  /** Carries on a session another server journaled: welcome (resumed), then what the app missed. */
  #adopt(journal: AppJournal, sessionId: string, lastSeq: number, restored: Extract<RestoredSession, { ok: true }>): void {
    this.#registry.pending.delete(this);
    this.#welcomed = true;
    this.#seqAck = true;
    this.#sessionId = sessionId;
    this.#buffer = ReplayBuffer.continuing(this.#options.replay, lastSeq, restored.texts);
    this.#registry.sessions.set(sessionId, this);
    this.#machine.to({ status: "open", since: this.#options.clock.now(), resumed: true });
    if (!this.online) return;
    this.#sendNow({ type: "byor.welcome", session_id: sessionId, resumed: true, seq_ack: true, last_seq: restored.lastSeq });
    for (const text of restored.texts) this.#transport?.send(text);
    journal.adopted?.(this, restored);
  }

  /** A new session; after a failed resume, announced by byor.reset first. */
  #start(seqAck: boolean, resetReason: ByorResetFrame["reason"] | undefined): void {
    this.#registry.pending.delete(this);
    this.#welcomed = true;
    this.#seqAck = seqAck;
    this.#sessionId = newSessionId();
    if (seqAck) this.#buffer = new ReplayBuffer(this.#options.replay);
    this.#registry.sessions.set(this.#sessionId, this);
    this.#machine.to({ status: "open", since: this.#options.clock.now(), resumed: false });
    if (!this.online) return; // a state handler closed the session meanwhile
    if (resetReason) this.#sendNow({ type: "byor.reset", session_id: this.#sessionId, reason: resetReason });
    const welcome: ByorWelcomeFrame = { type: "byor.welcome", session_id: this.#sessionId, resumed: false, seq_ack: seqAck };
    if (seqAck) welcome.last_seq = 0;
    this.#sendNow(welcome);
    const early = this.#early;
    this.#early = undefined;
    for (const frame of early ?? []) this.deliver(frame);
  }

  /** Takes over a new socket of the same app and sends what it missed. */
  #resume(transport: Transport, lastSeq: number, texts: string[]): void {
    if (this.#transport) {
      // The app reconnected before its old socket was noticed dead (half-open): that socket is finished.
      const old = this.#transport;
      this.#detach();
      old.close(CLIENT_CLOSE.normal, "Resumed on a new connection");
      this.#park({ code: 1006, reason: "Resumed on a new connection" });
    }
    this.#clearParkTimer();
    const buffer = this.#buffer!;
    buffer.ack(lastSeq);
    // What waited for the journal is in the buffer's replay below: sent once, from there.
    if (this.#outbox) {
      this.#outboxBase += this.#outbox.length;
      this.#outbox = [];
    }
    this._attach(transport);
    this.#machine.to({ status: "open", since: this.#options.clock.now(), resumed: true });
    if (this.#transport !== transport) return; // a state handler closed the session meanwhile
    this.#sendNow({ type: "byor.welcome", session_id: this.#sessionId, resumed: true, seq_ack: true, last_seq: buffer.lastSeq });
    for (const text of texts) transport.send(text);
  }

  #sendNow(frame: ServerFrame): void {
    this.#transport?.send(JSON.stringify(frame));
  }

  /** Closes the socket ourselves and handles the loss like a drop (a seq session parks and may resume). */
  #lose(code: number, reason: string): void {
    const transport = this.#transport;
    if (!transport) return;
    this.#detach();
    transport.close(code, reason);
    this.#socketLost({ code, reason });
  }

  #detach(): void {
    if (this.#verdictTimer !== undefined) this.#options.clock.clearTimeout(this.#verdictTimer);
    this.#verdictTimer = undefined;
    // Last added first, as a DisposableStore would.
    this.#heartbeat?.dispose();
    this.#closes?.dispose();
    this.#messages?.dispose();
    this.#heartbeat = this.#closes = this.#messages = undefined;
    this.#transport = undefined;
  }

  #socketLost(close: CloseInfo): void {
    // An app that closes normally is done; any other loss of a seq session may be followed by a resume.
    if (this.#welcomed && this.#buffer && close.code !== CLIENT_CLOSE.normal) this.#park(close);
    else this.#end(close, false);
  }

  #park(close: CloseInfo): void {
    if (this.#machine.state.status !== "open") return;
    this.#machine.to({ status: "offline", since: this.#options.clock.now(), lastClose: close });
    this.#clearParkTimer();
    this.#parkTimer = this.#options.clock.setTimeout(() => this.#expire(), this.#options.parkMs);
  }

  #expire(): void {
    this.#parkTimer = undefined;
    const expired = this.#registry.expired;
    expired.add(this.#sessionId);
    if (expired.size > EXPIRED_MEMORY) expired.delete(expired.values().next().value!);
    this.#end({ code: CLIENT_CLOSE.goingAway, reason: "Session expired" }, false);
  }

  #clearParkTimer(): void {
    if (this.#parkTimer !== undefined) this.#options.clock.clearTimeout(this.#parkTimer);
    this.#parkTimer = undefined;
  }

  #end(close: CloseInfo, closeSocket: boolean): void {
    if (this.#machine.state.status === "closed") return;
    this.#clearParkTimer();
    const transport = this.#transport;
    this.#detach();
    if (closeSocket) transport?.close(close.code, close.reason);
    this.#registry.pending.delete(this);
    const registered = this.#registry.sessions.get(this.#sessionId) === this;
    if (registered) this.#registry.sessions.delete(this.#sessionId);
    if (registered && this.#buffer) this.#options.journal?.ended?.(this);
    this.#buffer = undefined;
    this.#early = undefined;
    this.#outbox = this.#unjournaled = this.#restoring = undefined;
    this.#machine.to({ status: "closed", close, reason: close.reason });
    this.#emitter.emit("closed", close);
    this.#emitter.close();
  }
}
