import { ByorError } from "@byor/protocol";
import { toDisposable, type Disposable } from "./disposable.js";
import type { AbortSignalLike } from "./platform.js";

type Handler<T> = (value: T) => void;
const NONE: readonly never[] = [];

/** Where an exception thrown by a handler goes: told the error and the event whose handler threw. */
export type HandlerErrorReporter = (error: unknown, event: PropertyKey) => void;

/**
 * The reporter of emitters that were given none: `globalThis.reportError` where it exists (browsers, Deno: the
 * page's `error` event), else `console.error`. It never throws, so a handler's exception never reaches the caller
 * of `emit` (a socket's message loop, a timer), and a server keeps running.
 */
export const reportHandlerError: HandlerErrorReporter = (error, event) => {
  try {
    const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
    if (typeof report === "function") report(error);
    else (globalThis as { console?: { error(...args: unknown[]): void } }).console?.error(`[byor] a "${String(event)}" handler threw:`, error);
  } catch {
    // Reporting must not fail the emit either.
  }
};

/**
 * The reporter of a session that has an `error` event: a handler's exception is emitted there as a ByorError with
 * code `internal_error` (the exception is its `cause`). An exception of an `error` handler itself, or one thrown
 * while nobody listens to `error`, goes to `reportHandlerError` instead, so reporting cannot loop or go unseen.
 */
export function errorEventReporter(target: () => ErrorEventTarget): HandlerErrorReporter {
  return (error, event) => ownErrorEvent.call(target(), error, event);
}

type ErrorEventTarget = { has(name: "error"): boolean; emit(name: "error", value: ByorError): void };

/**
 * `errorEventReporter` for the emitter it is given to (a reporter is called with its emitter as `this`): one
 * function for every emitter, where `errorEventReporter(() => emitter)` makes two closures per emitter.
 */
export const ownErrorEvent: HandlerErrorReporter = function (this: unknown, error, event) {
  const emitter = this as ErrorEventTarget;
  if (event === "error" || !emitter.has("error")) return reportHandlerError(error, event);
  const why = error instanceof Error ? error.message : String(error);
  emitter.emit("error", new ByorError("internal_error", `a "${String(event)}" handler threw: ${why}`, { cause: error }));
};

export interface EmitterOptions {
  /**
   * Told about every exception a handler throws (default `reportHandlerError`), with the emitter as `this`. The
   * other handlers of that emit and later emits run as if nothing happened. Sessions with an `error` event pass a
   * reporter that emits it (`ownErrorEvent`). If this throws, the default reporter gets both errors.
   */
  onHandlerError?: HandlerErrorReporter;
}

/**
 * A typed event emitter over a map of event name → payload. `on` returns a disposable; `stream` gives an async
 * iterator (buffered, ends when the signal aborts or the emitter is closed). Handlers are isolated: one that throws
 * is reported (see `EmitterOptions.onHandlerError`) and the others still run.
 */
export class Emitter<Events extends object> {
  // Copy-on-write lists: emit iterates the list as it was, with no copy per event (the hot path), and a handler
  // added or removed during an emit takes effect from the next one. A server holds an emitter or two per
  // connection, some never listened to or streamed: the map and the set are made on first use (~0.2 KiB each), and
  // lists are copied with `concat` (an array of the exact size; a spread or a push reserves room for 17).
  #handlers: Map<keyof Events, readonly Handler<never>[]> | undefined;
  #closed = false;
  #onClose: Set<() => void> | undefined;
  readonly #report: HandlerErrorReporter;

  constructor(options: EmitterOptions = {}) {
    this.#report = options.onHandlerError ?? reportHandlerError;
  }

  /** Whether `name` has a handler (e.g. to report to an `error` event only when someone listens). */
  has(name: keyof Events): boolean {
    return (this.#handlers?.get(name)?.length ?? 0) > 0;
  }

  /** Adds a handler; after `close()` nothing is added (nothing will be emitted). */
  on<K extends keyof Events>(name: K, handler: Handler<Events[K]>): Disposable {
    if (this.#closed) return toDisposable(() => {});
    const entry = handler as Handler<never>;
    const handlers = (this.#handlers ??= new Map<keyof Events, readonly Handler<never>[]>());
    handlers.set(name, (handlers.get(name) ?? []).concat(entry));
    return toDisposable(() => {
      const list = handlers.get(name);
      if (list)
        handlers.set(
          name,
          list.filter((h) => h !== entry),
        );
    });
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    for (const handler of this.#handlers?.get(name) ?? NONE) {
      try {
        (handler as Handler<Events[K]>)(value);
      } catch (error) {
        this.#failed(error, name);
      }
    }
  }

  #failed(error: unknown, name: keyof Events): void {
    try {
      this.#report.call(this, error, name);
    } catch (reporterError) {
      reportHandlerError(error, name);
      reportHandlerError(reporterError, name);
    }
  }

  /** Async iterator of one event's payloads, buffered so none is missed between two `next()` calls. */
  stream<K extends keyof Events>(name: K, signal?: AbortSignalLike): AsyncIterableIterator<Events[K]> {
    const buffer: Events[K][] = [];
    let wake: (() => void) | undefined;
    let done = this.#closed || signal?.aborted === true;
    let sub: Disposable | undefined;
    const finish = () => {
      done = true;
      sub?.dispose(); // stop buffering at once, not at the reader's next read
      wake?.();
    };
    const cleanup = () => {
      sub?.dispose();
      this.#onClose?.delete(finish);
      signal?.removeEventListener("abort", finish);
    };
    // Over before it began: nothing to listen to, and the iterator ends at once.
    if (!done) {
      sub = this.on(name, (value) => {
        buffer.push(value);
        wake?.();
      });
      (this.#onClose ??= new Set()).add(finish);
      signal?.addEventListener("abort", finish, { once: true });
    }
    const iterator: AsyncIterableIterator<Events[K]> = {
      async next() {
        while (buffer.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (buffer.length) return { value: buffer.shift()!, done: false };
        cleanup();
        return { value: undefined, done: true };
      },
      async return() {
        finish();
        cleanup();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Ends every stream and drops all handlers. */
  close(): void {
    this.#closed = true;
    for (const finish of [...(this.#onClose ?? [])]) finish();
    this.#handlers = this.#onClose = undefined;
  }
}
