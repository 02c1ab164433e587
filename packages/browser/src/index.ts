// @byor/browser: @byor/core's ClientSession over the browser's WebSocket, for pages that drive Letta Code runtimes
// through a BYOR server. Everything protocol-side comes from @byor/core (re-exported here for convenience).

export { BrowserClient, BROWSER_CLOSE, connectBrowserClient, type BrowserClientOptions, type TokenSource } from "./browser-client.js";
export type { ConnectionPhase, ConnectionStatus } from "./status.js";
export { browserPage, type PageEvent, type PageSignals } from "./page.js";
// The socket adapter, endpoints and token check are @byor/client's (shared with Node apps), re-exported here.
export {
  CLIENT_PATH,
  RUNTIMES_PATH,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  baseUrl,
  checkToken,
  clientEndpoint,
  isSubprotocolToken,
  openSocket,
  runtimesEndpoint,
  type FetchLike,
  type FetchResponseLike,
  type OpenSocketOptions,
  type SocketTransport,
  type TokenCheck,
  type TokenPlacement,
  type WebSocketConstructorLike,
  type WebSocketLike,
} from "@byor/client";

// What a page needs from the core, so one import does.
export {
  approve,
  deny,
  exponentialBackoff,
  scopeKey,
  sameScope,
  ClientSession,
  SESSION_VALIDATION,
  SESSION_VIEWS,
  StateMirror,
  StreamAssembler,
  type ApproveOptions,
  type AssembledMessage,
  type AssembledToolCall,
  type ConversationView,
  type Disposable,
  type MirrorChange,
  type Scope,
  type ScopeState,
  type SessionState,
  type SessionValidation,
  type SessionViews,
  type TurnState,
} from "@byor/core";

// …and from the protocol: the error class and the types a page handles.
export { ByorError, DecodeError, isByorError, type ByorErrorCode, type Issue } from "@byor/protocol";
export type {
  ByorRuntimeInfo,
  ControlRequestEvent,
  DeviceStatus,
  EventTypeMap,
  LoopState,
  QueueMessage,
  RuntimeCommand,
  RuntimeEvent,
} from "@byor/protocol";
