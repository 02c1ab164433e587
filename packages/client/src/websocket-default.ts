import { ByorError } from "@byor/protocol";
import type { WebSocketConstructorLike } from "./platform.js";
import type { SocketExtras } from "./socket-transport.js";

/** The WebSocket an entry point (node or browser) falls back to, and whether it can send upgrade headers. */
export interface DefaultWebSocket {
  get(): WebSocketConstructorLike | undefined;
  /** `ws` can; a browser's WebSocket (and Node 22's global one) cannot. */
  sendsHeaders: boolean;
  /** What the platform's sockets show beyond a browser's (Node: ws-extras.ts). */
  extras?: SocketExtras;
}

/** The one error for "no WebSocket here": what to pass instead. */
export const noWebSocket = () =>
  new ByorError(
    "invalid_state",
    'no WebSocket implementation found: pass the `WebSocket` option (in Node: `import WebSocket from "ws"`, or import @byor/client under Node so its "node" export condition picks ws)',
  );

/** The constructor to use: the caller's, else the entry's default; throws the clear error when there is none. */
export function pickWebSocket(given: WebSocketConstructorLike | undefined, fallback: DefaultWebSocket): WebSocketConstructorLike {
  const WebSocket = given ?? fallback.get();
  if (!WebSocket) throw noWebSocket();
  return WebSocket;
}
