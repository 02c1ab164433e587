// Interop with the real Letta Code 0.32.18 runtime in App Server mode (`letta server --listen ws://127.0.0.1:<port>
// --backend local`, started by scripts/letta-code.ts), driven by OUR client: @byor/client's connectAppServer (an
// AppServerSession over `ws`, its RuntimeSession doing requests, watches, the mirror). Turns are answered by the
// scripted model. Each scenario asserts what the app sees: typed responses, decoded events, the session's
// StateMirror and a StreamAssembler fed from its events. Then: Letta's own AppServerClient on the same runtime
// answers the same, and a BYOR server dialling that runtime lets an app on its client endpoint drive it.
// One runtime for the unauthenticated scenarios (restarted once), one per auth mode; everything on 127.0.0.1.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connectAppServer, connectClient, type AppServerSession } from "@byor/client";
import {
  approve,
  deny,
  exponentialBackoff,
  SESSION_VIEWS,
  StreamAssembler,
  type AssembledMessage,
  type AssembledToolCall,
  type Scope,
  type SessionState,
} from "@byor/core";
import { ByorError, type ControlRequestEvent, type RuntimeEvent } from "@byor/protocol";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRuntime, PACKAGE_DIR, startLettaServer, type LettaServer } from "../../../scripts/letta-code.js";
import { dialedRuntimeId } from "../../node-server/src/index.js";
import { startServer, TOKEN as BYOR_TOKEN } from "../../node-server/test/helpers/server.js";
import { sleep, until } from "../../node-server/test/helpers/sockets.js";
import { createScriptedModel, type ScriptedModel } from "../src/scripted-model.js";
import { deltaOf, isDelta, markerReplies, textOf } from "./helpers/scripted-turns.js";

const MODEL = "scripted-model";
const TEXT = ["Hello ", "from ", "the App ", "Server, ", "our client."];
const AFTER_RESTART = ["Still ", "here ", "after the restart."];
const BROKER_TEXT = ["Driven ", "through ", "byor serve."];
const DENY_REASON = "Not in this test: keep the file.";
const ABORT_CHUNKS = Array.from({ length: 30 }, (_, i) => `a${i} `);
const REPLIES = {
  "#text": { text: TEXT, chunkDelayMs: 20 },
  "#again": { text: AFTER_RESTART, chunkDelayMs: 20 },
  "#broker": { text: BROKER_TEXT, chunkDelayMs: 20 },
  "#approve": { toolCalls: [{ id: "call_ours_approve", name: "Bash", arguments: { command: "touch ours-approved.txt", description: "Create a file" } }] },
  "tool:call_ours_approve": { text: ["Created ", "it."] },
  "#deny": { toolCalls: [{ id: "call_ours_deny", name: "Bash", arguments: { command: "rm ours-keep.txt", description: "Remove a file" } }] },
  "tool:call_ours_deny": { text: ["Left ", "it alone."] },
  "#abort": { text: ABORT_CHUNKS, chunkDelayMs: 80 },
};
/** Reconnects fast, so the restart scenario takes the runtime's restart time and not a backoff's. */
const FAST = () => exponentialBackoff({ baseMs: 100, capMs: 500 });

/** Starts the runtime; downloads it on an empty cache (a failure fails the suite: the real runtime is the peer). */
function start(options: Parameters<typeof startLettaServer>[0]): Promise<LettaServer> {
  ensureRuntime();
  return startLettaServer(options);
}

/** The rejection of a promise that must reject. */
async function rejection(promise: Promise<unknown>): Promise<ByorError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`resolved with ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ByorError);
  return outcome.error as ByorError;
}

const withoutRequestId = <T extends { request_id?: unknown }>({ request_id: _, ...rest }: T) => rest;
const loginRefusals = (server: LettaServer, reason: string) => server.output().split(`Rejecting app-server websocket client: ${reason}`).length - 1;

// ---- one runtime without auth: items 1–5, 7, 8 ----

describe.sequential("our client (connectAppServer) against letta server --listen", () => {
  let model: ScriptedModel;
  let server: LettaServer;
  let client: AppServerSession;
  let scope: Scope;
  const assembler = new StreamAssembler();
  const events: RuntimeEvent[] = [];
  const infos: unknown[] = [];
  const syncs: RuntimeEvent[] = [];
  const states: SessionState[] = [];
  const sessionErrors: ByorError[] = [];
  const invalid: string[] = [];

  const since = (from: number) => events.slice(from);
  const isType = (type: string) => (e: RuntimeEvent) => e.type === type;
  const inScope = (e: RuntimeEvent) => (e as { runtime?: Scope }).runtime?.conversation_id === scope.conversation_id;
  const turnFinished = (e: RuntimeEvent) => e.type === "turn_finished" && inScope(e);
  const mirror = () => client.session.mirror.get(scope);
  const view = () => assembler.view(scope);
  const toolCall = (id: string) => view().messages.find((m): m is AssembledToolCall => m.kind === "tool_call" && m.toolCallId === id);
  /**
   * Assistant messages the assembler added from message index `from` on. (Not "of the turn's runs": run ids start
   * again at local-run-1 when the runtime restarts, so a run id names a run only within one process.)
   */
  const assistantTexts = (from: number) =>
    view()
      .messages.slice(from)
      .filter((m): m is Extract<AssembledMessage, { kind: "assistant" }> => m.kind === "assistant")
      .map((m) => m.text);

  /** The first event from index `from` on that matches, once it arrived. */
  async function next<T extends RuntimeEvent = RuntimeEvent>(
    match: (e: RuntimeEvent) => boolean,
    { from = 0, timeoutMs = 30_000, what = "an event" } = {},
  ): Promise<T> {
    await until(() => since(from).some(match), {
      timeoutMs,
      what: `${what}; last: ${since(Math.max(from, events.length - 6))
        .map((e) => e.type)
        .join(", ")}`,
    });
    return since(from).find(match) as T;
  }

  /**
   * Sends a user message; resolves with the runtime's input_accepted. Each gets its own client_message_id: the
   * runtime answers a repeated one with the disposition it remembered, and runs nothing.
   */
  let inputs = 0;
  const input = (text: string) =>
    client.session.request({
      type: "input",
      runtime: scope,
      payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: `cm-ours-${++inputs}` }] },
    });

  /** The runtime said nothing for `quietMs` (an input right after turn_finished races the turn's cleanup: see interop-scenarios). */
  async function settle(quietMs = 300): Promise<void> {
    let seen = -1;
    while (seen !== events.length) {
      seen = events.length;
      await sleep(quietMs);
    }
  }

  beforeAll(async () => {
    model = await createScriptedModel({ prefix: "/llm", models: [MODEL], replies: markerReplies(REPLIES) });
    server = await start({ env: { LETTA_LOCAL_BACKEND_EXECUTOR: undefined } }); // the scripted model, not the built-in one
    client = connectAppServer({ url: server.url, reconnect: FAST(), requestTimeoutMs: 30_000 });
    client.on("state", ({ to }) => void states.push(to));
    client.on("info", (info) => void infos.push(info));
    client.on("error", (error) => void sessionErrors.push(error));
    client.session.on("event", (event) => {
      events.push(event);
      assembler.apply(event);
    });
    client.session.on("sync", (event) => void syncs.push(event));
    client.session.on("invalid", ({ text }) => void invalid.push(text));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await server?.stop();
    await model?.close();
  }, 30_000);

  const expectClean = () => {
    expect(invalid).toEqual([]);
    expect(sessionErrors.map((e) => e.message)).toEqual([]);
  };

  it("1. ready() → app_server_info_response (protocol 1); connect_provider and runtime_start as typed requests; watch(scope) → sync_response", async () => {
    const info = await client.ready({ timeoutMs: 15_000 });
    expect(info).toMatchObject({ type: "app_server_info_response", success: true, protocol_version: 1, backend: "local", letta_code_version: "0.32.18" });
    expect(info.request_id).toMatch(/./); // assigned by the session
    expect(client.info).toBe(info);
    expect(client.state.status).toBe("open");

    const provider = await client.session.request({
      type: "connect_provider",
      target: "local",
      provider_id: "openai-compatible",
      fields: { baseUrl: model.baseUrl, apiKey: "sk-scripted" },
    });
    expect(provider).toMatchObject({ type: "connect_provider_response", success: true, target: "local" });

    const startMark = events.length;
    const started = await client.session.request(
      { type: "runtime_start", create_agent: { body: { name: "our-client-agent", model: `openai-compatible/${MODEL}` } }, create_conversation: {} },
      { timeoutMs: 60_000 },
    );
    expect(started).toMatchObject({ type: "runtime_start_response", success: true, agent: { name: "our-client-agent", model: `openai-compatible/${MODEL}` } });
    scope = { agent_id: started.runtime!.agent_id, conversation_id: started.runtime!.conversation_id };
    expect(scope.agent_id).toMatch(/^agent-local-/);
    expect(scope.conversation_id).toMatch(/^local-conv-\d+$/);

    // The starting socket is subscribed already: the new conversation's snapshots follow the response.
    await next(isType("update_subagent_state"), { from: startMark, what: "the snapshots after runtime_start" });
    await settle();
    const mark = events.length;
    const synced = await client.session.watch(scope);
    expect(synced).toMatchObject({ type: "sync_response", runtime: scope, success: true });
    expect(client.session.scopes).toEqual([scope]);
    // The sync replayed the snapshots before answering. Not the device status: the runtime sends it on a sync only
    // when it changed since the last one this socket got (runtime_start's, here), unless `force_device_status`.
    expect(since(mark).map((e) => e.type)).toEqual(["update_loop_status", "update_queue", "update_subagent_state", "sync_response"]);
    expect(mirror()).toMatchObject({
      loopStatus: { status: "WAITING_ON_INPUT" },
      deviceStatus: { is_online: true, current_permission_mode: "unrestricted" },
      pendingApprovals: [],
    });
    expectClean();
  }, 90_000);

  it("2. a streamed turn: input_accepted, the assembled answer is the scripted text, turn_finished end_turn, the mirror back to WAITING_ON_INPUT", async () => {
    await settle();
    const mark = events.length;
    const shown = view().messages.length;
    expect(await input("#text Say hello.")).toMatchObject({ type: "input_accepted", runtime: scope, accepted: true, disposition: "started" });
    const finished = await next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" });
    expect(finished).toMatchObject({ stop_reason: "end_turn", runtime: scope, run_id: expect.stringMatching(/^local-run-\d+$/) });

    const turn = since(mark);
    expect(turn.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)))).toEqual(TEXT);
    expect(assistantTexts(shown)).toEqual([TEXT.join("")]);
    expect(view().turn).toMatchObject({ running: false, stopReason: "end_turn" });
    // During the turn the mirror saw it run; afterwards it is waiting for input again.
    expect(turn.filter(isType("update_loop_status")).map((e) => (e as { loop_status: { status: string } }).loop_status.status)).toContain(
      "PROCESSING_API_RESPONSE",
    );
    await until(() => mirror()?.loopStatus?.status === "WAITING_ON_INPUT", { what: "WAITING_ON_INPUT in the mirror" });
    expectClean();
  }, 90_000);

  it("3. approvals: control_request reaches the session and its mirror; approve() via session.request runs the tool; deny() with a reason", async () => {
    await settle();
    let mark = events.length;
    client.session.send({ type: "change_device_state", runtime: scope, payload: { mode: "standard" } });
    await until(() => mirror()?.deviceStatus?.current_permission_mode === "standard", { timeoutMs: 10_000, what: "permission mode standard in the mirror" });

    await settle();
    mark = events.length;
    let shown = view().messages.length;
    await input("#approve Create a file.");
    const asked = await next<ControlRequestEvent>(isType("control_request"), { from: mark, timeoutMs: 60_000, what: "control_request" });
    expect(asked).toMatchObject({
      request_id: "perm-call_ours_approve",
      runtime: scope,
      request: { subtype: "can_use_tool", tool_name: "Bash", tool_call_id: "call_ours_approve" },
    });
    expect(mirror()?.pendingApprovals.map((r) => r.request_id)).toEqual(["perm-call_ours_approve"]);
    await until(() => mirror()?.loopStatus?.status === "WAITING_ON_APPROVAL", { what: "WAITING_ON_APPROVAL in the mirror" });
    expect(toolCall("call_ours_approve")).toMatchObject({ name: "Bash", status: "pending_approval" });

    expect(await client.session.request(approve(asked))).toMatchObject({ type: "input_accepted", accepted: true });
    expect(mirror()?.pendingApprovals).toEqual([]); // dropped as soon as the runtime accepted the answer
    expect(await next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" })).toMatchObject({ stop_reason: "end_turn" });
    let turn = since(mark);
    const ret = turn.find((e) => isDelta("tool_return_message")(e) && deltaOf(e)?.tool_call_id === "call_ours_approve");
    expect(deltaOf(ret!)).toMatchObject({ status: "success" });
    expect(toolCall("call_ours_approve")).toMatchObject({ status: "success", result: { status: "success" } });
    expect(assistantTexts(shown)).toEqual(["Created it."]);

    await settle();
    mark = events.length;
    shown = view().messages.length;
    await input("#deny Remove a file.");
    const asked2 = await next<ControlRequestEvent>(isType("control_request"), { from: mark, timeoutMs: 60_000, what: "control_request" });
    expect(asked2).toMatchObject({ request_id: "perm-call_ours_deny", request: { tool_name: "Bash", input: { command: "rm ours-keep.txt" } } });
    expect(await client.session.request(deny(asked2, DENY_REASON))).toMatchObject({ type: "input_accepted", accepted: true });
    expect(await next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" })).toMatchObject({ stop_reason: "end_turn" });
    turn = since(mark);
    expect(turn.filter(isDelta("client_tool_start"))).toEqual([]); // it never ran
    expect(deltaOf(turn.find(isDelta("tool_return_message"))!)).toMatchObject({ tool_call_id: "call_ours_deny", status: "error", tool_return: DENY_REASON });
    expect(toolCall("call_ours_deny")).toMatchObject({ status: "error", result: { status: "error", output: DENY_REASON } });
    expect(assistantTexts(shown)).toEqual(["Left it alone."]);
    expect(mirror()?.pendingApprovals).toEqual([]);
    expect(model.completions.at(-1)?.body?.messages?.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_ours_deny", content: DENY_REASON });
    expectClean();
  }, 120_000);

  it("4. abort mid-stream: abort_message via session.request → abort_message_response aborted; the turn ends cancelled, no chunk after it", async () => {
    await settle();
    const mark = events.length;
    await input("#abort Talk for a while.");
    await until(() => since(mark).filter(isDelta("assistant_message")).length >= 3, { timeoutMs: 30_000, what: "3 chunks of the slow stream" });

    const response = await client.session.request({ type: "abort_message", runtime: scope });
    expect(response).toMatchObject({ type: "abort_message_response", runtime: scope, aborted: true, success: true });
    const finished = await next(turnFinished, { from: mark, timeoutMs: 30_000, what: "turn_finished" });
    expect(finished).toMatchObject({ stop_reason: "cancelled", runtime: scope });
    // The runtime reads the aborted model stream to its end; none of it may reach us.
    await until(() => model.completions.every((r) => !r.stream || r.stream.completed || r.stream.clientClosed), {
      timeoutMs: 15_000,
      what: "model streams to end",
    });
    await settle();
    const turn = since(mark);
    // What it sends, in order: an "Interrupted" status delta, then the response, then turn_finished cancelled.
    const interrupted = turn.findIndex(isDelta("status"));
    expect(deltaOf(turn[interrupted]!)).toMatchObject({ message: "Interrupted" });
    expect(interrupted).toBeLessThan(turn.indexOf(response));
    expect(turn.indexOf(response)).toBeLessThan(turn.indexOf(finished));
    const end = turn.indexOf(finished);
    expect(turn.slice(end).filter(isDelta("assistant_message"))).toEqual([]);
    const chunks = turn.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.length).toBeLessThan(ABORT_CHUNKS.length);
    expect(chunks).toEqual(ABORT_CHUNKS.slice(0, chunks.length));
    expect(view().turn).toMatchObject({ running: false, stopReason: "cancelled" });
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_INPUT");
    console.log(`abort: ${chunks.length} of ${ABORT_CHUNKS.length} chunks arrived before the abort`);

    // The next input: accepted as "queued", not "started" (the runtime keeps the interrupted turn's context for the
    // next turn, and such a turn goes through its queue), and it runs at once.
    await settle();
    const next2 = events.length;
    const shown = view().messages.length;
    expect(await input("#text After the abort.")).toMatchObject({ accepted: true, disposition: "queued" });
    expect(await next(turnFinished, { from: next2, timeoutMs: 60_000, what: "turn_finished after the abort" })).toMatchObject({ stop_reason: "end_turn" });
    expect(
      since(next2)
        .filter(isType("update_queue"))
        .map((e) => (e as { queue: unknown[] }).queue.length),
    ).toEqual(expect.arrayContaining([1, 0]));
    expect(assistantTexts(shown)).toEqual([TEXT.join("")]);
    expectClean();
  }, 90_000);

  it("7. Letta's AppServerClient on the same runtime: app_server_info, sync and conversation_list answer as our session.request's do", async () => {
    await settle();
    const { AppServerClient } = (await import(pathToFileURL(join(PACKAGE_DIR, "dist/app-server-client.js")).href)) as { AppServerClient: AppServerClientClass };
    const theirs = await new AppServerClient({ url: server.url, WebSocket, requestTimeoutMs: 15_000 }).connect(); // it adds /ws too
    const theirFrames: Frame[] = [];
    theirs.onMessage((frame) => void theirFrames.push(frame));
    try {
      const ourInfo = await client.session.request({ type: "app_server_info" });
      const theirInfo = await theirs.info();
      expect(theirInfo.request_id).toBe("app-server-info-1");
      expect(withoutRequestId(ourInfo)).toEqual(withoutRequestId(theirInfo));

      const mark = events.length;
      // Forced, so that both replay the device status (else only a socket that has not had this one gets it).
      const ourSync = await client.session.request({ type: "sync", runtime: scope, force_device_status: true });
      const theirSync = await theirs.sync({ runtime: scope, force_device_status: true });
      expect(withoutRequestId(ourSync)).toEqual(withoutRequestId(theirSync));
      expect(withoutRequestId(ourSync)).toEqual({ type: "sync_response", runtime: scope, success: true });
      // The snapshots each sync replayed: the same frames apart from what is per socket and per emission.
      const perEmission = ({ event_seq: _s, emitted_at: _e, idempotency_key: _k, ...rest }: Frame) => rest;
      const ourReplay = since(mark)
        .slice(0, since(mark).indexOf(ourSync))
        .map((e) => perEmission(e as unknown as Frame));
      const theirReplay = theirFrames
        .slice(0, theirFrames.indexOf(theirSync))
        .filter((f) => f.type !== "app_server_info_response")
        .map(perEmission);
      expect(ourReplay.map((f) => f.type)).toEqual(["update_device_status", "update_loop_status", "update_queue", "update_subagent_state"]);
      expect(ourReplay).toEqual(theirReplay);

      const query = { agent_id: scope.agent_id };
      const ourList = await client.session.request({ type: "conversation_list", query });
      const theirList = await theirs.conversationList({ query });
      expect(withoutRequestId(ourList)).toEqual(withoutRequestId(theirList));
      expect(ourList).toMatchObject({
        success: true,
        conversations: expect.arrayContaining([expect.objectContaining({ id: scope.conversation_id, agent_id: scope.agent_id })]),
      });
    } finally {
      theirs.close();
    }
    expectClean();
  }, 60_000);

  it("8. a BYOR server dialling this runtime: an app on its client endpoint lists it (app_server, online), subscribes and drives a streamed turn", async () => {
    await settle();
    const byor = await startServer({ dial: [{ url: server.url, name: "interop-app-server" }] });
    const app = connectClient({ url: byor.base, token: BYOR_TOKEN, views: SESSION_VIEWS, reconnect: FAST() });
    try {
      await app.ready({ timeoutMs: 15_000 });
      const id = dialedRuntimeId(server.url);
      let listed: Awaited<ReturnType<typeof app.session.listRuntimes>> = [];
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
        listed = await app.session.listRuntimes();
        if (listed.some((r) => r.id === id && r.online)) break;
      }
      expect(listed).toEqual([expect.objectContaining({ id, mode: "app_server", online: true })]);
      expect(listed[0]!.connection_name).toBe("interop-app-server");

      const received: RuntimeEvent[] = [];
      app.session.on("event", ({ runtimeId, event }) => {
        if (runtimeId === id) received.push(event);
      });
      await app.session.subscribe(id, scope);
      // The subscription made the server sync the scope on its socket: the app got the snapshots.
      await until(() => app.session.mirror(id).get(scope)?.loopStatus?.status === "WAITING_ON_INPUT", { what: "the app's mirror" });

      const mark = received.length;
      const accepted = await app.session.request(id, {
        type: "input",
        runtime: scope,
        payload: {
          kind: "create_message",
          messages: [{ role: "user", content: "#broker Through the server, please.", client_message_id: `cm-broker-${Date.now()}` }],
        },
      });
      expect(accepted).toMatchObject({ type: "input_accepted", accepted: true, disposition: "started" });
      await until(() => received.slice(mark).some(turnFinished), { timeoutMs: 60_000, what: "turn_finished at the app" });
      const turn = received.slice(mark);
      expect(turn.find(turnFinished)).toMatchObject({ stop_reason: "end_turn", runtime: scope });
      expect(turn.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)))).toEqual(BROKER_TEXT);
      const conversation = app.session.conversation(id, scope);
      expect(conversation.messages.filter((m) => m.kind === "assistant").map((m) => (m as { text: string }).text)).toEqual([BROKER_TEXT.join("")]);
      expect(conversation.turn).toMatchObject({ running: false, stopReason: "end_turn" });
      // Our own client watches the same conversation directly: it saw that turn too.
      await next((e) => turnFinished(e) && (e as { run_id?: string }).run_id === (turn.find(turnFinished) as { run_id?: string }).run_id, {
        what: "the same turn on our direct socket",
      });
      expect(byor.logger.lines.filter((l) => l.startsWith("error"))).toEqual([]);
    } finally {
      app.close();
      await byor.server.close();
    }
    expectClean();
  }, 90_000);

  it("5. the runtime restarted: backing_off → open by itself, the watched scope re-synced and info asked on the new socket, and a new turn works", async () => {
    await settle();
    const [stateMark, infoMark, syncMark] = [states.length, infos.length, syncs.length];
    const restartedAt = Date.now();
    await server.restart(); // same port and HOME; the old process closed our socket (1006)
    await until(() => client.state.status === "open" && infos.length > infoMark && syncs.length > syncMark, {
      timeoutMs: 30_000,
      what: "open, info and sync again",
    });
    const back = Date.now() - restartedAt;
    const path = states.slice(stateMark).map((s) => s.status);
    // The old process went without a close frame (1006); attempts against the stopped port failed and were retried.
    expect(states[stateMark]).toMatchObject({ status: "backing_off", attempt: 1, lastClose: { code: 1006 } });
    expect(path.at(-1)).toBe("open");
    expect(path.filter((s) => s === "open")).toHaveLength(1);
    expect(path.every((s) => ["backing_off", "connecting", "open"].includes(s))).toBe(true);
    expect(infos.at(-1)).toMatchObject({ type: "app_server_info_response", protocol_version: 1 });
    expect(client.info).toBe(infos.at(-1));
    expect(syncs.slice(syncMark)).toEqual([expect.objectContaining({ type: "sync_response", runtime: scope, success: true })]);
    // The new process replays the state of the conversation it kept.
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_INPUT");

    await settle();
    const mark = events.length;
    const shown = view().messages.length;
    const calls = model.completions.length;
    expect(await input("#again Still there?")).toMatchObject({ accepted: true, disposition: "started" });
    const finished = await next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished after the restart" });
    expect(finished).toMatchObject({ stop_reason: "end_turn", runtime: scope, run_id: "local-run-1" }); // run ids restart with the process
    expect(
      since(mark)
        .filter(isDelta("assistant_message"))
        .map((e) => textOf(deltaOf(e))),
    ).toEqual(AFTER_RESTART);
    expect(assistantTexts(shown)).toEqual([AFTER_RESTART.join("")]); // a new message, not merged into an old one
    // The same conversation: the model got the turns from before the restart as history.
    const history = model.completions[calls]!.body!.messages!;
    expect(history.filter((m) => m.role === "user").length).toBeGreaterThan(1);
    console.log(`restart: open again ${back} ms after restart() began, after ${path.filter((s) => s === "connecting").length} dial attempts`);
    expectClean();
  }, 90_000);
});

// ---- item 6: a runtime per auth mode (no turns on them: a request round trip proves a connection) ----

describe("our client against letta server --ws-auth: the right credentials work, wrong ones end it with the runtime's reason", () => {
  const TOKEN = "capability-token-for-our-client-0123";
  const SECRET = "a-shared-secret-of-at-least-32-bytes-for-our-client";
  const ISSUER = "byor-interop";
  const AUDIENCE = "letta-app-server";
  let capability: LettaServer;
  let signed: LettaServer;
  const opened: AppServerSession[] = [];

  /** Connects with `auth` and a fast backoff, recording the states it goes through from now on. */
  function dial(server: LettaServer, auth: Parameters<typeof connectAppServer>[0]["auth"]) {
    const session = connectAppServer({ url: server.url, auth, reconnect: FAST() });
    opened.push(session);
    const seen: string[] = [];
    session.on("state", ({ to }) => void seen.push(to.status));
    return { session, seen };
  }

  /** A refused dial: ready() rejects with `unauthorized` and the reason; the session is closed and does not redial. */
  async function expectRefused(server: LettaServer, auth: Parameters<typeof connectAppServer>[0]["auth"], reason: string) {
    const before = loginRefusals(server, reason);
    const { session, seen } = dial(server, auth);
    const error = await rejection(session.ready({ timeoutMs: 15_000 }));
    expect(error.code).toBe("unauthorized");
    expect(error.message).toContain(`(HTTP 401: ${reason})`);
    expect(session.state).toMatchObject({ status: "closed", reason: error.message });
    await until(() => loginRefusals(server, reason) === before + 1, { what: "the runtime's log line" });
    await sleep(1_000); // two backoff ceilings: a retry would have come by now
    expect(loginRefusals(server, reason)).toBe(before + 1); // one attempt, no redial
    expect(seen).toEqual(["closed"]); // connecting (before we listened) → closed; never backing_off
    expect(await rejection(session.ready())).toBe(error); // a later ready() fails the same way, at once
    return error;
  }

  beforeAll(async () => {
    ensureRuntime();
    [capability, signed] = await Promise.all([
      startLettaServer({ auth: { mode: "capability-token", token: TOKEN } }),
      startLettaServer({ auth: { mode: "signed-bearer-token", secret: SECRET, issuer: ISSUER, audience: AUDIENCE } }),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const session of opened) session.close();
    await Promise.all([capability?.stop(), signed?.stop()]);
  }, 30_000);

  it("capability-token: { token } connects (a request round trip); a wrong token → unauthorized, 'invalid websocket bearer token', no redial", async () => {
    const { session } = dial(capability, { token: TOKEN });
    expect(await session.ready({ timeoutMs: 15_000 })).toMatchObject({ type: "app_server_info_response", protocol_version: 1 });
    expect(await session.session.request({ type: "conversation_list" })).toMatchObject({
      type: "conversation_list_response",
      success: true,
      conversations: [],
    });
    session.close();

    const error = await expectRefused(capability, { token: "not-the-token" }, "invalid websocket bearer token");
    expect(error.message).toMatch(/^the App Server at ws:\/\/127\.0\.0\.1:\d+\/ws refused the token \(HTTP 401: invalid websocket bearer token\)/);
    // No auth at all: the runtime says it is missing.
    const missing = await rejection(dial(capability, undefined).session.ready({ timeoutMs: 15_000 }));
    expect(missing).toMatchObject({ code: "unauthorized" });
    expect(missing.message).toContain("wants a token (HTTP 401: missing websocket bearer token)");
  }, 60_000);

  it("signed-bearer-token: { secret, issuer, audience } connects; a wrong audience and an expired token → unauthorized with the runtime's reason", async () => {
    const { session } = dial(signed, { secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    expect(await session.ready({ timeoutMs: 15_000 })).toMatchObject({ type: "app_server_info_response", protocol_version: 1 });
    expect(await session.session.request({ type: "conversation_list" })).toMatchObject({ success: true });
    session.close();

    await expectRefused(signed, { secret: SECRET, issuer: ISSUER, audience: "someone-else" }, "websocket jwt audience mismatch");
    // Minted an hour ago with the default 5-minute lifetime: expired for 55 minutes.
    await expectRefused(signed, { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, now: Date.now() - 3_600_000 }, "expired websocket jwt");
  }, 60_000);
});

type Frame = { type: string; request_id?: string; [key: string]: unknown };
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
  info(): Promise<Frame>;
  sync(command: { runtime: Scope; force_device_status?: boolean }): Promise<Frame>;
  conversationList(command: { query?: Record<string, unknown> }): Promise<Frame>;
  onMessage(handler: (frame: Frame) => void): () => void;
  close(): void;
}
