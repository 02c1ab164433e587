import { ByorError, type ByorErrorCode } from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import type { Disposable } from "./disposable.js";
import type { AbortSignalLike } from "./platform.js";

export interface RequestOptions {
  /** Give up after this long (default: the tracker's). `Infinity` waits for as long as the connection lives. */
  timeoutMs?: number;
  /** Abort waiting (rejects with `request_aborted`). */
  signal?: AbortSignalLike;
}

/** What `handle` looks at in an inbound event; any decoded RuntimeEvent fits. */
export interface ResponseLike {
  type: string;
  request_id?: unknown;
  success?: unknown;
  accepted?: unknown;
  error?: unknown;
}

interface Pending {
  settle(error: ByorError | undefined, value?: unknown): void;
}

const keyOf = (requestId: string, responseType: string) => `${responseType}\u0000${requestId}`;

/**
 * Correlates requests with their responses by `request_id` and response type. Each request has its own timeout,
 * separate from connection liveness: a slow answer on a healthy connection fails only that request, and a dead
 * connection fails them all at once through `rejectAll`.
 */
export class RequestTracker implements Disposable {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #idPrefix: string;
  readonly #pending = new Map<string, Pending>();
  #counter = 0;
  #disposed = false;

  constructor(options: { clock?: Clock; timeoutMs?: number; idPrefix?: string } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#idPrefix = options.idPrefix ?? "req";
  }

  /** Requests waiting for their response. */
  get pending(): number {
    return this.#pending.size;
  }

  /** A request id unique for this tracker: `<prefix>-<n>`. */
  nextId(): string {
    return `${this.#idPrefix}-${++this.#counter}`;
  }

  /**
   * Waits for the event of type `responseType` carrying `requestId`. Register before sending the request.
   * Rejects with `request_timeout`, `request_aborted`, `request_failed` (the response said `success: false` or
   * `accepted: false`; the response is the error's `cause`) or whatever code `rejectAll` is given.
   */
  track<T>(requestId: string, responseType: string, options: RequestOptions = {}): Promise<T> {
    const { signal } = options;
    if (this.#disposed) return Promise.reject(new ByorError("connection_closed", `request ${requestId} not sent: the tracker is disposed`));
    if (signal?.aborted) return Promise.reject(new ByorError("request_aborted", `request ${requestId} aborted`, { cause: signal.reason }));
    const key = keyOf(requestId, responseType);
    if (this.#pending.has(key)) return Promise.reject(new ByorError("invalid_state", `request ${requestId} is already waiting for ${responseType}`));

    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
      const timer = Number.isFinite(timeoutMs)
        ? this.#clock.setTimeout(
            () => pending.settle(new ByorError("request_timeout", `no ${responseType} for request ${requestId} within ${timeoutMs} ms`)),
            timeoutMs,
          )
        : undefined;
      const onAbort = () => pending.settle(new ByorError("request_aborted", `request ${requestId} aborted`, { cause: signal?.reason }));
      const pending: Pending = {
        settle: (error, value) => {
          if (this.#pending.get(key) !== pending) return;
          this.#pending.delete(key);
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve(value as T);
        },
      };
      this.#pending.set(key, pending);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Settles the request this event answers, if any. Returns whether it did. */
  handle(event: ResponseLike): boolean {
    if (typeof event.request_id !== "string") return false;
    const pending = this.#pending.get(keyOf(event.request_id, event.type));
    if (!pending) return false;
    if (event.success === false || event.accepted === false) {
      const why = typeof event.error === "string" && event.error ? `: ${event.error}` : "";
      pending.settle(new ByorError("request_failed", `${event.type} for request ${event.request_id} reports failure${why}`, { cause: event }));
    } else {
      pending.settle(undefined, event);
    }
    return true;
  }

  /** Fails the request with this id (whatever response it waits for), e.g. when the peer refused it. */
  fail(requestId: string, error: ByorError): boolean {
    const suffix = `\u0000${requestId}`;
    for (const [key, pending] of this.#pending) {
      if (!key.endsWith(suffix)) continue;
      pending.settle(error);
      return true;
    }
    return false;
  }

  /** Fails every pending request, e.g. with `connection_closed` when the socket is gone. */
  rejectAll(code: ByorErrorCode, message: string): void {
    for (const pending of [...this.#pending.values()]) pending.settle(new ByorError(code, message));
  }

  /** Fails pending requests with `connection_closed`; later `track` calls reject at once. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.rejectAll("connection_closed", "request tracker disposed");
  }
}
