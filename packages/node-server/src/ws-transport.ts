import type { CloseInfo, Transport } from "@byor/core";
import { WebSocket, type RawData } from "ws";
import { Budget, type ResolvedBudget } from "./budget.js";

export interface WsTransportOptions {
  /**
   * Close the socket when this much is waiting to be written to the peer (a peer that does not read). Each queued
   * frame counts `FRAME_OVERHEAD` bytes on top of its own size: that is what it costs in memory.
   */
  maxBufferedBytes: number;
  /** The close sent when the buffer limit is passed. */
  overflowClose: CloseInfo;
  /** Told once when the limit is passed (for logging). */
  onOverflow?: (bufferedBytes: number) => void;
  /** What the peer may send; over it the socket is closed with `rateLimitClose`. Default: no budget. */
  budget?: ResolvedBudget;
  /** The largest frame the socket accepts (the byte budget always allows one). */
  maxPayload?: number;
  /** Default 1013 `Rate limit exceeded` (never 1008: a runtime would re-register in a tight loop). */
  rateLimitClose?: CloseInfo;
  /** Told once when the peer goes over its budget (for logging). */
  onRateLimited?: () => void;
  /** An exception thrown while handling one frame: the frame is dropped, the socket carries on. */
  onFault?: (error: unknown) => void;
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
 */
export function wsTransport(ws: WebSocket, options: WsTransportOptions): Transport {
  const pauseAt = Math.min(MAX_PAUSE_AT, Math.floor(options.maxBufferedBytes / 4));
  const budget = options.budget && new Budget(options.budget, options.maxPayload ?? 0, options.now);
  // Copy-on-write, as in core's TransportListeners: a frame goes to the listeners there were when it arrived. A
  // resume hands the transport from one session to another while the hello is being handled; a live Set would
  // deliver that hello to the new listener too.
  let listeners: readonly ((text: string) => void)[] = [];
  let queued = 0;
  let paused = false;
  let ended = false; // closed by us for overflow or budget: nothing more is read or sent

  const charged = () => ws.bufferedAmount + queued * FRAME_OVERHEAD;
  const end = (close: CloseInfo, graceMs: number) => {
    ended = true;
    ws.close(close.code, close.reason);
    ws.pause();
    // A peer that does not read (or floods) will not finish the close handshake either.
    setTimeout(() => ws.terminate(), graceMs).unref();
  };
  const written = () => {
    queued--;
    if (paused && !ended && charged() <= pauseAt / 2) {
      paused = false;
      ws.resume();
    }
  };
  // Frames sent in one tick (a burst of runtime frames read at once, a fan-out) leave in one write: a syscall per
  // frame cost more than everything else the relay does. `_socket` is ws's own net.Socket (not in its types).
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket?.uncork();
  };
  const batch = () => {
    if (corked || !socket) return;
    corked = true;
    socket.cork();
    process.nextTick(uncork);
  };
  const fault = (error: unknown) => {
    try {
      options.onFault?.(error);
    } catch {
      // The fault handler must not turn one bad frame into a crash either.
    }
  };

  ws.on("message", (data: RawData) => {
    if (ended) return;
    if (budget && !budget.spend(byteLength(data))) {
      options.onRateLimited?.();
      return end(options.rateLimitClose ?? { code: 1013, reason: "Rate limit exceeded" }, RATE_LIMIT_GRACE_MS);
    }
    if (listeners.length === 0) return;
    const text = toText(data);
    for (const listener of listeners) {
      try {
        listener(text);
      } catch (error) {
        fault(error);
      }
    }
  });

  return {
    send(text) {
      if (ws.readyState !== WebSocket.OPEN || ended) return;
      queued++;
      batch();
      ws.send(text, written);
      const bytes = charged();
      if (bytes > options.maxBufferedBytes) {
        options.onOverflow?.(bytes);
        end(options.overflowClose, OVERFLOW_GRACE_MS);
      } else if (!paused && bytes > pauseAt) {
        paused = true;
        ws.pause();
      }
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    },
    onMessage(listener) {
      const entry = (text: string) => listener(text);
      listeners = [...listeners, entry];
      return { dispose: () => void (listeners = listeners.filter((l) => l !== entry)) };
    },
    onClose(listener) {
      if (ws.readyState === WebSocket.CLOSED) {
        let live = true;
        queueMicrotask(() => live && listener({ code: 1006, reason: "" }));
        return { dispose: () => void (live = false) };
      }
      const handler = (code: number, reason: Buffer) => listener({ code, reason: reason.toString("utf8") });
      ws.once("close", handler);
      return { dispose: () => void ws.off("close", handler) };
    },
  };
}
