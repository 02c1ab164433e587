import type { ConnectionStatus } from "@byor/browser";
import { CLIENT_CLOSE, type CloseInfo } from "@byor/core";

/** The server closes an app's sockets with 1012 when its token's role changed: it reconnects with the new role. */
export const ROLE_CHANGED_CLOSE = 1012;

/**
 * The server closed the socket because it no longer accepts the token (removed from the tokens file, or past its
 * rotation grace): 4401, which the client does not retry. A token refused at the upgrade is `unauthorized` instead.
 */
export const isRevoked = (status: ConnectionStatus): boolean =>
  status.phase === "closed" && status.error?.code !== "unauthorized" && status.close?.code === CLIENT_CLOSE.unauthorized;

const closeText = (close: CloseInfo) => (close.reason ? `${close.code} ${close.reason}` : String(close.code));

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
      if (status.lastClose?.code === ROLE_CHANGED_CLOSE) {
        return { state: "connecting", text: "reconnecting…", detail: "your access changed: reconnecting with the new role", canRetry: true };
      }
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
      if (isRevoked(status)) {
        return { state: "error", text: "token revoked", detail: `the server no longer accepts this token (${closeText(status.close!)})`, canRetry: false };
      }
      return status.error
        ? { state: "error", text: status.error.code === "unauthorized" ? "wrong token" : "disconnected", detail: status.error.message, canRetry: false }
        : { state: "closed", text: "closed", detail: "", canRetry: false };
  }
}
