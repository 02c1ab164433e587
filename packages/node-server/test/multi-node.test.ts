// Several servers sharing runtimes and apps through one backplane, in process (@byor/hub's MemoryCluster: the
// contract @byor/redis also meets, checked against a real redis-server in @byor/testing's scale-out test). A runtime
// on node A, apps on node B: they see it, subscribe, drive turns, get answers; it moves to B and back.
import { connectClient, type ByorClient } from "@byor/client";
import { MemoryCluster } from "@byor/hub";
import { createSimulatedRuntime, type SimulatedRuntime } from "@byor/testing";
import type { RuntimeEvent } from "@byor/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { ByorServer } from "../src/index.js";
import { until } from "./helpers/sockets.js";

const TOKEN = "multi-node-token_0123";
const SCOPE = { agent_id: "agent-mn", conversation_id: "default" };
const silent = { info() {}, warn() {}, error() {} };

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function node(cluster: MemoryCluster, id: string): Promise<ByorServer> {
  const server = await new ByorServer({ port: 0, token: TOKEN, logger: silent, backplane: cluster.node(id) }).listen();
  cleanups.push(() => server.close());
  return server;
}
async function runtimeOn(server: ByorServer, name = "mn-runtime", deviceId?: string): Promise<SimulatedRuntime> {
  const runtime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: name, ...(deviceId ? { deviceId } : {}) });
  cleanups.push(() => runtime.stop());
  return runtime;
}
async function appOn(
  server: ByorServer,
): Promise<{ client: ByorClient; events: { runtimeId: string; event: RuntimeEvent }[]; statuses: { id: string; online: boolean }[] }> {
  const client = connectClient({ url: server.url, token: TOKEN });
  cleanups.push(() => client.close());
  const events: { runtimeId: string; event: RuntimeEvent }[] = [];
  const statuses: { id: string; online: boolean }[] = [];
  client.session.on("event", (e) => events.push(e));
  client.session.on("runtime", (r) => statuses.push({ id: r.id, online: r.online }));
  await client.ready({ timeoutMs: 5_000 });
  return { client, events, statuses };
}
const assistantText = (events: { event: RuntimeEvent }[]) =>
  events
    .map(({ event }) => event)
    .filter((e) => e.type === "stream_delta" && (e.delta as { message_type?: string }).message_type === "assistant_message")
    .flatMap((e) => ((e as { delta: { content?: { text?: string }[] } }).delta.content ?? []).map((p) => p.text ?? ""))
    .join("");

describe("several nodes on one backplane", () => {
  it("an app on node B sees node A's runtime, subscribes, drives a turn and gets its answers", async () => {
    const cluster = new MemoryCluster();
    const a = await node(cluster, "node-a");
    const b = await node(cluster, "node-b");
    await runtimeOn(a);
    await until(() => b.runtimes().some((r) => r.online), { what: "the runtime listed on node B" });
    const [listed] = b.runtimes();
    expect(listed).toMatchObject({ connectionName: "mn-runtime", online: true, node: "node-a" });

    const { client, events } = await appOn(b);
    const runtimes = await client.session.listRuntimes();
    expect(runtimes).toEqual([expect.objectContaining({ id: listed!.id, online: true })]);
    await client.session.subscribe(listed!.id, SCOPE); // the owner syncs; the snapshots travel the bus to B
    expect(events.some(({ event }) => event.type === "update_loop_status")).toBe(true);

    // A request answered by the runtime on A comes back to the app on B under the app's own request id.
    const started = await client.session.request(listed!.id, {
      type: "runtime_start",
      request_id: "mine-1",
      create_agent: { body: { name: "mn" } },
      create_conversation: {},
    } as never);
    expect(started).toMatchObject({ type: "runtime_start_response", request_id: "mine-1", success: true });

    client.session.send(listed!.id, {
      type: "input",
      runtime: SCOPE,
      payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] },
    } as never);
    await until(() => events.some(({ event }) => event.type === "turn_finished"), { what: "the turn finished at the app on B" });
    expect(assistantText(events)).toBe("pong");
    // Node A's own apps are unaffected: it has none, and nothing was delivered twice on B.
    const keys = events.map(({ event }) => (event as { idempotency_key?: string }).idempotency_key).filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("two apps on two nodes pick the same request id: each gets its own answer", async () => {
    const cluster = new MemoryCluster();
    const a = await node(cluster, "node-a");
    const b = await node(cluster, "node-b");
    await runtimeOn(a);
    await until(() => b.runtimes().some((r) => r.online), { what: "listed on B" });
    const id = b.runtimes()[0]!.id;
    const onA = await appOn(a);
    const onB = await appOn(b);
    const [fromA, fromB] = await Promise.all([
      onA.client.session.request(id, { type: "runtime_start", request_id: "1", create_agent: { body: { name: "from-a" } }, create_conversation: {} } as never),
      onB.client.session.request(id, { type: "runtime_start", request_id: "1", create_agent: { body: { name: "from-b" } }, create_conversation: {} } as never),
    ]);
    expect((fromA as { runtime: { agent_id: string } }).runtime.agent_id).not.toBe((fromB as { runtime: { agent_id: string } }).runtime.agent_id);
  });

  it("the runtime moves from A to B: the app on B hears it offline then online, and its scope is synced again", async () => {
    const cluster = new MemoryCluster();
    const a = await node(cluster, "node-a");
    const b = await node(cluster, "node-b");
    const deviceId = "device-moving-0001";
    const first = await runtimeOn(a, "mover", deviceId);
    await until(() => b.runtimes().some((r) => r.online), { what: "listed on B" });
    const { client, events, statuses } = await appOn(b);
    await client.session.subscribe(deviceId, SCOPE);
    const syncsBefore = events.filter(({ event }) => event.type === "update_loop_status").length;

    await first.stop();
    await until(() => statuses.some((s) => s.id === deviceId && !s.online), { what: "offline at the app" });
    await runtimeOn(b, "mover", deviceId); // the same device reconnects, to the other node
    await until(() => statuses.at(-1)?.online === true, { what: "online again at the app" });
    await until(() => events.filter(({ event }) => event.type === "update_loop_status").length > syncsBefore, { what: "the re-sync's snapshot" });
    expect(b.runtimes()).toEqual([expect.objectContaining({ id: deviceId, online: true })]);
    client.session.send(deviceId, {
      type: "input",
      runtime: SCOPE,
      payload: { kind: "create_message", messages: [{ role: "user", content: "again" }] },
    } as never);
    await until(() => events.some(({ event }) => event.type === "turn_finished"), { what: "a turn on the new node" });
  });

  it("a node that dies without a word: the other nodes mark its runtimes offline", async () => {
    const cluster = new MemoryCluster();
    const a = await node(cluster, "node-a");
    const b = await new ByorServer({ port: 0, token: TOKEN, logger: silent, backplane: cluster.node("node-b"), runtimeSession: {} }).listen();
    cleanups.push(() => b.close());
    await runtimeOn(a);
    await until(() => b.runtimes().some((r) => r.online), { what: "listed on B" });
    await a.close(); // its runtime goes offline; the directory and node B hear it
    await until(() => b.runtimes().every((r) => !r.online), { what: "offline on B", timeoutMs: 8_000 });
  });
});
