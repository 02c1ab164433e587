import { systemClock, type Clock } from "./clock.js";
import type { Disposable } from "./disposable.js";

export interface HeartbeatOptions {
  /** Length of one interval: a tick fires this long after the previous one. */
  intervalMs: number;
  /** Consecutive silent intervals after which the peer is declared dead (the runtime uses 3). */
  maxMisses: number;
  clock?: Clock;
  /** Runs at each tick that did not declare the peer dead, e.g. to send a ping. */
  onTick?: () => void;
  /** Runs once, at the tick that reaches `maxMisses`; the watchdog is stopped by then. */
  onDead: (misses: number) => void;
}

/**
 * A liveness watchdog that counts missed intervals instead of measuring wall-clock gaps.
 *
 * One timer, re-armed at each tick. A tick that fires late (a sleeping laptop, a throttled background tab) still
 * counts as one interval, so waking up never looks like minutes of silence: the peer gets `maxMisses` more
 * intervals to show life. A frozen peer is still cut after `maxMisses` ticks. Any inbound frame is life: `touch()`.
 */
export class Heartbeat implements Disposable {
  readonly #options: HeartbeatOptions;
  readonly #clock: Clock;
  #timer: unknown;
  #running = false;
  #disposed = false;
  #touched = false;
  #misses = 0;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Consecutive ticks without a `touch()` in between. */
  get misses(): number {
    return this.#misses;
  }

  /** Starts ticking (no-op if running or disposed). The first tick is one interval from now. */
  start(): void {
    if (this.#running || this.#disposed) return;
    this.#running = true;
    this.#touched = false;
    this.#misses = 0;
    this.#arm();
  }

  /** The peer showed life (call it for every inbound frame). */
  touch(): void {
    this.#touched = true;
  }

  dispose(): void {
    this.#disposed = true;
    this.#stop();
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#options.intervalMs);
  }

  #stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#misses = this.#touched ? 0 : this.#misses + 1;
    this.#touched = false;
    if (this.#misses >= this.#options.maxMisses) {
      this.#stop();
      this.#options.onDead(this.#misses);
      return;
    }
    // Re-arm before the callback so a throwing onTick cannot stop the watchdog.
    this.#arm();
    this.#options.onTick?.();
  }
}
