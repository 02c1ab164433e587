import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeEvent, type RuntimeEvent } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { StateMirror } from "../src/mirror.js";
import { StreamAssembler, type AssembledMessage } from "../src/stream-assembler.js";

// Every frame the real runtime (0.32.18) sent in the captured scenarios, replayed through a mirror and an assembler.
const dir = resolve(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".runtime-to-server.jsonl"))
  .sort();

function load(name: string): RuntimeEvent[] {
  const file = files.find((f) => f.startsWith(name));
  if (!file) throw new Error(`no fixture ${name}`);
  return readFileSync(resolve(dir, file), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      const result = decodeEvent(line);
      if (!result.ok) throw new Error(`${file}:${i + 1}: ${result.error.lines().join("; ")}`);
      return result.message;
    });
}

function replay(name: string) {
  const events = load(name);
  const mirror = new StateMirror();
  const assembler = new StreamAssembler();
  for (const event of events) {
    mirror.apply(event);
    assembler.apply(event);
  }
  return { events, mirror, assembler };
}

const brief = (m: AssembledMessage) => {
  switch (m.kind) {
    case "assistant":
      return { kind: m.kind, runId: m.runId, text: m.text };
    case "stop":
      return { kind: m.kind, runId: m.runId, stopReason: m.stopReason };
    case "loop_error":
      return { kind: m.kind, runId: m.runId, message: m.message, stopReason: m.stopReason, isTerminal: m.isTerminal };
    case "error":
      return { kind: m.kind, runId: m.runId, message: m.message, errorType: m.errorType };
    default:
      return { kind: m.kind };
  }
};

describe("replaying the real runtime's frames", () => {
  it("finds the fixtures", () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)("%s: every frame decodes; a second delivery of all of them changes nothing", (file) => {
    const { events, mirror, assembler } = replay(file.replace(".runtime-to-server.jsonl", ""));
    expect(events.length).toBeGreaterThan(0);
    const before = { states: mirror.all(), views: mirror.all().map((s) => assembler.view(s.scope)) };
    for (const event of events) {
      expect(mirror.apply(event), `${event.type} changed the mirror again`).toBe(false);
      expect(assembler.apply(event), `${event.type} changed the assembler again`).toBe(false);
    }
    expect(mirror.all()).toEqual(before.states);
    expect(mirror.all().map((s) => assembler.view(s.scope))).toEqual(before.views);
  });

  it("01b (heartbeat): pings leave both empty", () => {
    const { events, mirror, assembler } = replay("01b");
    expect(events.map((e) => e.type)).toEqual(["ping", "ping", "ping", "ping"]);
    expect(mirror.all()).toEqual([]);
    expect(assembler.view({ agent_id: null, conversation_id: "default" }).messages).toEqual([]);
  });

  it("02b (sync at socket open): the scope's device status, loop, queue and subagents", () => {
    const { mirror } = replay("02b");
    const scope = { agent_id: "agent-x", conversation_id: "default" };
    expect(mirror.all().map((s) => s.scope)).toEqual([scope]);
    const state = mirror.get(scope)!;
    expect(state.deviceStatus).toMatchObject({
      current_connection_id: "conn-cap-1",
      connection_name: "capture-02b-sync-at-socket-open",
      is_online: true,
      is_processing: false,
      current_permission_mode: "unrestricted",
      git_context: { branch: "main", recent_branches: ["feature/capture"] },
      letta_code_version: null,
      current_toolset: null,
      current_toolset_preference: "auto",
      pending_control_requests: [],
      cwd_revision: 0,
      should_doctor: false,
    });
    expect(state.deviceStatus!.current_working_directory).toMatch(/02b-sync-at-socket-open.*\/workspace$/);
    expect(state.deviceStatus!.supported_commands).toEqual(expect.arrayContaining(["compact", "clear", "doctor", "monitor_stop"]));
    expect(state.deviceStatus!.experiments).toHaveLength(6);
    expect(state.loopStatus).toEqual({ status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] });
    expect(state.queue).toEqual({ items: [], lastRemoved: [] });
    expect(state.subagents).toEqual([]);
    expect(state.pendingApprovals).toEqual([]);
  });

  it("02b: the repeated syncs replay identical snapshots, which are not changes", () => {
    const events = load("02b");
    const mirror = new StateMirror();
    const changed = events.map((event) => mirror.apply(event));
    // device status, loop, queue, subagents of the first sync; nothing after.
    expect(
      events.filter((_, i) => changed[i]).map((e) => (e.type === "update_loop_status" || e.type === "update_device_status" ? e.event_seq : e.type)),
    ).toEqual([1, 2, "update_queue", "update_subagent_state"]);
    expect(changed.filter(Boolean)).toHaveLength(4);
  });

  it("03a (no model configured): the provider error, and the unknown agent's failure in its own scope", () => {
    const { mirror, assembler } = replay("03a");
    const conv = { agent_id: "agent-local-6949674d-328b-4475-b049-be446d08fa84", conversation_id: "local-conv-1" };
    const unknown = { agent_id: "agent-does-not-exist", conversation_id: "default" };
    expect(mirror.all().map((s) => s.scope)).toEqual([conv, unknown]);

    const view = assembler.view(conv);
    expect(view.messages.map(brief)).toEqual([
      { kind: "loop_error", runId: "local-run-1", message: "Provider is not configured: openai", stopReason: "llm_api_error", isTerminal: false },
      { kind: "error", runId: "local-run-1", message: "Provider is not configured: openai", errorType: "llm_error" },
      { kind: "stop", runId: "local-run-1", stopReason: "error" },
      { kind: "loop_error", runId: "local-run-1", message: "Provider is not configured: openai", stopReason: "error", isTerminal: true },
    ]);
    // The runtime's own message is a JSON dump of the provider error; it is kept as detail.
    const first = view.messages[0]!;
    expect(first.kind === "loop_error" && JSON.parse(first.detail!)).toMatchObject({ error: { run_id: "local-run-1" } });
    expect(view.turn).toMatchObject({
      running: false,
      runIds: ["local-run-1"],
      stopReason: "error",
      turnId: "batch-direct-2447b62f-3dfa-4851-a91b-3b0910544bda",
    });
    expect(view.turn.error).toContain("Provider is not configured: openai");

    const state = mirror.get(conv)!;
    expect(state.loopStatus).toEqual({
      status: "WAITING_ON_INPUT",
      active_run_ids: [],
      client_message_ids_by_run_id: { "local-run-1": ["cm_01J_demo"] },
      executing_tool_call_ids: [],
    });
    // The device status after the turn: the toolset was loaded.
    expect(state.deviceStatus).toMatchObject({ current_toolset: "codex", is_processing: false, pending_control_requests: [] });

    const failed = assembler.view(unknown);
    expect(failed.messages.map(brief)).toEqual([
      { kind: "loop_error", runId: undefined, message: "Agent agent-does-not-exist not found", stopReason: "error", isTerminal: true },
    ]);
    expect(failed.turn).toEqual({
      running: false,
      runIds: [],
      stopReason: "error",
      turnId: "batch-direct-5d6f63bc-4017-48fd-8c7f-6ef043b57538",
      error: "Agent agent-does-not-exist not found",
    });
    expect(mirror.get(unknown)).toMatchObject({ loopStatus: { status: "WAITING_ON_INPUT" }, pendingApprovals: [] });
    expect(mirror.get(unknown)!.deviceStatus).toBeUndefined();
  });

  it('03c (deterministic executor): two turns answered "pong", ended with end_turn', () => {
    const { mirror, assembler } = replay("03c");
    const conv = { agent_id: "agent-local-99cb4d46-1452-49f0-8449-9d2a3c61d937", conversation_id: "local-conv-1" };
    const view = assembler.view(conv);
    expect(view.messages.map(brief)).toEqual([
      { kind: "assistant", runId: "local-run-1", text: "pong" },
      { kind: "stop", runId: "local-run-1", stopReason: "end_turn" },
      { kind: "assistant", runId: "local-run-2", text: "pong" },
      { kind: "stop", runId: "local-run-2", stopReason: "end_turn" },
    ]);
    expect(view.messages[0]).toMatchObject({ id: "ui-msg-2", key: "assistant:ui-msg-2" });
    expect(view.turn).toEqual({ running: false, runIds: ["local-run-2"], stopReason: "end_turn", turnId: "batch-direct-619bedfc-7207-46fc-b9ac-a8815c5e6fb2" });

    const state = mirror.get(conv)!;
    expect(state.loopStatus).toEqual({
      status: "WAITING_ON_INPUT",
      active_run_ids: [],
      client_message_ids_by_run_id: { "local-run-1": ["cm-1"], "local-run-2": ["cm-legacy"] },
      executing_tool_call_ids: [],
    });
    expect(state.deviceStatus).toMatchObject({ connection_name: "capture-03c-turn-deterministic-executor", current_toolset: "codex", is_processing: false });
    expect(state.queue).toEqual({ items: [], lastRemoved: [] });
    expect(state.pendingApprovals).toEqual([]);
  });

  it("03c, stopped half way: after the first turn's stop_reason the turn is no longer running", () => {
    const events = load("03c");
    const assembler = new StreamAssembler();
    const conv = { agent_id: "agent-local-99cb4d46-1452-49f0-8449-9d2a3c61d937", conversation_id: "local-conv-1" };
    const states: string[] = [];
    for (const event of events) {
      if (assembler.apply(event)) {
        const turn = assembler.view(conv).turn;
        states.push(
          `${event.type === "stream_delta" ? event.delta.message_type : event.type}:${turn.running ? "running" : "stopped"}:${turn.runIds.join(",")}`,
        );
      }
    }
    expect(states).toEqual([
      "assistant_message:running:local-run-1",
      "stop_reason:stopped:local-run-1",
      "turn_finished:stopped:local-run-1",
      "assistant_message:running:local-run-2",
      "stop_reason:stopped:local-run-2",
      "turn_finished:stopped:local-run-2",
    ]);
  });

  it.each(["05a", "06b", "06c"])("%s: a full turn across reconnects / split sockets ends in pong and WAITING_ON_INPUT", (name) => {
    const { mirror, assembler } = replay(name);
    const [state, ...others] = mirror.all();
    expect(others).toEqual([]);
    expect(state!.loopStatus!.status).toBe("WAITING_ON_INPUT");
    expect(state!.deviceStatus!.connection_name).toBe(`capture-${files.find((f) => f.startsWith(name))!.replace(".runtime-to-server.jsonl", "")}`);
    const view = assembler.view(state!.scope);
    expect(view.messages.map(brief)).toEqual([
      { kind: "assistant", runId: "local-run-1", text: "pong" },
      { kind: "stop", runId: "local-run-1", stopReason: "end_turn" },
    ]);
    expect(view.turn).toMatchObject({ running: false, stopReason: "end_turn", runIds: ["local-run-1"] });
  });
});
