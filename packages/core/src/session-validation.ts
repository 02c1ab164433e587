import { validateCommand, validateEvent } from "@byor/protocol";
import type { SessionValidation } from "./client-session.js";

/**
 * Both checks, for ClientSession's `validation` option: commands are validated before they leave and relayed
 * events as they arrive, on top of the server's own validation. Bundles the command and event validators.
 */
export const SESSION_VALIDATION: SessionValidation = { command: validateCommand, event: validateEvent };
