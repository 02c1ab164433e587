import { systemClock, TransportListeners, type AbortSignalLike, type Clock, type CloseInfo, type Transport } from "@byor/core";
import { globals, OPEN, type WebSocketConstructorLike, type WebSocketLike } from "./platform.js";

/** A core Transport over an open WebSocket. */
export type SocketTransport = Transport;

/**
 * Why a socket never opened. A browser only says "closed" (1006); Node's `ws` also gives the HTTP status of a
 * refused upgrade and its status text (the App Server runtime puts its reason there).
 */
export class UpgradeFailed extends Error {
  constructor(
    message: string,
    readonly close: CloseInfo,
    readonly timedOut = false,
    /** The HTTP status of the refused upgrade, when the WebSocket implementation shows it. */
    readonly status?: number,
    readonly statusText?: string,
  ) {
    super(message);
  }
}

// Browsers let a page close only with 1000 or 3000–4999, and a reason of at most 123 UTF-8 bytes.
const closeCode = (code: number) => (code === 1000 || (code >= 3000 && code <= 4999) ? code : 4000);
function closeReason(reason: string): string {
  let bytes = 0;
  let out = "";
  for (const char of reason) {
    const c = char.codePointAt(0)!;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes > 123) break;
    out += char;
  }
  return out;
}

const ignore = () => {};

let decoder: { decode(input: ArrayBuffer | Uint8Array): string } | undefined;
function toText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    decoder ??= new (globals().TextDecoder!)();
    return decoder.decode(data instanceof ArrayBuffer ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return undefined; // a Blob cannot happen with binaryType "arraybuffer"
}

function wrap(ws: WebSocketLike, extras: SocketExtras | undefined): SocketTransport {
  const listeners = new TransportListeners();
  let undo: (() => void) | undefined;
  const finish = (close: CloseInfo) => {
    if (listeners.closed) return;
    ws.onmessage = ws.onclose = ws.onopen = null;
    undo?.();
    listeners.close(close);
  };
  ws.onmessage = (event) => {
    const text = toText(event.data);
    if (text === undefined) return;
    listeners.message(text);
  };
  ws.onclose = (event) => finish({ code: event.code, reason: event.reason });
  const transport: SocketTransport = {
    send(text) {
      if (!listeners.closed && ws.readyState === OPEN) ws.send(text);
    },
    close(code, reason) {
      if (listeners.closed) return;
      try {
        ws.close(closeCode(code), closeReason(reason));
      } catch {
        // already closing
      }
      // Report at once: a dead socket's close event may take a TCP timeout to come.
      finish({ code, reason });
    },
    onMessage: (listener) => listeners.onMessage(listener),
    onClose: (listener) => listeners.onClose(listener),
  };
  if (extras) undo = extras.opened(ws, transport);
  return transport;
}

/**
 * What an entry point adds for a WebSocket implementation that shows more than a browser's (Node's `ws`: see
 * ws-extras.ts). Kept out of this file so a page's bundle does not carry it.
 */
export interface SocketExtras {
  /**
   * Before the socket opens: call `refused` if the server answers the upgrade with an HTTP status; `why` says what
   * failed when it closes before opening (ECONNREFUSED…). `undo` runs once the attempt is settled.
   */
  dialling(ws: WebSocketLike, refused: (status: number, statusText: string) => void): { undo(): void; why(): string };
  /** The socket opened: give the transport `onActivity` (protocol pings), say. Returns an undo, run on close. */
  opened(ws: WebSocketLike, transport: SocketTransport): () => void;
}

export interface OpenSocketOptions {
  WebSocket: WebSocketConstructorLike;
  url: string;
  protocols: string[];
  /** Headers of the upgrade request (Node's `ws` only: a browser's WebSocket cannot send them). */
  headers?: Record<string, string>;
  extras?: SocketExtras;
  /** Give up on an upgrade that neither opens nor fails within this long. */
  timeoutMs: number;
  signal: AbortSignalLike;
  clock?: Clock;
}

/** Dials; resolves with a Transport once the socket is open, rejects with UpgradeFailed (or the abort reason). */
export function openSocket(options: OpenSocketOptions): Promise<SocketTransport> {
  const clock = options.clock ?? systemClock;
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let ws: WebSocketLike;
    try {
      // Only ws takes the third argument; a browser's constructor ignores it.
      ws = new options.WebSocket(options.url, options.protocols, options.headers && { headers: options.headers });
    } catch (error) {
      // A malformed URL or protocol list (SyntaxError): no point retrying, but it is still a failed attempt.
      reject(new UpgradeFailed(`cannot open a WebSocket: ${(error as Error).message}`, { code: 1006, reason: "" }));
      return;
    }
    ws.binaryType = "arraybuffer";
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      dialling?.undo();
    };
    const fail = (error: unknown) => {
      done();
      ws.onopen = ws.onclose = ws.onmessage = null;
      try {
        ws.close(); // ws: aborts the handshake (as terminate() would) while connecting
      } catch {
        // never opened
      }
      reject(error);
    };
    const onAbort = () => fail(signal.reason);
    const timer = clock.setTimeout(
      () => fail(new UpgradeFailed(`no answer to the WebSocket upgrade within ${options.timeoutMs} ms`, { code: 1006, reason: "" }, true)),
      options.timeoutMs,
    );
    signal.addEventListener("abort", onAbort, { once: true });
    const dialling = options.extras?.dialling(ws, (status, text) =>
      fail(new UpgradeFailed(`the upgrade was refused: HTTP ${status}${text ? ` ${text}` : ""}`, { code: 1006, reason: "" }, false, status, text)),
    );
    ws.onopen = () => {
      done();
      resolve(wrap(ws, options.extras));
    };
    // Errors are followed by a close event, which tells what happened. The handler stays for the socket's life:
    // ws emits "error" after an aborted handshake, and an EventEmitter with no "error" listener throws it.
    ws.onerror = ignore;
    ws.onclose = (event) => {
      const why = dialling?.why();
      fail(new UpgradeFailed(`the WebSocket closed before opening (${event.code}${why ? `: ${why}` : ""})`, { code: event.code, reason: event.reason }));
    };
  });
}
