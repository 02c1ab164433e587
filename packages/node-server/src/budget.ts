/** What one connection may send: frames and bytes per second, averaged, with a burst of two seconds' worth. */
export interface ConnectionBudget {
  framesPerSecond?: number;
  bytesPerSecond?: number;
}

/** Defaults: generous for the real runtime's bursts (snapshots after a sync, large tool results) and for apps. */
export const DEFAULT_RUNTIME_BUDGET: ResolvedBudget = { framesPerSecond: 5_000, bytesPerSecond: 64 * 1024 * 1024 };
export const DEFAULT_APP_BUDGET: ResolvedBudget = { framesPerSecond: 2_000, bytesPerSecond: 8 * 1024 * 1024 };

export function resolveBudget(budget: ConnectionBudget | undefined, defaults: ResolvedBudget, name: string): ResolvedBudget {
  const resolved = {
    framesPerSecond: budget?.framesPerSecond ?? defaults.framesPerSecond,
    bytesPerSecond: budget?.bytesPerSecond ?? defaults.bytesPerSecond,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!(typeof value === "number" && value > 0)) throw new TypeError(`${name}.${key} must be a positive number (Infinity for no limit)`);
  }
  return resolved;
}

export interface ResolvedBudget {
  framesPerSecond: number;
  bytesPerSecond: number;
}

/** A burst may spend this many seconds of the rate at once (a runtime's snapshots after a sync, a paste). */
const BURST_SECONDS = 2;

/** A budget's rates and caps, worked out once and shared by every socket it applies to. */
export class BudgetTerms {
  readonly frameRate: number;
  readonly byteRate: number;
  readonly frameCap: number;
  readonly byteCap: number;
  readonly now: () => number;

  constructor(budget: ResolvedBudget, maxPayload: number, now: () => number = Date.now) {
    this.frameRate = budget.framesPerSecond / 1000;
    this.byteRate = budget.bytesPerSecond / 1000;
    this.frameCap = budget.framesPerSecond * BURST_SECONDS;
    this.byteCap = Math.max(budget.bytesPerSecond * BURST_SECONDS, maxPayload);
    this.now = now;
  }
}

/**
 * Two token buckets (frames, bytes), refilled continuously. The byte bucket always holds at least one frame of
 * the largest size the socket accepts, so a single maximal frame is never over budget on its own. One per socket:
 * it keeps only its levels, the terms are shared.
 */
export class Budget {
  readonly #terms: BudgetTerms;
  #frames: number;
  #bytes: number;
  #at: number;

  constructor(terms: BudgetTerms) {
    this.#terms = terms;
    this.#frames = terms.frameCap;
    this.#bytes = terms.byteCap;
    this.#at = terms.now();
  }

  /** Spends one frame of `bytes`; false when the connection is over its budget. */
  spend(bytes: number): boolean {
    const terms = this.#terms;
    const now = terms.now();
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    // (elapsed 0 with an infinite rate would be NaN)
    if (elapsed > 0) {
      this.#frames = Math.min(terms.frameCap, this.#frames + elapsed * terms.frameRate);
      this.#bytes = Math.min(terms.byteCap, this.#bytes + elapsed * terms.byteRate);
    }
    this.#frames -= 1;
    this.#bytes -= bytes;
    return this.#frames >= 0 && this.#bytes >= 0;
  }
}
