import type { Transport } from "@byor/core";
import type { CloseInfo } from "@byor/core";
import { WebSocket, type RawData } from "ws";

export interface WsTransportOptions {
  /** Close the socket when this much is waiting to be written to the peer (a peer that does not read). */
  maxBufferedBytes: number;
  /** The close sent when the buffer limit is passed. */
  overflowClose: CloseInfo;
  /** Told once when the limit is passed (for logging). */
  onOverflow?: (bufferedBytes: number) => void;
}

const toText = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString("utf8") : Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data).toString("utf8");

/**
 * A `ws` socket as a core Transport. Binary frames are decoded as UTF-8 text (the runtime processes a binary frame
 * holding JSON, so the server does the same). Frames sent once the socket is closing are dropped. If the peer stops
 * reading and the socket's buffer passes `maxBufferedBytes`, the socket is closed with `overflowClose`: memory stays
 * bounded, and the peer reconnects (a runtime) or resumes (an app).
 */
export function wsTransport(ws: WebSocket, options: WsTransportOptions): Transport {
  let overflowed = false;
  return {
    send(text) {
      if (ws.readyState !== WebSocket.OPEN || overflowed) return;
      ws.send(text);
      if (ws.bufferedAmount > options.maxBufferedBytes) {
        overflowed = true;
        options.onOverflow?.(ws.bufferedAmount);
        ws.close(options.overflowClose.code, options.overflowClose.reason);
        // A peer that does not read will not finish the close handshake either.
        setTimeout(() => ws.terminate(), 5_000).unref();
      }
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    },
    onMessage(listener) {
      const handler = (data: RawData) => listener(toText(data));
      ws.on("message", handler);
      return { dispose: () => void ws.off("message", handler) };
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
