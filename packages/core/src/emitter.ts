import { ByorError } from "@byor/protocol";
import { toDisposable, type Disposable } from "./disposable.js";
import type { AbortSignalLike } from "./platform.js";

type Handler<T> = (value: T) => void;
/** One handler, or several (copy-on-write). */
type HandlerList = Handler<never> | readonly Handler<never>[];

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
  return (error, event) => reportToErrorEvent(target(), error, event);
}

type ErrorEventTarget = { has(name: "error"): boolean; emit(name: "error", value: ByorError): void };

function reportToErrorEvent(emitter: ErrorEventTarget, error: unknown, event: PropertyKey): void {
  if (event === "error" || !emitter.has("error")) return reportHandlerError(error, event);
  const why = error instanceof Error ? error.message : String(error);
  emitter.emit("error", new ByorError("internal_error", `a "${String(event)}" handler threw: ${why}`, { cause: error }));
}

export interface EmitterOptions {
  /**
   * Told about every exception a handler throws (default `reportHandlerError`), with the emitter as `this`. The
   * other handlers of that emit and later emits run as if nothing happened. Sessions with an `error` event pass a
   * reporter that emits it. If this throws, the default reporter gets both errors.
   */
  onHandlerError?: HandlerErrorReporter;
  /**
   * Report a handler's exception as this emitter's own `error` event, as `errorEventReporter(() => emitter)` does
   * (and to `reportHandlerError` when nobody listens to `error`, or when an `error` handler threw). Sessions use it
   * instead of that reporter: it needs no closure per emitter. Takes precedence over `onHandlerError`.
   */
  errorEvent?: boolean;
}

/**
 * A typed event emitter over a map of event name → payload. `on` returns a disposable; `stream` gives an async
 * iterator (buffered, ends when the signal aborts or the emitter is closed). Handlers are isolated: one that throws
 * is reported (see `EmitterOptions.onHandlerError`) and the others still run.
 */
export class Emitter<Events extends object> {
  // Copy-on-write lists: emit iterates the list as it was, with no copy per event (the hot path), and a handler
  // added or removed during an emit takes effect from the next one. A server holds an emitter or two per
  // connection, most never listened to or streamed, with a handful of event names and most events with one
  // handler. So the table is a flat array [name, list, name, list, …] (smaller than a Map, ~0.2 KiB, and as fast to
  // search at that size), made on first use; a lone handler is kept as it is (no array); and arrays are copied
  // with `concat` (the exact size; a spread or a push reserves room for 17, ~0.15 KiB).
  #handlers: (keyof Events | HandlerList | undefined)[] | undefined;
  #closed = false;
  #onClose: Set<() => void> | undefined;
  /** A reporter, or `true`: this emitter's own `error` event (EmitterOptions.errorEvent). */
  readonly #report: HandlerErrorReporter | true;

  constructor(options: EmitterOptions = {}) {
    this.#report = options.errorEvent ? true : (options.onHandlerError ?? reportHandlerError);
  }

  /** Whether `name` has a handler (e.g. to report to an `error` event only when someone listens). */
  has(name: keyof Events): boolean {
    return this.#list(name) !== undefined;
  }

  /** The handlers of `name`: one, several, or none (undefined). */
  #list(name: keyof Events): HandlerList | undefined {
    const handlers = this.#handlers;
    if (handlers === undefined) return undefined;
    for (let i = 0; i < handlers.length; i += 2) if (handlers[i] === name) return handlers[i + 1] as HandlerList | undefined;
    return undefined;
  }

  #setList(name: keyof Events, list: HandlerList | undefined): void {
    const handlers = this.#handlers;
    if (handlers === undefined) {
      if (list !== undefined) this.#handlers = [name, list];
      return;
    }
    for (let i = 0; i < handlers.length; i += 2) {
      if (handlers[i] !== name) continue;
      handlers[i + 1] = list;
      return;
    }
    if (list !== undefined) this.#handlers = handlers.concat([name, list]);
  }

  /** Adds a handler; after `close()` nothing is added (nothing will be emitted). */
  on<K extends keyof Events>(name: K, handler: Handler<Events[K]>): Disposable {
    if (this.#closed) return toDisposable(() => {});
    const entry = handler as Handler<never>;
    const list = this.#list(name);
    this.#setList(name, list === undefined ? entry : typeof list === "function" ? [list, entry] : list.concat(entry));
    return toDisposable(() => {
      const list = this.#list(name);
      if (list === undefined) return;
      const rest = typeof list === "function" ? [list].filter((h) => h !== entry) : list.filter((h) => h !== entry);
      this.#setList(name, rest.length > 1 ? rest : rest[0]);
    });
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    const list = this.#list(name);
    if (list === undefined) return;
    if (typeof list === "function") {
      try {
        (list as Handler<Events[K]>)(value);
      } catch (error) {
        this.#failed(error, name);
      }
      return;
    }
    for (const handler of list) {
      try {
        (handler as Handler<Events[K]>)(value);
      } catch (error) {
        this.#failed(error, name);
      }
    }
  }

  #failed(error: unknown, name: keyof Events): void {
    const report = this.#report;
    try {
      if (report === true) reportToErrorEvent(this as unknown as ErrorEventTarget, error, name);
      else report.call(this, error, name);
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
    if (done) {
      // Over before it began: nothing to listen to.
      const over: AsyncIterableIterator<Events[K]> = {
        next: async () => ({ value: undefined, done: true }),
        return: async () => ({ value: undefined, done: true }),
        [Symbol.asyncIterator]: () => over,
      };
      return over;
    }
    const finish = () => {
      done = true;
      sub?.dispose(); // stop buffering at once, not at the reader's next read
      wake?.();
    };
    sub = this.on(name, (value) => {
      buffer.push(value);
      wake?.();
    });
    (this.#onClose ??= new Set()).add(finish);
    signal?.addEventListener("abort", finish, { once: true });
    const cleanup = () => {
      sub?.dispose();
      this.#onClose?.delete(finish);
      signal?.removeEventListener("abort", finish);
    };
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
    if (this.#onClose) for (const finish of [...this.#onClose]) finish();
    this.#onClose = undefined;
    this.#handlers = undefined;
  }
}
