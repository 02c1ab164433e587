export * from "./generated/types.js";
export {
  APP_FRAME_TYPES,
  COMMAND_TYPES,
  EVENT_TYPES,
  SERVER_FRAME_TYPES,
  TRANSPORT_COMMAND_TYPES,
  ENVELOPED_EVENT_TYPES,
  RESPONSE_TYPES,
  SCHEMA_IDS,
} from "./generated/registry.js";
export {
  APP_FRAME_PRIVILEGES,
  COMMAND_PRIVILEGES,
  PRIVILEGE_CLASS_DESCRIPTIONS,
  PRIVILEGE_CLASSES,
  type AppCommandType,
  type PrivilegeClass,
} from "./generated/registry.js";
export {
  BUILTIN_ROLES,
  defineRoles,
  isBuiltinRoleName,
  isPrivilegeClass,
  privilegeOf,
  privilegeOfAppFrame,
  resolveRole,
  roleAllows,
  roleAllowsAppFrame,
  roleAllowsCommand,
  type AppFrameLike,
  type BuiltinRoleName,
  type Role,
  type RoleDefinition,
} from "./roles.js";
export { ByorError, isByorError, type ByorErrorCode } from "./errors.js";
export { CLIENT_ENDPOINT } from "./client-endpoint.js";
export {
  DecodeError,
  decodeAppFrame,
  decodeCommand,
  decodeEvent,
  decodeServerFrame,
  decodeFrame,
  parseFrame,
  validateAppFrame,
  validateCommand,
  validateEvent,
  validateMessage,
  validateServerFrame,
  type DecodeErrorCode,
  type DecodeResult,
  type Direction,
  type FrameInput,
} from "./decode.js";
export { encodeBrokerFrame, encodeCommand, encodeEvent } from "./encode.js";
export * from "./guards.js";
export { describe as describeValue, formatIssue, issuesOf, MAX_ISSUES, MAX_POINTER_LENGTH, toIssues, type Issue, type IssueList } from "./issues.js";
export { depthIssue, MAX_FRAME_DEPTH } from "./depth.js";
export type { AjvIssue, Validator } from "./validator.js";
