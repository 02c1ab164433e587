import type { ConnectionStatus } from "@byor/browser";

/** What the connection badge shows: one of the four states people care about, and a line of detail. */
export interface ConnectionLabel {
  state: "connecting" | "live" | "resumed" | "offline" | "error" | "closed";
  text: string;
  detail: string;
  /** A "Retry now" button makes sense. */
  canRetry: boolean;
}

export function connectionLabel(status: ConnectionStatus, now: number): ConnectionLabel {
  switch (status.phase) {
    case "idle":
    case "connecting":
      return {
        state: "connecting",
        text: status.phase === "connecting" && status.attempt > 0 ? "reconnecting…" : "connecting…",
        detail: "",
        canRetry: false,
      };
    case "live":
      return status.resumed
        ? { state: "resumed", text: "resumed", detail: "reconnected without losing anything", canRetry: false }
        : { state: "live", text: "live", detail: "", canRetry: false };
    case "waiting": {
      const seconds = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
      return { state: "offline", text: "offline", detail: `retrying in ${seconds}s${status.lastError ? ` · ${status.lastError}` : ""}`, canRetry: true };
    }
    case "paused":
      return {
        state: "offline",
        text: "offline",
        detail: status.reason === "hidden" ? "paused while the tab is hidden" : "no network: waiting for it to come back",
        canRetry: true,
      };
    case "closed":
      return status.error
        ? { state: "error", text: status.error.code === "unauthorized" ? "wrong token" : "disconnected", detail: status.error.message, canRetry: false }
        : { state: "closed", text: "closed", detail: "", canRetry: false };
  }
}
