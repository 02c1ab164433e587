/** Something to undo: a listener to remove, a timer to stop, a session to close. */
export interface Disposable {
  dispose(): void;
}

export const toDisposable = (dispose: () => void): Disposable => {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      dispose();
    },
  };
};

/** Collects disposables and disposes them together, last added first. */
export class DisposableStore implements Disposable {
  // Stores are per connection and hold a handful of items: the first `push` onto an array reserves room for 17
  // (~0.15 KiB), `concat` makes one the exact size. Past a few items, push as usual (no quadratic copying).
  #items: Disposable[] | undefined;
  #disposed = false;
  add<T extends Disposable>(item: T): T {
    const items = this.#items;
    if (this.#disposed) item.dispose();
    else if (!items) this.#items = [item];
    else if (items.length < 8) this.#items = items.concat([item]);
    else items.push(item);
    return item;
  }
  dispose(): void {
    this.#disposed = true;
    const items = this.#items;
    this.#items = undefined;
    if (items) for (const item of items.reverse()) item.dispose();
  }
}
