import type { RuntimeEvent } from "@byor/protocol";

/**
 * Drops runtime events seen twice (relayed duplicates, frames replayed across connections) by their
 * `idempotency_key`, which the runtime makes unique per emission. Remembers the last `capacity` keys (LRU).
 * Direct frames carry no key and are never duplicates here.
 */
export class EventDeduper {
  readonly #capacity: number;
  readonly #refresh: boolean;
  readonly #keys = new Set<string>();

  /**
   * `refresh` (default true) moves a key seen again to the back, so the least recently seen goes first; false
   * keeps arrival order (first in, first out), which costs nothing on a duplicate.
   */
  constructor(options: { capacity?: number; refresh?: boolean } = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 4096);
    this.#refresh = options.refresh ?? true;
  }

  /** Keys remembered. */
  get size(): number {
    return this.#keys.size;
  }

  /** True if an event with the same idempotency_key was already seen; remembers the key otherwise. */
  seen(event: RuntimeEvent | { idempotency_key?: unknown }): boolean {
    const key = (event as { idempotency_key?: unknown }).idempotency_key;
    if (typeof key !== "string") return false;
    if (this.#keys.has(key)) {
      // Refresh: a key seen again is the likeliest to be seen once more.
      if (this.#refresh) {
        this.#keys.delete(key);
        this.#keys.add(key);
      }
      return true;
    }
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) this.#keys.delete(this.#keys.values().next().value!);
    return false;
  }
}
