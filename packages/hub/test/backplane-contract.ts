// What every backplane must do, run against each implementation: the in-memory one here (memory-backplane.test.ts)
// and @byor/redis on a real redis-server (packages/redis/test). Delivery may be asynchronous: the checks wait.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { comparePositions, type Backplane, type BusEvent, type HubMessage, type RuntimeRecord } from "../src/backplane.js";

export interface BackplaneCluster {
  /** A new node on the shared backplane (not started). */
  node(nodeId?: string): Backplane;
  /** Disposes what is left and frees the backplane. */
  cleanup(): Promise<void>;
}

/** A node started with handlers that record what it receives. */
export interface Probe {
  node: Backplane;
  events: BusEvent[];
  messages: { message: HubMessage; from: string }[];
  health: boolean[];
}

export async function probe(node: Backplane): Promise<Probe> {
  const p: Probe = { node, events: [], messages: [], health: [] };
  await node.start({
    event: (event) => p.events.push(event),
    message: (message, from) => p.messages.push({ message, from }),
    health: (up) => p.health.push(up),
  });
  return p;
}

/** Polls `check` (which throws or returns false while not yet true) until it passes or `timeoutMs` is over. */
export async function eventually(check: () => unknown | Promise<unknown>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if ((await check()) !== false) return;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const record = (id: string, node: string, extra: Partial<RuntimeRecord> = {}): RuntimeRecord => ({
  info: { id, connection_name: `runtime ${id}`, connection_id: `c-${id}`, online: true, connected_at: "2025-01-01T00:00:00.000Z", mode: "remote" },
  node,
  registeredAt: "2025-01-01T00:00:00.000Z",
  lettaCodeVersion: "0.32.18",
  dialUrl: null,
  watchedScopes: [{ agent_id: null, conversation_id: "default" }],
  ...extra,
});

const ids = (records: RuntimeRecord[]) => records.map((r) => r.info.id).sort();
const status = (runtimeId: string): HubMessage => ({ kind: "runtime_forgotten", runtimeId });

export function backplaneContract(name: string, makeCluster: () => Promise<BackplaneCluster>): void {
  describe(`backplane contract: ${name}`, () => {
    let cluster: BackplaneCluster;
    beforeEach(async () => {
      cluster = await makeCluster();
    });
    afterEach(async () => {
      await cluster.cleanup();
    });

    it("delivers 1,000 frames published on A to A and B, in order per runtime, with increasing positions", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      const sent: Record<string, string[]> = { r1: [], r2: [] };
      for (let i = 0; i < 1_000; i++) {
        // Two runtimes interleaved irregularly.
        const runtimeId = i % 3 === 0 || i % 7 === 0 ? "r2" : "r1";
        const text = JSON.stringify({ type: "frame", runtimeId, i });
        sent[runtimeId]!.push(text);
        a.node.publish(runtimeId, text);
      }
      await eventually(() => expect(a.events.length + b.events.length).toBe(2_000), 10_000, "2,000 deliveries");
      for (const p of [a, b]) {
        for (const runtimeId of ["r1", "r2"]) {
          const mine = p.events.filter((e) => e.runtimeId === runtimeId);
          expect(mine.map((e) => e.text)).toEqual(sent[runtimeId]);
          for (let i = 1; i < mine.length; i++) expect(comparePositions(mine[i - 1]!.position, mine[i]!.position)).toBeLessThan(0);
        }
      }
      // Every node sees the same log.
      expect(b.events.map((e) => e.position)).toEqual(a.events.map((e) => e.position));
    });

    it("delivers a frame to a node that joins later only if published after its start", async () => {
      const a = await probe(cluster.node("A"));
      a.node.publish("r1", "before");
      await eventually(() => expect(a.events.map((e) => e.text)).toEqual(["before"]));
      const b = await probe(cluster.node("B"));
      a.node.publish("r1", "after");
      await eventually(() => expect(b.events.map((e) => e.text)).toEqual(["after"]));
    });

    it("sends A → B to B only", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      const c = await probe(cluster.node("C"));
      a.node.send("B", status("r1"));
      // A broadcast after it: once A and C have it, a misrouted send would have reached them before.
      a.node.broadcast(status("marker"));
      await eventually(() =>
        expect(b.messages).toEqual([
          { message: status("r1"), from: "A" },
          { message: status("marker"), from: "A" },
        ]),
      );
      await eventually(() => expect(a.messages).toEqual([{ message: status("marker"), from: "A" }]));
      await eventually(() => expect(c.messages).toEqual([{ message: status("marker"), from: "A" }]));
    });

    it("broadcasts to every node, the sender included", async () => {
      const probes = [await probe(cluster.node("A")), await probe(cluster.node("B")), await probe(cluster.node("C"))];
      const message: HubMessage = { kind: "runtime_status", record: record("r1", "B") };
      probes[1]!.node.broadcast(message);
      for (const p of probes) await eventually(() => expect(p.messages).toEqual([{ message, from: "B" }]));
    });

    it("keeps a directory every node reads: put, get, list, remove", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      expect(await a.node.listRuntimes()).toEqual([]);
      expect(await a.node.getRuntime("r1")).toBeUndefined();
      a.node.putRuntime(record("r1", "A"));
      b.node.putRuntime(record("r2", "B"));
      for (const p of [a, b]) {
        await eventually(async () => expect(ids(await p.node.listRuntimes())).toEqual(["r1", "r2"]));
        expect(await p.node.getRuntime("r1")).toEqual(record("r1", "A"));
        expect(await p.node.getRuntime("r2")).toEqual(record("r2", "B"));
      }
      // A put replaces the record.
      a.node.putRuntime(record("r1", "A", { dialUrl: "ws://127.0.0.1:9/" }));
      await eventually(async () => expect((await b.node.getRuntime("r1"))?.dialUrl).toBe("ws://127.0.0.1:9/"));
      a.node.removeRuntime("r1");
      for (const p of [a, b]) {
        await eventually(async () => expect(ids(await p.node.listRuntimes())).toEqual(["r2"]));
        expect(await p.node.getRuntime("r1")).toBeUndefined();
      }
    });

    it("ignores a remove by a node that does not own the record", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      a.node.putRuntime(record("r1", "A"));
      await eventually(async () => expect(await b.node.getRuntime("r1")).toEqual(record("r1", "A")));
      b.node.removeRuntime("r1");
      // B's own writes are ordered after its remove: once r2 shows, the remove was handled.
      b.node.putRuntime(record("r2", "B"));
      await eventually(async () => expect(ids(await a.node.listRuntimes())).toEqual(["r1", "r2"]));
      expect(await a.node.getRuntime("r1")).toEqual(record("r1", "A"));
    });

    it("hands a runtime over: the new owner's record stays when the old owner removes it", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      a.node.putRuntime(record("r1", "A"));
      await eventually(async () => expect((await b.node.getRuntime("r1"))?.node).toBe("A"));
      b.node.putRuntime(record("r1", "B"));
      await eventually(async () => expect((await a.node.getRuntime("r1"))?.node).toBe("B"));
      a.node.removeRuntime("r1");
      a.node.putRuntime(record("r9", "A"));
      await eventually(async () => expect(ids(await b.node.listRuntimes())).toEqual(["r1", "r9"]));
      expect((await b.node.getRuntime("r1"))?.node).toBe("B");
    });

    it("an old owner's late offline record does not hide the runtime online on its new node", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      a.node.putRuntime(record("r1", "A"));
      await eventually(async () => expect((await b.node.getRuntime("r1"))?.node).toBe("A"));
      b.node.putRuntime(record("r1", "B")); // it reconnected to B
      await eventually(async () => expect((await a.node.getRuntime("r1"))?.node).toBe("B"));
      const offline = record("r1", "A");
      a.node.putRuntime({ ...offline, info: { ...offline.info, online: false } }); // A notices late
      a.node.putRuntime(record("r9", "A")); // a later write of A's, to know the first one was handled
      await eventually(async () => expect(ids(await b.node.listRuntimes())).toEqual(["r1", "r9"]));
      expect(await b.node.getRuntime("r1")).toMatchObject({ node: "B", info: { online: true } });
    });

    it("drops the records of a disposed node", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      a.node.putRuntime(record("r1", "A"));
      a.node.putRuntime(record("r2", "A"));
      b.node.putRuntime(record("r3", "B"));
      await eventually(async () => expect(ids(await b.node.listRuntimes())).toEqual(["r1", "r2", "r3"]));
      a.node.dispose();
      await eventually(async () => expect(ids(await b.node.listRuntimes())).toEqual(["r3"]));
      expect(await b.node.getRuntime("r1")).toBeUndefined();
      // A disposed node delivers nothing more.
      b.node.broadcast(status("after"));
      b.node.publish("r3", "after");
      await eventually(() => expect(b.events.map((e) => e.text)).toEqual(["after"]));
      await eventually(() => expect(b.messages.map((m) => m.message)).toEqual([status("after")]));
      expect(a.events).toEqual([]);
      expect(a.messages).toEqual([]);
    });

    it("journals a session: frames in seq order, trimmed at the ack, read back after a seq by the node taking it over", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      const store = a.node.sessions!;
      const frame = (seq: number) => ({ seq, text: `{"seq":${seq},"type":"byor.event","x":"a:b"}` });
      const write = (node: string, frames: { seq: number; text: string }[], ackedSeq = 0, state = '{"s":1}') => ({
        sessionId: "s-1",
        node,
        frames,
        ackedSeq,
        state,
        ttlMs: 60_000,
      });
      expect(await store.write([write("A", [frame(1), frame(2)])])).toEqual([true]);
      expect(await store.write([write("A", [frame(3), frame(4)], 1, '{"s":2}')])).toEqual([true]);
      // Frames up to the ack are gone: a resume from before them is an overrun; so is one past the last frame.
      expect(await b.node.sessions!.take("s-1", "B", 0)).toBe("overrun");
      expect(await b.node.sessions!.take("s-1", "B", 5)).toBe("overrun");
      const taken = await b.node.sessions!.take("s-1", "B", 2);
      expect(taken).toEqual({ previousNode: "B", lastSeq: 4, ackedSeq: 1, texts: [frame(3).text, frame(4).text], state: '{"s":2}' });
      expect(await b.node.sessions!.take("s-1", "B", 4)).toMatchObject({ previousNode: "B", texts: [] });
      expect(await b.node.sessions!.take("nope", "B", 0)).toBeUndefined();
    });

    it("a taken-over session refuses its old owner's writes and drop; the new owner's drop ends it", async () => {
      const a = await probe(cluster.node("A"));
      const b = await probe(cluster.node("B"));
      const write = (node: string, seq: number) => ({
        sessionId: "s-2",
        node,
        frames: [{ seq, text: `{"seq":${seq}}` }],
        ackedSeq: 0,
        state: "{}",
        ttlMs: 60_000,
      });
      expect(await a.node.sessions!.write([write("A", 1)])).toEqual([true]);
      expect(await b.node.sessions!.take("s-2", "B", 1)).toMatchObject({ previousNode: "A", lastSeq: 1 });
      expect(await a.node.sessions!.write([write("A", 2)])).toEqual([false]);
      a.node.sessions!.drop("s-2", "A");
      expect(await b.node.sessions!.write([write("B", 2)])).toEqual([true]);
      expect(await b.node.sessions!.take("s-2", "B", 1)).toMatchObject({ lastSeq: 2, texts: ['{"seq":2}'] });
      b.node.sessions!.drop("s-2", "B");
      await eventually(async () => expect(await b.node.sessions!.take("s-2", "B", 0)).toBeUndefined());
    });

    it("reads the bus after a position, for a resumed session to catch up", async () => {
      const a = await probe(cluster.node("A"));
      for (let i = 0; i < 5; i++) a.node.publish("r1", `f${i}`);
      await eventually(() => expect(a.events).toHaveLength(5));
      const after = a.events[1]!.position;
      expect((await a.node.readBus!(after)) as BusEvent[]).toEqual(a.events.slice(2));
      expect(await a.node.readBus!(a.events[4]!.position)).toEqual([]);
    });
  });
}
