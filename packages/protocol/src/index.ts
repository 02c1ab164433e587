export * from "./generated/types.js";
export { COMMAND_TYPES, EVENT_TYPES, ENVELOPED_EVENT_TYPES, RESPONSE_TYPES, SCHEMA_IDS } from "./generated/registry.js";
export { ByorError, isByorError, type ByorErrorCode } from "./errors.js";
export {
  DecodeError,
  decodeAppFrame,
  decodeCommand,
  decodeEvent,
  decodeServerFrame,
  decodeFrame,
  parseFrame,
  validateMessage,
  type DecodeErrorCode,
  type DecodeResult,
  type Direction,
  type FrameInput,
} from "./decode.js";
export { encodeBrokerFrame, encodeCommand, encodeEvent } from "./encode.js";
export * from "./guards.js";
export { describe as describeValue, formatIssue, type Issue } from "./issues.js";
export type { AjvIssue, Validator } from "./validator.js";
