import { FATAL_CLIENT_CLOSE_CODES } from "./close-codes.js";
import type { CloseInfo } from "./transport.js";

/**
 * When and how soon to reconnect. Attempts are numbered from 1: attempt n is the n-th reconnect since the last
 * stable connection.
 *
 * The policy holds no state. The session using it counts attempts and resets its counter to 0 once a connection
 * has stayed open for at least `stableAfterMs`, so a connection that drops right after opening keeps backing off
 * while one that was healthy for a while reconnects from the first step again.
 */
export interface ReconnectPolicy {
  /** Milliseconds to wait before attempt `attempt` (0 for attempt 0 or less). */
  retryDelay(attempt: number): number;
  /** Whether to make attempt `attempt` after the connection ended with `close`. */
  shouldRetry(close: CloseInfo, attempt: number): boolean;
  /** How long a connection must stay open before the session resets its attempt counter. */
  readonly stableAfterMs: number;
}

export interface BackoffOptions {
  /** Delay ceiling of the first attempt (default 1000). */
  baseMs?: number;
  /** Largest delay ceiling (default 30000). */
  capMs?: number;
  /** Attempts allowed since the last stable connection (default Infinity). */
  maxAttempts?: number;
  /** See ReconnectPolicy.stableAfterMs (default 10000). */
  stableAfterMs?: number;
  /** Uniform in [0, 1) (default Math.random); inject a fixed one for deterministic tests. */
  random?: () => number;
  /** Close codes after which retrying cannot help (default FATAL_CLIENT_CLOSE_CODES). */
  fatalCodes?: ReadonlySet<number>;
}

/**
 * Exponential backoff with full jitter: attempt n waits a uniform random delay in [0, min(cap, base × 2^(n−1))),
 * which spreads a crowd of clients reconnecting after the same outage instead of having them retry in lockstep.
 */
export function exponentialBackoff(options: BackoffOptions = {}): ReconnectPolicy {
  const baseMs = options.baseMs ?? 1000;
  const capMs = options.capMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? Infinity;
  const random = options.random ?? Math.random;
  const fatalCodes = options.fatalCodes ?? FATAL_CLIENT_CLOSE_CODES;
  return {
    stableAfterMs: options.stableAfterMs ?? 10_000,
    retryDelay(attempt) {
      if (!(attempt >= 1)) return 0;
      // 2^1023 is the largest finite power; beyond it the cap wins anyway.
      const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 1023));
      const r = Math.min(Math.max(random(), 0), 1);
      return r * ceiling;
    },
    shouldRetry(close, attempt) {
      return !fatalCodes.has(close.code) && attempt <= maxAttempts;
    },
  };
}
