import { toDisposable, type Disposable } from "./disposable.js";
import { queueMicrotask } from "./platform.js";
import type { CloseInfo, Transport } from "./transport.js";

/** One end of an in-memory link. `deliver` lets a test (or a fault injector) control what reaches the peer. */
class MemoryEnd implements Transport {
  peer!: MemoryEnd;
  #messages = new Set<(text: string) => void>();
  #closes = new Set<(close: CloseInfo) => void>();
  #closed = false;
  /** Frames sent to this end, not yet delivered; one microtask delivers a whole burst, in order. */
  #inbox: string[] = [];
  /** Frames this end sent, in order (for assertions). */
  readonly sent: string[] = [];

  get closed(): boolean {
    return this.#closed;
  }

  send(text: string): void {
    if (this.#closed) return;
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
    if (this.#closed) return;
    // A copy: a listener added while this frame is handled (a session taking over the socket) must not see it.
    for (const listener of [...this.#messages]) listener(text);
  }

  close(code = 1000, reason = ""): void {
    if (this.#closed) return;
    this.#finish({ code, reason });
    const peer = this.peer;
    queueMicrotask(() => peer.#finish({ code, reason }));
  }

  /** Drops the link without a close frame, as a network failure would: both ends see 1006. */
  drop(): void {
    const close = { code: 1006, reason: "" };
    this.#finish(close);
    this.peer.#finish(close);
  }

  #finish(close: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of [...this.#closes]) listener(close);
    this.#messages.clear();
    this.#closes.clear();
  }

  onMessage(listener: (text: string) => void): Disposable {
    this.#messages.add(listener);
    return toDisposable(() => this.#messages.delete(listener));
  }

  onClose(listener: (close: CloseInfo) => void): Disposable {
    this.#closes.add(listener);
    return toDisposable(() => this.#closes.delete(listener));
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
