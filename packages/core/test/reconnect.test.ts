import { describe, expect, it } from "vitest";
import { CLIENT_CLOSE, FATAL_CLIENT_CLOSE_CODES } from "../src/close-codes.js";
import { exponentialBackoff } from "../src/reconnect.js";

const close = (code: number, reason = "") => ({ code, reason });

describe("exponentialBackoff", () => {
  it("has the documented defaults: 1 s base doubling to a 30 s cap, 10 s to be stable", () => {
    const policy = exponentialBackoff({ random: () => 0.999999 });
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 20].map((n) => Math.round(policy.retryDelay(n)));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(policy.stableAfterMs).toBe(10_000);
  });

  it("applies full jitter: random() × min(cap, base × 2^(n−1))", () => {
    const policy = exponentialBackoff({ baseMs: 100, capMs: 5_000, random: () => 0.25 });
    expect(policy.retryDelay(1)).toBe(25);
    expect(policy.retryDelay(2)).toBe(50);
    expect(policy.retryDelay(4)).toBe(200);
    expect(policy.retryDelay(7)).toBe(1_250); // 6400 capped to 5000
    expect(exponentialBackoff({ random: () => 0 }).retryDelay(5)).toBe(0);
  });

  it("spreads delays over the whole range with the default random", () => {
    const policy = exponentialBackoff({ baseMs: 1000 });
    const delays = Array.from({ length: 2000 }, () => policy.retryDelay(3));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(4000);
    expect(Math.min(...delays)).toBeLessThan(400);
    expect(Math.max(...delays)).toBeGreaterThan(3600);
  });

  it("waits nothing before attempt 0 and stays finite for huge attempt numbers", () => {
    const policy = exponentialBackoff({ random: () => 0.5 });
    expect(policy.retryDelay(0)).toBe(0);
    expect(policy.retryDelay(-3)).toBe(0);
    expect(policy.retryDelay(5_000)).toBe(15_000);
    expect(exponentialBackoff({ baseMs: 0, random: () => 0.5 }).retryDelay(5_000)).toBe(0);
  });

  it("clamps a misbehaving random into [0, 1]", () => {
    expect(exponentialBackoff({ random: () => 7 }).retryDelay(1)).toBe(1000);
    expect(exponentialBackoff({ random: () => -1 }).retryDelay(1)).toBe(0);
  });

  it("does not retry after a fatal close code", () => {
    const policy = exponentialBackoff();
    expect(FATAL_CLIENT_CLOSE_CODES.size).toBeGreaterThan(0);
    for (const code of FATAL_CLIENT_CLOSE_CODES) expect(policy.shouldRetry(close(code), 1)).toBe(false);
    expect(policy.shouldRetry(close(CLIENT_CLOSE.unauthorized), 1)).toBe(false);
    expect(policy.shouldRetry(close(CLIENT_CLOSE.forbidden), 1)).toBe(false);
    for (const code of [1000, 1001, 1006, 1011, CLIENT_CLOSE.heartbeatTimeout, CLIENT_CLOSE.slowConsumer, CLIENT_CLOSE.tooManyConnections]) {
      expect(policy.shouldRetry(close(code), 1), String(code)).toBe(true);
    }
  });

  it("retries forever by default, and up to maxAttempts when given", () => {
    expect(exponentialBackoff().shouldRetry(close(1006), 1_000_000)).toBe(true);
    const policy = exponentialBackoff({ maxAttempts: 3 });
    expect([1, 2, 3, 4, 5].map((n) => policy.shouldRetry(close(1006), n))).toEqual([true, true, true, false, false]);
  });

  it("takes its own fatal codes and stability window", () => {
    const policy = exponentialBackoff({ fatalCodes: new Set([4999]), stableAfterMs: 500 });
    expect(policy.shouldRetry(close(4999), 1)).toBe(false);
    expect(policy.shouldRetry(close(CLIENT_CLOSE.unauthorized), 1)).toBe(true);
    expect(policy.stableAfterMs).toBe(500);
  });
});
