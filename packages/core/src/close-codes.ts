/**
 * Close codes, listed once. See PROTOCOL.md.
 *
 * Runtime leg (a Letta Code runtime connected to a BYOR server): the runtime reconnects at once after any close
 * except two. 1008 makes it re-register immediately, with no backoff (so never use it to refuse a runtime:
 * refuse at the HTTP upgrade instead), and 1000 with the reason `Replaced by new connection` makes it exit.
 */
export const RUNTIME_CLOSE = {
  /** The runtime stops for good (its process exits with status 1). */
  replaced: { code: 1000, reason: "Replaced by new connection" },
  /** A newer socket of the same runtime took over; the runtime would reconnect, but it already has. */
  superseded: { code: 1000, reason: "Superseded" },
  /** The server is shutting down; the runtime will retry with backoff until it is back. */
  serverShutdown: { code: 1001, reason: "Server shutting down" },
  /** No frame from the runtime for too long; it reconnects at once. */
  heartbeatTimeout: { code: 4000, reason: "Heartbeat timeout" },
  /** The runtime's socket buffer passed the server's limit; it reconnects at once with a fresh socket. */
  notReading: { code: 1013, reason: "Runtime not reading" },
  /** The server holds its maximum of runtimes and none is offline to make room; the runtime retries. */
  tooManyRuntimes: { code: 1013, reason: "Too many runtimes" },
  /** The runtime's socket went over its budget (frames/s or bytes/s); it reconnects at once. Never 1008. */
  rateLimited: { code: 1013, reason: "Rate limit exceeded" },
} as const;

/** Client leg (apps ↔ BYOR server). */
export const CLIENT_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** The app sent a frame larger than the server accepts. */
  tooBig: 1009,
  internalError: 1011,
  /** No frame from the peer for too long. Retry and resume. */
  heartbeatTimeout: 4000,
  /** The app read too slowly and its send buffer filled up. Retry and resume (the replay buffer may still reach). */
  slowConsumer: 4001,
  /** The app (a page entering the back/forward cache) closed its socket; it resumes when the page comes back. */
  pageHidden: 4010,
  /** The app saw a gap in the seq numbers; it reconnects and resumes from its cursor. */
  seqGap: 4002,
  /** Missing or wrong token. Fatal: retrying with the same token cannot help. */
  unauthorized: 4401,
  /** Origin not allowed. Fatal. */
  forbidden: 4403,
  /** Too many connections. Retry later. */
  tooManyConnections: 4429,
  /** The app went over its budget (frames/s, bytes/s or invalid frames). Retry later, slower; resume works. */
  rateLimited: 4008,
} as const;

/** Close codes after which an app client must not reconnect on its own. */
export const FATAL_CLIENT_CLOSE_CODES: ReadonlySet<number> = new Set([CLIENT_CLOSE.unauthorized, CLIENT_CLOSE.forbidden]);
