// @byor/redis on a real redis-server (one per file, started by scripts/redis-server.ts, installed with apt-get when
// missing): the backplane contract, then what only a distributed engine has (TTLs, a server that goes away).
import { randomBytes } from "node:crypto";
import { comparePositions } from "@byor/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../../../scripts/redis-server.js";
import { backplaneContract, eventually, probe, record } from "../../hub/test/backplane-contract.js";
import { redisBackplane, type RedisBackplane, type RedisBackplaneOptions } from "../src/index.js";

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Log lines by level, so that the tests can read them (and the console stays quiet). */
const logs: string[] = [];
const logger = {
  info: (m: string) => logs.push(`info ${m}`),
  warn: (m: string) => logs.push(`warn ${m}`),
  error: (m: string) => logs.push(`error ${m}`),
};

/** Nodes on a key prefix of their own (one per cluster), all disposed by `cleanup`. */
function cluster(options: RedisBackplaneOptions = {}) {
  const keyPrefix = `t${randomBytes(4).toString("hex")}:`;
  const nodes: RedisBackplane[] = [];
  return {
    node: (nodeId?: string, more: RedisBackplaneOptions = {}) => {
      const node = redisBackplane({ url: server.url, keyPrefix, runtimeTtlMs: 1_500, logger, ...(nodeId ? { nodeId } : {}), ...options, ...more });
      nodes.push(node);
      return node;
    },
    cleanup: async () => {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  };
}

backplaneContract("redis", async () => cluster());

describe("redis backplane", () => {
  it("keeps a live node's records past the TTL, and lets a dead node's records expire", async () => {
    const c = cluster({ runtimeTtlMs: 600 });
    try {
      const a = await probe(c.node("A"));
      const b = await probe(c.node("B"));
      const dead = c.node("dead") as RedisBackplane & { _kill(): Promise<void> };
      await probe(dead);
      a.node.putRuntime(record("r1", "A"));
      dead.putRuntime(record("r2", "dead"));
      await eventually(async () => expect((await b.node.listRuntimes()).map((r) => r.info.id).sort()).toEqual(["r1", "r2"]));
      await dead._kill(); // no dispose: its records stay until they expire
      expect(await b.node.getRuntime("r2")).toEqual(record("r2", "dead"));
      const killedAt = Date.now();
      await eventually(async () => expect(await b.node.getRuntime("r2")).toBeUndefined(), 3_000);
      expect(Date.now() - killedAt).toBeLessThan(1_500);
      await new Promise((resolve) => setTimeout(resolve, 900)); // 1.5 TTLs since r1 was written
      expect((await b.node.listRuntimes()).map((r) => r.info.id)).toEqual(["r1"]);
    } finally {
      await c.cleanup();
    }
  });

  it("rejects start() with a clear error when Redis cannot be reached, and leaves nothing running", async () => {
    const node = redisBackplane({ url: "redis://127.0.0.1:1", connectTimeoutMs: 300, logger });
    await expect(node.start({ event() {}, message() {} })).rejects.toThrow(/could not reach Redis at redis:\/\/127\.0\.0\.1:1 within 300 ms/);
    await node.dispose();
  });

  it("survives a restart of redis-server: health false then true, frames dropped while down, records written again", async () => {
    const c = cluster();
    try {
      const a = await probe(c.node("A"));
      const b = await probe(c.node("B"));
      a.node.putRuntime(record("r1", "A"));
      b.node.putRuntime(record("r2", "B"));
      a.node.publish("r1", "before");
      await eventually(() => expect(b.events.map((e) => e.text)).toEqual(["before"]));
      await eventually(async () => expect((await a.node.listRuntimes()).length).toBe(2));

      const stoppedAt = Date.now();
      await server.stop();
      await eventually(() => expect([a.health, b.health]).toEqual([[false], [false]]), 5_000);
      const downAfterMs = Date.now() - stoppedAt;
      // While Redis is away: publish, send and broadcast are dropped (not queued); reads answer with own records.
      const droppedBefore = logs.filter((l) => l.includes("dropped")).length;
      a.node.publish("r1", "while down");
      a.node.broadcast({ kind: "runtime_forgotten", runtimeId: "while down" });
      expect(logs.filter((l) => l.includes("dropped")).length).toBeGreaterThan(droppedBefore);
      expect((await a.node.listRuntimes()).map((r) => r.info.id)).toEqual(["r1"]);
      expect(await b.node.getRuntime("r2")).toEqual(record("r2", "B"));
      expect(await b.node.getRuntime("r1")).toBeUndefined();

      // Down long enough for a few failed reconnects (ECONNREFUSED, logged once, retried with backoff).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(logs.some((l) => l.startsWith("warn Redis writer connection: connect ECONNREFUSED"))).toBe(true);
      const startedAt = Date.now();
      await server.restart(); // same port, empty: Redis ran without persistence
      await eventually(
        () =>
          expect([a.health, b.health]).toEqual([
            [false, true],
            [false, true],
          ]),
        10_000,
      );
      const upAfterMs = Date.now() - startedAt;
      // The directory is written again by the owners.
      await eventually(async () => expect((await b.node.listRuntimes()).map((r) => r.info.id).sort()).toEqual(["r1", "r2"]));
      // The bus and the messages work again; what was published while down never arrives.
      a.node.publish("r1", "after");
      b.node.broadcast({ kind: "runtime_forgotten", runtimeId: "after" });
      for (const p of [a, b]) {
        await eventually(() => expect(p.events.map((e) => e.text)).toEqual(["before", "after"]));
        await eventually(() => expect(p.messages.map((m) => m.message)).toEqual([{ kind: "runtime_forgotten", runtimeId: "after" }]));
      }
      const [before, after] = b.events;
      expect(comparePositions(before!.position, after!.position)).toBeLessThan(0);
      console.info(`redis restart: health false after ${downAfterMs} ms, true ${upAfterMs} ms after the new server started`);
    } finally {
      await c.cleanup();
    }
  });
});
