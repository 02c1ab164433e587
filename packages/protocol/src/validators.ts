// Per-message validators, one export each, so a bundle keeps only those it imports.
export * from "./generated/validators.js";
export { APP_FRAME_VALIDATORS, COMMAND_VALIDATORS, EVENT_VALIDATORS, HTTP_VALIDATORS, SERVER_FRAME_VALIDATORS } from "./generated/registry.js";
export type { Validator, AjvIssue } from "./validator.js";
