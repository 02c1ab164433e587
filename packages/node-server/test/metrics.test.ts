// GET /byor/v1/metrics: off by default, behind the token, Prometheus text with what the node counts.
import { connectClient } from "@byor/client";
import { createSimulatedRuntime } from "@byor/testing";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ByorServer } from "../src/index.js";
import { until } from "./helpers/sockets.js";

const TOKEN = "metrics-test-token_01";
const silent = { info() {}, warn() {}, error() {} };
let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const scrape = (server: ByorServer, token = TOKEN) => fetch(`${server.url}/byor/v1/metrics`, { headers: { authorization: `Bearer ${token}` } });
const value = (text: string, name: string, labels = "") =>
  Number(new RegExp(`^${name}\\{node="[^"]*"${labels ? `,${labels}` : ""}\\} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

describe("metrics", () => {
  it("is off by default (404)", async () => {
    const server = await new ByorServer({ port: 0, token: TOKEN, logger: silent }).listen();
    cleanups.push(() => server.close());
    expect((await scrape(server)).status).toBe(404);
  });

  it("counts connections, runtimes, events, deliveries, commands and refusals, behind the token", async () => {
    const server = await new ByorServer({ port: 0, token: TOKEN, logger: silent, metrics: true }).listen();
    cleanups.push(() => server.close());
    expect((await scrape(server, "wrong")).status).toBe(401);
    const runtime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: "metrics-sim" });
    cleanups.push(() => runtime.stop());
    const client = connectClient({ url: server.url, token: TOKEN });
    cleanups.push(() => client.close());
    await client.ready({ timeoutMs: 5_000 });
    const [info] = await client.session.listRuntimes();
    const scope = { agent_id: "agent-m", conversation_id: "default" };
    await client.session.subscribe(info!.id, scope);
    const done = new Promise((resolve) => client.session.on("event", ({ event }) => event.type === "turn_finished" && resolve(event)));
    client.session.send(info!.id, { type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] } } as never);
    await done;
    await expect(client.session.request(info!.id, { type: "sync" } as never)).rejects.toThrow(); // invalid: no scope
    // An app with seq/ack that never acknowledges: what it was sent stays in its replay buffer.
    const silentApp = new WebSocket(`${server.url.replace(/^http/, "ws")}/byor/v1/client`, { headers: { authorization: `Bearer ${TOKEN}` } });
    cleanups.push(() => silentApp.close());
    const numbered: number[] = [];
    silentApp.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type: string; seq?: number };
      if (typeof frame.seq === "number") numbered.push(frame.seq);
    });
    await new Promise((resolve) => silentApp.once("open", resolve));
    silentApp.send(JSON.stringify({ type: "byor.hello", seq_ack: true }));
    silentApp.send(JSON.stringify({ type: "byor.subscribe", runtime_id: info!.id, scope }));
    await until(() => numbered.length > 0, { what: "numbered frames at the silent app" });
    const bad = connectClient({ url: server.url, token: "not-the-token" });
    cleanups.push(() => bad.close());
    await bad.ready({ timeoutMs: 5_000 }).catch(() => {});

    const res = await scrape(server);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain("# TYPE byor_events_total counter");
    expect(value(text, "byor_connections", 'kind="runtime"')).toBe(1);
    expect(value(text, "byor_connections", 'kind="app"')).toBe(2);
    expect(value(text, "byor_runtimes_online", 'scope="node"')).toBe(1);
    expect(value(text, "byor_events_total")).toBeGreaterThan(5);
    expect(value(text, "byor_deliveries_total")).toBeGreaterThan(5);
    expect(value(text, "byor_commands_total")).toBe(1);
    expect(value(text, "byor_commands_refused_total", 'code="invalid_message"')).toBe(1);
    expect(value(text, "byor_refusals_total", 'error="unauthorized"')).toBeGreaterThanOrEqual(1);
    expect(value(text, "byor_app_sessions")).toBe(2);
    expect(value(text, "byor_replay_buffer_frames")).toBeGreaterThanOrEqual(numbered.length);
    expect(value(text, "byor_replay_buffer_bytes")).toBeGreaterThan(0);
    expect(text).not.toContain(TOKEN);
  });
});
