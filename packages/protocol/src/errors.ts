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
  | "too_many_requests";

/** The one error class of the SDK. `code` is stable; `message` is for people. */
export class ByorError extends Error {
  override readonly name = "ByorError";
  readonly code: ByorErrorCode;
  constructor(code: ByorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const isByorError = (value: unknown, code?: ByorErrorCode): value is ByorError =>
  value instanceof ByorError && (code === undefined || value.code === code);
