import { systemClock, type Clock } from "./clock.js";

type Timers = { setTimeout(callback: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
const platform = () => globalThis as unknown as Timers;

/**
 * The timers of one duration set through `sharedTimers(ms)`, and the one platform timer they share. With a single
 * duration, due times come in the order the timers were set: a queue, and the platform timer is armed for its
 * head; a cleared timer's entry is skipped, and once none is left the platform timer is cleared too.
 *
 * Time is the lane's own: a firing sets it to the due time the platform timer was armed for (so a timer that fires
 * late, a sleeping laptop, is still one duration late, never more, and a wall-clock jump moves nothing), and
 * between firings the wall clock only tells how far into the current wait a timer was set, clamped to that wait.
 * Timers set while others run, at a firing, are due one duration from it, as with a timer each.
 */
class Lane {
  readonly #ms: number;
  readonly #setTimeout = platform().setTimeout;
  readonly #clearTimeout = platform().clearTimeout;
  /** Callbacks in due order (undefined: cleared or run), their due times, and the first not yet run. */
  #callbacks: ((() => void) | undefined)[] = [];
  #dues: number[] = [];
  #head = 0;
  /** The handle of entry 0: a handle is its entry's sequence number, as a negative number (see `clear`). */
  #base = 0;
  #pending = 0;
  #timer: unknown;
  #firing = false;
  /** Lane time at the last arming or firing, when the armed timer fires, the latest handed out since. */
  #time = 0;
  #timerDue = 0;
  #latest = 0;
  /** Wall time at the last arming. */
  #wallAt = 0;
  readonly #fire = () => this.#run();

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Whether this lane still runs on the platform's current timers (a test may install fake ones). */
  get current(): boolean {
    return this.#setTimeout === platform().setTimeout;
  }

  set(callback: () => void): number {
    this.#callbacks.push(callback);
    this.#dues.push(this.#now() + this.#ms);
    this.#pending++;
    if (this.#timer === undefined && !this.#firing) this.#arm();
    return -(this.#base + this.#callbacks.length); // negative: a platform handle is an object or a positive number
  }

  clear(handle: number): void {
    const index = -handle - 1 - this.#base;
    if (index < this.#head || index >= this.#callbacks.length || this.#callbacks[index] === undefined) return;
    this.#callbacks[index] = undefined;
    if (--this.#pending === 0) this.#reset();
  }

  /** No timer pending: the platform timer goes, and the queue starts over. */
  #reset(): void {
    if (this.#timer !== undefined) this.#clearTimeout.call(globalThis, this.#timer);
    this.#timer = undefined;
    this.#base += this.#callbacks.length;
    this.#callbacks = [];
    this.#dues = [];
    this.#head = 0;
  }

  #now(): number {
    if (this.#timer === undefined) return this.#time;
    const into = Math.max(0, systemClock.now() - this.#wallAt);
    this.#latest = Math.max(this.#latest, Math.min(this.#timerDue, this.#time + into));
    return this.#latest;
  }

  #arm(): void {
    while (this.#head < this.#callbacks.length && this.#callbacks[this.#head] === undefined) this.#head++;
    this.#compact();
    if (this.#head === this.#callbacks.length) return;
    this.#timerDue = this.#dues[this.#head]!;
    this.#latest = this.#time;
    this.#wallAt = systemClock.now();
    this.#timer = this.#setTimeout.call(globalThis, this.#fire, Math.max(0, this.#timerDue - this.#time));
  }

  #run(): void {
    this.#timer = undefined;
    this.#time = this.#timerDue;
    this.#firing = true;
    const errors: unknown[] = [];
    try {
      while (this.#head < this.#callbacks.length) {
        const callback = this.#callbacks[this.#head];
        if (callback !== undefined && this.#dues[this.#head]! > this.#time) break;
        this.#callbacks[this.#head++] = undefined;
        if (callback === undefined) continue;
        this.#pending--;
        try {
          callback();
        } catch (error) {
          errors.push(error); // the other timers still run; thrown below, as a timer of its own would
        }
      }
    } finally {
      this.#firing = false;
      if (this.#pending > 0) this.#arm();
      else this.#reset();
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "timer callbacks threw");
  }

  /** Drops the entries run or cleared once they are most of the queue, so memory follows the pending timers. */
  #compact(): void {
    if (this.#head < 64 || this.#head * 2 < this.#callbacks.length) return;
    this.#callbacks = this.#callbacks.slice(this.#head);
    this.#dues = this.#dues.slice(this.#head);
    this.#base += this.#head;
    this.#head = 0;
  }
}

const lanes = new Map<number, { lane: Lane; clock: Clock }>();

/**
 * A Clock on the platform's timers whose timers of `ms` share one platform timer: a server gives it to the
 * heartbeat of each socket (a platform timer with its callback costs ~0.2 KiB; an entry here, 16 bytes). Timers of
 * any other duration are the platform's own. Only where the session's clock is `systemClock`.
 */
export function sharedTimers(ms: number): Clock {
  let found = lanes.get(ms);
  if (!found || !found.lane.current) {
    const lane = new Lane(ms);
    found = {
      lane,
      clock: {
        now: systemClock.now,
        setTimeout: (callback, delay) => (delay === ms ? lane.set(callback) : systemClock.setTimeout(callback, delay)),
        clearTimeout: (handle) => (typeof handle === "number" && handle < 0 ? lane.clear(handle) : systemClock.clearTimeout(handle)),
      },
    };
    lanes.set(ms, found);
  }
  return found.clock;
}
