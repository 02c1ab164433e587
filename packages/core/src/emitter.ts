import { toDisposable, type Disposable } from "./disposable.js";
import type { AbortSignalLike } from "./platform.js";

type Handler<T> = (value: T) => void;

/**
 * A typed event emitter over a map of event name → payload. `on` returns a disposable; `stream` gives an async
 * iterator (buffered, ends when the signal aborts or the emitter is closed).
 */
export class Emitter<Events extends object> {
  // Copy-on-write lists: emit iterates the list as it was, with no copy per event (the hot path), and a handler
  // added or removed during an emit takes effect from the next one.
  #handlers = new Map<keyof Events, readonly Handler<never>[]>();
  #closed = false;
  #onClose = new Set<() => void>();

  /** Adds a handler; after `close()` nothing is added (nothing will be emitted). */
  on<K extends keyof Events>(name: K, handler: Handler<Events[K]>): Disposable {
    if (this.#closed) return toDisposable(() => {});
    const entry = handler as Handler<never>;
    this.#handlers.set(name, [...(this.#handlers.get(name) ?? []), entry]);
    return toDisposable(() => {
      const list = this.#handlers.get(name);
      if (list) this.#handlers.set(name, list.filter((h) => h !== entry));
    });
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    const list = this.#handlers.get(name);
    if (!list) return;
    for (const handler of list) (handler as Handler<Events[K]>)(value);
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
    this.#onClose.add(finish);
    signal?.addEventListener("abort", finish, { once: true });
    const cleanup = () => {
      sub?.dispose();
      this.#onClose.delete(finish);
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
    for (const finish of [...this.#onClose]) finish();
    this.#handlers.clear();
  }
}
