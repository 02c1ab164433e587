/**
 * String codes of every error the SDK raises or returns. One list, so callers can switch on `error.code`
 * across packages.
 */
export type ByorErrorCode =
  // decoding and encoding frames
  | "invalid_json"
  | "not_an_object"
  | "missing_type"
  | "unknown_type"
  | "wrong_direction"
  | "invalid_message"
  // sessions and requests (used by @byor/core and the adapters)
  | "request_timeout"
  | "request_aborted"
  | "request_failed"
  | "connection_closed"
  | "not_connected"
  | "heartbeat_timeout"
  | "unauthorized"
  | "payload_too_large"
  | "invalid_state"
  // a peer over its budget (frames/s, bytes/s, invalid frames), and a fault inside the server while handling a frame
  | "rate_limited"
  | "internal_error"
  // the client endpoint of a BYOR server (byor.error codes)
  | "unknown_runtime"
  | "runtime_offline"
  | "too_many_requests"
  // the app's role does not grant the privilege class of what it sent (access control)
  | "forbidden";

/**
 * Marks ByorError and its subclasses whatever copy of this package defined them. An app can load two (the ESM and
 * the CJS build, or two installed versions), and `instanceof` checks one copy's class only; `Symbol.for` keys are
 * shared by every copy in the process. A static member, so no error instance carries it (nor its JSON or clones).
 */
const BRAND: unique symbol = Symbol.for("byor.ByorError");

/** The one error class of the SDK. `code` is stable; `message` is for people. */
export class ByorError extends Error {
  override readonly name = "ByorError";
  readonly code: ByorErrorCode;
  constructor(code: ByorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /** @internal */
  static readonly [BRAND] = true;
}

/**
 * Whether `value` is a ByorError (or subclass), optionally with the given code, made by any copy of this package:
 * use it rather than `instanceof ByorError`, which misses errors of the other copy. (No `Symbol.hasInstance` to
 * make `instanceof` do the same: it costs a web page about 60 bytes gzipped.)
 */
export const isByorError = (value: unknown, code?: ByorErrorCode): value is ByorError =>
  (value as { constructor?: { [BRAND]?: unknown } } | null | undefined)?.constructor?.[BRAND] === true &&
  (code === undefined || (value as ByorError).code === code);
