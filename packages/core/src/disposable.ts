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
  #items: Disposable[] = [];
  #disposed = false;
  add<T extends Disposable>(item: T): T {
    if (this.#disposed) item.dispose();
    else this.#items.push(item);
    return item;
  }
  dispose(): void {
    this.#disposed = true;
    for (const item of this.#items.splice(0).reverse()) item.dispose();
  }
}
