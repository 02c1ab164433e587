import { validateAppFrame, validateCommand, validateEvent, validateServerFrame } from "./decode.js";
import type { AppFrame, RuntimeCommand, RuntimeEvent, ServerFrame } from "./generated/types.js";

/** Validates a command and serialises it. Throws the DecodeError (code `invalid_message`, ...) if it is invalid. */
export function encodeCommand(command: RuntimeCommand): string {
  const result = validateCommand(command);
  if (!result.ok) throw result.error;
  return JSON.stringify(command);
}

/** Validates an event and serialises it: for simulated runtimes and relays. Throws like encodeCommand. */
export function encodeEvent(event: RuntimeEvent): string {
  const result = validateEvent(event);
  if (!result.ok) throw result.error;
  return JSON.stringify(event);
}

/** Validates a frame of a BYOR server's client endpoint (either way) and serialises it. Throws like encodeCommand. */
export function encodeBrokerFrame(frame: AppFrame | ServerFrame, direction: "app" | "server"): string {
  const result = direction === "app" ? validateAppFrame(frame) : validateServerFrame(frame);
  if (!result.ok) throw result.error;
  return JSON.stringify(frame);
}
