import { ByorError } from "@byor/protocol";
import { systemClock, type AbortSignalLike, type Disposable, type SessionState, type StateChange } from "@byor/core";

interface Stateful {
  readonly state: SessionState;
  on(name: "state", handler: (change: StateChange) => void): Disposable;
}

/**
 * Resolves once `session` is open (at once if it is); rejects when it closes first (with `refusal()` when there is
 * one, else `connection_closed` with the close), on `timeoutMs` (`request_timeout`), or on abort.
 */
export function whenOpen(session: Stateful, refusal: () => ByorError | undefined, options: { signal?: AbortSignalLike; timeoutMs?: number }): Promise<void> {
  const closed = (state: SessionState) => {
    const close = state.status === "closed" ? state.close : undefined;
    return refusal() ?? new ByorError("connection_closed", `the session closed${close ? ` (${close.code}${close.reason ? ` ${close.reason}` : ""})` : ""}`);
  };
  if (session.state.status === "open") return Promise.resolve();
  if (session.state.status === "closed") return Promise.reject(closed(session.state));
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(new ByorError("request_aborted", "ready() aborted", { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    let timer: unknown;
    const finish = (error?: unknown) => {
      sub.dispose();
      if (timer !== undefined) systemClock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(new ByorError("request_aborted", "ready() aborted", { cause: signal?.reason }));
    const sub = session.on("state", ({ to }) => {
      if (to.status === "open") finish();
      else if (to.status === "closed") finish(closed(to));
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = systemClock.setTimeout(() => {
        const last = session.state.status === "backing_off" ? session.state.lastClose : undefined;
        finish(
          new ByorError("request_timeout", `not connected within ${timeoutMs} ms${last ? `; last: ${last.code}${last.reason ? ` ${last.reason}` : ""}` : ""}`),
        );
      }, timeoutMs);
    }
  });
}
