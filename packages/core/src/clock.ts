/** Time and timers, injectable so every timer of a session can be driven by fake time in tests. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

type Timers = { setTimeout(cb: () => void, ms: number): unknown; clearTimeout(h: unknown): void };

/** The platform's clock. Looked up on each call, so fake timers installed later (vi.useFakeTimers) apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (cb, ms) => (globalThis as unknown as Timers).setTimeout(cb, ms),
  clearTimeout: (h) => (globalThis as unknown as Timers).clearTimeout(h),
};
