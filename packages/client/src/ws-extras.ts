import { toDisposable, type Disposable } from "@byor/core";
import type { WebSocketLike } from "./platform.js";
import type { SocketExtras } from "./socket-transport.js";

type On = (event: string, listener: (...args: never[]) => void) => unknown;

/**
 * What Node's `ws` shows beyond a browser's WebSocket: the HTTP status of a refused upgrade (an App Server runtime
 * puts its reason in the status text) and protocol pings and pongs, which it answers itself and which are life to a
 * heartbeat watchdog (App Server runtimes ping only this way). Implementations without `on` get nothing.
 */
export const wsExtras: SocketExtras = {
  dialling(ws, refused) {
    const on = ws.on?.bind(ws) as On | undefined;
    const off = ws.off?.bind(ws) as On | undefined;
    if (!on || !off) return { undo() {}, why: () => "" };
    // With a listener here, ws leaves the failed handshake to us: openSocket's `fail` terminates the socket.
    const onResponse = (_request: unknown, response: { statusCode?: number; statusMessage?: string }) =>
      refused(response.statusCode ?? 0, response.statusMessage ?? "");
    // A failed connection (ECONNREFUSED…) comes as an error with a message, then the close.
    let lastError = "";
    const onError = (error: { message?: unknown }) => {
      if (typeof error?.message === "string") lastError = error.message;
    };
    on("unexpected-response", onResponse as (...args: never[]) => void);
    on("error", onError as (...args: never[]) => void);
    return {
      undo() {
        off("unexpected-response", onResponse as (...args: never[]) => void);
        off("error", onError as (...args: never[]) => void);
      },
      why: () => lastError,
    };
  },
  opened(ws: WebSocketLike, transport) {
    if (!ws.on || !ws.off) return () => {};
    let listeners: Set<() => void> | undefined = new Set();
    const alive = () => {
      if (listeners) for (const listener of listeners) listener();
    };
    ws.on("ping", alive);
    ws.on("pong", alive);
    transport.onActivity = (listener): Disposable => {
      listeners?.add(listener);
      return toDisposable(() => listeners?.delete(listener));
    };
    return () => {
      ws.off!("ping", alive);
      ws.off!("pong", alive);
      listeners = undefined;
    };
  },
};
