import type { CloseInfo, Disposable, Transport } from "@byor/core";
import { WebSocket, type RawData } from "ws";
import { Budget, BudgetTerms, type ResolvedBudget } from "./budget.js";

/**
 * The callbacks are told the socket they concern as their last argument, so one options object can serve every
 * socket of a kind (a server keeps no closure per socket for them).
 */
export interface WsTransportOptions {
  /**
   * Close the socket when this much is waiting to be written to the peer (a peer that does not read). Each queued
   * frame counts `FRAME_OVERHEAD` bytes on top of its own size: that is what it costs in memory.
   */
  maxBufferedBytes: number;
  /** The close sent when the buffer limit is passed. */
  overflowClose: CloseInfo;
  /** Told once when the limit is passed (for logging). */
  onOverflow?: (bufferedBytes: number, ws: WebSocket) => void;
  /** What the peer may send; over it the socket is closed with `rateLimitClose`. Default: no budget. */
  budget?: ResolvedBudget;
  /** The largest frame the socket accepts (the byte budget always allows one). */
  maxPayload?: number;
  /** Default 1013 `Rate limit exceeded` (never 1008: a runtime would re-register in a tight loop). */
  rateLimitClose?: CloseInfo;
  /** Told once when the peer goes over its budget (for logging). */
  onRateLimited?: (ws: WebSocket) => void;
  /** An exception thrown while handling one frame: the frame is dropped, the socket carries on. */
  onFault?: (error: unknown, ws: WebSocket) => void;
  /** For the budget. Default `Date.now`. */
  now?: () => number;
}

/**
 * What a queued frame costs beyond its bytes (the socket's write queue entry, its Buffers, the callback). Measured:
 * ~300k 22-byte pongs queued to an app that never reads took ~15 MB of heap and ~45 MB of RSS while `bufferedAmount`
 * said 1.4 MB; counting bytes alone let such an app hold ~10× `maxBufferedBytes` of memory.
 */
export const FRAME_OVERHEAD = 512;
/** Reading from a peer pauses while this much (with overhead) waits for it, at most: it cannot pile up answers. */
const MAX_PAUSE_AT = 1024 * 1024;
/** How long a closed peer (over its buffer or budget) has to finish the close handshake. */
const OVERFLOW_GRACE_MS = 5_000;
const RATE_LIMIT_GRACE_MS = 1_000;

const byteLength = (data: RawData): number =>
  Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;

const toText = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString("utf8") : Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data).toString("utf8");

/**
 * A `ws` socket as a core Transport. Binary frames are decoded as UTF-8 text (the runtime processes a binary frame
 * holding JSON, so the server does the same). Frames sent once the socket is closing are dropped.
 *
 * Untrusted input is fenced here: an exception while a listener handles a frame goes to `onFault` and never
 * reaches the socket's event loop (nor the process). A peer over its `budget` is closed with `rateLimitClose`
 * and not read any more. Memory stays bounded: while the peer has more than a bound waiting to be written to it,
 * its socket is not read (a peer that sends pings and never reads the pongs stalls itself, not the server); past
 * `maxBufferedBytes` it is closed with `overflowClose`, and reconnects (a runtime) or resumes (an app).
 *
 * The transport is a class instance, as core's in-memory one is: its methods are on the prototype, so wrap it (a
 * method calling it) rather than spread it.
 */
export function wsTransport(ws: WebSocket, options: WsTransportOptions): Transport {
  return new WsTransport(ws, options);
}

/** The budget terms of each options object: one per kind of socket on a server. */
const terms = new WeakMap<WsTransportOptions, BudgetTerms | null>();

/** None for no budget, or an unlimited one (both rates Infinity never refuse a frame: no bucket to keep). */
function budgetTerms(options: WsTransportOptions): BudgetTerms | undefined {
  let found = terms.get(options);
  if (found === undefined) {
    const budget = options.budget;
    const limited = budget !== undefined && (Number.isFinite(budget.framesPerSecond) || Number.isFinite(budget.bytesPerSecond));
    found = limited ? new BudgetTerms(budget, options.maxPayload ?? 0, options.now) : null;
    terms.set(options, found);
  }
  return found ?? undefined;
}

/** The transport of a socket, for the socket's listeners (shared functions: `this` is the socket). */
const TRANSPORT = Symbol("byor.wsTransport");
type Tagged = WebSocket & { [TRANSPORT]?: WsTransport };

/** Listeners, copy-on-write: none, a lone one as it is (nearly always), or an array (~0.05 KiB more). */
type Listeners<T> = Subscription<T> | readonly Subscription<T>[] | undefined;

function withListener<T>(list: Listeners<T>, subscription: Subscription<T>): Listeners<T> {
  return list === undefined ? subscription : list instanceof Subscription ? [list, subscription] : list.concat(subscription);
}

function withoutListener<T>(list: Listeners<T>, subscription: Subscription<T>): Listeners<T> {
  if (list === subscription) return undefined;
  if (list === undefined || list instanceof Subscription) return list;
  const rest = list.filter((s) => s !== subscription);
  return rest.length > 1 ? rest : rest[0];
}

// A server holds one of these per socket, most of them idle: its state is fields and its behaviour prototype
// methods and shared functions, not a closure each (~0.1 KiB with its context). The only closure, the write
// callback, is made at the first send.
class WsTransport implements Transport {
  readonly #ws: WebSocket;
  readonly #options: WsTransportOptions;
  readonly #pauseAt: number;
  readonly #budget: Budget | undefined;
  /** ws's own net.Socket (not in its types), corked so that frames sent in one tick leave in one write. */
  readonly #socket: { cork(): void; uncork(): void } | undefined;
  // Copy-on-write, as in core's TransportListeners: a frame goes to the listeners there were when it arrived. A
  // resume hands the transport from one session to another while the hello is being handled; a live Set would
  // deliver that hello to the new listener too.
  #listeners: Listeners<string>;
  #closeListeners: Listeners<CloseInfo>;
  #queued = 0;
  #paused = false;
  #ended = false; // closed by us for overflow or budget: nothing more is read or sent
  #corked = false;
  #written: (() => void) | undefined;

  constructor(ws: WebSocket, options: WsTransportOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#pauseAt = Math.min(MAX_PAUSE_AT, Math.floor(options.maxBufferedBytes / 4));
    const terms = budgetTerms(options);
    this.#budget = terms && new Budget(terms);
    this.#socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    // Not `once` for the close: it wraps the listener in a bound function and a state object; ws emits it once.
    if ((ws as Tagged)[TRANSPORT] === undefined) {
      (ws as Tagged)[TRANSPORT] = this;
      ws.on("message", WsTransport.#onMessage);
      ws.on("close", WsTransport.#onClose);
    } else {
      // A socket wrapped twice: the tag is the first transport's, this one listens on its own.
      ws.on("message", (data: RawData) => this.#receive(data));
      ws.on("close", (code: number, reason: Buffer) => this.#closed(code, reason));
    }
  }

  static #onMessage(this: Tagged, data: RawData): void {
    const transport = this[TRANSPORT];
    if (transport) transport.#receive(data);
  }

  static #onClose(this: Tagged, code: number, reason: Buffer): void {
    const transport = this[TRANSPORT];
    if (transport) transport.#closed(code, reason);
  }

  #closed(code: number, reason: Buffer): void {
    const listeners = this.#closeListeners;
    this.#closeListeners = undefined;
    const text = reason.toString("utf8");
    if (listeners instanceof Subscription) listeners.listener({ code, reason: text });
    else if (listeners) for (const { listener } of listeners) listener({ code, reason: text });
  }

  static #uncork(transport: WsTransport): void {
    transport.#corked = false;
    transport.#socket?.uncork();
  }

  #receive(data: RawData): void {
    if (this.#ended) return;
    if (this.#budget && !this.#budget.spend(byteLength(data))) {
      this.#options.onRateLimited?.(this.#ws);
      return this.#end(this.#options.rateLimitClose ?? { code: 1013, reason: "Rate limit exceeded" }, RATE_LIMIT_GRACE_MS);
    }
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const text = toText(data);
    if (listeners instanceof Subscription) this.#deliver(listeners.listener, text);
    else for (const { listener } of listeners) this.#deliver(listener, text);
  }

  #deliver(listener: (text: string) => void, text: string): void {
    try {
      listener(text);
    } catch (error) {
      this.#fault(error);
    }
  }

  #fault(error: unknown): void {
    try {
      this.#options.onFault?.(error, this.#ws);
    } catch {
      // The fault handler must not turn one bad frame into a crash either.
    }
  }

  #charged(): number {
    return this.#ws.bufferedAmount + this.#queued * FRAME_OVERHEAD;
  }

  #end(close: CloseInfo, graceMs: number): void {
    this.#ended = true;
    this.#ws.close(close.code, close.reason);
    this.#ws.pause();
    // A peer that does not read (or floods) will not finish the close handshake either.
    setTimeout(terminate, graceMs, this.#ws).unref();
  }

  #onWritten(): void {
    this.#queued--;
    if (this.#paused && !this.#ended && this.#charged() <= this.#pauseAt / 2) {
      this.#paused = false;
      this.#ws.resume();
    }
  }

  // Frames sent in one tick (a burst of runtime frames read at once, a fan-out) leave in one write: a syscall per
  // frame cost more than everything else the relay does.
  #batch(): void {
    if (this.#corked || !this.#socket) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(WsTransport.#uncork, this);
  }

  send(text: string): void {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN || this.#ended) return;
    this.#queued++;
    this.#batch();
    ws.send(text, (this.#written ??= () => this.#onWritten()));
    const bytes = this.#charged();
    if (bytes > this.#options.maxBufferedBytes) {
      this.#options.onOverflow?.(bytes, this.#ws);
      this.#end(this.#options.overflowClose, OVERFLOW_GRACE_MS);
    } else if (!this.#paused && bytes > this.#pauseAt) {
      this.#paused = true;
      ws.pause();
    }
  }

  close(code: number, reason: string): void {
    const ws = this.#ws;
    if (ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
  }

  onMessage(listener: (text: string) => void): Disposable {
    const subscription = new Subscription(this, listener, false);
    this.#listeners = withListener(this.#listeners, subscription);
    return subscription;
  }

  onClose(listener: (close: CloseInfo) => void): Disposable {
    const subscription = new Subscription(this, listener, true);
    if (this.#ws.readyState === WebSocket.CLOSED) {
      queueMicrotask(() => subscription.live && listener({ code: 1006, reason: "" }));
      return subscription;
    }
    this.#closeListeners = withListener(this.#closeListeners, subscription);
    return subscription;
  }

  /** @internal A subscription is disposed. */
  static remove(transport: WsTransport, subscription: Subscription<string> | Subscription<CloseInfo>): void {
    if (subscription.close) transport.#closeListeners = withoutListener(transport.#closeListeners, subscription as Subscription<CloseInfo>);
    else transport.#listeners = withoutListener(transport.#listeners, subscription as Subscription<string>);
  }
}

/** One listener of a WsTransport, and what disposes it. */
class Subscription<T> implements Disposable {
  live = true;
  constructor(
    readonly transport: WsTransport,
    readonly listener: (value: T) => void,
    readonly close: boolean,
  ) {}

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    WsTransport.remove(this.transport, this as unknown as Subscription<string>);
  }
}

function terminate(ws: WebSocket): void {
  ws.terminate();
}
