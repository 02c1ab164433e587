// The real runtime (@letta-ai/letta-code@0.32.18, `letta remote --backend local`, deterministic model) against the
// real `byor serve` (the built CLI), all on 127.0.0.1. The runtime is fetched into .cache/ on first use.
//
// The runtime pings every 30 s, hard-coded (LISTENER_HEARTBEAT_INTERVAL_MS in letta.js, no env override), and
// kills a socket at its 4th tick (120 s) if 3 pings went unanswered. So the heartbeat case needs real time: it
// runs its own server and runtime from beforeAll, alongside the other cases, and is checked last, ~125 s in.
import { decodeEvent, decodeServerFrame, type RuntimeEvent } from "@byor/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRuntime, startLettaRemote, type LettaRemote } from "../../../scripts/letta-code.js";
import { startServe, type ServeProcess } from "../../../scripts/byor-serve.js";
import { connect, sleep, until, type Json, type TestSocket } from "./helpers/sockets.js";

const TOKEN = "interop-token-4f9c2b7d1e";
const HEARTBEAT_WINDOW_MS = 125_000;

const started: LettaRemote[] = [];
const serves: ServeProcess[] = [];

function runtime(port: number, envName: string, token = TOKEN): LettaRemote {
  const r = startLettaRemote({ baseUrl: `http://127.0.0.1:${port}`, token, envName, debugLog: true });
  started.push(r);
  return r;
}

async function serve(port: number, token = TOKEN): Promise<ServeProcess> {
  const s = await startServe(["--port", String(port), "--env-name", "interop", "--verbose"], { BYOR_TOKEN: token });
  serves.push(s);
  return s;
}

async function app(port: number): Promise<TestSocket> {
  const socket = await connect(`ws://127.0.0.1:${port}/byor/v1/client`, { headers: { authorization: `Bearer ${TOKEN}` } });
  socket.send({ type: "byor.hello" });
  await socket.next((f) => f.type === "byor.welcome");
  return socket;
}

async function runtimesList(port: number): Promise<Json[]> {
  const res = await fetch(`http://127.0.0.1:${port}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { runtimes: Json[] }).runtimes;
}

/** Every frame an app got is a valid server frame, and every runtime event inside is valid against our schemas. */
function expectAllValid(socket: TestSocket): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (const frame of socket.received) {
    const outer = decodeServerFrame(frame);
    if (!outer.ok) throw new Error(`invalid server frame: ${outer.error.message}`);
    if (frame.type !== "byor.event") continue;
    const inner = decodeEvent(frame.event as object);
    if (!inner.ok) throw new Error(`invalid runtime event ${(frame.event as Json).type}: ${inner.error.lines().join("; ")}`);
    events.push(inner.message);
  }
  return events;
}

const eventsOf = (socket: TestSocket, from = 0) =>
  socket.received
    .slice(from)
    .filter((f) => f.type === "byor.event")
    .map((f) => f.event as Json);

let heartbeat: { port: number; serve: ServeProcess; runtime: LettaRemote; since: number } | undefined;

beforeAll(async () => {
  ensureRuntime(); // downloads on an empty cache; reused afterwards
  const s = await serve(0);
  const port = s.port;
  heartbeat = { port, serve: s, runtime: runtime(port, "interop-heartbeat"), since: Date.now() };
}, 600_000);

afterAll(async () => {
  for (const r of started) await r.stop();
  for (const s of serves) await s.stop();
}, 60_000);

describe.sequential("the real runtime against byor serve", () => {
  let port: number;
  let server: ServeProcess;
  let lettaRemote: LettaRemote;
  let watcher: TestSocket;
  let runtimeId: string;
  let scope: { agent_id: string; conversation_id: string };

  it("registers, then connects its socket with the Bearer token", async () => {
    server = await serve(0);
    port = server.port;
    watcher = await app(port);
    lettaRemote = runtime(port, "interop-main");
    const online = await watcher.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).online === true, { timeoutMs: 30_000 });
    runtimeId = (online.runtime as Json).id as string;
    expect(online.runtime).toMatchObject({ connection_name: "interop-main", connection_id: expect.stringMatching(/^conn-/) });
    expect(server.logLines("POST /v1/environments/register → 200")).toHaveLength(1);
    expect(server.logLines(`registered as ${(online.runtime as Json).connection_id}`)).toHaveLength(1);
    expect(server.logLines('runtime "interop-main"').some((l) => l.includes("connected"))).toBe(true);
    // The runtime takes the server's deflate terms: no context takeover either way, a 13-bit window (issue #11).
    const socketLines = () => server.logLines("socket: permessage-deflate").filter((l) => l.includes('"interop-main"'));
    await until(() => socketLines().length > 0, { what: "the runtime socket's deflate terms in the log" });
    const [terms] = socketLines();
    for (const term of ["server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits=13", "client_max_window_bits=13"])
      expect(terms).toContain(term);
    const [listed] = (await runtimesList(port)).filter((r) => r.id === runtimeId);
    expect(listed).toMatchObject({ deviceId: runtimeId, connectionName: "interop-main", online: true, lettaCodeVersion: "0.32.18" });
  }, 60_000);

  it("runtime_start, then a sync with a request_id: sync_response and the four snapshots reach the app, all valid", async () => {
    watcher.send({
      type: "byor.send",
      runtime_id: runtimeId,
      command: { type: "runtime_start", request_id: "rs-1", create_agent: { body: { name: "interop-agent" } }, create_conversation: {} },
    });
    const startFrame = await watcher.next((f) => f.type === "byor.event" && (f.event as Json).type === "runtime_start_response", { timeoutMs: 30_000 });
    const started = startFrame.event as Json & { runtime: typeof scope };
    expect(started).toMatchObject({ request_id: "rs-1", success: true });
    scope = { agent_id: started.runtime.agent_id, conversation_id: started.runtime.conversation_id };

    const mark = watcher.received.length;
    watcher.send({ type: "byor.send", runtime_id: runtimeId, command: { type: "sync", request_id: "sync-1", runtime: scope, force_device_status: true } });
    const response = await watcher.next(
      (f) => f.type === "byor.event" && (f.event as Json).type === "sync_response" && (f.event as Json).request_id === "sync-1",
      { from: mark, timeoutMs: 30_000 },
    );
    expect(response.event).toMatchObject({ success: true, runtime: scope });
    const types = eventsOf(watcher, mark).map((e) => e.type);
    for (const snapshot of ["update_device_status", "update_loop_status", "update_queue", "update_subagent_state"]) expect(types).toContain(snapshot);
    expect(types.indexOf("sync_response")).toBeGreaterThan(types.indexOf("update_subagent_state"));
    expectAllValid(watcher);
    // The sync made the runtime ask runtime-status (its connectionId starts with conn-); the answer let approval
    // recovery go ahead: it logs a warning when the check fails (e.g. on a 404), and there is none.
    expect(server.logLines(`GET /v1/agents/${scope.agent_id}/runtime-status?conversation_ids=${scope.conversation_id} → 200`).length).toBeGreaterThan(0);
    expect(lettaRemote.debugLog()).not.toContain("Could not verify conversation recovery ownership");
  }, 60_000);

  it("an input is accepted and its turn's events reach the app", async () => {
    const mark = watcher.received.length;
    watcher.send({
      type: "byor.send",
      runtime_id: runtimeId,
      command: {
        type: "input",
        request_id: "in-1",
        runtime: scope,
        payload: { kind: "create_message", messages: [{ role: "user", content: "hello", client_message_id: "cm-1" }] },
      },
    });
    await watcher.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished", { from: mark, timeoutMs: 60_000 });
    const turn = eventsOf(watcher, mark);
    expect(turn.find((e) => e.type === "input_accepted")).toMatchObject({ request_id: "in-1", accepted: true, disposition: "started" });
    const text = turn
      .filter((e) => e.type === "stream_delta")
      .map((e) => e.delta as Json)
      .find((d) => d.message_type === "assistant_message");
    expect(text).toMatchObject({ content: [{ type: "text", text: "pong" }] });
    expect(turn.find((e) => e.type === "turn_finished")).toMatchObject({ stop_reason: "end_turn", runtime: scope });
    expectAllValid(watcher);
  }, 90_000);

  it("after byor serve restarts on the same port, the runtime reconnects; the app sees it go offline and online, then re-syncs", async () => {
    const connectionId = (await runtimesList(port)).find((r) => r.id === runtimeId)!.connectionId;
    await server.stop("SIGTERM");
    // The old server told the app its runtime went offline before closing the app's socket with 1001.
    await watcher.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).id === runtimeId && (f.runtime as Json).online === false);
    expect(await watcher.closed).toEqual({ code: 1001, reason: "Server shutting down" });
    expect(server.stderr()).toContain("stopped");

    const downAt = Date.now();
    server = await serve(port);
    watcher = await app(port);
    // The app is back first: the runtime's retries are 0, 1, 2, 4 … s apart.
    const list = (await runtimesList(port)).find((r) => r.id === runtimeId);
    const online = await watcher.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).id === runtimeId && (f.runtime as Json).online === true, {
      timeoutMs: 40_000,
    });
    console.log(`runtime reconnected ${Date.now() - downAt} ms after the server came back (listed before: ${JSON.stringify(list?.online ?? "not yet")})`);
    // Same runtime, same connectionId, and no new registration: it dialled the same wsUrl.
    expect((online.runtime as Json).connection_id).toBe(connectionId);
    expect(server.logLines("POST /v1/environments/register")).toEqual([]);

    watcher.send({ type: "byor.subscribe", runtime_id: runtimeId, scope, request_id: "resub" });
    const answer = await watcher.next((f) => f.type === "byor.subscribed", { timeoutMs: 30_000 });
    expect(answer).toMatchObject({ request_id: "resub", success: true, scope });
    const types = eventsOf(watcher).map((e) => e.type);
    for (const snapshot of ["update_loop_status", "update_queue", "update_subagent_state"]) expect(types).toContain(snapshot);
    expectAllValid(watcher);
    expect(lettaRemote.child.exitCode).toBeNull();
  }, 90_000);

  it("every frame the runtime sent was valid against our schemas (the server logs any that is not)", () => {
    for (const s of serves) expect(s.logLines("sent an invalid frame")).toEqual([]);
  });

  it("a wrong token is refused at register (401) and the runtime exits instead of looping", async () => {
    const wrong = runtime(port, "interop-wrong-token", "not-the-token");
    const exit = await Promise.race([wrong.exited, sleep(30_000).then(() => "still running" as const)]);
    expect(exit).toEqual({ code: 1, signal: null });
    await sleep(2_000);
    expect(server.logLines("refused a registration")).toHaveLength(1);
    expect(server.logLines("POST /v1/environments/register → 401")).toHaveLength(1);
    expect(server.logLines("/v1/environments/socket")).toEqual([]);
    // It printed the server's message.
    expect(wrong.output()).toContain("Failed to start listener: missing or wrong token");
  }, 60_000);

  it("a server that no longer accepts the runtime's token refuses its socket with 401 and the runtime backs off (no loop)", async () => {
    await server.stop("SIGTERM");
    server = await serve(port, "a-different-token-8d1c");
    await sleep(8_000);
    const refused = server.logLines("refused WebSocket /v1/environments/socket");
    // The runtime retries a failed upgrade after 0, 1, 2, 4 … s: about 4 attempts in 8 s. A socket accepted and
    // closed with 1008 instead would have made it re-register and reconnect hundreds of times.
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeLessThanOrEqual(6);
    expect(refused.every((l) => l.includes("(401)"))).toBe(true);
    expect(server.logLines("POST /v1/environments/register")).toEqual([]);
    expect(lettaRemote.child.exitCode).toBeNull();
    console.log(`upgrade attempts refused in 8 s: ${refused.length}`);
  }, 60_000);

  it("nothing in the server's output ever shows the token, and no request went unanswered", () => {
    for (const s of serves) expect(s.stderr()).not.toContain(TOKEN);
    // Every HTTP request the runtime made (register, runtime-status; health only with telemetry on) is served.
    for (const s of serves) expect(s.logLines("unknown request")).toEqual([]);
    const requests = serves.flatMap((s) =>
      s
        .stderr()
        .split("\n")
        .filter((l) => / → \d{3} /.test(l))
        .map((l) =>
          l
            .replace(/^\S+ info +/, "")
            .replace(/agent-[\w-]+/, "{agent}")
            .replace(/\(\d+ ms\)/, ""),
        ),
    );
    console.log(`HTTP requests the servers answered (the runtime's and this test's):\n  ${[...new Set(requests)].join("\n  ")}`);
  });
});

describe("heartbeat with the real runtime (~125 s: the runtime's 30 s interval is fixed)", () => {
  it("answers every ping with a pong: the runtime stays on its first socket past its 120 s pong check", async () => {
    const hb = heartbeat!;
    await until(() => hb.serve.logLines('runtime "interop-heartbeat"').some((l) => l.includes("connected")), {
      timeoutMs: 30_000,
      what: "heartbeat runtime connected",
    });
    const [first] = (await runtimesList(hb.port)).filter((r) => r.connectionName === "interop-heartbeat");
    const connectedAt = Date.parse(first!.connectedAt as string);
    const left = connectedAt + HEARTBEAT_WINDOW_MS - Date.now();
    if (left > 0) await sleep(left);
    const [now] = (await runtimesList(hb.port)).filter((r) => r.connectionName === "interop-heartbeat");
    // Still the first socket: without pongs the runtime would have cut it at 120 s and reconnected.
    expect(now).toMatchObject({ online: true, connectedAt: first!.connectedAt });
    expect(hb.serve.logLines('runtime "interop-heartbeat"').filter((l) => l.includes("connected"))).toHaveLength(1);
    expect(hb.serve.logLines('runtime "interop-heartbeat"').filter((l) => l.includes("offline"))).toEqual([]);
    // Its 4th ping (at 120 s) arrived: the last frame it sent is that recent.
    expect(Date.parse(now!.lastSeenAt as string) - connectedAt).toBeGreaterThanOrEqual(119_000);
    expect(hb.runtime.child.exitCode).toBeNull();
  }, 200_000);
});
