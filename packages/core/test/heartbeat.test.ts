import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../src/clock.js";
import { Heartbeat } from "../src/heartbeat.js";

const INTERVAL = 30_000;

function watchdog(maxMisses = 3) {
  const dead: number[] = [];
  let ticks = 0;
  const heartbeat = new Heartbeat({ intervalMs: INTERVAL, maxMisses, onTick: () => ticks++, onDead: (misses) => dead.push(misses) });
  return { heartbeat, dead, ticks: () => ticks };
}

describe("Heartbeat (fake time)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never declares a peer with steady traffic dead", async () => {
    const { heartbeat, dead, ticks } = watchdog();
    heartbeat.start();
    // The peer speaks every 10 s for an hour.
    for (let t = 0; t < 3_600_000; t += 10_000) {
      await vi.advanceTimersByTimeAsync(10_000);
      heartbeat.touch();
    }
    expect(dead).toEqual([]);
    expect(heartbeat.misses).toBe(0);
    expect(ticks()).toBe(3_600_000 / INTERVAL);
  });

  it("tolerates a peer that speaks once per interval, just after each tick", async () => {
    const { heartbeat, dead } = watchdog();
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1); // peer's phase: 1 ms after our ticks
    for (let i = 0; i < 100; i++) {
      await vi.advanceTimersByTimeAsync(INTERVAL);
      heartbeat.touch();
    }
    expect(dead).toEqual([]);
  });

  it("declares a silent peer dead after exactly maxMisses intervals, once", async () => {
    const { heartbeat, dead, ticks } = watchdog(3);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(heartbeat.misses).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(heartbeat.misses).toBe(2);
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(dead).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(dead).toEqual([3]);
    expect(ticks()).toBe(2); // onTick runs on the ticks that did not kill
    // Stopped: no more ticks, no second alarm.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(dead).toEqual([3]);
    expect(ticks()).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts a single huge clock jump (10 minutes asleep) as one missed interval", async () => {
    const { heartbeat, dead } = watchdog(3);
    heartbeat.start();
    heartbeat.touch();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(heartbeat.misses).toBe(0);
    // The machine sleeps: wall time jumps 10 minutes, and on wake-up the overdue timer fires once.
    vi.setSystemTime(Date.now() + 10 * 60_000);
    await vi.advanceTimersToNextTimerAsync();
    expect(heartbeat.misses).toBe(1);
    expect(dead).toEqual([]);
    // The peer is alive and answers after the wake-up: no alarm, the count starts over.
    heartbeat.touch();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(heartbeat.misses).toBe(0);
    expect(dead).toEqual([]);
  });

  it("still detects a frozen peer after a clock jump, after maxMisses ticks in all", async () => {
    const { heartbeat, dead } = watchdog(3);
    heartbeat.start();
    vi.setSystemTime(Date.now() + 10 * 60_000);
    await vi.advanceTimersToNextTimerAsync();
    expect(dead).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(dead).toEqual([3]);
  });

  it("touch resets the count of misses", async () => {
    const { heartbeat, dead } = watchdog(3);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(heartbeat.misses).toBe(2);
    heartbeat.touch();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(heartbeat.misses).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(dead).toEqual([]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(dead).toEqual([3]);
  });

  it("does nothing before start, and dispose stops it for good", async () => {
    const { heartbeat, dead, ticks } = watchdog(1);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(ticks() + dead.length).toBe(0);
    heartbeat.start();
    heartbeat.start(); // idempotent: still one timer
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.dispose();
    expect(vi.getTimerCount()).toBe(0);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(dead).toEqual([]);
  });

  it("keeps exactly one timer armed while running", async () => {
    const { heartbeat } = watchdog(100);
    heartbeat.start();
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(INTERVAL);
      expect(vi.getTimerCount()).toBe(1);
    }
    heartbeat.dispose();
  });

  it("keeps ticking when onTick throws", async () => {
    let calls = 0;
    const heartbeat = new Heartbeat({
      intervalMs: INTERVAL,
      maxMisses: 100,
      onTick: () => {
        calls++;
        throw new Error("send failed");
      },
      onDead: () => {},
    });
    heartbeat.start();
    for (let i = 0; i < 3; i++) {
      await expect(vi.advanceTimersByTimeAsync(INTERVAL)).rejects.toThrow("send failed");
    }
    expect(calls).toBe(3);
    heartbeat.dispose();
  });
});

describe("Heartbeat with an injected clock", () => {
  it("schedules through the given clock only", () => {
    const timers: { cb: () => void; ms: number }[] = [];
    const clock: Clock = {
      now: () => 0,
      setTimeout: (cb, ms) => timers.push({ cb, ms }) - 1,
      clearTimeout: () => {},
    };
    const dead: number[] = [];
    const heartbeat = new Heartbeat({ intervalMs: 5_000, maxMisses: 2, clock, onDead: (m) => dead.push(m) });
    heartbeat.start();
    expect(timers.map((t) => t.ms)).toEqual([5_000]);
    timers[0]!.cb();
    expect(timers).toHaveLength(2);
    timers[1]!.cb();
    expect(dead).toEqual([2]);
    expect(timers).toHaveLength(2);
  });
});
