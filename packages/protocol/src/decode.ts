import { ByorError, type ByorErrorCode } from "./errors.js";
import {
  APP_FRAME_TYPES,
  APP_FRAME_VALIDATORS,
  COMMAND_TYPES,
  COMMAND_VALIDATORS,
  EVENT_TYPES,
  EVENT_VALIDATORS,
  SERVER_FRAME_TYPES,
  SERVER_FRAME_VALIDATORS,
} from "./generated/registry.js";
import type { AppFrame, CommandTypeMap, EventTypeMap, RuntimeCommand, RuntimeEvent, ServerFrame } from "./generated/types.js";
import { depthIssue } from "./depth.js";
import { formatIssue, issuesOf, type Issue } from "./issues.js";
import type { Validator } from "./validator.js";

/**
 * Which leg and way a frame travels. Runtime leg: `event` = sent by the runtime, `command` = sent to it.
 * Client endpoint of a BYOR server: `app` = sent by an app, `server` = sent by the server to an app.
 */
export type Direction = "command" | "event" | "app" | "server";

/** A frame as it comes off a socket or out of a file. Objects are validated as they are. */
export type FrameInput = string | Uint8Array | ArrayBuffer | object;

export type DecodeErrorCode = Extract<
  ByorErrorCode,
  "invalid_json" | "not_an_object" | "missing_type" | "unknown_type" | "wrong_direction" | "invalid_message"
>;

/**
 * Why a frame was refused: a code, the message type if one could be read, and one issue per problem, the first
 * MAX_ISSUES of them (`moreIssues` counts the others), so that a frame full of mistakes gives a small error.
 */
export class DecodeError extends ByorError {
  declare readonly code: DecodeErrorCode;
  constructor(
    code: DecodeErrorCode,
    message: string,
    readonly direction: Direction | undefined,
    readonly type: string | undefined,
    readonly issues: readonly Issue[] = [],
    /** Problems found beyond `issues` and left out (an estimate: see IssueList). */
    readonly moreIssues = 0,
  ) {
    super(code, message);
  }
  /** One readable line per problem, e.g. `/runtime/agent_id: expected a non-empty string, found string ""`. */
  lines(): string[] {
    if (!this.issues.length) return [this.message];
    const lines = this.issues.map(formatIssue);
    return this.moreIssues ? [...lines, `and ${this.moreIssues} more`] : lines;
  }
}

/** Issues spelled out in a DecodeError's message; all of them (up to MAX_ISSUES) are in `issues`. */
const ISSUES_IN_MESSAGE = 5;

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: DecodeError };

type Frame = Record<string, unknown> & { type: string };
type Parsed = { ok: true; value: Frame } | { ok: false; error: DecodeError };

// Typed here rather than through lib "dom" or @types/node: this package runs in both and imports neither.
type TextDecoderLike = { decode(input: Uint8Array | ArrayBuffer): string };
let textDecoder: TextDecoderLike | undefined;
const decodeText = (bytes: Uint8Array | ArrayBuffer): string =>
  (textDecoder ??= new (globalThis as unknown as { TextDecoder: new () => TextDecoderLike }).TextDecoder()).decode(bytes);

const isText = (input: FrameInput): input is string | Uint8Array | ArrayBuffer =>
  typeof input === "string" || input instanceof Uint8Array || input instanceof ArrayBuffer;

function parseText(
  input: string | Uint8Array | ArrayBuffer,
  direction: Direction | undefined,
): { ok: true; value: unknown } | { ok: false; error: DecodeError } {
  try {
    return { ok: true, value: JSON.parse(typeof input === "string" ? input : decodeText(input)) };
  } catch (err) {
    return { ok: false, error: new DecodeError("invalid_json", `frame is not valid JSON: ${(err as Error).message.slice(0, 200)}`, direction, undefined) };
  }
}

/** A parsed JSON value → an object with a string `type`, or the reason it is not one. */
function toFrame(value: unknown, direction: Direction | undefined): Parsed {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const found = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
    return { ok: false, error: new DecodeError("not_an_object", `frame must be a JSON object, found ${found}`, direction, undefined) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") {
    const found = type === undefined ? "it missing" : typeof type;
    return {
      ok: false,
      error: new DecodeError("missing_type", 'frame has no string "type"', direction, undefined, [
        { pointer: "/type", keyword: "required", expected: "a string", found },
      ]),
    };
  }
  return { ok: true, value: value as Frame };
}

/** JSON text (or bytes of it, or an already parsed value) → an object with a string `type`. */
export function parseFrame(input: FrameInput, direction?: Direction): Parsed {
  try {
    if (!isText(input)) return toFrame(input, direction);
    const parsed = parseText(input, direction);
    return parsed.ok ? toFrame(parsed.value, direction) : parsed;
  } catch (err) {
    return thrown(err, direction);
  }
}

interface Leg {
  direction: Direction;
  validators: Map<string, Validator<unknown>>;
  /** Types of the other way on the same leg (names only, so their validators stay out): a wrong_direction. */
  opposite: { has(type: string): boolean };
  wrongWay: string;
}

// Maps are the fastest lookup for a hot path keyed by arbitrary strings (and "__proto__" is just a key). One leg
// per direction, each built only where it is used, so a bundle that decodes server frames alone carries neither
// the event nor the command table.
const table = (validators: object) => new Map(Object.entries(validators) as [string, Validator<unknown>][]);
const EVENT_LEG: Leg = /* @__PURE__ */ leg("event", EVENT_VALIDATORS, COMMAND_TYPES, "is not sent by the runtime");
const COMMAND_LEG: Leg = /* @__PURE__ */ leg("command", COMMAND_VALIDATORS, EVENT_TYPES, "is not sent to the runtime");
const APP_LEG: Leg = /* @__PURE__ */ leg("app", APP_FRAME_VALIDATORS, SERVER_FRAME_TYPES, "is not sent by an app");
const SERVER_LEG: Leg = /* @__PURE__ */ leg("server", SERVER_FRAME_VALIDATORS, APP_FRAME_TYPES, "is not sent by a BYOR server");

function leg(direction: Direction, validators: object, opposite: readonly string[], wrongWay: string): Leg {
  return { direction, validators: table(validators), opposite: new Set(opposite), wrongWay };
}

function invalid(frame: Frame, leg: Leg, issues: readonly Issue[], moreIssues = 0): { ok: false; error: DecodeError } {
  const { type } = frame;
  const what = leg.direction === "command" || leg.direction === "event" ? leg.direction : "frame";
  const shown = issues.slice(0, ISSUES_IN_MESSAGE).map(formatIssue).join("; ");
  const more = issues.length - Math.min(issues.length, ISSUES_IN_MESSAGE) + moreIssues;
  const message = `invalid ${type} ${what}: ${shown}${more ? ` (and ${more} more)` : ""}`;
  return { ok: false, error: new DecodeError("invalid_message", message, leg.direction, type, issues, moreIssues) };
}

/**
 * A frame the schema accepted that came as text (from a wire): refused if it nests deeper than MAX_FRAME_DEPTH.
 * Only the text decoders call it: an object handed over by the program is its own (walking it would cost more than
 * validating it), and a bundle that validates objects alone leaves the depth check out.
 */
function deepEnough<T>(frame: Frame, leg: Leg, text: string): DecodeResult<T> {
  const tooDeep = depthIssue(frame, text);
  return tooDeep ? invalid(frame, leg, [tooDeep]) : { ok: true, message: frame as T };
}

function check<T>(frame: Frame, leg: Leg): DecodeResult<T> {
  const { type } = frame;
  const { direction } = leg;
  const validate = leg.validators.get(type);
  if (!validate) {
    const code = leg.opposite.has(type) ? "wrong_direction" : "unknown_type";
    const what = code === "wrong_direction" ? leg.wrongWay : "is not a type of the protocol";
    // The type is the peer's text, of any length: the message quotes its start only.
    const quoted = JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type);
    return { ok: false, error: new DecodeError(code, `${quoted} ${what}`, direction, type) };
  }
  if (validate(frame)) return { ok: true, message: frame as T };
  const { issues, moreIssues } = issuesOf(validate, frame);
  return invalid(frame, leg, issues, moreIssues);
}

/** Anything thrown while decoding, as a refusal. */
function thrown(err: unknown, direction: Direction | undefined): { ok: false; error: DecodeError } {
  const why = err instanceof Error ? `${err.name}: ${err.message}` : "a non-Error value was thrown";
  return { ok: false, error: new DecodeError("invalid_message", `frame could not be validated (${why.slice(0, 200)})`, direction, undefined) };
}

/** The common case first: a valid frame costs a parse, one lookup and one validator call. */
function decodeAs<T>(input: FrameInput, leg: Leg): DecodeResult<T> {
  try {
    let value: unknown = input;
    let text: string | undefined;
    if (isText(input)) {
      text = typeof input === "string" ? input : decodeText(input);
      const parsed = parseText(text, leg.direction);
      if (!parsed.ok) return parsed;
      value = parsed.value;
    }
    const validate = value !== null && typeof value === "object" ? leg.validators.get((value as { type?: unknown }).type as string) : undefined;
    if (validate?.(value) && !Array.isArray(value)) return text === undefined ? { ok: true, message: value as T } : deepEnough<T>(value as Frame, leg, text);
    const frame = toFrame(value, leg.direction);
    if (!frame.ok) return frame;
    const result = check<T>(frame.value, leg);
    return result.ok && text !== undefined ? deepEnough<T>(frame.value, leg, text) : result;
  } catch (err) {
    // "Never throws" holds for inputs no test thought of too (a getter that throws, a stack the caller exhausted).
    return thrown(err, leg.direction);
  }
}

/** Validates an already parsed object against one leg (no JSON step). */
function validateAs<T>(message: object, leg: Leg): DecodeResult<T> {
  try {
    const parsed = toFrame(message, leg.direction);
    return parsed.ok ? check<T>(parsed.value, leg) : parsed;
  } catch (err) {
    return thrown(err, leg.direction);
  }
}

/** Decodes a frame the runtime sent. Never throws. */
export const decodeEvent = (input: FrameInput): DecodeResult<RuntimeEvent> => decodeAs(input, EVENT_LEG);

/** Decodes a frame meant for the runtime. Never throws. */
export const decodeCommand = (input: FrameInput): DecodeResult<RuntimeCommand> => decodeAs(input, COMMAND_LEG);

/** Decodes a frame an app sent to a BYOR server's client endpoint. Never throws. */
export const decodeAppFrame = (input: FrameInput): DecodeResult<AppFrame> => decodeAs(input, APP_LEG);

/** Decodes a frame a BYOR server sent to an app. Never throws. */
export const decodeServerFrame = (input: FrameInput): DecodeResult<ServerFrame> => decodeAs(input, SERVER_LEG);

/**
 * Decodes a runtime-leg frame of either direction: it is accepted if either accepts it. On failure the error of
 * the direction that knows the type is returned (the event side's when both do).
 */
export function decodeFrame(input: FrameInput): DecodeResult<RuntimeEvent | RuntimeCommand> & { direction?: Direction } {
  try {
    const text = typeof input === "string" ? input : isText(input) ? decodeText(input) : undefined;
    const parsed = parseFrame(text ?? input);
    if (!parsed.ok) return parsed;
    const accept = <T>(result: DecodeResult<T>, leg: Leg) => (result.ok && text !== undefined ? deepEnough<T>(parsed.value, leg, text) : result);
    const asEvent = accept(check<RuntimeEvent>(parsed.value, EVENT_LEG), EVENT_LEG);
    if (asEvent.ok) return { ...asEvent, direction: "event" };
    const asCommand = accept(check<RuntimeCommand>(parsed.value, COMMAND_LEG), COMMAND_LEG);
    if (asCommand.ok) return { ...asCommand, direction: "command" };
    return asEvent.error.code === "wrong_direction" ? asCommand : asEvent;
  } catch (err) {
    return thrown(err, undefined);
  }
}

/** Validates a message object of a known direction without parsing; returns the issues. */
export function validateMessage<T = RuntimeEvent | RuntimeCommand>(message: object, direction: Direction): DecodeResult<T> {
  const legs = { event: EVENT_LEG, command: COMMAND_LEG, app: APP_LEG, server: SERVER_LEG };
  return validateAs<T>(message, legs[direction]);
}

/** Validates an event object (no JSON step). Unlike validateMessage, it bundles only the event leg. */
export const validateEvent = (event: object): DecodeResult<RuntimeEvent> => validateAs(event, EVENT_LEG);

/** Validates a command object (no JSON step). Bundles only the command leg. */
export const validateCommand = (command: object): DecodeResult<RuntimeCommand> => validateAs(command, COMMAND_LEG);

/** Validates an app frame object of the client endpoint (no JSON step). Bundles only that leg. */
export const validateAppFrame = (frame: object): DecodeResult<AppFrame> => validateAs(frame, APP_LEG);

/** Validates a server frame object of the client endpoint (no JSON step). Bundles only that leg. */
export const validateServerFrame = (frame: object): DecodeResult<ServerFrame> => validateAs(frame, SERVER_LEG);

export type { CommandTypeMap, EventTypeMap };
