import type { CloseInfo } from "@byor/core";
import type { ByorError } from "@byor/protocol";

/**
 * The connection as a page shows it. The ClientSession's own states (`client.session.state`) are the protocol
 * view; this adds what only the browser side knows: waiting out a backoff, paused while hidden or offline, and why
 * the last attempt failed.
 */
export type ConnectionStatus =
  /** Not started. */
  | { phase: "idle" }
  /** Dialling (attempt 0 is the first connection, n the n-th reconnect since the last stable one). */
  | { phase: "connecting"; attempt: number }
  /** Connected and welcomed. `resumed`: the server resumed the previous session (nothing was missed). */
  | { phase: "live"; resumed: boolean; since: number }
  /** Waiting out the jittered backoff before the next attempt; `reconnectNow()` skips the wait. */
  | { phase: "waiting"; attempt: number; retryAt: number; lastClose?: CloseInfo; lastError?: string }
  /** Not dialling until the page is visible again (`hidden`) or the browser is back online (`offline`). */
  | { phase: "paused"; reason: "hidden" | "offline"; attempt: number; lastClose?: CloseInfo; lastError?: string }
  /** For good: `close()` was called, the reconnect policy gave up, or the server refused the token (`error`). */
  | { phase: "closed"; close?: CloseInfo; error?: ByorError };

export type ConnectionPhase = ConnectionStatus["phase"];
