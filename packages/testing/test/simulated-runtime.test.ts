import { afterEach, describe, expect, it } from "vitest";
import { createSimulatedRuntime } from "../src/simulated/runtime.js";
import { createLoggingServer, type LoggingServer } from "./helpers/logging-server.js";
import { between, labels } from "./helpers/sequence.js";
import { answeredAfter, rig, settled, sleep, TOKEN, until, type Rig } from "./helpers/sim-setup.js";

const runtime = { agent_id: "agent-1", conversation_id: "default" };
const input = (requestId: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: "input",
  request_id: requestId,
  runtime,
  payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: `cm-${requestId}` }] },
  ...extra,
});
const isType = (type: string) => (f: Record<string, unknown>) => f.type === type;
const turnFinished = isType("turn_finished");

let current: Rig | undefined;
let extraServer: LoggingServer | undefined;
afterEach(async () => {
  if (current) {
    // Every frame the simulator sent in the test must validate against @byor/protocol.
    expect(current.invalidFrames()).toEqual([]);
    await current.close();
  }
  await extraServer?.close();
  current = undefined;
  extraServer = undefined;
});
const setup = async (...args: Parameters<typeof rig>) => (current = await rig(...args));

/** A real-time clock that records every timer's delay and runs it after `scaled(ms)` instead. */
function recordingClock(scaled: (ms: number) => number) {
  const delays: number[] = [];
  const clock = {
    now: () => Date.now(),
    setTimeout: (cb: () => void, ms: number) => {
      delays.push(ms);
      return setTimeout(cb, scaled(ms));
    },
    clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  };
  return { clock, delays };
}

describe("register and connect", () => {
  it("registers with the real runtime's body and headers, then dials wsUrl with the token and its identity", async () => {
    const { server, runtime: sim } = await setup({ deviceId: "dev-1" });
    expect(server.registrations).toHaveLength(1);
    const { body, headers } = server.registrations[0]!;
    expect(headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(headers["x-letta-source"]).toBe("letta-code");
    expect(body).toMatchObject({
      deviceId: "dev-1",
      connectionName: "sim-test",
      metadata: { lettaCodeVersion: "0.32.18", environmentMessageProtocol: "v2-input", supportsPairedListenerGenerations: true },
    });
    expect(body.listenerInstanceId).toMatch(/^server-[0-9a-f]{16}$/);
    expect((body.metadata as { supported_commands: string[] }).supported_commands).toContain("monitor_stop");
    const socket = server.sockets[0]!;
    expect(socket.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(socket.query.get("deviceId")).toBe("dev-1");
    expect(socket.query.get("connectionName")).toBe("sim-test");
    expect(sim.connectionId).toBe("conn-test-1");
    expect(sim.state).toBe("open");
  });

  it("sends nothing until the server speaks", async () => {
    const { server } = await setup();
    await sleep(100);
    expect(server.received()).toEqual([]);
  });

  it("fails to start when register is refused with a 4xx, and retries 5xx", async () => {
    extraServer = await createLoggingServer({ token: TOKEN, registerStatus: (n) => (n === 1 ? 503 : 200) });
    const sim = await createSimulatedRuntime({ baseUrl: extraServer.url, token: TOKEN });
    expect(extraServer.registrations).toHaveLength(2);
    await sim.stop();
    await expect(createSimulatedRuntime({ baseUrl: extraServer.url, token: "wrong" })).rejects.toThrow(/HTTP 401/);
  });
});

describe("heartbeat", () => {
  it("pings every interval and stays up while pongs come back", async () => {
    const { server } = await setup({ pingIntervalMs: 40 });
    await sleep(230);
    const pings = server.received().filter(isType("ping"));
    expect(pings.length).toBeGreaterThanOrEqual(4);
    expect(server.frames.find((f) => f.dir === "in" && f.json?.type === "ping")!.text).toBe('{"type":"ping"}');
    expect(server.sockets).toHaveLength(1);
  });

  it("drops the socket after three unanswered pings (the server sees 1006) and reconnects at once with the same connectionId", async () => {
    const { server } = await setup({ pingIntervalMs: 40 }, { autoPong: false });
    const first = server.sockets[0]!;
    const reconnected = await server.socket(1, 2000);
    expect(first.closed?.code).toBe(1006);
    // open at 0, pings at 40/80/120, terminate at 160, then a new socket at once (no backoff wait)
    const pingTimes = first.frames.filter((f) => f.json?.type === "ping").map((f) => f.at);
    expect(pingTimes).toHaveLength(3);
    expect(pingTimes[0]! - first.openedAt).toBeGreaterThanOrEqual(35);
    expect(first.closed!.at - pingTimes[2]!).toBeGreaterThanOrEqual(35);
    expect(reconnected.openedAt - first.closed!.at).toBeLessThan(500);
    expect(reconnected.connectionId).toBe("conn-test-1");
    expect(server.registrations).toHaveLength(1);
  });
});

describe("reconnect and close codes", () => {
  it("reconnects at once after 1000, 1011 and a drop, keeping event_seq and subscriptions", async () => {
    const r = await setup();
    r.send({ type: "sync", request_id: "s-1", runtime });
    await r.waitFor(isType("sync_response"));
    for (const [i, close] of [() => r.socket().close(1000, "bye"), () => r.socket().close(1011, "oops"), () => r.socket().terminate()].entries()) {
      close();
      await r.server.socket(i + 1);
    }
    await sleep(50);
    expect(r.server.registrations).toHaveLength(1);
    expect(new Set(r.server.sockets.map((s) => s.connectionId))).toEqual(new Set(["conn-test-1"]));
    const mark = r.mark();
    r.send({ type: "sync", request_id: "s-2", runtime });
    await r.waitFor(isType("sync_response"), mark);
    const seqs = r.server
      .received()
      .filter((f) => typeof f.event_seq === "number")
      .map((f) => f.event_seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("keeps streaming a turn onto the new socket without a sync", async () => {
    const r = await setup({ scenario: [{ text: Array.from({ length: 10 }, (_, i) => `w${i}`), chunkDelayMs: 20 }] });
    r.send(input("in-1", "hi"));
    await r.waitFor((f) => (f.delta as { message_type?: string } | undefined)?.message_type === "assistant_message");
    r.runtime.disconnect();
    const second = await r.server.socket(1);
    await r.waitFor(turnFinished);
    expect(second.frames.filter((f) => f.json?.type === "stream_delta").length).toBeGreaterThan(0);
    expect(second.frames.some((f) => f.json?.type === "sync")).toBe(false);
  });

  it("registers again after 1008: new connectionId, event_seq from 1, scopes to sync again", async () => {
    const r = await setup();
    r.send({ type: "sync", request_id: "s-1", runtime });
    await r.waitFor(isType("sync_response"));
    r.socket().close(1008, "policy");
    const second = await r.server.socket(1);
    expect(r.server.registrations).toHaveLength(2);
    expect(second.connectionId).toBe("conn-test-2");
    expect(r.runtime.connectionId).toBe("conn-test-2");
    const mark = r.mark();
    second.send({ type: "sync", request_id: "s-2", runtime });
    await r.waitFor(isType("sync_response"), mark);
    const frames = r.since(mark);
    expect(frames[0]).toMatchObject({ type: "update_device_status", event_seq: 1 });
    expect((frames[0]!.device_status as { current_connection_id: string }).current_connection_id).toBe("conn-test-2");
  });

  it("stops for good on 1000 'Replaced by new connection'", async () => {
    const r = await setup();
    r.socket().close(1000, "Replaced by new connection");
    await expect(r.runtime.stopped).resolves.toEqual({ reason: "replaced" });
    await sleep(50);
    expect(r.server.sockets).toHaveLength(1);
    expect(r.runtime.state).toBe("stopped");
  });

  it("backs off 1, 2, 4 s between failed attempts, then reconnects with the same connectionId", async () => {
    // Real time, with the reconnect waits recorded and shortened 100 times.
    const { clock, delays } = recordingClock((ms) => ms / 100);
    const r = await setup({ clock, pingIntervalMs: 3_600_000 }, { upgradeStatus: (n) => (n >= 2 && n <= 5 ? 503 : 101) });
    delays.length = 0;
    r.socket().terminate();
    const back = await r.server.socket(1, 5000);
    expect(back.connectionId).toBe("conn-test-1");
    expect(r.server.upgradeAttempts).toHaveLength(6);
    expect(delays.filter((ms) => ms !== 3_600_000)).toEqual([1000, 2000, 4000, 8000]);
    expect(r.server.registrations).toHaveLength(1);
  });

  it("registers again when reconnecting still fails 5 minutes after the first failure", async () => {
    // Virtual time: each timer advances the clock by its delay but fires 1000 times sooner.
    let virtual = Date.now();
    const clock = {
      now: () => virtual,
      setTimeout: (cb: () => void, ms: number) =>
        setTimeout(() => {
          virtual += ms;
          cb();
        }, ms / 1000),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    const r = await setup({ clock, pingIntervalMs: 3_600_000 }, { upgradeStatus: (n) => (n === 1 ? 101 : 503) });
    r.socket().terminate();
    // Attempts at +0, 1, 3, 7, 15, 31, 61, 91, … 301 s, then a new registration.
    await until(() => r.server.registrations.length >= 2, { what: "a second registration" });
    expect(r.server.upgradeAttempts.length).toBeGreaterThanOrEqual(15);
  });

  it("pings every 30 s by default", async () => {
    const { clock, delays } = recordingClock(() => 1_000_000);
    await setup({ clock });
    expect(delays).toEqual([30_000]);
  });

  it("stop() closes without a status code (1005), like SIGTERM", async () => {
    const r = await setup();
    await r.runtime.stop();
    await until(() => r.server.sockets[0]!.closed !== undefined, { what: "the close" });
    expect(r.server.sockets[0]!.closed?.code).toBe(1005);
  });
});

describe("sync", () => {
  it("replays device status, loop, queue and subagents, then answers; leaves out an unchanged device status unless forced", async () => {
    const r = await setup();
    let mark = r.mark();
    r.send({ type: "sync", request_id: "s-1", runtime });
    await r.waitFor(isType("sync_response"), mark);
    expect(labels(r.since(mark))).toEqual([
      "update_device_status",
      "update_loop_status:WAITING_ON_INPUT",
      "update_queue",
      "update_subagent_state",
      "sync_response",
    ]);
    expect(r.since(mark).at(-1)).toEqual({ type: "sync_response", request_id: "s-1", runtime, success: true });
    mark = r.mark();
    r.send({ type: "sync", request_id: "s-2", runtime });
    await r.waitFor(isType("sync_response"), mark);
    expect(labels(r.since(mark))).toEqual(["update_loop_status:WAITING_ON_INPUT", "update_queue", "update_subagent_state", "sync_response"]);
    mark = r.mark();
    r.send({ type: "sync", request_id: "s-3", runtime, force_device_status: true });
    await r.waitFor(isType("sync_response"), mark);
    expect(labels(r.since(mark))[0]).toBe("update_device_status");
  });

  it("sends no sync_response without a request_id, and only a sync_response for a null agent", async () => {
    const r = await setup();
    r.send({ type: "sync", runtime });
    r.send({ type: "sync", request_id: "s-null", runtime: { agent_id: null, conversation_id: "default" } });
    await r.waitFor(isType("sync_response"));
    await settled(r);
    expect(labels(r.since(0))).toEqual([
      "update_device_status",
      "update_loop_status:WAITING_ON_INPUT",
      "update_queue",
      "update_subagent_state",
      "sync_response",
    ]);
    expect(r.since(0).at(-1)!.runtime).toEqual({ agent_id: null, conversation_id: "default" });
  });

  it("stamps the envelope: event_seq from 1, emitted_at, idempotency_key <type>:<seq>:<uuid>", async () => {
    const r = await setup();
    r.send({ type: "sync", request_id: "s-1", runtime });
    await r.waitFor(isType("sync_response"));
    const enveloped = r.since(0).filter((f) => "event_seq" in f);
    expect(enveloped.map((f) => f.event_seq)).toEqual([1, 2, 3, 4]);
    for (const f of enveloped) {
      expect(f.runtime).toEqual(runtime);
      expect(new Date(f.emitted_at as string).toISOString()).toBe(f.emitted_at);
      expect(f.idempotency_key).toMatch(new RegExp(`^${String(f.type)}:${String(f.event_seq)}:[0-9a-f-]{36}$`));
    }
  });
});

describe("turns", () => {
  it("plays the deterministic executor's 'pong' turn without a scenario", async () => {
    const r = await setup();
    r.send(input("in-1", "hello"));
    await r.waitFor(turnFinished);
    await settled(r);
    expect(labels(r.since(0))).toEqual([
      "input_accepted:started",
      "update_loop_status:SENDING_API_REQUEST",
      "update_device_status",
      "update_loop_status:WAITING_FOR_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "stream_delta:assistant_message",
      "stream_delta:stop_reason",
      "update_loop_status:WAITING_ON_INPUT",
      "update_device_status",
      "turn_finished:end_turn",
      "update_device_status",
    ]);
    const text = r.since(0).find((f) => f.type === "stream_delta")!.delta as { content: unknown; run_id: string };
    expect(text.content).toEqual([{ type: "text", text: "pong" }]);
    const loop = r
      .since(0)
      .filter((f) => f.type === "update_loop_status")
      .at(-1)!.loop_status;
    expect(loop).toEqual({
      status: "WAITING_ON_INPUT",
      active_run_ids: [],
      client_message_ids_by_run_id: { [text.run_id]: ["cm-in-1"] },
      executing_tool_call_ids: [],
    });
  });

  it("streams scripted reasoning and text chunk by chunk, with usage and the stop reason", async () => {
    const r = await setup({ scenario: { turns: [{ reasoning: ["Thin", "king"], text: ["Hel", "lo"] }] } });
    r.send(input("in-1", "hello"));
    await r.waitFor(turnFinished);
    const deltas = r
      .since(0)
      .filter(isType("stream_delta"))
      .map((f) => f.delta as Record<string, unknown>);
    expect(deltas.map((d) => d.message_type)).toEqual([
      "reasoning_message",
      "reasoning_message",
      "assistant_message",
      "assistant_message",
      "usage_statistics",
      "stop_reason",
    ]);
    expect(deltas.slice(0, 2).map((d) => d.reasoning)).toEqual(["Thin", "king"]);
    expect(deltas.slice(2, 4).map((d) => d.content)).toEqual([[{ type: "text", text: "Hel" }], [{ type: "text", text: "lo" }]]);
    expect(new Set(deltas.slice(2, 4).map((d) => d.id)).size).toBe(1);
    expect(deltas.map((d) => d.seq_id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(deltas.at(-1)).toMatchObject({ stop_reason: "end_turn" });
  });

  it("asks for approval of a tool call, replays the request on sync, and runs it when allowed", async () => {
    const r = await setup({
      permissionMode: "standard",
      scenario: [
        {
          text: ["Let me"],
          toolCall: { name: "Bash", input: { command: "touch a.txt", description: "make a file" }, id: "call_a", result: "" },
          then: { text: ["Done"] },
        },
      ],
    });
    r.send(input("in-1", "make a file"));
    const request = await r.waitFor(isType("control_request"));
    expect(request).toMatchObject({
      request_id: "perm-call_a",
      request: {
        subtype: "can_use_tool",
        tool_name: "Bash",
        input: { command: "touch a.txt", description: "make a file" },
        tool_call_id: "call_a",
        blocked_path: null,
      },
      agent_id: "agent-1",
      conversation_id: "default",
    });
    await settled(r);
    expect(labels(between(r.since(0), isType("input_accepted"), isType("control_request")))).toEqual([
      "input_accepted:started",
      "update_loop_status:SENDING_API_REQUEST",
      "update_device_status",
      "update_loop_status:WAITING_FOR_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "stream_delta:assistant_message",
      "stream_delta:approval_request_message",
      "stream_delta:usage_statistics",
      "stream_delta:stop_reason",
      "stream_delta:approval_classification_end",
      "update_loop_status:WAITING_ON_APPROVAL",
      "control_request",
    ]);
    const device = r.since(0).filter(isType("update_device_status")).at(-1)!.device_status as { pending_control_requests: unknown[] };
    expect(device.pending_control_requests).toEqual([{ request_id: "perm-call_a", request: request.request }]);

    let mark = r.mark();
    r.send({ type: "sync", request_id: "s-1", runtime });
    await r.waitFor(isType("sync_response"), mark);
    expect(labels(r.since(mark))[0]).toBe("control_request");

    mark = r.mark();
    r.send({ type: "input", request_id: "ap-1", runtime, payload: { kind: "approval_response", request_id: "perm-call_a", decision: { behavior: "allow" } } });
    await r.waitFor(turnFinished, mark);
    await settled(r);
    expect(labels(r.since(mark))).toEqual([
      "update_loop_status:WAITING_ON_APPROVAL",
      "update_device_status",
      "input_accepted",
      "update_loop_status:EXECUTING_CLIENT_SIDE_TOOL",
      "update_loop_status:EXECUTING_CLIENT_SIDE_TOOL",
      "update_device_status",
      "stream_delta:client_tool_start",
      "stream_delta:client_tool_end",
      "stream_delta:tool_return_message",
      "update_loop_status:SENDING_API_REQUEST",
      "update_loop_status:WAITING_FOR_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "update_device_status",
      "update_loop_status:PROCESSING_API_RESPONSE",
      "stream_delta:assistant_message",
      "stream_delta:usage_statistics",
      "stream_delta:stop_reason",
      "update_loop_status:WAITING_ON_INPUT",
      "update_device_status",
      "turn_finished:end_turn",
      "update_device_status",
    ]);
    const ret = r.since(mark).find((f) => (f.delta as { message_type?: string } | undefined)?.message_type === "tool_return_message")!.delta;
    expect(ret).toMatchObject({
      status: "success",
      tool_call_id: "call_a",
      tool_returns: [{ tool_call_id: "call_a", status: "success", tool_return: "(Command completed with no output)" }],
    });
    // A second answer to the same request is refused.
    mark = r.mark();
    r.send({ type: "input", request_id: "ap-2", runtime, payload: { kind: "approval_response", request_id: "perm-call_a", decision: { behavior: "allow" } } });
    expect(await r.waitFor(isType("input_accepted"), mark)).toMatchObject({ accepted: false, error: "Approval request is no longer pending" });
  });

  it("reports a denied tool call as an error result and lets the model continue", async () => {
    const r = await setup({ permissionMode: "standard", scenario: [{ toolCall: { name: "Bash", input: { command: "rm a.txt" } }, then: { text: ["OK"] } }] });
    r.send(input("in-1", "remove it"));
    const request = await r.waitFor(isType("control_request"));
    expect((request.request as { permission_suggestions: unknown[] }).permission_suggestions).toEqual([]);
    const mark = r.mark();
    r.send({
      type: "input",
      request_id: "ap-1",
      runtime,
      payload: { kind: "approval_response", request_id: request.request_id, decision: { behavior: "deny", message: "no thanks" } },
    });
    await r.waitFor(turnFinished, mark);
    expect(labels(r.since(mark)).slice(0, 9)).toEqual([
      "update_loop_status:WAITING_ON_APPROVAL",
      "update_device_status",
      "update_loop_status:EXECUTING_CLIENT_SIDE_TOOL",
      "update_loop_status:EXECUTING_CLIENT_SIDE_TOOL",
      "update_device_status",
      "input_accepted",
      "stream_delta:client_tool_end",
      "stream_delta:tool_return_message",
      "update_loop_status:SENDING_API_REQUEST",
    ]);
    const deltas = r
      .since(mark)
      .filter(isType("stream_delta"))
      .map((f) => f.delta as Record<string, unknown>);
    expect(deltas[0]).toMatchObject({ message_type: "client_tool_end", status: "error" });
    expect(deltas[1]).toMatchObject({ status: "error", tool_return: "no thanks" });
  });

  it("auto-allows tool calls in unrestricted mode (the runtime's default in remote mode)", async () => {
    const r = await setup({ scenario: [{ toolCall: { name: "Bash", input: { command: "touch b" } } }] });
    r.send(input("in-1", "go"));
    await r.waitFor(turnFinished);
    const got = labels(r.since(0));
    expect(got).not.toContain("control_request");
    expect(got).toContain("stream_delta:client_tool_start");
    const classification = r.since(0).find((f) => (f.delta as { message_type?: string } | undefined)?.message_type === "approval_classification_end")!.delta;
    expect(classification).toMatchObject({ auto_allowed_tool_call_ids: ["call_1"], user_input_tool_call_ids: [] });
  });

  it("interrupts a streaming turn on abort_message, and answers an idle abort with aborted:false", async () => {
    const r = await setup({ scenario: [{ text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 10 }] });
    r.send(input("in-1", "slow"));
    await r.waitFor((f) => (f.delta as { message_type?: string } | undefined)?.message_type === "assistant_message");
    let mark = r.mark();
    r.send({ type: "abort_message", request_id: "ab-1", runtime });
    await r.waitFor(turnFinished, mark);
    await sleep(60);
    expect(labels(r.since(mark))).toEqual([
      "update_loop_status:WAITING_ON_INPUT",
      "update_device_status",
      "stream_delta:status",
      "abort_message_response:aborted",
      "turn_finished:cancelled",
      "update_device_status",
    ]);
    expect(r.since(mark)[2]!.delta).toMatchObject({ message: "Interrupted", level: "warning" });
    mark = r.mark();
    r.send({ type: "abort_message", request_id: "ab-2", runtime });
    expect(await r.waitFor(isType("abort_message_response"), mark)).toEqual({
      type: "abort_message_response",
      request_id: "ab-2",
      runtime,
      aborted: false,
      success: true,
    });
    // Like the real runtime, the first input after an aborted turn goes through the queue.
    mark = r.mark();
    r.send(input("in-2", "again"));
    await r.waitFor(turnFinished, mark);
    await settled(r);
    expect(labels(r.since(mark)).slice(0, 8)).toEqual([
      "input_accepted:queued",
      "update_queue",
      "stream_delta:user_message",
      "update_queue",
      "update_loop_status:WAITING_ON_INPUT",
      "update_loop_status:SENDING_API_REQUEST",
      "update_device_status",
      "update_queue",
    ]);
    expect(labels(r.since(mark)).slice(-3)).toEqual(["update_device_status", "update_queue", "update_loop_status:WAITING_ON_INPUT"]);
  });

  it("reports a scripted model error as the runtime does: loop_error, error_message, turn_finished error, terminal loop_error", async () => {
    const r = await setup({ scenario: [{ error: { status: 401, message: "bad key" } }] });
    r.send(input("in-1", "x"));
    await r.waitFor((f) => (f.delta as { is_terminal?: boolean } | undefined)?.is_terminal === true);
    const got = labels(r.since(0)).filter((l) => l !== "update_device_status");
    expect(got.slice(5)).toEqual([
      "stream_delta:loop_error",
      "stream_delta:error_message",
      "stream_delta:stop_reason",
      "update_loop_status:WAITING_ON_INPUT",
      "turn_finished:error",
      "stream_delta:loop_error(terminal)",
    ]);
    const finished = r.since(0).find(turnFinished)!;
    expect(String(finished.error)).toContain('401: {\\"message\\":\\"bad key\\"');
  });

  it("queues an input that arrives during a turn and runs it next", async () => {
    const r = await setup({ scenario: [{ text: ["a", "b", "c"], chunkDelayMs: 15 }, { text: "second" }] });
    r.send(input("in-1", "one"));
    r.send(input("in-2", "two"));
    await r.waitFor((f) => f.type === "turn_finished" && !String(f.turn_id).startsWith("batch-direct"));
    await settled(r);
    const frames = r.since(0);
    expect(frames.find((f) => f.request_id === "in-2")).toMatchObject({ type: "input_accepted", disposition: "queued" });
    const queues = frames.filter(isType("update_queue"));
    expect(queues.map((q) => [q.queue, q.removed])).toEqual([
      [[{ id: "q-1", client_message_id: "cm-in-2", kind: "message", source: "user", content: "two", enqueued_at: expect.any(String) }], []],
      [[], []],
      [[], [{ client_message_id: "cm-in-2", disposition: "dequeued" }]],
      [[], []],
    ]);
    expect(frames.filter(turnFinished)).toHaveLength(2);
    expect(frames.find((f) => (f.delta as { message_type?: string } | undefined)?.message_type === "user_message")!.delta).toMatchObject({
      content: "two",
      otid: "cm-in-2",
    });
  });

  it("runs a turn for the legacy message frame, without input_accepted", async () => {
    const r = await setup();
    r.send({ type: "message", agentId: "agent-1", conversationId: "default", messages: [{ role: "user", content: "legacy", client_message_id: "cm-legacy" }] });
    await r.waitFor(turnFinished);
    expect(labels(r.since(0))).not.toContain("input_accepted:started");
  });

  it("fails a turn for an unknown agent when agents are listed", async () => {
    const r = await setup({ agents: ["agent-known"] });
    r.send(input("in-1", "x"));
    await r.waitFor((f) => (f.delta as { is_terminal?: boolean } | undefined)?.is_terminal === true);
    const frames = r.since(0);
    expect(frames.find(turnFinished)).toMatchObject({ stop_reason: "error", error: "Agent agent-1 not found" });
    expect(labels(frames).filter((l) => l !== "update_device_status")).toEqual([
      "input_accepted:started",
      "update_loop_status:SENDING_API_REQUEST",
      "update_loop_status:WAITING_ON_INPUT",
      "turn_finished:error",
      "stream_delta:loop_error(terminal)",
    ]);
  });

  it("re-sends a pending control_request right after a reconnect, with the state, before any sync", async () => {
    const r = await setup({ permissionMode: "standard", scenario: [{ toolCall: { name: "Bash", input: { command: "touch x" } } }] });
    r.send(input("in-1", "x"));
    await r.waitFor(isType("control_request"));
    r.runtime.disconnect();
    const second = await r.server.socket(1);
    await settled(r);
    expect(second.frames.filter((f) => f.dir === "in" && f.json?.request_id !== "barrier").map((f) => f.json?.type)).toEqual([
      "update_device_status",
      "update_loop_status",
      "control_request",
    ]);
    // The answer on the new socket still works.
    const mark = r.mark();
    second.send({
      type: "input",
      request_id: "ap",
      runtime,
      payload: { kind: "approval_response", request_id: "perm-call_1", decision: { behavior: "allow" } },
    });
    await r.waitFor(turnFinished, mark);
  });
});

describe("runtime_start, change_device_state, providers", () => {
  it("creates an agent and a conversation, answers, then replays the state", async () => {
    const r = await setup();
    r.send({ type: "runtime_start", request_id: "rs-1", create_agent: { body: { name: "a", model: "openai-compatible/m" } }, create_conversation: {} });
    const response = await r.waitFor(isType("runtime_start_response"));
    expect(response).toMatchObject({
      success: true,
      runtime: { conversation_id: "local-conv-1" },
      agent: { name: "a", model: "openai-compatible/m" },
      created: { agent: true, conversation: true },
    });
    expect((response.runtime as { agent_id: string }).agent_id).toMatch(/^agent-local-/);
    await settled(r);
    expect(labels(r.since(0))).toEqual([
      "runtime_start_response",
      "update_device_status",
      "update_loop_status:WAITING_ON_INPUT",
      "update_queue",
      "update_subagent_state",
      "update_device_status",
    ]);
    r.send({ type: "runtime_start", request_id: "rs-2", agent_id: "x", create_agent: { body: {} } });
    expect(await r.waitFor((f) => f.request_id === "rs-2")).toMatchObject({
      success: false,
      error: "runtime_start agent_id cannot be combined with create_agent",
    });
  });

  it("changes the permission mode and reports a bad one as loop_error", async () => {
    const r = await setup();
    r.send({ type: "change_device_state", runtime, payload: { mode: "standard" } });
    await r.waitFor((f) => (f.loop_status as { status?: string } | undefined)?.status === "WAITING_ON_INPUT");
    expect(labels(r.since(0))).toEqual([
      "update_loop_status:EXECUTING_COMMAND",
      "update_loop_status:EXECUTING_COMMAND",
      "update_device_status",
      "update_loop_status:WAITING_ON_INPUT",
    ]);
    expect((r.since(0)[2]!.device_status as { current_permission_mode: string }).current_permission_mode).toBe("standard");
    const mark = r.mark();
    r.send({ type: "change_device_state", runtime, payload: { mode: "yolo" } });
    expect((await r.waitFor(isType("stream_delta"), mark)).delta).toMatchObject({
      message_type: "loop_error",
      message: "Unsupported permission mode: yolo",
      is_terminal: false,
    });
  });

  it("emits scoped events only for scopes a command named on this connection", async () => {
    const r = await setup();
    const other = { agent_id: "agent-2", conversation_id: "default" };
    // The payload retargets the change to a scope this connection never named: its events are dropped.
    r.send({ type: "change_device_state", runtime, payload: { mode: "standard", agent_id: other.agent_id, conversation_id: other.conversation_id } });
    expect(await answeredAfter(r)).toBe(0);
    r.send({ type: "sync", request_id: "s", runtime: other });
    await r.waitFor(isType("sync_response"));
    const device = r.since(0).find(isType("update_device_status"))!;
    expect(device.runtime).toEqual(other);
    expect((device.device_status as { current_permission_mode: string }).current_permission_mode).toBe("standard");
  });

  it("answers connect_provider and app_server_info", async () => {
    const r = await setup();
    r.send({
      type: "connect_provider",
      request_id: "cp",
      target: "local",
      provider_id: "openai-compatible",
      fields: { baseUrl: "http://127.0.0.1:1/llm/v1", apiKey: "k" },
    });
    r.send({ type: "app_server_info", request_id: "i" });
    const provider = await r.waitFor(isType("connect_provider_response"));
    expect(provider).toMatchObject({
      success: true,
      providers: [{ id: "openai-compatible", connected: { is_connected: true, base_url: "http://127.0.0.1:1/llm/v1" } }],
    });
    expect(await r.waitFor(isType("app_server_info_response"))).toMatchObject({ backend: "local", letta_code_version: "0.32.18", protocol_version: 1 });
  });
});

describe("invalid frames", () => {
  it("ignores malformed, non-object, unknown and invalid frames without a reply", async () => {
    const r = await setup();
    for (const frame of [
      "{oops",
      "42",
      "[]",
      '"x"',
      { type: "ping" },
      { type: "ack", seq: 3 },
      { type: "bogus" },
      { type: "sync" },
      { type: "sync", request_id: "s", runtime: { agent_id: 42, conversation_id: "c" } },
      { type: "sync", request_id: "s", runtime: { agent_id: "a", conversation_id: "" } },
      { type: "input", payload: {} },
    ]) {
      r.send(frame);
    }
    expect(await answeredAfter(r)).toBe(0);
    expect(r.runtime.state).toBe("open");
  });

  it("answers a bad input payload with a valid runtime by a non-terminal loop_error, and no input_accepted", async () => {
    const r = await setup();
    const bad = [
      [{ payload: "nope" }, "Protocol violation: input.payload must be an object"],
      [{ payload: { kind: "bogus" } }, "Unsupported input payload kind: bogus"],
      [{ payload: { kind: "create_message" } }, "Protocol violation: input.kind=create_message requires payload.messages[]"],
      [
        { payload: { kind: "create_message", messages: [], image_failure_mode: "x" } },
        "Protocol violation: input.payload.image_failure_mode must be strict or drop",
      ],
      [
        { payload: { kind: "approval_response", request_id: "x" } },
        "Protocol violation: input.kind=approval_response requires payload.request_id and either payload.decision or payload.error",
      ],
      [{}, "Protocol violation: input.payload must be an object"],
    ] as const;
    for (const [extra] of bad) r.send({ type: "input", request_id: "bad", runtime, ...extra });
    await sleep(100);
    const frames = r.since(0);
    expect(frames.map((f) => (f.delta as { message: string }).message)).toEqual(bad.map(([, m]) => m));
    for (const f of frames) expect(f.delta).toMatchObject({ message_type: "loop_error", stop_reason: "error", is_terminal: false });
  });

  it("processes a binary frame holding a valid command", async () => {
    const r = await setup();
    r.socket().ws.send(Buffer.from(JSON.stringify({ type: "sync", request_id: "bin", runtime })), { binary: true });
    expect(await r.waitFor(isType("sync_response"))).toMatchObject({ request_id: "bin" });
  });
});

describe("device commands", () => {
  it("serves files from the in-memory tree with the runtime's response shapes", async () => {
    const r = await setup({ files: { "src/a.ts": "export {}", "README.md": "# hi" } });
    r.send({ type: "list_in_directory", request_id: "l", path: "/workspace", include_files: true });
    r.send({ type: "read_file", request_id: "r", path: "/workspace/README.md" });
    r.send({ type: "read_file", request_id: "r64", path: "README.md", encoding: "base64" });
    r.send({ type: "read_file", request_id: "missing", path: "/workspace/nope.txt" });
    r.send({ type: "write_file", request_id: "w", path: "/workspace/src/b.ts", content: "b" });
    r.send({ type: "get_tree", request_id: "t", path: "/workspace", depth: 1 });
    r.send({ type: "search_files", request_id: "s", query: "bts" });
    r.send({ type: "get_cwd_map", request_id: "c" });
    r.send({ type: "list_in_directory", path: "/workspace/none" });
    await r.waitFor((f) => f.type === "list_in_directory_response" && f.success === false);
    const by = (id: string) => r.since(0).find((f) => f.request_id === id);
    expect(by("l")).toEqual({
      type: "list_in_directory_response",
      path: "/workspace",
      folders: ["src"],
      hasMore: false,
      total: 2,
      success: true,
      request_id: "l",
      files: ["README.md"],
    });
    expect(by("r")).toEqual({ type: "read_file_response", request_id: "r", path: "/workspace/README.md", content: "# hi", encoding: "utf8", success: true });
    expect(by("r64")).toMatchObject({ content: Buffer.from("# hi").toString("base64"), encoding: "base64" });
    expect(by("missing")).toEqual({
      type: "read_file_response",
      request_id: "missing",
      path: "/workspace/nope.txt",
      content: null,
      encoding: "utf8",
      success: false,
      error: "ENOENT: no such file or directory, open '/workspace/nope.txt'",
    });
    expect(by("w")).toEqual({ type: "write_file_response", request_id: "w", path: "/workspace/src/b.ts", success: true });
    expect(by("t")).toMatchObject({
      entries: [
        { path: "src", type: "dir" },
        { path: "README.md", type: "file" },
      ],
      has_more_depth: true,
      success: true,
    });
    expect(by("s")).toMatchObject({ files: [{ path: "src/b.ts", type: "file" }], success: true });
    expect(by("c")).toEqual({ type: "get_cwd_map_response", request_id: "c", success: true, cwd_map: {}, boot_working_directory: "/workspace" });
    expect(r.since(0).find((f) => f.type === "list_in_directory_response" && f.success === false)).toMatchObject({
      folders: [],
      hasMore: false,
      error: "ENOENT: no such file or directory, scandir '/workspace/none'",
    });
    expect(r.runtime.files.read("src/b.ts")).toBe("b");
  });

  it("hands other commands to onCommand", async () => {
    const r = await setup({
      onCommand: (command, reply) => {
        if (command.type !== "cron_list") return false;
        reply({ type: "cron_list_response", request_id: command.request_id, success: true, tasks: [] } as never);
        return true;
      },
    });
    r.send({ type: "cron_list", request_id: "cl" });
    expect(await r.waitFor(isType("cron_list_response"))).toMatchObject({ request_id: "cl" });
  });
});

describe("the handle", () => {
  it("logs frames both ways, emits events and waits for frames", async () => {
    const r = await setup();
    const opened: string[] = [];
    r.runtime.on("open", (e) => opened.push(e.connectionId));
    const waiting = r.runtime.waitFor((f) => f.type === "sync_response");
    r.send({ type: "sync", request_id: "s", runtime });
    await waiting;
    expect(r.runtime.received).toEqual([{ type: "sync", request_id: "s", runtime }]);
    expect(r.runtime.sent.map((f) => f.type)).toEqual(["update_device_status", "update_loop_status", "update_queue", "update_subagent_state", "sync_response"]);
    r.runtime.disconnect();
    await r.server.socket(1);
    await sleep(20);
    expect(opened).toEqual(["conn-test-1"]);
    expect(r.runtime.frames.every((f) => f.connectionId === "conn-test-1")).toBe(true);
  });
});
