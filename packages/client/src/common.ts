// What both entry points (node and browser) export beside their two connect functions.
export { APP_SERVER_PROTOCOL_VERSION, AppServerSession, type AppServerInfo, type AppServerSessionEvents, type AppServerSessionOptions } from "@byor/core";
export { appServerUrl, type AppServerAuth, type AppServerOptions } from "./app-server.js";
export { signAppServerToken, type AppServerTokenOptions } from "./app-server-token.js";
export type { ByorClient, ClientOptions, TokenSource } from "./broker-client.js";
export {
  CLIENT_PATH,
  RUNTIMES_PATH,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  baseUrl,
  clientEndpoint,
  isLoopback,
  isSubprotocolToken,
  runtimesEndpoint,
  dialTarget,
  type TokenPlacement,
} from "./endpoint.js";
export { openSocket, UpgradeFailed, type OpenSocketOptions, type SocketExtras, type SocketTransport } from "./socket-transport.js";
export { wsExtras } from "./ws-extras.js";
export { checkToken, type FetchLike, type FetchResponseLike, type TokenCheck } from "./token-check.js";
export type { WebSocketConstructorLike, WebSocketLike } from "./platform.js";
export { noWebSocket } from "./websocket-default.js";
