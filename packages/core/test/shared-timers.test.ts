import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Heartbeat } from "../src/heartbeat.js";
import { sharedTimers } from "../src/shared-timers.js";

const MS = 30_000;

describe("sharedTimers: timers of one duration on one platform timer (fake time)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires each timer one duration after it was set, in order, with one platform timer for all", async () => {
    const clock = sharedTimers(MS);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`a@${Date.now() - start}`), MS);
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(10);
    clock.setTimeout(() => fired.push(`b@${Date.now() - start}`), MS);
    await vi.advanceTimersByTimeAsync(5);
    for (let i = 0; i < 100; i++) clock.setTimeout(() => {}, MS);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(MS - 16);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([`a@${MS}`]);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual([`a@${MS}`, `b@${MS + 10}`]);
    await vi.advanceTimersByTimeAsync(5);
    expect(vi.getTimerCount()).toBe(0); // all ran: the platform timer is gone
  });

  it("skips a cleared timer, and clears the platform timer with the last one", async () => {
    const clock = sharedTimers(MS);
    const fired: number[] = [];
    const a = clock.setTimeout(() => fired.push(1), MS);
    const b = clock.setTimeout(() => fired.push(2), MS);
    clock.clearTimeout(a);
    clock.clearTimeout(a); // twice: no effect
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(MS);
    expect(fired).toEqual([2]);
    clock.clearTimeout(b); // already run: no effect
    const c = clock.setTimeout(() => fired.push(3), MS);
    clock.clearTimeout(c);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * MS);
    expect(fired).toEqual([2]);
  });

  it("leaves other durations to the platform", async () => {
    const clock = sharedTimers(MS);
    const fired: number[] = [];
    const handle = clock.setTimeout(() => fired.push(1), 100);
    clock.setTimeout(() => fired.push(2), 200);
    expect(vi.getTimerCount()).toBe(2);
    clock.clearTimeout(handle);
    await vi.advanceTimersByTimeAsync(200);
    expect(fired).toEqual([2]);
  });

  it("runs the other timers when one throws, then throws, and stays armed", async () => {
    const clock = sharedTimers(MS);
    const fired: number[] = [];
    clock.setTimeout(() => {
      throw new Error("tick failed");
    }, MS);
    clock.setTimeout(() => fired.push(1), MS);
    clock.setTimeout(() => fired.push(2), MS);
    await vi.advanceTimersByTimeAsync(1);
    clock.setTimeout(() => fired.push(3), MS);
    await expect(vi.advanceTimersByTimeAsync(MS - 1)).rejects.toThrow("tick failed");
    expect(fired).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([1, 2, 3]);
  });

  it("a timer set while others run is due one duration from that firing", async () => {
    const clock = sharedTimers(MS);
    const at: number[] = [];
    const start = Date.now();
    const tick = () => {
      at.push(Date.now() - start);
      if (at.length < 3) clock.setTimeout(tick, MS);
    };
    clock.setTimeout(tick, MS);
    await vi.advanceTimersByTimeAsync(10 * MS);
    expect(at).toEqual([MS, 2 * MS, 3 * MS]);
  });

  it("counts a late firing (10 minutes asleep) as one duration", async () => {
    const clock = sharedTimers(MS);
    const at: number[] = [];
    const tick = () => {
      at.push(Date.now());
      clock.setTimeout(tick, MS);
    };
    clock.setTimeout(tick, MS);
    await vi.advanceTimersByTimeAsync(MS);
    vi.setSystemTime(Date.now() + 10 * 60_000);
    await vi.advanceTimersToNextTimerAsync();
    await vi.advanceTimersByTimeAsync(MS);
    expect(at).toHaveLength(3);
    expect(at[2]! - at[1]!).toBe(MS);
  });

  it("drives heartbeats as a timer each would: dead after exactly maxMisses intervals, each on its own phase", async () => {
    const dead: string[] = [];
    const beat = (name: string) => new Heartbeat({ intervalMs: MS, maxMisses: 3, clock: sharedTimers(MS), onDead: () => dead.push(name) });
    const a = beat("a");
    a.start(); // ticks at 30 000, 60 000, 90 000…
    await vi.advanceTimersByTimeAsync(1_000);
    const b = beat("b");
    b.start(); // ticks at 31 000, 61 000, 91 000
    const c = beat("c");
    c.start();
    c.dispose();
    await vi.advanceTimersByTimeAsync(64_000);
    a.touch(); // at 65 000: a's tick at 90 000 counts no miss
    await vi.advanceTimersByTimeAsync(25_999);
    expect(dead).toEqual([]);
    expect(a.misses).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(dead).toEqual(["b"]);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(a.misses).toBe(1);
    expect(dead).toEqual(["b"]);
    a.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
