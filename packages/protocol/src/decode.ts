import { ByorError, type ByorErrorCode } from "./errors.js";
import { COMMAND_VALIDATORS, EVENT_VALIDATORS } from "./generated/registry.js";
import type { CommandTypeMap, EventTypeMap, RuntimeCommand, RuntimeEvent } from "./generated/types.js";
import { formatIssue, toIssues, type Issue } from "./issues.js";
import type { Validator } from "./validator.js";

/** Who sent the frame: `event` = the runtime, `command` = a server or app, to the runtime. */
export type Direction = "command" | "event";

/** A frame as it comes off a socket or out of a file. Objects are validated as they are. */
export type FrameInput = string | Uint8Array | ArrayBuffer | object;

export type DecodeErrorCode = Extract<ByorErrorCode, "invalid_json" | "not_an_object" | "missing_type" | "unknown_type" | "wrong_direction" | "invalid_message">;

/** Why a frame was refused: a code, the message type if one could be read, and one issue per problem. */
export class DecodeError extends ByorError {
  declare readonly code: DecodeErrorCode;
  constructor(
    code: DecodeErrorCode,
    message: string,
    readonly direction: Direction | undefined,
    readonly type: string | undefined,
    readonly issues: readonly Issue[] = [],
  ) {
    super(code, message);
  }
  /** One readable line per problem, e.g. `/runtime/agent_id: expected a non-empty string, found string ""`. */
  lines(): string[] {
    return this.issues.length ? this.issues.map(formatIssue) : [this.message];
  }
}

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: DecodeError };

// Typed here rather than through lib "dom" or @types/node: this package runs in both and imports neither.
type TextDecoderLike = { decode(input: Uint8Array | ArrayBuffer): string };
let textDecoder: TextDecoderLike | undefined;
const decodeText = (bytes: Uint8Array | ArrayBuffer): string =>
  (textDecoder ??= new (globalThis as unknown as { TextDecoder: new () => TextDecoderLike }).TextDecoder()).decode(bytes);

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

type Parsed = { ok: true; value: Record<string, unknown> & { type: string } } | { ok: false; error: DecodeError };

/** JSON text (or bytes of it, or an already parsed value) → an object with a string `type`. */
export function parseFrame(input: FrameInput, direction?: Direction): Parsed {
  let value: unknown = input;
  if (typeof input === "string" || input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const text = typeof input === "string" ? input : decodeText(input);
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ok: false, error: new DecodeError("invalid_json", `frame is not valid JSON: ${(err as Error).message}`, direction, undefined) };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: new DecodeError("not_an_object", `frame must be a JSON object, found ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`, direction, undefined) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") {
    return { ok: false, error: new DecodeError("missing_type", 'frame has no string "type"', direction, undefined, [{ pointer: "/type", keyword: "required", expected: "a string", found: type === undefined ? "it missing" : typeof type }]) };
  }
  return { ok: true, value: value as Record<string, unknown> & { type: string } };
}

function check<T>(frame: Record<string, unknown> & { type: string }, direction: Direction): DecodeResult<T> {
  const table = (direction === "event" ? EVENT_VALIDATORS : COMMAND_VALIDATORS) as unknown as Record<string, Validator<T>>;
  const { type } = frame;
  const validate = hasOwn(table, type) ? table[type] : undefined;
  if (!validate) {
    const other = direction === "event" ? COMMAND_VALIDATORS : EVENT_VALIDATORS;
    const code = hasOwn(other, type) ? "wrong_direction" : "unknown_type";
    const what = code === "wrong_direction" ? `is not sent ${direction === "event" ? "by" : "to"} the runtime` : "is not a type of the protocol";
    return { ok: false, error: new DecodeError(code, `${JSON.stringify(type)} ${what}`, direction, type) };
  }
  if (validate(frame)) return { ok: true, message: frame };
  const issues = toIssues(validate.errors ?? [], frame);
  return { ok: false, error: new DecodeError("invalid_message", `invalid ${type} ${direction}: ${issues.map(formatIssue).join("; ")}`, direction, type, issues) };
}

// Maps are the fastest lookup for a hot path keyed by arbitrary strings (and "__proto__" is just a key).
const eventValidators = new Map<string, Validator<RuntimeEvent>>(Object.entries(EVENT_VALIDATORS) as [string, Validator<RuntimeEvent>][]);
const commandValidators = new Map<string, Validator<RuntimeCommand>>(Object.entries(COMMAND_VALIDATORS) as [string, Validator<RuntimeCommand>][]);

/** The common case first: a valid frame costs a parse, one lookup and one validator call. */
function decodeFast<T>(input: FrameInput, validators: Map<string, Validator<T>>, direction: Direction): DecodeResult<T> {
  if (typeof input === "string") {
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch {
      return parseFrame(input, direction) as DecodeResult<T>;
    }
    const validate = value !== null && typeof value === "object" ? validators.get((value as { type?: unknown }).type as string) : undefined;
    if (validate?.(value) && !Array.isArray(value)) return { ok: true, message: value };
    input = value as object;
  }
  const parsed = parseFrame(input, direction);
  return parsed.ok ? check<T>(parsed.value, direction) : parsed;
}

/** Decodes a frame the runtime sent. Never throws. */
export function decodeEvent(input: FrameInput): DecodeResult<RuntimeEvent> {
  return decodeFast(input, eventValidators, "event");
}

/** Decodes a frame meant for the runtime. Never throws. */
export function decodeCommand(input: FrameInput): DecodeResult<RuntimeCommand> {
  return decodeFast(input, commandValidators, "command");
}

/**
 * Decodes a frame of either direction: it is accepted if either accepts it. On failure the error of the
 * direction that knows the type is returned (the event side's when both do).
 */
export function decodeFrame(input: FrameInput): DecodeResult<RuntimeEvent | RuntimeCommand> & { direction?: Direction } {
  const parsed = parseFrame(input);
  if (!parsed.ok) return parsed;
  const asEvent = check<RuntimeEvent>(parsed.value, "event");
  if (asEvent.ok) return { ...asEvent, direction: "event" };
  const asCommand = check<RuntimeCommand>(parsed.value, "command");
  if (asCommand.ok) return { ...asCommand, direction: "command" };
  return asEvent.error.code === "wrong_direction" ? asCommand : asEvent;
}

/** Validates a message object of a known type and direction without parsing; returns the issues. */
export function validateMessage(message: object, direction: Direction): DecodeResult<RuntimeEvent | RuntimeCommand> {
  const parsed = parseFrame(message, direction);
  return parsed.ok ? check(parsed.value, direction) : parsed;
}

export type { CommandTypeMap, EventTypeMap };
