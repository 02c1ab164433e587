// The whole hub in memory: runtimes and apps are in-memory transport pairs, time is an injected clock. No sockets,
// no HTTP: what node-server adds on top is plumbing.
import { createTransportPair, type Clock, type MemoryTransport } from "@byor/core";
import { describe, expect, it } from "vitest";
import { Hub, MemoryCluster } from "../src/index.js";
import { flush, hub, runtime, type Json } from "./helpers/memory-peers.js";

const SCOPE = { agent_id: "agent-1", conversation_id: "conv-1" };

/** A clock whose time only moves when the test says so; timers fire in order as it does. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
  };
}

/** An app that said hello; every frame it gets is kept. */
async function app(h: Hub, label = "app") {
  const [serverEnd, appEnd] = createTransportPair();
  h.acceptApp(serverEnd, label);
  const received: Json[] = [];
  appEnd.onMessage((text) => received.push(JSON.parse(text) as Json));
  const send = (frame: object) => appEnd.send(JSON.stringify(frame));
  send({ type: "byor.hello" });
  await flush();
  return { end: appEnd as MemoryTransport, received, send, last: (type: string) => received.filter((f) => f.type === type).at(-1) };
}

describe("Hub", () => {
  it("lists a runtime once its socket is attached, names this node, and tells apps it came online", async () => {
    const h = hub();
    const a = await app(h);
    const seen: string[] = [];
    h.onRuntime((r) => seen.push(r.id));
    runtime(h);
    await flush();
    expect(seen).toEqual(["device-1"]);
    expect(h.runtimes()).toMatchObject([{ id: "device-1", connectionName: "laptop", online: true, node: h.nodeId, mode: "remote" }]);
    expect(a.last("byor.runtime_status")).toMatchObject({ runtime: { id: "device-1", online: true } });
    a.send({ type: "byor.list_runtimes", request_id: "l1" });
    await flush();
    expect(a.last("byor.runtimes")).toMatchObject({ request_id: "l1", runtimes: [{ id: "device-1", online: true }] });
  });

  it("routes an app's request to the runtime under an id of its own, and the answer back under the app's id", async () => {
    const h = hub();
    const r = runtime(h);
    const a = await app(h);
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "mine" } });
    await flush();
    const forwarded = r.commands.find((c) => c.type === "get_experiments")!;
    expect(forwarded.request_id).not.toBe("mine");
    r.send({ type: "get_experiments_response", request_id: forwarded.request_id, success: true, experiments: [] });
    await flush();
    expect(a.last("byor.event")).toMatchObject({ runtime_id: "device-1", event: { type: "get_experiments_response", request_id: "mine" } });
    expect(h.metrics.commands).toBe(1);
  });

  it("relays a scoped frame only to the apps subscribed to that scope", async () => {
    const h = hub();
    const r = runtime(h);
    const subscribed = await app(h, "subscribed");
    const other = await app(h, "other");
    subscribed.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    await flush();
    expect(subscribed.last("byor.subscribed")).toMatchObject({ success: true, request_id: "s1" });
    r.send({
      type: "update_loop_status",
      loop_status: { status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] },
      runtime: SCOPE,
      event_seq: 1,
      emitted_at: "2026-12-03T00:00:00.000Z",
      idempotency_key: "update_loop_status:1",
    });
    await flush();
    expect(subscribed.last("byor.event")).toMatchObject({ event: { type: "update_loop_status", event_seq: 1 } });
    expect(other.last("byor.event")).toBeUndefined();
  });

  it("a runtime that goes away: apps hear it offline, and its unanswered requests fail runtime_offline", async () => {
    const h = hub();
    const r = runtime(h);
    const a = await app(h);
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "pending" } });
    await flush();
    r.end.close(1006, "gone");
    await flush();
    expect(a.last("byor.runtime_status")).toMatchObject({ runtime: { id: "device-1", online: false } });
    expect(a.last("byor.error")).toMatchObject({ code: "runtime_offline", request_id: "pending" });
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "late" } });
    await flush();
    expect(a.last("byor.error")).toMatchObject({ code: "runtime_offline", request_id: "late" });
  });

  it("connection ids come from the injected id source", () => {
    const h = hub({ ids: { connectionId: (deviceId, instance) => `conn-${deviceId}-${instance}` } });
    const entry = h.register({
      deviceId: "device-9",
      connectionName: "n",
      listenerInstanceId: "i1",
      metadata: { lettaCodeVersion: "0.32.18", os: "linux", nodeVersion: "v22" },
    } as never);
    expect(entry).toMatchObject({ connectionId: "conn-device-9-i1" });
  });

  it("the default connection id is stable per device and listener instance, and differs between them", () => {
    const body = (deviceId: string, listenerInstanceId: string) =>
      ({ deviceId, connectionName: "n", listenerInstanceId, metadata: { lettaCodeVersion: "0.32.18", os: "linux", nodeVersion: "v22" } }) as never;
    const first = hub().register(body("device-1", "a")) as { connectionId: string };
    const again = hub().register(body("device-1", "a")) as { connectionId: string };
    const other = hub().register(body("device-1", "b")) as { connectionId: string };
    expect(first.connectionId).toMatch(/^conn-[0-9a-f]{24}$/);
    expect(again.connectionId).toBe(first.connectionId);
    expect(other.connectionId).not.toBe(first.connectionId);
  });

  it("runs on the injected clock: an unanswered request is forgotten after its ttl, so a late answer reaches nobody", async () => {
    const clock = manualClock();
    const h = hub({ clock, requestTtlMs: 1_000, runtimeSession: { heartbeat: false } });
    const r = runtime(h);
    const a = await app(h);
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "slow" } });
    await flush();
    const forwarded = r.commands.find((c) => c.type === "get_experiments")!;
    clock.advance(1_500);
    // Another request sweeps expired routes.
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "next" } });
    await flush();
    r.send({ type: "get_experiments_response", request_id: forwarded.request_id, success: true, experiments: [] });
    await flush();
    expect(a.received.filter((f) => f.type === "byor.event" && (f.event as Json).request_id === "slow")).toEqual([]);
  });

  it("a throwing onRuntime handler is reported, and the runtime still comes online for apps", async () => {
    const lines: string[] = [];
    const h = hub({ logger: { info() {}, warn() {}, error: (line) => lines.push(line) } });
    const a = await app(h);
    h.onRuntime(() => {
      throw new Error("boom");
    });
    runtime(h);
    await flush();
    expect(lines.some((line) => line.includes("onRuntime handler") && line.includes("boom"))).toBe(true);
    expect(a.last("byor.runtime_status")).toMatchObject({ runtime: { online: true } });
  });

  it("two hubs on one backplane: an app on B sees A's runtime and drives it", async () => {
    const cluster = new MemoryCluster();
    const a = hub({ backplane: cluster.node("a") });
    const b = hub({ backplane: cluster.node("b") });
    await a.start();
    await b.start();
    const r = runtime(a);
    await flush();
    const viewer = await app(b);
    expect(b.runtimes()).toMatchObject([{ id: "device-1", online: true, node: "a" }]);
    viewer.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "from-b" } });
    await flush();
    const forwarded = r.commands.find((c) => c.type === "get_experiments")!;
    expect(forwarded.request_id).toMatch(/^byor-b\./);
    r.send({ type: "get_experiments_response", request_id: forwarded.request_id, success: true, experiments: [] });
    await flush();
    expect(viewer.last("byor.event")).toMatchObject({ event: { type: "get_experiments_response", request_id: "from-b" } });
    expect(b.stats()).toMatchObject({ node: "b", runtimesOnline: { local: 0, all: 1 }, appSessions: 1 });
  });
});
