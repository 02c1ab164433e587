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

// Set by Heartbeat's static block (they reach its private fields), used by Schedule.
/** Whether `slot` is the heartbeat's live entry in its schedule. */
let isQueued: (heartbeat: Heartbeat, slot: number) => boolean;
/** Records the heartbeat's live entry in its schedule. */
let setQueued: (heartbeat: Heartbeat, slot: number) => void;
/** The heartbeat's tick, its entry taken off the schedule's queue. */
let tickQueued: (heartbeat: Heartbeat) => void;

/**
 * A liveness watchdog that counts missed intervals instead of measuring wall-clock gaps.
 *
 * One timer, re-armed at each tick. A tick that fires late (a sleeping laptop, a throttled background tab) still
 * counts as one interval, so waking up never looks like minutes of silence: the peer gets `maxMisses` more
 * intervals to show life. A frozen peer is still cut after `maxMisses` ticks. Any inbound frame is life: `touch()`.
 *
 * On the platform's timers (no `clock`, or `systemClock`) the heartbeats of one interval share that timer (see
 * Schedule): a server has a heartbeat per socket, and a timer with its callback costs ~0.2 KiB each. Each still
 * ticks one interval after its previous tick, as with a timer of its own.
 */
export class Heartbeat implements Disposable {
  readonly #intervalMs: number;
  readonly #maxMisses: number;
  readonly #onTick: (() => void) | undefined;
  readonly #onDead: (misses: number) => void;
  /** An injected clock, with a timer per heartbeat; undefined on the platform's timers (a shared Schedule). */
  readonly #clock: Clock | undefined;
  #timer: unknown;
  #schedule: Schedule | undefined;
  /** The sequence number of this heartbeat's entry in its schedule (-1: none). */
  #slot = -1;
  #running = false;
  #disposed = false;
  #touched = false;
  #misses = 0;

  constructor(options: HeartbeatOptions) {
    this.#intervalMs = options.intervalMs;
    this.#maxMisses = options.maxMisses;
    this.#onTick = options.onTick;
    this.#onDead = options.onDead;
    this.#clock = options.clock === undefined || options.clock === systemClock ? undefined : options.clock;
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
    if (this.#clock) this.#arm(this.#clock);
    else {
      this.#schedule = Schedule.for(this.#intervalMs);
      this.#schedule.join(this);
    }
  }

  /** The peer showed life (call it for every inbound frame). */
  touch(): void {
    this.#touched = true;
  }

  dispose(): void {
    this.#disposed = true;
    this.#stop();
  }

  #arm(clock: Clock): void {
    this.#timer = clock.setTimeout(() => this.#tick(), this.#intervalMs);
  }

  #stop(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== undefined) this.#clock?.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#slot = -1;
    this.#schedule?.leave();
    this.#schedule = undefined;
  }

  // The schedule's access to a heartbeat, kept out of the public API.
  static {
    isQueued = (heartbeat, slot) => heartbeat.#slot === slot;
    setQueued = (heartbeat, slot) => void (heartbeat.#slot = slot);
    tickQueued = (heartbeat) => {
      heartbeat.#slot = -1; // its entry was taken off the queue
      heartbeat.#tick();
    };
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#misses = this.#touched ? 0 : this.#misses + 1;
    this.#touched = false;
    if (this.#misses >= this.#maxMisses) {
      this.#stop();
      this.#onDead(this.#misses);
      return;
    }
    // Re-arm before the callback so a throwing onTick cannot stop the watchdog.
    if (this.#clock) this.#arm(this.#clock);
    else this.#schedule!.requeue(this);
    this.#onTick?.();
  }
}

type Timers = { setTimeout(callback: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
const timers = () => globalThis as unknown as Timers;

/**
 * The running heartbeats of one interval on the platform's timers, and the one timer they share. With a single
 * interval, due times come in the order heartbeats were armed (started, or re-armed at a tick): a queue, and the
 * timer is armed for its head. Entries of heartbeats stopped since are skipped; once none runs, the timer is
 * cleared.
 *
 * Time is the schedule's own: a firing sets it to the due time the timer was armed for (so a late firing still
 * counts as one interval, and a wall-clock jump moves nothing), and between firings the wall clock only tells how
 * far into the current wait a heartbeat started, clamped to that wait.
 */
class Schedule {
  static #all = new Map<number, Schedule>();

  /** The schedule of this interval, on the timers installed now (a test may swap them: a new schedule then). */
  static for(intervalMs: number): Schedule {
    let schedule = Schedule.#all.get(intervalMs);
    if (!schedule || schedule.#setTimeout !== timers().setTimeout) Schedule.#all.set(intervalMs, (schedule = new Schedule(intervalMs)));
    return schedule;
  }

  readonly #intervalMs: number;
  readonly #setTimeout = timers().setTimeout;
  readonly #clearTimeout = timers().clearTimeout;
  #beats: (Heartbeat | undefined)[] = [];
  #dues: number[] = [];
  /** The first entry not yet taken, and the sequence number of entry 0. */
  #head = 0;
  #base = 0;
  /** Heartbeats running on this schedule (queued, or being ticked). */
  #running = 0;
  #timer: unknown;
  #firing = false;
  /** Schedule time: at the last arming or firing (`#time`), when the timer fires, and the latest handed out. */
  #time = 0;
  #timerDue = 0;
  #latest = 0;
  /** Wall time at the last arming. */
  #wallAt = 0;
  readonly #fire = () => this.#run();

  private constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** A heartbeat starts: queued one interval from now. */
  join(heartbeat: Heartbeat): void {
    this.#running++;
    this.requeue(heartbeat);
  }

  /** A running heartbeat is armed again (at its tick): queued one interval from now. */
  requeue(heartbeat: Heartbeat): void {
    this.#beats.push(heartbeat);
    this.#dues.push(this.#now() + this.#intervalMs);
    setQueued(heartbeat, this.#base + this.#beats.length - 1);
    if (this.#timer === undefined && !this.#firing) this.#arm();
  }

  /** A heartbeat stopped (its entry, if any, is skipped from now on). */
  leave(): void {
    if (--this.#running > 0) return;
    if (this.#timer !== undefined) this.#clearTimeout.call(globalThis, this.#timer);
    this.#timer = undefined;
    this.#base += this.#beats.length;
    this.#beats = [];
    this.#dues = [];
    this.#head = 0;
  }

  #now(): number {
    if (this.#timer === undefined) return this.#time;
    const into = Math.max(0, systemClock.now() - this.#wallAt);
    this.#latest = Math.max(this.#latest, Math.min(this.#timerDue, this.#time + into));
    return this.#latest;
  }

  #live(index: number): boolean {
    const heartbeat = this.#beats[index];
    return heartbeat !== undefined && isQueued(heartbeat, this.#base + index);
  }

  #arm(): void {
    while (this.#head < this.#beats.length && !this.#live(this.#head)) this.#beats[this.#head++] = undefined;
    this.#compact();
    if (this.#head === this.#beats.length) return;
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
      while (this.#head < this.#beats.length) {
        const index = this.#head;
        const live = this.#live(index);
        if (live && this.#dues[index]! > this.#time) break;
        const heartbeat = this.#beats[index];
        this.#beats[index] = undefined;
        this.#head++;
        if (!live) continue;
        try {
          tickQueued(heartbeat!);
        } catch (error) {
          errors.push(error); // the other heartbeats still tick; thrown below, as a timer of its own would
        }
      }
    } finally {
      this.#firing = false;
      if (this.#running > 0) this.#arm();
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "heartbeat callbacks threw");
  }

  /** Drops the taken entries once they are most of the queue, so memory follows the running heartbeats. */
  #compact(): void {
    if (this.#head < 64 || this.#head * 2 < this.#beats.length) return;
    this.#beats = this.#beats.slice(this.#head);
    this.#dues = this.#dues.slice(this.#head);
    this.#base += this.#head;
    this.#head = 0;
  }
}
