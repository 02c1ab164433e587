// The real Letta Code 0.32.18 runtime as an App Server (`letta server --listen ws://127.0.0.1:<port> --backend local`,
// started by scripts/letta-code.ts startLettaServer): clients connect to it directly, no broker, and speak the v2
// protocol on one WebSocket. Each test pins down a fact an App Server client relies on, with the `ws` package and
// nothing of ours on the wire: the upgrade (paths, Origin, both auth modes and their refusals), what the runtime
// sends and when, a whole turn driven by the scripted model, approvals, a restart, and Letta's own AppServerClient.
// One runtime per describe; everything on 127.0.0.1.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { approve, deny } from "@byor/core";
import type { ControlRequestEvent } from "@byor/protocol";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRuntime, PACKAGE_DIR, startLettaServer, type LettaServer, type LettaServerAuth } from "../../../scripts/letta-code.js";
import { connect, sleep, TestSocket, until, type Json } from "../../node-server/test/helpers/sockets.js";
import { createScriptedModel, type ModelReply, type ScriptedModel } from "../src/scripted-model.js";
import { markerReplies } from "./helpers/scripted-turns.js";

const MODEL = "scripted-model";
const TEXT = ["Hello ", "from ", "the App ", "Server."];
const AFTER_RESTART = ["Still ", "here."];
const DENY_REASON = "Not in this test.";
const REPLIES: Record<string, ModelReply> = {
  "#text": { text: TEXT, chunkDelayMs: 20 },
  "#again": { text: AFTER_RESTART, chunkDelayMs: 20 },
  "#approve": { toolCalls: [{ id: "call_as_approve", name: "Bash", arguments: { command: "touch app-server-approved.txt", description: "Create a file" } }] },
  "tool:call_as_approve": { text: ["Created."] },
  "#deny": { toolCalls: [{ id: "call_as_deny", name: "Bash", arguments: { command: "rm app-server-keep.txt", description: "Remove a file" } }] },
  "tool:call_as_deny": { text: ["Left ", "it."] },
};

const reply = markerReplies(REPLIES);

// ---- helpers ----

/** What an upgrade got: a socket, or the HTTP status and reason phrase of the refusal. */
type Upgrade = { opened: true; socket: TestSocket } | { opened: false; status: number; message: string };

function upgrade(url: string, headers: Record<string, string> = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve({ opened: true, socket: new TestSocket(ws) }));
    ws.once("unexpected-response", (request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0, message: response.statusMessage ?? "" });
      response.resume();
      request.destroy();
    });
    ws.on("error", reject); // after unexpected-response this is a no-op
  });
}

/** The refusal of an upgrade that must be refused (closes the socket if it opened, and fails). */
async function refused(url: string, headers: Record<string, string> = {}): Promise<{ status: number; message: string }> {
  const result = await upgrade(url, headers);
  if (result.opened) {
    await result.socket.close();
    throw new Error(`upgrade to ${url} with ${JSON.stringify(headers)} was accepted`);
  }
  return { status: result.status, message: result.message };
}

/** Opens, proves the connection works with app_server_info, closes. */
async function opensAndAnswers(url: string, headers: Record<string, string>): Promise<Json> {
  const result = await upgrade(url, headers);
  if (!result.opened) throw new Error(`upgrade refused: ${result.status} ${result.message}`);
  result.socket.send({ type: "app_server_info", request_id: "info-auth" });
  const info = await result.socket.next((f) => f.request_id === "info-auth", { timeoutMs: 10_000 });
  await result.socket.close();
  return info;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** An HS256 JWT, signed here with node:crypto (no JWT library). */
function jwt(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }): string {
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}
const now = () => Math.floor(Date.now() / 1000);

/** Sends a command with a request_id and waits for the frame that answers it (same request_id, and `type`). */
async function request(socket: TestSocket, command: Json & { request_id: string }, type: string, timeoutMs = 30_000): Promise<Json> {
  const from = socket.received.length;
  socket.send(command);
  return socket.next((f) => f.request_id === command.request_id && f.type === type, { from, timeoutMs });
}

type Delta = { message_type?: string; content?: unknown; tool_call_id?: string; status?: string; tool_return?: string };
const deltaOf = (f: Json) => (f.type === "stream_delta" ? (f.delta as Delta) : undefined);
const isDelta = (kind: string) => (f: Json) => deltaOf(f)?.message_type === kind;
const textOf = (d: Delta | undefined): string =>
  typeof d?.content === "string" ? d.content : Array.isArray(d?.content) ? (d.content as { text?: string }[]).map((p) => p.text ?? "").join("") : "";
const eventSeqs = (frames: Json[]) => frames.filter((f) => typeof f.event_seq === "number").map((f) => f.event_seq as number);
const isConsecutive = (seqs: number[]) => seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1);
const inputCommand = (requestId: string, scope: Scope, text: string) => ({
  type: "input",
  request_id: requestId,
  runtime: scope,
  payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: `cm-${requestId}` }] },
});
type Scope = { agent_id: string; conversation_id: string };

/** Starts the runtime; a failure shows its output. */
async function start(options: Parameters<typeof startLettaServer>[0]): Promise<LettaServer> {
  ensureRuntime(); // downloads on an empty cache (a failure fails the suite: the real runtime is the interop peer)
  return startLettaServer(options);
}

// ---- (a) no auth, (d) heartbeat, (e) a turn, approvals, restart, (3) AppServerClient ----

describe.sequential("letta server without auth: loopback only, no Origin", () => {
  let server: LettaServer;
  let model: ScriptedModel;
  let a: TestSocket; // runs the turns
  let observer: TestSocket; // syncs the conversation, sends nothing else
  let idle: TestSocket; // connects and never sends anything
  let scope: Scope;

  beforeAll(async () => {
    model = await createScriptedModel({ prefix: "/llm", models: [MODEL], replies: reply });
    // The scripted model instead of the built-in deterministic one.
    server = await start({ env: { LETTA_LOCAL_BACKEND_EXECUTOR: undefined } });
  }, 120_000);

  afterAll(async () => {
    for (const s of [a, observer, idle]) s?.ws.terminate();
    await server?.stop();
    await model?.close();
  }, 30_000);

  it("startLettaServer: port 0 lets the runtime pick one, read back from its `Listening on` line", () => {
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/ws`);
    expect(server.output()).toContain(`Listening on ws://127.0.0.1:${server.port}\n`); // then `WebSocket: <url>/ws`
  });

  it("(a) /ws opens without a token; app_server_info → protocol_version 1, backend local, capabilities; nothing is sent unasked", async () => {
    idle = await connect(server.wsUrl);
    a = await connect(server.wsUrl);
    await sleep(500);
    expect(a.received).toEqual([]); // no hello, no state: nothing until the client asks
    const info = await request(a, { type: "app_server_info", request_id: "info-1" }, "app_server_info_response");
    expect(info).toMatchObject({
      type: "app_server_info_response",
      request_id: "info-1",
      success: true,
      backend: "local",
      letta_code_version: "0.32.18",
      protocol_version: 1,
      capabilities: { agent_management: true, conversation_management: true, memory_management: true, runtime_start: true, split_channels: false },
    });
    // No event_seq, no runtime scope: a plain response.
    expect(info).not.toHaveProperty("event_seq");
  });

  it("(a) `/` upgrades too; an Origin header is refused with 403 Forbidden; other paths 404; ?channel= 426", async () => {
    expect((await opensAndAnswers(`${server.url}/`, {})).protocol_version).toBe(1);
    expect(await refused(server.wsUrl, { Origin: "http://127.0.0.1:5173" })).toEqual({ status: 403, message: "Forbidden" });
    await until(() => server.output().includes("Rejecting unauthenticated app-server websocket request with Origin header: /ws"), { what: "the log line" }); // stderr, after the answer
    expect(await refused(`${server.url}/other`)).toEqual({ status: 404, message: "Not Found" });
    expect(await refused(`${server.wsUrl}?channel=control`)).toEqual({ status: 426, message: "Upgrade Required" });
  });

  it("(a) JSON pings, unknown commands and bad JSON get no answer at all", async () => {
    const probe = await connect(server.wsUrl);
    probe.send({ type: "ping" });
    probe.send({ type: "no_such_command", request_id: "x-1" });
    probe.send("{not json");
    await sleep(1_000);
    expect(probe.received).toEqual([]);
    // ...and the socket still works.
    expect(await request(probe, { type: "app_server_info", request_id: "info-after" }, "app_server_info_response")).toMatchObject({ success: true });
    await probe.close();
  });

  it("(d) heartbeat: WebSocket pings every 30 s from one server-wide timer, 3 unanswered → terminate; no env or CLI knob", () => {
    // Too slow to observe in a test (measured once: the first ping came 30.0 s after the server started); the
    // source says how, and that `letta server` passes startAppServer no heartbeatIntervalMs/pongTimeoutMs.
    const source = readFileSync(join(PACKAGE_DIR, "letta.js"), "utf8");
    expect(source).toContain("APP_SERVER_HEARTBEAT_INTERVAL_MS = 30000, APP_SERVER_PONG_TIMEOUT_MS = 90000");
    expect(source).toContain("const heartbeatIntervalMs = options.heartbeatIntervalMs ?? APP_SERVER_HEARTBEAT_INTERVAL_MS;");
    const cli = source.slice(source.indexOf("async function runAppServerSubcommand("), source.indexOf("var init_app_server2 ="));
    expect(cli).toContain("startAppServer({");
    expect(cli).not.toMatch(/heartbeat|pongTimeout|process\.env/i);
    expect(source.match(/APP_SERVER_HEARTBEAT_INTERVAL_MS/g)).toHaveLength(2); // the constant and its one use
  });

  it("(e) connect_provider → runtime_start(create_agent, create_conversation): ids, and state frames to the starter", async () => {
    const provider = await request(
      a,
      {
        type: "connect_provider",
        request_id: "provider-1",
        target: "local",
        provider_id: "openai-compatible",
        fields: { baseUrl: model.baseUrl, apiKey: "sk-scripted" },
      },
      "connect_provider_response",
    );
    expect(provider).toMatchObject({ success: true, target: "local" });

    const mark = a.received.length;
    const started = await request(
      a,
      {
        type: "runtime_start",
        request_id: "start-1",
        create_agent: { body: { name: "app-server-agent", model: `openai-compatible/${MODEL}` } },
        create_conversation: {},
      },
      "runtime_start_response",
      60_000,
    );
    expect(started).toMatchObject({ success: true, agent: { name: "app-server-agent", model: `openai-compatible/${MODEL}` } });
    scope = started.runtime as Scope;
    expect(scope.agent_id).toMatch(/^agent-local-/);
    expect(scope.conversation_id).toMatch(/^local-conv-\d+$/);
    // The starting socket is now subscribed: the state of the new conversation comes without a sync, event_seq from 1.
    const state = await a.next((f) => f.type === "update_subagent_state", { from: mark, timeoutMs: 10_000 });
    expect(state).toMatchObject({ runtime: scope, event_seq: 4 });
    expect(
      a.received
        .slice(mark)
        .filter((f) => f.event_seq !== undefined)
        .slice(0, 4)
        .map((f) => [f.type, f.event_seq]),
    ).toEqual([
      ["update_device_status", 1],
      ["update_loop_status", 2],
      ["update_queue", 3],
      ["update_subagent_state", 4],
    ]);
    expect(a.received.find((f) => f.type === "update_device_status")).toMatchObject({
      device_status: { current_connection_id: "app-server", is_online: true, current_permission_mode: "unrestricted" },
    });
  }, 90_000);

  it("(e) sync replays the state (device, loop, queue, subagents) then sync_response; a scope it never saw still says success", async () => {
    observer = await connect(server.wsUrl);
    const synced = await request(observer, { type: "sync", request_id: "sync-1", runtime: scope }, "sync_response");
    expect(synced).toEqual({ type: "sync_response", request_id: "sync-1", runtime: scope, success: true });
    expect(observer.received.map((f) => [f.type, f.event_seq])).toEqual([
      ["update_device_status", 1],
      ["update_loop_status", 2],
      ["update_queue", 3],
      ["update_subagent_state", 4],
      ["sync_response", undefined],
    ]);
    expect(observer.received[1]).toMatchObject({ loop_status: { status: "WAITING_ON_INPUT" }, runtime: scope });

    const probe = await connect(server.wsUrl);
    const unknown = { agent_id: "agent-local-does-not-exist", conversation_id: "default" };
    expect(await request(probe, { type: "sync", request_id: "sync-x", runtime: unknown }, "sync_response")).toMatchObject({ success: true, runtime: unknown });
    await probe.close();
  });

  it("(e) input → input_accepted → stream_delta with the scripted text → turn_finished end_turn; every subscriber gets it, event_seq per socket", async () => {
    const [fromA, fromObserver] = [a.received.length, observer.received.length];
    const accepted = await request(a, inputCommand("input-1", scope, "#text Say hello."), "input_accepted");
    expect(accepted).toEqual({ type: "input_accepted", request_id: "input-1", runtime: scope, accepted: true, disposition: "started" });
    const finished = await a.next((f) => f.type === "turn_finished", { from: fromA, timeoutMs: 60_000 });
    expect(finished).toMatchObject({ stop_reason: "end_turn", runtime: scope, run_id: expect.stringMatching(/^local-run-\d+$/) });
    await observer.next((f) => f.type === "turn_finished", { from: fromObserver, timeoutMs: 10_000 });
    await sleep(300); // the trailing update_device_status

    const turn = a.received.slice(fromA);
    expect(turn.filter(isDelta("assistant_message")).map((f) => textOf(deltaOf(f)))).toEqual(TEXT);
    expect(turn.filter(isDelta("assistant_message")).map((f) => (f.delta as { run_id?: string }).run_id)).toEqual(TEXT.map(() => finished.run_id));
    expect(turn.filter((f) => f.type === "stream_delta").map((f) => deltaOf(f)?.message_type)).toEqual([
      ...TEXT.map(() => "assistant_message"),
      "usage_statistics",
      "stop_reason",
    ]);
    expect(turn.filter((f) => f.type === "update_loop_status").at(-1)).toMatchObject({ loop_status: { status: "WAITING_ON_INPUT" } });

    // The observer (synced, sent nothing) gets the same events in the same order, numbered by its own counter.
    const observed = observer.received.slice(fromObserver);
    const kinds = (frames: Json[]) => frames.filter((f) => f.event_seq !== undefined).map((f) => `${f.type}:${deltaOf(f)?.message_type ?? ""}`);
    expect(kinds(observed)).toEqual(kinds(turn));
    // Each socket has its own counter, from 1 with no gaps (a: its runtime_start frames; observer: its sync replay).
    for (const s of [a, observer]) {
      expect(eventSeqs(s.received)[0]).toBe(1);
      expect(isConsecutive(eventSeqs(s.received))).toBe(true);
    }
    // The same event on both sockets: same turn and run; idempotency_key embeds the socket's event_seq.
    const finishedSeen = observed.find((f) => f.type === "turn_finished")!;
    expect(finishedSeen.idempotency_key).toBe(`turn_finished:${finishedSeen.event_seq}:${String(finishedSeen.idempotency_key).split(":")[2]}`);
    expect(observed.find((f) => f.type === "turn_finished")).toMatchObject({ turn_id: finished.turn_id, run_id: finished.run_id });
    expect(idle.received).toEqual([]); // connected, never synced: nothing
  }, 90_000);

  it("(e) a socket that only sends input (no sync, no runtime_start) gets that turn's events", async () => {
    const sender = await connect(server.wsUrl);
    await sleep(300); // the previous turn's cleanup (see interop-scenarios settle())
    await request(sender, inputCommand("input-2", scope, "#text Once more."), "input_accepted");
    await sender.next((f) => f.type === "turn_finished", { timeoutMs: 60_000 });
    expect(sender.received.filter(isDelta("assistant_message")).map((f) => textOf(deltaOf(f)))).toEqual(TEXT);
    expect(eventSeqs(sender.received)[0]).toBe(1);
    await sender.close();
  }, 90_000);

  it("approvals: after change_device_state standard, control_request; approve()/deny() from @byor/core answer it", async () => {
    await sleep(300);
    let from = a.received.length;
    a.send({ type: "change_device_state", runtime: scope, payload: { mode: "standard" } });
    await a.next((f) => f.type === "update_device_status" && (f.device_status as { current_permission_mode?: string }).current_permission_mode === "standard", {
      from,
      timeoutMs: 10_000,
    });

    from = a.received.length;
    await request(a, inputCommand("input-approve", scope, "#approve Create a file."), "input_accepted");
    const asked = (await a.next((f) => f.type === "control_request", { from, timeoutMs: 60_000 })) as unknown as ControlRequestEvent;
    expect(asked).toMatchObject({
      request_id: "perm-call_as_approve",
      runtime: scope,
      request: { subtype: "can_use_tool", tool_name: "Bash", tool_call_id: "call_as_approve" },
    });
    expect(await request(a, { ...approve(asked, { requestId: "answer-approve" }) } as Json & { request_id: string }, "input_accepted")).toMatchObject({
      accepted: true,
    });
    expect(await a.next((f) => f.type === "turn_finished", { from, timeoutMs: 60_000 })).toMatchObject({ stop_reason: "end_turn" });
    expect(a.received.slice(from).find((f) => isDelta("tool_return_message")(f))).toMatchObject({
      delta: { tool_call_id: "call_as_approve", status: "success" },
    });

    await sleep(300);
    from = a.received.length;
    await request(a, inputCommand("input-deny", scope, "#deny Remove a file."), "input_accepted");
    const asked2 = (await a.next((f) => f.type === "control_request", { from, timeoutMs: 60_000 })) as unknown as ControlRequestEvent;
    expect(await request(a, { ...deny(asked2, DENY_REASON, { requestId: "answer-deny" }) } as Json & { request_id: string }, "input_accepted")).toMatchObject({
      accepted: true,
    });
    expect(await a.next((f) => f.type === "turn_finished", { from, timeoutMs: 60_000 })).toMatchObject({ stop_reason: "end_turn" });
    const ret = a.received.slice(from).find(isDelta("tool_return_message"));
    expect(deltaOf(ret!)).toMatchObject({ tool_call_id: "call_as_deny", status: "error", tool_return: DENY_REASON });
  }, 120_000);

  it("Letta's AppServerClient (dist/app-server-client.js) runs on Node 20 with `ws` as its WebSocket: info() and sync()", async () => {
    const { AppServerClient } = (await import(pathToFileURL(join(PACKAGE_DIR, "dist/app-server-client.js")).href)) as { AppServerClient: AppServerClientClass };
    const client = await new AppServerClient({ url: server.url, WebSocket, requestTimeoutMs: 15_000 }).connect(); // base URL: it adds /ws
    try {
      expect(await client.info()).toMatchObject({ type: "app_server_info_response", request_id: "app-server-info-1", protocol_version: 1 });
      expect(await client.sync({ runtime: scope })).toEqual({ type: "sync_response", request_id: "sync-2", runtime: scope, success: true });
      const listed = await client.conversationList({ agent_id: scope.agent_id });
      expect(listed).toMatchObject({ success: true, conversations: [{ id: scope.conversation_id, agent_id: scope.agent_id }] });
    } finally {
      client.close();
    }
  }, 60_000);

  it("restart(): the sockets close (1006, no close frame); after it, same port, same agent and conversation (history and provider kept)", async () => {
    const closedA = a.closed;
    const closedObserver = observer.closed;
    const lastRun = a.received.filter((f) => f.type === "turn_finished").at(-1)!.run_id;
    await server.restart();
    expect(await closedA).toMatchObject({ code: 1006 });
    expect(await closedObserver).toMatchObject({ code: 1006 });
    await until(() => server.output().includes("Stopped App Server (SIGTERM)."), { what: "its shutdown line" }); // SIGTERM: a graceful close
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);

    const again = await connect(server.wsUrl);
    const synced = await request(again, { type: "sync", request_id: "sync-after", runtime: scope }, "sync_response");
    expect(synced).toMatchObject({ success: true, runtime: scope });
    expect(eventSeqs(again.received)[0]).toBe(1); // a new process, a new socket: from 1 again
    expect(again.received.find((f) => f.type === "update_loop_status")).toMatchObject({ loop_status: { status: "WAITING_ON_INPUT" } });

    // Not just "success" (a scope it never saw answers that too): the conversation goes on, no connect_provider again.
    const calls = model.completions.length;
    await request(again, inputCommand("input-after", scope, "#again Still there?"), "input_accepted");
    const finished = await again.next((f) => f.type === "turn_finished", { timeoutMs: 60_000 });
    expect(finished).toMatchObject({ stop_reason: "end_turn", runtime: scope });
    expect(again.received.filter(isDelta("assistant_message")).map((f) => textOf(deltaOf(f)))).toEqual(AFTER_RESTART);
    const history = model.completions[calls]!.body!.messages!;
    expect(history.filter((m) => m.role === "user").length).toBeGreaterThan(1); // the turns before the restart are in it
    // Run ids restart with the process: the first run after a restart is local-run-1 again.
    expect(finished.run_id).toBe("local-run-1");
    expect(lastRun).not.toBe("local-run-1");
    await again.close();
  }, 120_000);
});

/** The part of Letta's AppServerClient used here (its declarations live in the uncommitted cache). */
type AppServerClientClass = new (options: {
  url: string;
  WebSocket?: unknown;
  authToken?: string;
  requestTimeoutMs?: number;
}) => {
  connect(): Promise<AppServerClientInstance>;
};
interface AppServerClientInstance {
  info(): Promise<Json>;
  sync(command: { runtime: Scope }): Promise<Json>;
  conversationList(command: { agent_id?: string }): Promise<Json>;
  close(): void;
}

// ---- (b) capability-token ----

describe("letta server --ws-auth capability-token", () => {
  const TOKEN = "capability-token-for-the-app-server-test";
  let server: LettaServer;

  beforeAll(async () => {
    server = await start({ auth: { mode: "capability-token", token: TOKEN } });
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  it("the right token opens (Authorization: Bearer); with a token an Origin header is fine", async () => {
    expect(await opensAndAnswers(server.wsUrl, bearer(TOKEN))).toMatchObject({ type: "app_server_info_response", protocol_version: 1 });
    expect(await opensAndAnswers(server.wsUrl, { ...bearer(TOKEN), Origin: "http://127.0.0.1:5173" })).toMatchObject({ success: true });
  });

  it("refusals are 401 with the reason as the status message, and logged", async () => {
    expect(await refused(server.wsUrl, bearer("wrong-token"))).toEqual({ status: 401, message: "invalid websocket bearer token" });
    expect(await refused(server.wsUrl)).toEqual({ status: 401, message: "missing websocket bearer token" });
    expect(await refused(server.wsUrl, { Authorization: `Basic ${TOKEN}` })).toEqual({ status: 401, message: "invalid authorization header" });
    expect(await refused(server.wsUrl, { Authorization: "Bearer " })).toEqual({ status: 401, message: "invalid authorization header" });
    // Auth comes before the Origin check: a wrong token with an Origin is 401, not 403.
    expect(await refused(server.wsUrl, { ...bearer("wrong-token"), Origin: "http://x.test" })).toEqual({
      status: 401,
      message: "invalid websocket bearer token",
    });
    await until(() => server.output().includes("Rejecting app-server websocket client: invalid websocket bearer token"), { what: "the log line" });
  });

  it("Letta's AppServerClient sends authToken as the bearer token", async () => {
    const { AppServerClient } = (await import(pathToFileURL(join(PACKAGE_DIR, "dist/app-server-client.js")).href)) as { AppServerClient: AppServerClientClass };
    const client = await new AppServerClient({ url: server.url, WebSocket, authToken: TOKEN }).connect();
    expect(await client.info()).toMatchObject({ protocol_version: 1 });
    client.close();
    await expect(new AppServerClient({ url: server.url, WebSocket, authToken: "wrong" }).connect()).rejects.toThrow(/App-server WebSocket failed to open/);
  });
});

// ---- (c) signed-bearer-token ----

describe("letta server --ws-auth signed-bearer-token", () => {
  const SECRET = "a-shared-secret-of-at-least-32-bytes-for-hs256";
  const ISSUER = "byor-test";
  const AUDIENCE = "letta-app-server";
  const auth: LettaServerAuth = { mode: "signed-bearer-token", secret: SECRET, issuer: ISSUER, audience: AUDIENCE, maxClockSkewSeconds: 5 };
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, exp: now() + 300, ...extra });
  let server: LettaServer;

  beforeAll(async () => {
    server = await start({ auth });
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  it("a JWT minted with node:crypto HMAC (HS256; exp, iss, aud) opens; aud may be an array", async () => {
    expect(await opensAndAnswers(server.wsUrl, bearer(jwt(claims(), SECRET)))).toMatchObject({ protocol_version: 1 });
    expect(await opensAndAnswers(server.wsUrl, bearer(jwt(claims({ aud: ["other", AUDIENCE] }), SECRET)))).toMatchObject({ success: true });
    // Within the clock skew: expired 2 s ago with 5 s allowed.
    expect(await opensAndAnswers(server.wsUrl, bearer(jwt(claims({ exp: now() - 2 }), SECRET)))).toMatchObject({ success: true });
  });

  it("refusals: 401 with their messages", async () => {
    const refusal = (token: string) => refused(server.wsUrl, bearer(token));
    expect(await refusal(jwt(claims(), "not-the-secret-but-also-long-enough-to-sign"))).toEqual({ status: 401, message: "invalid websocket jwt" });
    expect(await refusal(jwt(claims({ exp: now() - 60 }), SECRET))).toEqual({ status: 401, message: "expired websocket jwt" });
    expect(await refusal(jwt(claims({ aud: "someone-else" }), SECRET))).toEqual({ status: 401, message: "websocket jwt audience mismatch" });
    expect(await refusal(jwt(claims({ iss: "someone-else" }), SECRET))).toEqual({ status: 401, message: "websocket jwt issuer mismatch" });
    expect(await refusal(jwt(claims({ nbf: now() + 60 }), SECRET))).toEqual({ status: 401, message: "websocket jwt is not valid yet" });
    expect(await refusal(jwt(claims({ exp: undefined }), SECRET))).toEqual({ status: 401, message: "invalid websocket jwt" }); // exp is required
    expect(await refusal(jwt(claims(), SECRET, { alg: "none", typ: "JWT" }))).toEqual({ status: 401, message: "invalid websocket jwt" });
    expect(await refusal("not.a-jwt")).toEqual({ status: 401, message: "invalid websocket jwt" });
    expect(await refused(server.wsUrl)).toEqual({ status: 401, message: "missing websocket bearer token" });
  });
});

describe("startLettaServer", () => {
  it("refuses a secret the runtime would refuse (under 32 bytes): the start fails with the runtime's message", async () => {
    ensureRuntime();
    await expect(startLettaServer({ auth: { mode: "signed-bearer-token", secret: "short" } })).rejects.toThrow(
      /exited \(1\) before it listened[\s\S]*must be at least 32 bytes/,
    );
  }, 60_000);
});
