// The relay path (runtime frame → RuntimeSession → registry → Broker → AppConnection) over in-memory sockets: what
// is encoded, and how often. The socket-level behaviour is in node-server's broker.test.ts.
import { createTransportPair, jsonEqual, type MemoryTransport } from "@byor/core";
import type { RuntimeEvent } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Broker } from "../src/broker.js";
import { FaultLog } from "../src/fault-log.js";
import { RuntimeRegistry, type RuntimeEntry } from "../src/runtime-registry.js";

type Json = Record<string, unknown> & { type: string };
const DEVICE = "device-0001";
const SCOPE = { agent_id: "agent-1", conversation_id: "conv-1" };

/** Lets the in-memory pairs deliver (one microtask per burst, a few hops). */
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** `{"a":{"a":…leaf}}`, built without recursion. */
const nested = (depth: number, leaf: unknown) => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

let broker: Broker;
let registry: RuntimeRegistry;
let runtime: MemoryTransport;
let entry: RuntimeEntry;
const logger = { info() {}, warn() {}, error() {} };

beforeEach(() => {
  registry = new RuntimeRegistry(
    { maxRuntimes: 4, session: {}, logger, faults: new FaultLog(logger), ids: { connectionId: (d) => `conn-${d}` } },
    {
      online: (e) => broker.runtimeOnline(e),
      offline: (e) => broker.runtimeOffline(e),
      event: (e, event, text) => broker.runtimeEvent(e, event, text),
      forgotten: (e) => broker.runtimeForgotten(e),
    },
  );
  broker = new Broker(registry, logger);
  const [server, runtimeEnd] = createTransportPair();
  runtime = runtimeEnd;
  // Answers every sync the way the runtime does (no snapshots needed here).
  runtime.onMessage((text) => {
    const command = JSON.parse(text) as { type: string; request_id?: string; runtime?: unknown };
    if (command.type === "sync" && command.request_id)
      runtime.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
  });
  entry = registry.attach(DEVICE, "laptop", null, server)!;
});
afterEach(() => {
  broker.close();
  registry.close();
  vi.restoreAllMocks();
});

/** An app with seq/ack, subscribed to SCOPE. */
async function subscribedApp(label: string) {
  const [server, app] = createTransportPair();
  broker.accept(server, label);
  const received: Json[] = [];
  app.onMessage((text) => received.push(JSON.parse(text) as Json));
  app.send(JSON.stringify({ type: "byor.hello", seq_ack: true }));
  app.send(JSON.stringify({ type: "byor.subscribe", runtime_id: DEVICE, scope: SCOPE, request_id: "sub-1" }));
  await flush();
  expect(received.find((f) => f.type === "byor.subscribed")).toMatchObject({ success: true });
  return { app, server: server as MemoryTransport, received, events: () => received.filter((f) => f.type === "byor.event") };
}

const loopStatus = (seq: number) => ({
  type: "update_loop_status",
  loop_status: { status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] },
  runtime: SCOPE,
  event_seq: seq,
  emitted_at: "2026-11-27T14:54:50.108Z",
  idempotency_key: `update_loop_status:${seq}`,
});

describe("relaying runtime frames to apps", () => {
  it("splices the runtime's frame text into one byor.event for every app: no encode per app, or at all", async () => {
    const apps = [await subscribedApp("a"), await subscribedApp("b"), await subscribedApp("c"), await subscribedApp("d")];
    // Spaces and key order as the runtime wrote them: the apps get those very bytes.
    const text = JSON.stringify(loopStatus(1), null, 1);
    const stringify = vi.spyOn(JSON, "stringify");
    runtime.send(text);
    await flush();
    const encodedObjects = stringify.mock.calls.filter(([value]) => typeof value === "object");
    stringify.mockRestore();
    expect(encodedObjects).toEqual([]);
    for (const { server } of apps) expect(server.sent.at(-1)).toBe(`{"seq":1,"type":"byor.event","runtime_id":"${DEVICE}","event":${text}}`);
  });

  it("a frame handed in without its text is encoded once for all apps", async () => {
    const apps = [await subscribedApp("a"), await subscribedApp("b"), await subscribedApp("c")];
    const stringify = vi.spyOn(JSON, "stringify");
    broker.runtimeEvent(entry, loopStatus(2) as RuntimeEvent);
    const encodedObjects = stringify.mock.calls.filter(([value]) => typeof value === "object");
    stringify.mockRestore();
    expect(encodedObjects).toHaveLength(1);
    await flush();
    for (const app of apps) expect(app.events().at(-1)).toEqual({ type: "byor.event", seq: 1, runtime_id: DEVICE, event: loopStatus(2) });
  });

  it("an event 10,000 levels deep reaches subscribed apps intact, as text or as an object, and nothing throws", async () => {
    const a = await subscribedApp("a");
    const deep = { ...loopStatus(3), extra: nested(10_000, "leaf") };
    // Past the decoder (which may bound depth): the relay itself must hold up at any depth.
    expect(() => broker.runtimeEvent(entry, deep as RuntimeEvent)).not.toThrow();
    const asText = { ...loopStatus(4), extra: nested(10_000, "leaf") };
    const text = `{"type":"update_loop_status","loop_status":${JSON.stringify(asText.loop_status)},"runtime":${JSON.stringify(SCOPE)},"event_seq":4,"emitted_at":"${asText.emitted_at}","idempotency_key":"${asText.idempotency_key}","extra":${'{"a":'.repeat(10_000)}"leaf"${"}".repeat(10_000)}}`;
    expect(() => broker.runtimeEvent(entry, asText as RuntimeEvent, text)).not.toThrow();
    await flush();
    const [first, second] = a.events();
    expect(jsonEqual(first!.event, deep)).toBe(true);
    expect(jsonEqual(second!.event, asText)).toBe(true);
  });

  it("an answer routed to one app (its request_id restored) is encoded safely at any depth", async () => {
    const a = await subscribedApp("a");
    const commands: Json[] = [];
    runtime.onMessage((text) => commands.push(JSON.parse(text) as Json));
    a.app.send(JSON.stringify({ type: "byor.send", runtime_id: DEVICE, command: { type: "get_experiments", request_id: "mine" } }));
    await flush();
    const forwarded = commands.find((c) => c.type === "get_experiments")!;
    expect(forwarded.request_id).not.toBe("mine");
    const answer = { type: "get_experiments_response", request_id: forwarded.request_id, success: true, experiments: [], extra: nested(10_000, 1) };
    // The text cannot be spliced here (the id differs): the answer is built from the event (a stale text is ignored).
    expect(() => broker.runtimeEvent(entry, answer as unknown as RuntimeEvent, JSON.stringify({ ...answer, extra: null }))).not.toThrow();
    await flush();
    const got = a.events().at(-1)!.event as Json;
    expect(got.request_id).toBe("mine");
    expect(jsonEqual(got, { ...answer, request_id: "mine" })).toBe(true);
  });
});
