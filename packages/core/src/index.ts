// @byor/core: the session logic of the protocol, with no I/O of its own. Adapters supply a Transport.

// The seam and its helpers
export type { CloseInfo, Transport } from "./transport.js";
export { ConnectRefused } from "./connect-refused.js";
export { TransportListeners } from "./transport-listeners.js";
export { createTransportPair, type MemoryTransport } from "./memory-transport.js";
export { DisposableStore, toDisposable, type Disposable } from "./disposable.js";
export { systemClock, type Clock } from "./clock.js";
export { Emitter, errorEventReporter, ownErrorEvent, reportHandlerError, type EmitterOptions, type HandlerErrorReporter } from "./emitter.js";
export { jsonEqual, stringifyJson } from "./deep-json.js";
export type { AbortSignalLike } from "./platform.js";
export { CLIENT_CLOSE, FATAL_CLIENT_CLOSE_CODES, RUNTIME_CLOSE } from "./close-codes.js";

// States, liveness, retries, requests
export { StateMachine, TRANSITIONS, type SessionState, type SessionStatus, type StateChange } from "./states.js";
export { Heartbeat, type HeartbeatOptions } from "./heartbeat.js";
export { exponentialBackoff, type BackoffOptions, type ReconnectPolicy } from "./reconnect.js";
export { RequestTracker, type RequestOptions, type ResponseLike } from "./requests.js";
export { sameScope, scopeKey, toScope, type Scope } from "./scope.js";

// What a session knows
export { StateMirror, type MirrorChange, type MirrorKey, type ScopeState } from "./mirror.js";
export {
  StreamAssembler,
  type AssembledMessage,
  type AssembledToolCall,
  type AssemblerChange,
  type ConversationView,
  type ToolCallApproval,
  type ToolCallResult,
  type ToolCallStatus,
  type TurnState,
} from "./stream-assembler.js";
export { approve, deny, type ApproveOptions } from "./approvals.js";
export { SESSION_VIEWS } from "./session-views.js";
export { SESSION_VALIDATION } from "./session-validation.js";

// The runtime leg: a server's side of one runtime
export { RuntimeSession, type ReceivedFrame, type RuntimeSessionEvents, type RuntimeSessionOptions } from "./runtime-session.js";
// …and the same session when the app dials the runtime (App Server mode, `letta server --listen`)
export {
  APP_SERVER_PROTOCOL_VERSION,
  AppServerSession,
  type AppServerInfo,
  type AppServerSessionEvents,
  type AppServerSessionOptions,
} from "./app-server-session.js";

// The client leg: seq/ack, a server's side of one app, and the app's side
export { ReplayBuffer, SeqReceiver, type ReplayBufferOptions } from "./seq.js";
export { EventDeduper } from "./event-deduper.js";
export {
  AppConnection,
  AppSessions,
  RATE_LIMIT_REASON,
  encodedEvent,
  type AppConnectionEvents,
  type AppJournal,
  type JournalBatch,
  type RestoredSession,
  type AppConnectionHandlers,
  type AppConnectionOptions,
  type AppRequestFrame,
  type DeliveredFrame,
  type EncodedFrame,
  type ReplyFrame,
} from "./app-connection.js";
export {
  ClientSession,
  SEQ_GAP_CLOSE,
  type ByorPrincipal,
  type ClientSessionEvents,
  type ClientSessionOptions,
  type SessionValidation,
  type SessionViews,
} from "./client-session.js";
