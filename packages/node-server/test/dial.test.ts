// `dial`: the server connects out to runtimes in App Server mode and lists them beside the ones that registered;
// apps drive them through the client endpoint the same way. Against a stand-in for `letta server --listen` over
// real sockets (the real runtime: test/interop-app-server.test.ts in @byor/testing).
import { connectClient, type ByorClient } from "@byor/client";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAppServer, type FakeAppServer } from "../../client/test/helpers/fake-app-server.js";
import { ByorServer, type ByorServerOptions } from "../src/index.js";
import { captureLogger } from "./helpers/server.js";
import { sleep, until } from "./helpers/sockets.js";

const TOKEN = "dial-test-token_0123";
const SCOPE = { agent_id: "agent-1", conversation_id: "default" };

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(dial: (fake: FakeAppServer) => ByorServerOptions["dial"], fakeOptions: Parameters<typeof startFakeAppServer>[0] = {}) {
  const fake = await startFakeAppServer(fakeOptions);
  cleanups.push(() => fake.stop());
  const logger = captureLogger();
  const server = await new ByorServer({ port: 0, token: TOKEN, logger, dial: dial(fake) }).listen();
  cleanups.push(() => server.close());
  const app: ByorClient = connectClient({ url: server.url, token: TOKEN });
  cleanups.push(() => app.close());
  await app.ready({ timeoutMs: 5_000 });
  return { fake, server, app, logger };
}

describe("dialling App Server runtimes", () => {
  it("lists the dialled runtime, relays its events and the app's commands, and re-syncs after its restart", async () => {
    const { fake, server, app, logger } = await setup((fake) => [{ url: fake.url, name: "listener-1" }]);
    await until(() => server.runtimes().some((r) => r.online), { what: "the dialled runtime online" });
    const [summary] = server.runtimes();
    expect(summary).toMatchObject({ mode: "app_server", dialUrl: fake.url, connectionName: "listener-1", online: true, lettaCodeVersion: expect.any(String) });
    expect(summary!.id).toMatch(/^app-server-[0-9a-f]{16}$/);

    const listed = await app.session.listRuntimes();
    expect(listed).toEqual([expect.objectContaining({ id: summary!.id, mode: "app_server", online: true, connection_name: "listener-1" })]);

    await app.session.subscribe(summary!.id, SCOPE);
    expect(fake.received.filter((c) => c.type === "sync")).toHaveLength(1);
    const events: string[] = [];
    app.session.on("event", ({ runtimeId, event }) => runtimeId === summary!.id && events.push(event.type));
    for (const socket of fake.sockets) {
      socket.send(
        JSON.stringify({
          type: "update_loop_status",
          loop_status: { status: "PROCESSING_API_RESPONSE", active_run_ids: [], executing_tool_call_ids: [] },
          runtime: SCOPE,
          event_seq: 7,
          emitted_at: new Date().toISOString(),
          idempotency_key: "update_loop_status:7:dial-test",
        }),
      );
    }
    await until(() => events.includes("update_loop_status"), { what: "the runtime's event at the app" });

    app.session.send(summary!.id, { type: "abort_message", runtime: SCOPE, request_id: "abort-1" } as never);
    await until(() => fake.received.some((c) => c.type === "abort_message"), { what: "the app's command at the runtime" });

    // The runtime restarts: the server sees it go offline, redials, and syncs the watched scope again.
    await fake.stop();
    await until(() => !server.runtimes()[0]!.online, { what: "offline" });
    await fake.start();
    await until(() => fake.received.filter((c) => c.type === "sync").length === 2, { what: "the re-sync", timeoutMs: 10_000 });
    expect(server.runtimes()[0]!.online).toBe(true);
    expect(logger.lines.some((l) => l.includes(`App Server runtime "listener-1"`) && l.includes("connected"))).toBe(true);
  });

  it("presents the capability token; a wrong one is logged and ends that runtime's dialling", async () => {
    const { fake, server, logger } = await setup(
      (fake) => [
        { url: fake.url, auth: { token: "right" }, name: "good" },
        // The same listener by another name: another runtime to the server.
        { url: fake.url.replace("127.0.0.1", "localhost"), auth: { token: "wrong" }, name: "bad" },
      ],
      { auth: { token: "right" } },
    );
    await until(() => server.runtimes().some((r) => r.connectionName === "good" && r.online), { what: "the good runtime online" });
    await until(() => logger.lines.some((l) => l.includes("gave up")), { what: "the refusal logged" });
    const line = logger.lines.find((l) => l.includes("gave up"))!;
    expect(line).toMatch(/error App Server runtime "bad".*gave up/);
    expect(logger.lines.join("\n"), logger.lines.join("\n")).toContain("refused the token (HTTP 401: invalid websocket bearer token)");
    const dials = fake.authorizations.filter((a) => a === "Bearer wrong").length;
    await sleep(300);
    expect(fake.authorizations.filter((a) => a === "Bearer wrong").length).toBe(dials);
    expect(logger.lines.join("\n")).not.toContain("right"); // never the token
  });

  it("refuses a malformed dial URL at construction", () => {
    expect(() => new ByorServer({ port: 0, token: TOKEN, dial: [{ url: "not a url" }] })).toThrow(/not a URL/);
  });
});
