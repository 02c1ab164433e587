import { systemClock, TransportListeners, type AbortSignalLike, type Clock, type CloseInfo, type Transport } from "@byor/core";
import { globals, OPEN, type WebSocketConstructorLike, type WebSocketLike } from "./platform.js";

/** A core Transport over an open WebSocket. */
export type SocketTransport = Transport;

/** Why a socket never opened: the browser only says "closed" (1006), never the HTTP status of the upgrade. */
export class UpgradeFailed extends Error {
  constructor(
    message: string,
    readonly close: CloseInfo,
    readonly timedOut = false,
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

let decoder: { decode(input: ArrayBuffer | Uint8Array): string } | undefined;
function toText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    decoder ??= new (globals().TextDecoder!)();
    return decoder.decode(data instanceof ArrayBuffer ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return undefined; // a Blob cannot happen with binaryType "arraybuffer"
}

function wrap(ws: WebSocketLike): SocketTransport {
  const listeners = new TransportListeners();
  const finish = (close: CloseInfo) => {
    if (listeners.closed) return;
    ws.onmessage = ws.onclose = ws.onerror = ws.onopen = null;
    listeners.close(close);
  };
  ws.onmessage = (event) => {
    const text = toText(event.data);
    if (text === undefined) return;
    listeners.message(text);
  };
  ws.onclose = (event) => finish({ code: event.code, reason: event.reason });
  ws.onerror = () => {}; // a close event follows
  return {
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
}

export interface OpenSocketOptions {
  WebSocket: WebSocketConstructorLike;
  url: string;
  protocols: string[];
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
      ws = new options.WebSocket(options.url, options.protocols);
    } catch (error) {
      // A malformed URL or protocol list (SyntaxError): no point retrying, but it is still a failed attempt.
      reject(new UpgradeFailed(`cannot open a WebSocket: ${(error as Error).message}`, { code: 1006, reason: "" }));
      return;
    }
    ws.binaryType = "arraybuffer";
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (error: unknown) => {
      done();
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
      try {
        ws.close();
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
    ws.onopen = () => {
      done();
      resolve(wrap(ws));
    };
    ws.onerror = () => {}; // the close event follows with the code
    ws.onclose = (event) => fail(new UpgradeFailed(`the WebSocket closed before opening (${event.code})`, { code: event.code, reason: event.reason }));
  });
}
