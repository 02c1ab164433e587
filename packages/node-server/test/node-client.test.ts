// connectClient from Node against the real BYOR server (@byor/node-server) with a simulated runtime: the one
// documented way for a Node app to reach `byor serve`.
import { ByorServer } from "../src/index.js";
import { createSimulatedRuntime, type SimulatedRuntime } from "@byor/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectClient, type ByorClient } from "@byor/client";

const TOKEN = "client-test-token_0123";
const silent = { info() {}, warn() {}, error() {} };

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function serverWithRuntime(): Promise<{ server: ByorServer; runtime: SimulatedRuntime }> {
  const server = await new ByorServer({ port: 0, token: TOKEN, logger: silent }).listen();
  cleanups.push(() => server.close());
  const runtime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: "sim-client-test" });
  cleanups.push(() => runtime.stop());
  return { server, runtime };
}
const track = (client: ByorClient) => {
  cleanups.push(() => client.close());
  return client;
};

describe("connectClient (Node, ws)", () => {
  it("connects to the client endpoint, lists the runtime and drives a turn", async () => {
    const { server } = await serverWithRuntime();
    const client = track(connectClient({ url: server.url, token: TOKEN }));
    await client.ready({ timeoutMs: 5_000 });
    const runtimes = await client.session.listRuntimes();
    expect(runtimes.map((r) => r.connection_name)).toContain("sim-client-test");
    const runtimeId = runtimes.find((r) => r.connection_name === "sim-client-test")!.id;
    const scope = { agent_id: "agent-sim", conversation_id: "default" };
    await client.session.subscribe(runtimeId, scope);
    const events: string[] = [];
    client.session.on("event", ({ event }) => events.push(event.type));
    client.session.send(runtimeId, {
      type: "input",
      runtime: scope,
      payload: { kind: "create_message", messages: [{ role: "user", content: "hello" }] },
    } as never);
    const deadline = Date.now() + 5_000;
    while (!events.includes("stream_delta") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events).toContain("stream_delta");
  });

  it("a wrong token ends the client with a clear unauthorized error, without retrying", async () => {
    const { server } = await serverWithRuntime();
    const client = track(connectClient({ url: server.url, token: "wrong-token" }));
    const error = await client.ready({ timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "unauthorized" });
    expect((error as Error).message).toMatch(/refused the token \(HTTP 401 on the upgrade\)/);
    expect(client.session.state).toMatchObject({ status: "closed", close: { code: 4401 } });
  });

  it("an unreachable server: ready() times out saying what failed, and dialling goes on", async () => {
    const server = await new ByorServer({ port: 0, token: TOKEN, logger: silent }).listen();
    const url = server.url;
    await server.close();
    const client = track(connectClient({ url, token: TOKEN }));
    await expect(client.ready({ timeoutMs: 300 })).rejects.toThrow(/not connected within 300 ms; last: 1006 .*ECONNREFUSED/);
    expect(client.session.state.status).not.toBe("closed");
  });
});
