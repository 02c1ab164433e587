// Interop scenarios (issue 5, item 4): the real Letta Code 0.32.18 runtime (`letta remote --backend local`) against
// createByorServer (what `byor serve` runs), its turns answered by the scripted model, driven by an app through the
// broker: @byor/core's ClientSession on the client endpoint sends every command (connect_provider, runtime_start,
// change_device_state, inputs, approvals, aborts, syncs), and each scenario asserts what the app receives: decoded
// events, and the app's StateMirror and StreamAssembler. Everything listens on 127.0.0.1; one runtime per file.
//
// The runtime reaches the server through a TCP pass-through (helpers/tcp-proxy.ts) so a scenario can cut its
// WebSocket the way a server-side terminate() does (no close frame: 1006 on both ends). The app connects directly.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { approve, deny, type AssembledMessage, type AssembledToolCall, type Scope } from "@byor/core";
import type { ControlRequestEvent, RuntimeEvent } from "@byor/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRuntime, startLettaRemote, type LettaRemote } from "../../../scripts/letta-code.js";
import { startServer, TOKEN } from "../../node-server/test/helpers/server.js";
import { sleep, until } from "../../node-server/test/helpers/sockets.js";
import { createScriptedModel, type ModelReply, type ScriptedModel } from "../src/scripted-model.js";
import { markerReplies } from "./helpers/scripted-turns.js";
import { eventLabel as label, startApp, type TestApp } from "./helpers/app-client.js";
import { createTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

const MODEL = "scripted-model";
const TEXT = ["Streaming ", "works ", "through ", "the ", "broker", "."];
const DENY_REASON = "Not in this test: keep the file.";
const ABORT_CHUNKS = Array.from({ length: 30 }, (_, i) => `a${i} `);
const MIDTURN_CHUNKS = Array.from({ length: 25 }, (_, i) => `m${i} `);

/**
 * The model's answers, chosen by a marker in the user's message, or for a continuation by the tool call it follows:
 * a retried or extra model call cannot shift the script.
 */
const REPLIES: Record<string, ModelReply> = {
  "#text": { text: TEXT, chunkDelayMs: 30 },
  "#approve": {
    text: ["Creating it."],
    toolCalls: [{ id: "call_approve", name: "Bash", arguments: { command: "touch interop-approved.txt", description: "Create a file" } }],
  },
  "tool:call_approve": { text: ["Created ", "the file."] },
  "#deny": { toolCalls: [{ id: "call_deny", name: "Bash", arguments: { command: "rm interop-keep.txt", description: "Remove a file" } }] },
  "tool:call_deny": { text: ["Understood, ", "I left it alone."] },
  "#abort": { text: ABORT_CHUNKS, chunkDelayMs: 80 },
  "#midturn": { text: MIDTURN_CHUNKS, chunkDelayMs: 100 },
  "#midapproval": {
    toolCalls: [{ id: "call_reconnect", name: "Bash", arguments: { command: "touch interop-reconnect.txt", description: "Create another file" } }],
  },
  "tool:call_reconnect": { text: ["Created after ", "the reconnect."] },
};

const reply = markerReplies(REPLIES);

type Delta = { message_type?: string; content?: unknown; tool_call_id?: string; status?: string; tool_return?: string; message?: string; run_id?: string };
const deltaOf = (e: RuntimeEvent): Delta | undefined => (e.type === "stream_delta" ? (e.delta as Delta) : undefined);
const isDelta = (kind: string) => (e: RuntimeEvent) => deltaOf(e)?.message_type === kind;
const textOf = (d: Delta | undefined): string =>
  typeof d?.content === "string" ? d.content : Array.isArray(d?.content) ? (d.content as { text?: string }[]).map((p) => p.text ?? "").join("") : "";
const isType = (type: string) => (e: RuntimeEvent) => e.type === type;

let model: ScriptedModel;
let server: Awaited<ReturnType<typeof startServer>>;
let proxy: TcpProxy;
let runtime: LettaRemote;
let app: TestApp;
let runtimeId: string;
let scope: Scope;

/** Events the app received from index `from` on. */
const since = (from: number) => app.events.slice(from).map((e) => e.event);
const inScope = (e: RuntimeEvent) => (e as { runtime?: Scope }).runtime?.conversation_id === scope.conversation_id;
const turnFinished = (e: RuntimeEvent) => e.type === "turn_finished" && inScope(e);
const mirror = () => app.session.mirror(runtimeId).get(scope);
const view = () => app.session.conversation(runtimeId, scope);
const toolCall = (id: string) => view().messages.find((m): m is AssembledToolCall => m.kind === "tool_call" && m.toolCallId === id);
/** Assistant messages of the current (or last) turn, as the app's stream assembler put them together. */
const assistantTexts = () => {
  const v = view();
  return v.messages
    .filter((m): m is Extract<AssembledMessage, { kind: "assistant" }> => m.kind === "assistant" && !!m.runId && v.turn.runIds.includes(m.runId))
    .map((m) => m.text);
};

/** Sends a user message from the app; resolves with the runtime's input_accepted. */
function input(text: string) {
  return app.session.request(runtimeId, {
    type: "input",
    runtime: scope,
    payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: `cm-${Date.now()}` }] },
  });
}

/**
 * Waits until the runtime has said nothing for `quietMs`. Why: in the real runtime (0.32.18) an input sent within a
 * few ms of the previous turn_finished gets a turn whose every update_loop_status reads WAITING_ON_INPUT with no
 * active run, even while it waits for an approval (input_accepted, deltas and control_request are fine). With 300 ms
 * of quiet it never happened here. It looks like the finished turn's cleanup (evictConversationRuntimeIfIdle in
 * letta.js) dropping the conversation state the new turn runs on, so the loop status is read from nothing.
 */
async function settle(quietMs = 300): Promise<void> {
  let seen = -1;
  while (seen !== app.events.length) {
    seen = app.events.length;
    await sleep(quietMs);
  }
}

/** The real runtime keeps reading an aborted model stream to its end; the next scenario starts after that. */
async function modelStreamsDone(): Promise<void> {
  await until(() => model.completions.every((r) => !r.stream || r.stream.completed || r.stream.clientClosed), {
    timeoutMs: 15_000,
    what: "model streams to end",
  });
}

function expectValidFrames(): void {
  expect(app.invalidFrames()).toEqual([]);
  expect(app.errors.map((e) => e.message)).toEqual([]);
}

beforeAll(async () => {
  ensureRuntime(); // downloads on an empty cache (a failure fails the suite: the real runtime is the interop peer)
  model = await createScriptedModel({ prefix: "/llm", models: [MODEL], replies: reply });
  server = await startServer();
  proxy = await createTcpProxy(server.server.port);
  app = startApp(server.clientUrl, TOKEN);
  const online = app.nextStatus((r) => r.online && r.connection_name === "interop-scenarios", { timeoutMs: 60_000 });
  runtime = startLettaRemote({ baseUrl: proxy.url, token: TOKEN, envName: "interop-scenarios", env: { LETTA_LOCAL_BACKEND_EXECUTOR: "" } });
  runtimeId = (
    await online.catch((err: Error) => {
      throw new Error(`${err.message}\n--- runtime output ---\n${runtime.output().slice(-3000)}`);
    })
  ).runtime.id;

  // Everything below goes from the app through the broker to the runtime.
  const provider = await app.session.request(runtimeId, {
    type: "connect_provider",
    target: "local",
    provider_id: "openai-compatible",
    fields: { baseUrl: model.baseUrl, apiKey: "sk-scripted" },
  });
  expect(provider).toMatchObject({ success: true });
  const started = await app.session.request(
    runtimeId,
    { type: "runtime_start", create_agent: { body: { name: "interop-agent", model: `openai-compatible/${MODEL}` } }, create_conversation: {} },
    { timeoutMs: 60_000 },
  );
  expect(started).toMatchObject({ success: true });
  scope = { agent_id: started.runtime!.agent_id, conversation_id: started.runtime!.conversation_id };
  await app.session.subscribe(runtimeId, scope);
  // Approvals are asked for only outside "unrestricted", the runtime's default in remote mode.
  app.session.send(runtimeId, { type: "change_device_state", runtime: scope, payload: { mode: "standard" } });
  await until(() => mirror()?.deviceStatus?.current_permission_mode === "standard", {
    timeoutMs: 30_000,
    what: "permission mode standard in the app's mirror",
  });
}, 240_000);

afterAll(async () => {
  app?.close();
  await runtime?.stop();
  await proxy?.close();
  await server?.server.close();
  await model?.close();
}, 60_000);

describe.sequential("interop: real runtime ↔ createByorServer ↔ an app (ClientSession)", () => {
  it("1. a streamed text turn: each chunk reaches the app, the assembled message is the scripted text, end_turn", async () => {
    await settle();
    const mark = app.events.length;
    expect(await input("#text Say something.")).toMatchObject({ type: "input_accepted", accepted: true, disposition: "started" });
    const finished = await app.next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" });
    expect(finished).toMatchObject({ stop_reason: "end_turn", runtime: scope });

    const turn = since(mark);
    // One assistant_message delta per streamed chunk, in order.
    expect(turn.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)))).toEqual(TEXT);
    expect(assistantTexts()).toEqual([TEXT.join("")]);
    expect(view().turn).toMatchObject({ running: false, stopReason: "end_turn" });
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_INPUT");
    expectValidFrames();
  }, 90_000);

  it("2. a tool call approved from the app: control_request reaches the app, approve() runs it, the continuation arrives", async () => {
    await settle();
    const file = join(runtime.home, "interop-approved.txt");
    const mark = app.events.length;
    await input("#approve Create a file.");
    const request = await app.next<ControlRequestEvent>(isType("control_request"), { from: mark, what: "control_request" });
    expect(request).toMatchObject({
      request_id: "perm-call_approve",
      runtime: scope,
      request: { subtype: "can_use_tool", tool_name: "Bash", tool_call_id: "call_approve", input: { command: "touch interop-approved.txt" } },
    });
    // The app's mirror and assembler show the call waiting for this app's answer; nothing ran yet.
    expect(mirror()?.pendingApprovals.map((r) => r.request_id)).toEqual(["perm-call_approve"]);
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_APPROVAL");
    expect(toolCall("call_approve")).toMatchObject({ name: "Bash", status: "pending_approval" });
    expect(existsSync(file)).toBe(false);

    expect(await app.session.request(runtimeId, approve(request))).toMatchObject({ type: "input_accepted", accepted: true });
    expect(await app.next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" })).toMatchObject({ stop_reason: "end_turn" });

    const turn = since(mark);
    const start = turn.findIndex((e) => isDelta("client_tool_start")(e) && deltaOf(e)?.tool_call_id === "call_approve");
    const ret = turn.findIndex((e) => isDelta("tool_return_message")(e) && deltaOf(e)?.tool_call_id === "call_approve");
    expect(start).toBeGreaterThan(turn.indexOf(request));
    expect(deltaOf(turn[ret]!)).toMatchObject({ status: "success" });
    const continuation = turn
      .slice(ret)
      .filter(isDelta("assistant_message"))
      .map((e) => textOf(deltaOf(e)));
    expect(continuation).toEqual(["Created ", "the file."]);
    expect(existsSync(file)).toBe(true);

    expect(mirror()?.pendingApprovals).toEqual([]);
    expect(toolCall("call_approve")).toMatchObject({ status: "success", result: { status: "success" } });
    expect(assistantTexts()).toContain("Created the file.");
    // The model got the tool's result before it continued.
    expect(model.completions.at(-1)?.body?.messages?.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_approve" });
    expectValidFrames();
  }, 90_000);

  it("3. a tool call denied from the app: the tool return is an error carrying the reason, and the model continues", async () => {
    await settle();
    const file = join(runtime.home, "interop-keep.txt");
    writeFileSync(file, "keep me\n");
    const mark = app.events.length;
    await input("#deny Remove the file.");
    const request = await app.next<ControlRequestEvent>(isType("control_request"), { from: mark, what: "control_request" });
    expect(request).toMatchObject({ request_id: "perm-call_deny", request: { tool_name: "Bash", input: { command: "rm interop-keep.txt" } } });

    expect(await app.session.request(runtimeId, deny(request, DENY_REASON))).toMatchObject({ type: "input_accepted", accepted: true });
    expect(await app.next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" })).toMatchObject({ stop_reason: "end_turn" });

    const turn = since(mark);
    expect(turn.filter(isDelta("client_tool_start"))).toEqual([]); // it never ran
    expect(deltaOf(turn.find(isDelta("client_tool_end"))!)).toMatchObject({ tool_call_id: "call_deny", status: "error" });
    const ret = turn.findIndex(isDelta("tool_return_message"));
    expect(deltaOf(turn[ret]!)).toMatchObject({ tool_call_id: "call_deny", status: "error", tool_return: DENY_REASON });
    expect(
      turn
        .slice(ret)
        .filter(isDelta("assistant_message"))
        .map((e) => textOf(deltaOf(e))),
    ).toEqual(["Understood, ", "I left it alone."]);
    expect(existsSync(file)).toBe(true);

    expect(toolCall("call_deny")).toMatchObject({ status: "error", result: { status: "error", output: DENY_REASON } });
    expect(mirror()?.pendingApprovals).toEqual([]);
    expect(model.completions.at(-1)?.body?.messages?.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_deny", content: DENY_REASON });
    expectValidFrames();
  }, 90_000);

  it("4. an abort mid-stream from the app: Interrupted, abort_message_response aborted, turn_finished cancelled, no chunk after", async () => {
    await settle();
    const mark = app.events.length;
    await input("#abort Talk for a while.");
    await until(() => since(mark).filter(isDelta("assistant_message")).length >= 3, { timeoutMs: 30_000, what: "3 chunks of the slow stream" });

    const response = await app.session.request(runtimeId, { type: "abort_message", runtime: scope });
    expect(response).toMatchObject({ type: "abort_message_response", aborted: true, success: true });
    const finished = await app.next(turnFinished, { from: mark, what: "turn_finished" });
    expect(finished).toMatchObject({ stop_reason: "cancelled" });
    const interrupted = since(mark).find(isDelta("status"));
    expect(deltaOf(interrupted!)).toMatchObject({ message: "Interrupted" });

    // The runtime reads the aborted model stream to its end; none of it may reach the app.
    await modelStreamsDone();
    const turn = since(mark);
    const end = turn.indexOf(finished);
    expect(turn.slice(end).filter(isDelta("assistant_message"))).toEqual([]);
    const chunks = turn.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.length).toBeLessThan(ABORT_CHUNKS.length);
    expect(chunks).toEqual(ABORT_CHUNKS.slice(0, chunks.length));
    expect(view().turn).toMatchObject({ running: false, stopReason: "cancelled" });
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_INPUT");
    console.log(`abort: ${chunks.length} of ${ABORT_CHUNKS.length} chunks reached the app before the abort`);
    expectValidFrames();
  }, 90_000);

  it("5a. the runtime's socket drops mid-turn: it reconnects at once, the app sees it offline then online, and the turn's frames continue", async () => {
    await settle();
    const mark = app.events.length;
    const statusMark = app.statuses.length;
    const opened = proxy.runtimeSocketsOpened;
    expect(await input("#midturn Talk for a while.")).toMatchObject({ accepted: true });
    await until(() => since(mark).filter(isDelta("assistant_message")).length >= 4, { timeoutMs: 30_000, what: "4 chunks of the slow stream" });

    expect(proxy.dropRuntimeSockets()).toBe(1);
    const droppedAt = Date.now();
    const offline = await app.nextStatus((r) => r.id === runtimeId && !r.online, { from: statusMark, timeoutMs: 10_000 });
    const online = await app.nextStatus((r) => r.id === runtimeId && r.online, { from: statusMark, timeoutMs: 30_000 });
    const back = Date.now() - droppedAt;
    expect(app.statuses.indexOf(online)).toBeGreaterThan(app.statuses.indexOf(offline));
    expect(proxy.runtimeSocketsOpened).toBe(opened + 1);

    const finished = await app.next(turnFinished, { from: mark, timeoutMs: 60_000, what: "turn_finished" });
    expect(finished).toMatchObject({ stop_reason: "end_turn" });
    const all = app.events.slice(mark);
    const chunksBefore = all.slice(0, offline.eventsBefore - mark).filter((e) => isDelta("assistant_message")(e.event)).length;
    const after = all.slice(online.eventsBefore - mark).map((e) => e.event);
    const chunksAfter = after.filter(isDelta("assistant_message")).map((e) => textOf(deltaOf(e)));
    // The stream goes on after the reconnect, in order, up to the last chunk; chunks emitted while no socket was
    // up are the runtime's to drop (it does not buffer them).
    expect(chunksAfter.length).toBeGreaterThan(0);
    expect(chunksAfter.at(-1)).toBe(MIDTURN_CHUNKS.at(-1));
    const chunks = since(mark)
      .filter(isDelta("assistant_message"))
      .map((e) => textOf(deltaOf(e)));
    const positions = chunks.map((c) => MIDTURN_CHUNKS.indexOf(c));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
    // The server re-synced the scope on the new socket: the snapshots came again.
    expect(after.some((e) => e.type === "update_loop_status")).toBe(true);
    expect(assistantTexts().join("")).toBe(chunks.join(""));
    expect(mirror()?.loopStatus?.status).toBe("WAITING_ON_INPUT");
    console.log(
      `mid-turn drop: back online after ${back} ms; chunks ${chunksBefore} before the drop, ${chunksAfter.length} after the reconnect, ` +
        `${MIDTURN_CHUNKS.length - chunks.length} of ${MIDTURN_CHUNKS.length} lost while down`,
    );
    expectValidFrames();
  }, 90_000);

  it("5b. the runtime's socket drops while an approval is pending: the control_request reaches the app again (reconnect and sync), and approving it works", async () => {
    await settle();
    const file = join(runtime.home, "interop-reconnect.txt");
    const mark = app.events.length;
    await input("#midapproval Create one more file.");
    const first = await app.next<ControlRequestEvent>(isType("control_request"), { from: mark, what: "control_request" });
    expect(first).toMatchObject({ request_id: "perm-call_reconnect", request: { tool_call_id: "call_reconnect" } });
    const sameRequest = (e: RuntimeEvent) => e.type === "control_request" && e.request_id === first.request_id;

    const statusMark = app.statuses.length;
    const dropMark = app.events.length;
    expect(proxy.dropRuntimeSockets()).toBe(1);
    await app.nextStatus((r) => r.id === runtimeId && !r.online, { from: statusMark, timeoutMs: 10_000 });
    await app.nextStatus((r) => r.id === runtimeId && r.online, { from: statusMark, timeoutMs: 30_000 });
    // Re-sent on the new socket (the runtime pushes pending approvals on reconnect; the server re-syncs the scope).
    const again = await app.next<ControlRequestEvent>(sameRequest, { from: dropMark, timeoutMs: 30_000, what: "the control_request again" });
    expect(again.request).toEqual(first.request);
    expect(again.idempotency_key).not.toBe(first.idempotency_key); // a new frame, not a replay the app dropped
    await until(() => mirror()?.loopStatus?.status === "WAITING_ON_APPROVAL", { what: "loop status after the reconnect" });
    // Both happened: the runtime's own push (device status, loop status, control_request) and the server's re-sync
    // of the watched scope (the four snapshots, the control_request among them).
    await settle();
    expect(since(dropMark).some(isType("update_subagent_state"))).toBe(true);
    const onReconnect = since(dropMark).filter(sameRequest).length;

    // ...and on a sync the app sends itself.
    const syncMark = app.events.length;
    const synced = await app.session.request(runtimeId, { type: "sync", runtime: scope });
    expect(synced).toMatchObject({ success: true });
    const syncEvents = since(syncMark);
    const replayed = syncEvents.findIndex(sameRequest);
    expect(replayed).toBeGreaterThanOrEqual(0);
    expect(replayed).toBeLessThan(syncEvents.indexOf(synced));
    // However often it came, the app holds one pending approval.
    expect(mirror()?.pendingApprovals.map((r) => r.request_id)).toEqual([first.request_id]);
    expect(existsSync(file)).toBe(false);

    const latest = mirror()!.pendingApprovals[0]!;
    expect(await app.session.request(runtimeId, approve(latest))).toMatchObject({ type: "input_accepted", accepted: true });
    expect(await app.next(turnFinished, { from: syncMark, timeoutMs: 60_000, what: "turn_finished" })).toMatchObject({ stop_reason: "end_turn" });
    const after = since(syncMark);
    const ret = after.findIndex((e) => isDelta("tool_return_message")(e) && deltaOf(e)?.tool_call_id === "call_reconnect");
    expect(deltaOf(after[ret]!)).toMatchObject({ status: "success" });
    expect(
      after
        .slice(ret)
        .filter(isDelta("assistant_message"))
        .map((e) => textOf(deltaOf(e))),
    ).toEqual(["Created after ", "the reconnect."]);
    expect(existsSync(file)).toBe(true);
    expect(mirror()?.pendingApprovals).toEqual([]);
    expect(toolCall("call_reconnect")).toMatchObject({ status: "success" });
    console.log(`mid-approval drop: the control_request reached the app ${onReconnect} time(s) after the reconnect, then again on sync`);
    expectValidFrames();
  }, 120_000);

  it("every frame the app received decoded, and the server found no invalid frame from the runtime", (t) => {
    expectValidFrames();
    expect(app.texts.length).toBeGreaterThan(100);
    expect(server.logger.lines.filter((l) => l.includes("invalid frame"))).toEqual([]);
    expect(server.logger.lines.filter((l) => l.startsWith("error"))).toEqual([]);
    const kinds = new Set(app.events.map((e) => label(e.event)));
    console.log(`the app received ${app.texts.length} frames, ${app.events.length} runtime events of ${kinds.size} kinds`);
  });
});
