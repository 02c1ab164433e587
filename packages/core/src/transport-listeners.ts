import { toDisposable, type Disposable } from "./disposable.js";
import type { CloseInfo } from "./transport.js";

/**
 * The listener half of a Transport, for adapters: message listeners, and close listeners that run once. After the
 * close every listener is dropped and new ones are ignored.
 */
export class TransportListeners {
  // Copy-on-write, as in the Emitter: a frame is delivered to the list as it was, with no copy per frame (the hot
  // path), and a listener added while one is handled (a session taking over) does not see it.
  #messages: readonly ((text: string) => void)[] = [];
  #closes = new Set<(close: CloseInfo) => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  onMessage(listener: (text: string) => void): Disposable {
    if (this.#closed) return toDisposable(() => {});
    if (!this.#messages.includes(listener)) this.#messages = this.#messages.concat(listener); // exact size, unlike a spread
    return toDisposable(() => (this.#messages = this.#messages.filter((l) => l !== listener)));
  }

  onClose(listener: (close: CloseInfo) => void): Disposable {
    if (this.#closed) return toDisposable(() => {});
    this.#closes.add(listener);
    return toDisposable(() => this.#closes.delete(listener));
  }

  /** Delivers one frame to the listeners there were when it arrived. */
  message(text: string): void {
    if (this.#closed) return;
    for (const listener of this.#messages) listener(text);
  }

  /** Reports the close, the first time only; returns whether this call was it. */
  close(close: CloseInfo): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    const listeners = [...this.#closes];
    this.#messages = [];
    this.#closes.clear();
    for (const listener of listeners) listener(close);
    return true;
  }
}
