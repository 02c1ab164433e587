export { ByorServer, createByorServer } from "./server.js";
export { DEFAULT_HOST, DEFAULT_PORT, type ByorServerOptions, type TokenOrigin } from "./options.js";
export { PATHS } from "./paths.js";
export { CONSOLE_CSP } from "./console-assets.js";
export { streamLogger, silentLogger, redact, type Logger } from "./logger.js";
export { generateToken, tokensEqual, CLIENT_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "./auth.js";
export { wsTransport, type WsTransportOptions } from "./ws-transport.js";
export type { RuntimeSummary } from "./runtime-info.js";
export { lettaRemoteCommand } from "./letta-remote-command.js";
