import type { Disposable } from "./disposable.js";
import { queueMicrotask } from "./platform.js";
import { TransportListeners } from "./transport-listeners.js";
import type { CloseInfo, Transport } from "./transport.js";

/** One end of an in-memory link; `receive` delivers a frame to its listeners as if it came off the wire. */
class MemoryEnd implements Transport {
  peer!: MemoryEnd;
  readonly #listeners = new TransportListeners();
  /** Frames sent to this end, not yet delivered; one microtask delivers a whole burst, in order. */
  #inbox: string[] = [];
  /** Frames this end sent, in order (for assertions). */
  readonly sent: string[] = [];

  get closed(): boolean {
    return this.#listeners.closed;
  }

  send(text: string): void {
    if (this.closed) return;
    this.sent.push(text);
    this.peer.#enqueue(text);
  }

  // Asynchronous like a real socket: a handler never runs inside the sender's call stack.
  #enqueue(text: string): void {
    if (this.#inbox.push(text) === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const inbox = this.#inbox;
    this.#inbox = [];
    for (const text of inbox) this.receive(text);
  }

  receive(text: string): void {
    this.#listeners.message(text);
  }

  close(code = 1000, reason = ""): void {
    if (!this.#listeners.close({ code, reason })) return;
    const peer = this.peer;
    queueMicrotask(() => peer.#listeners.close({ code, reason }));
  }

  /** Drops the link without a close frame, as a network failure would: both ends see 1006. */
  drop(): void {
    const close = { code: 1006, reason: "" };
    this.#listeners.close(close);
    this.peer.#listeners.close(close);
  }

  onMessage(listener: (text: string) => void): Disposable {
    return this.#listeners.onMessage(listener);
  }

  onClose(listener: (close: CloseInfo) => void): Disposable {
    return this.#listeners.onClose(listener);
  }
}

export type MemoryTransport = Transport & {
  readonly sent: readonly string[];
  readonly closed: boolean;
  /** Lose the connection without a close frame (1006 on both ends). */
  drop(): void;
};

/** Two linked transports: what one sends, the other receives (in a later microtask). For tests and demos. */
export function createTransportPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
