import { decodeCommand, encodeCommand, type ControlRequestEvent, type RuntimeEvent } from "@byor/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { approve, deny } from "../src/approvals.js";
import { StateMirror } from "../src/mirror.js";
import { A, B, DATE, Frames, realDeviceStatus, type Scope } from "./helpers/frames.js";
import { StreamAssembler, TOO_DEEP_TO_SHOW, type AssembledMessage, type AssembledToolCall, type AssemblerChange } from "../src/stream-assembler.js";

// `seq` restarts per test, like a fresh connection.
let frames = new Frames();
beforeEach(() => {
  frames = new Frames();
});
const frame: Frames["frame"] = (...args) => frames.frame(...args);
const delta = (d: object, runtime: Scope = A) => frame("stream_delta", { delta: d }, runtime);
const msg = (d: object, runtime: Scope = A) => delta({ type: "message", date: DATE, ...d }, runtime);
const life = (d: object, runtime: Scope = A) => delta({ id: `lifecycle-${frames.seq + 1}`, date: DATE, ...d }, runtime);
const turnFinished = (stop_reason: string, fields: object = {}, runtime: Scope = A) =>
  frame("turn_finished", { turn_id: `batch-direct-${frames.seq + 1}`, stop_reason, ...fields }, runtime);
const loopStatus = (status: string, executing: string[] = []) =>
  frame("update_loop_status", { loop_status: { status, active_run_ids: [], executing_tool_call_ids: executing } });
const ARGS = JSON.stringify({ command: "touch capture-approved.txt && echo capture-tool-ok", description: "Create a marker file" });
const REQUEST_BODY = {
  subtype: "can_use_tool",
  tool_name: "Bash",
  input: JSON.parse(ARGS),
  tool_call_id: "call_cap_2",
  permission_suggestions: [{ id: "save-default", text: "Yes, and don't ask again" }],
  blocked_path: null,
};
const controlRequest = () =>
  frame("control_request", {
    request_id: "perm-call_cap_2",
    request: REQUEST_BODY,
    agent_id: A.agent_id,
    conversation_id: A.conversation_id,
  }) as ControlRequestEvent;
const deviceStatus = (pending: boolean, processing: boolean) =>
  frame("update_device_status", {
    device_status: {
      ...realDeviceStatus,
      is_processing: processing,
      pending_control_requests: pending ? [{ request_id: "perm-call_cap_2", request: REQUEST_BODY }] : [],
    },
  });

/** A StateMirror and a StreamAssembler fed the same frames, as an app would. */
function client() {
  const mirror = new StateMirror();
  const assembler = new StreamAssembler();
  const changes: AssemblerChange[] = [];
  assembler.on("change", (change) => changes.push(change));
  const feed = (...events: RuntimeEvent[]) => events.map((event) => (mirror.apply(event), assembler.apply(event)));
  const messages = (scope: Scope = A) => assembler.view(scope).messages;
  const tool = (scope: Scope = A) => messages(scope).find((m): m is AssembledToolCall => m.kind === "tool_call")!;
  return { mirror, assembler, changes, feed, messages, tool };
}

/** The opening of the 03d tool turn: echo, reasoning, the approval request and its classification. */
function toolTurnUntilApproval(c: ReturnType<typeof client>): ControlRequestEvent {
  c.feed(
    loopStatus("SENDING_API_REQUEST"),
    msg({ message_type: "user_message", id: "user-msg-1", content: "[[tool]] touch capture-approved.txt", otid: "cm-tool-1" }),
    msg({ message_type: "reasoning_message", id: "ui-msg-6", reasoning: "The user wants ", run_id: "local-run-3", seq_id: 1 }),
    msg({ message_type: "reasoning_message", id: "ui-msg-6", reasoning: "a file created.", run_id: "local-run-3", seq_id: 2 }),
    msg({
      message_type: "approval_request_message",
      id: "ui-msg-7",
      run_id: "local-run-3",
      seq_id: 3,
      tool_call: { tool_call_id: "call_cap_2", name: "Bash", arguments: ARGS },
    }),
    msg({ message_type: "stop_reason", stop_reason: "requires_approval", run_id: "local-run-3", seq_id: 4 }),
    life({
      message_type: "approval_classification_end",
      run_id: "local-run-3",
      auto_allowed_tool_call_ids: [],
      auto_denied_tool_call_ids: [],
      user_input_tool_call_ids: ["call_cap_2"],
    }),
    loopStatus("WAITING_ON_APPROVAL"),
  );
  const request = controlRequest();
  c.feed(request, deviceStatus(true, true));
  return request;
}

const summary = (messages: readonly AssembledMessage[]) =>
  messages.map((m) => {
    switch (m.kind) {
      case "user":
      case "assistant":
      case "reasoning":
        return `${m.kind}:${m.text}`;
      case "tool_call":
        return `tool_call:${m.name}:${m.status}`;
      case "stop":
        return `stop:${m.stopReason}`;
      case "status":
        return `status:${m.level}:${m.message}`;
      case "loop_error":
        return `loop_error:${m.message}`;
      default:
        return m.kind;
    }
  });

describe("StreamAssembler: text", () => {
  it("joins chunks of one message id, keeps reasoning and text of the same id apart, reads content parts", () => {
    const c = client();
    c.feed(
      msg({ message_type: "reasoning_message", id: "m-1", reasoning: "Think", run_id: "run-1" }),
      msg({ message_type: "assistant_message", id: "m-1", content: "Hel", run_id: "run-1" }),
      msg({ message_type: "reasoning_message", id: "m-1", reasoning: "ing.", run_id: "run-1" }),
      msg({
        message_type: "assistant_message",
        id: "m-1",
        content: [
          { type: "text", text: "lo " },
          { type: "text", text: "there" },
        ],
        run_id: "run-1",
      }),
      msg({ message_type: "assistant_message", id: "m-2", content: "Second.", run_id: "run-1" }),
    );
    expect(c.messages()).toEqual([
      { key: "reasoning:m-1", id: "m-1", runId: "run-1", kind: "reasoning", text: "Thinking." },
      { key: "assistant:m-1", id: "m-1", runId: "run-1", kind: "assistant", text: "Hello there" },
      { key: "assistant:m-2", id: "m-2", runId: "run-1", kind: "assistant", text: "Second." },
    ]);
    expect(c.assembler.view(A).turn).toEqual({ running: true, runIds: ["run-1"] });
  });

  it("merges the runtime's echo of an input and Letta's user message with the same otid", () => {
    const c = client();
    c.feed(
      msg({ message_type: "user_message", id: "user-msg-1", content: "hello", otid: "cm-1" }),
      msg({ message_type: "user_message", id: "message-abc", content: [{ type: "text", text: "hello" }], otid: "cm-1", run_id: "run-1" }),
    );
    expect(c.messages()).toEqual([
      { key: "user:cm-1", id: "user-msg-1", runId: "run-1", kind: "user", text: "hello", content: [{ type: "text", text: "hello" }], otid: "cm-1" },
    ]);
  });

  it("emits each change with the message touched and the view", () => {
    const c = client();
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "a", run_id: "run-1" }));
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "b", run_id: "run-1" }));
    expect(c.changes).toHaveLength(2);
    expect(c.changes[1]!.message).toMatchObject({ kind: "assistant", text: "ab" });
    expect(c.changes[1]!.scope).toEqual(A);
    expect(c.changes[1]!.view).toBe(c.assembler.view(A));
  });

  it("builds a change's view when the handler reads it: the conversation of that moment", () => {
    const assembler = new StreamAssembler();
    const seen: string[][] = [];
    assembler.on("change", (change) => seen.push(summary(change.view.messages)));
    assembler.on("change", () => undefined); // a listener that never reads it
    assembler.apply(msg({ message_type: "assistant_message", id: "m-1", content: "a", run_id: "run-1" }));
    assembler.apply(msg({ message_type: "assistant_message", id: "m-1", content: "b", run_id: "run-1" }));
    expect(seen).toEqual([["assistant:a"], ["assistant:ab"]]);
  });

  it("hands out views that never change afterwards; the same object until the next change", () => {
    const c = client();
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "a", run_id: "run-1" }));
    const first = c.assembler.view(A);
    expect(c.assembler.view(A)).toBe(first);
    c.feed(
      msg({ message_type: "assistant_message", id: "m-1", content: "b", run_id: "run-1" }),
      msg({ message_type: "assistant_message", id: "m-2", content: "c", run_id: "run-1" }),
    );
    expect(summary(first.messages)).toEqual(["assistant:a"]);
    expect(summary(c.assembler.view(A).messages)).toEqual(["assistant:ab", "assistant:c"]);
  });

  it("keeps scopes apart and gives an empty view for an unknown scope; clear() forgets", () => {
    const c = client();
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "in A", run_id: "run-1" }, A));
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "in B", run_id: "run-9" }, B));
    expect(summary(c.messages(A))).toEqual(["assistant:in A"]);
    expect(summary(c.messages(B))).toEqual(["assistant:in B"]);
    const unknown = { agent_id: "agent-2", conversation_id: "default" };
    expect(c.assembler.view(unknown)).toEqual({ scope: unknown, messages: [], turn: { running: false, runIds: [] } });
    c.assembler.clear(A);
    expect(c.messages(A)).toEqual([]);
    expect(summary(c.messages(B))).toEqual(["assistant:in B"]);
    c.assembler.clear();
    expect(c.messages(B)).toEqual([]);
  });

  it("leaves subagent deltas and non-stream frames out", () => {
    const c = client();
    const sub = frame("stream_delta", {
      subagent_id: "subagent-1",
      delta: { type: "message", message_type: "assistant_message", id: "x", date: DATE, content: "Found 3 files.", run_id: "run-sub" },
    });
    expect(c.assembler.apply(sub)).toBe(false);
    expect(c.assembler.apply(loopStatus("WAITING_ON_INPUT"))).toBe(false);
    expect(c.messages()).toEqual([]);
    expect(c.changes).toEqual([]);
  });
});

describe("StreamAssembler: tool turn with approval (03d)", () => {
  it("follows the call from approval request to result, with the mirror holding the approval meanwhile", () => {
    const c = client();
    const request = toolTurnUntilApproval(c);

    expect(summary(c.messages())).toEqual([
      "user:[[tool]] touch capture-approved.txt",
      "reasoning:The user wants a file created.",
      "tool_call:Bash:pending_approval",
    ]);
    expect(c.tool()).toMatchObject({
      key: "tool_call:call_cap_2",
      id: "ui-msg-7",
      runId: "local-run-3",
      toolCallId: "call_cap_2",
      arguments: ARGS,
      approval: { state: "pending", requestId: "perm-call_cap_2" },
    });
    // requires_approval pauses the turn; it does not end it.
    expect(c.assembler.view(A).turn).toEqual({ running: true, runIds: ["local-run-3"] });
    expect(c.mirror.pendingApprovals()).toEqual([request]);
    expect(c.mirror.get(A)!.loopStatus!.status).toBe("WAITING_ON_APPROVAL");

    // The app approves; the runtime accepts the input.
    const input = approve(c.mirror.pendingApprovals()[0]!, { requestId: "approve-1" });
    expect(decodeCommand(encodeCommand(input)).ok).toBe(true);
    expect(c.mirror.answered("perm-call_cap_2")).toBe(true);
    expect(c.mirror.pendingApprovals()).toEqual([]);

    c.feed(loopStatus("EXECUTING_CLIENT_SIDE_TOOL", ["call_cap_2"]));
    c.feed(life({ id: "ui-msg-7", message_type: "client_tool_start", run_id: "local-run-3", tool_call_id: "call_cap_2", tool_name: "Bash", tool_args: ARGS }));
    expect(c.tool().status).toBe("running");
    c.feed(
      msg({
        message_type: "tool_return_message",
        id: "ui-msg-8",
        run_id: "local-run-3",
        seq_id: 4,
        tool_returns: [{ tool_call_id: "call_cap_2", status: "success", tool_return: "capture-tool-ok", stdout: ["capture-tool-ok"] }],
      }),
    );
    c.feed(life({ id: "ui-msg-7", message_type: "client_tool_end", run_id: "local-run-3", tool_call_id: "call_cap_2", status: "success" }));
    expect(c.tool()).toMatchObject({ status: "success", result: { status: "success", output: "capture-tool-ok", stdout: ["capture-tool-ok"] } });

    c.feed(
      msg({ message_type: "assistant_message", id: "ui-msg-9", content: "Created ", run_id: "local-run-3", seq_id: 5 }),
      msg({ message_type: "assistant_message", id: "ui-msg-9", content: "the file.", run_id: "local-run-3", seq_id: 6 }),
      msg({ message_type: "stop_reason", stop_reason: "end_turn", run_id: "local-run-3", seq_id: 7 }),
      msg({ message_type: "usage_statistics", prompt_tokens: 812, completion_tokens: 24, total_tokens: 836, step_count: 2, run_ids: ["local-run-3"] }),
      loopStatus("WAITING_ON_INPUT"),
      deviceStatus(false, false),
    );
    // stop_reason ends the run: not running any more, even before turn_finished.
    expect(c.assembler.view(A).turn).toMatchObject({ running: false, stopReason: "end_turn", usage: { total_tokens: 836 } });
    c.feed(turnFinished("end_turn", { run_id: "local-run-3" }));

    expect(summary(c.messages())).toEqual([
      "user:[[tool]] touch capture-approved.txt",
      "reasoning:The user wants a file created.",
      "tool_call:Bash:success",
      "assistant:Created the file.",
      "stop:end_turn",
    ]);
    expect(c.assembler.view(A).turn).toMatchObject({
      running: false,
      runIds: ["local-run-3"],
      stopReason: "end_turn",
      turnId: expect.stringMatching(/^batch-direct-/),
    });
    expect(c.mirror.get(A)).toMatchObject({ loopStatus: { status: "WAITING_ON_INPUT" }, pendingApprovals: [] });
  });

  it("a deny ends the call in error with the deny message as its result, and the model goes on", () => {
    const c = client();
    const request = toolTurnUntilApproval(c);
    const input = deny(request, "Do not create files here", { requestId: "deny-1" });
    expect(decodeCommand(encodeCommand(input)).ok).toBe(true);
    c.mirror.answered(request.request_id);

    c.feed(
      life({ id: "ui-msg-7", message_type: "client_tool_end", run_id: "local-run-3", tool_call_id: "call_cap_2", status: "error" }),
      msg({
        message_type: "tool_return_message",
        id: "ui-msg-8",
        run_id: "local-run-3",
        tool_returns: [{ tool_call_id: "call_cap_2", status: "error", tool_return: "Do not create files here" }],
      }),
      deviceStatus(false, true),
      msg({ message_type: "assistant_message", id: "ui-msg-9", content: "Understood, I won't.", run_id: "local-run-3" }),
      msg({ message_type: "stop_reason", stop_reason: "end_turn", run_id: "local-run-3" }),
      turnFinished("end_turn", { run_id: "local-run-3" }),
    );
    expect(c.tool()).toMatchObject({ status: "error", result: { status: "error", output: "Do not create files here" } });
    expect(summary(c.messages()).slice(2)).toEqual(["tool_call:Bash:error", "assistant:Understood, I won't.", "stop:end_turn"]);
    expect(c.mirror.pendingApprovals()).toEqual([]);
  });

  it("auto-allowed and auto-denied calls are marked by the classification", () => {
    const c = client();
    c.feed(
      msg({
        message_type: "approval_request_message",
        id: "m-1",
        run_id: "run-1",
        tool_calls: [
          { tool_call_id: "call_a", name: "Bash", arguments: '{"command":"echo a"}' },
          { tool_call_id: "call_b", name: "Bash", arguments: '{"command":"rm -rf /"}' },
        ],
        tool_call: { tool_call_id: "call_a", name: "Bash", arguments: '{"command":"echo a"}' },
      }),
      life({
        message_type: "approval_classification_end",
        run_id: "run-1",
        auto_allowed_tool_call_ids: ["call_a"],
        auto_denied_tool_call_ids: ["call_b"],
        user_input_tool_call_ids: [],
      }),
    );
    const calls = c.messages().filter((m): m is AssembledToolCall => m.kind === "tool_call");
    expect(calls.map((call) => [call.toolCallId, call.arguments, call.status, call.approval?.state])).toEqual([
      ["call_a", '{"command":"echo a"}', "requested", "auto_allowed"],
      ["call_b", '{"command":"rm -rf /"}', "error", "auto_denied"],
    ]);
  });

  it("a control_request alone (app joined late) is enough to show the call waiting", () => {
    const c = client();
    c.feed(controlRequest());
    expect(c.tool()).toMatchObject({
      toolCallId: "call_cap_2",
      name: "Bash",
      status: "pending_approval",
      approval: { state: "pending", requestId: "perm-call_cap_2" },
    });
    expect(JSON.parse(c.tool().arguments)).toEqual(JSON.parse(ARGS));
    // Re-sent on reconnect and sync: nothing new.
    const count = c.changes.length;
    expect(c.assembler.apply(controlRequest())).toBe(false);
    expect(c.changes).toHaveLength(count);
  });
});

describe("StreamAssembler on deep values", () => {
  it("a control_request whose tool input nests 100,000 levels shows the call, its arguments as a note", () => {
    const c = client();
    const request = controlRequest();
    // Added after decoding: the views must hold up whatever a decoder lets through.
    let input: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) input = { a: input };
    request.request = { ...request.request, input: input as Record<string, unknown> };
    expect(() => c.feed(request, request)).not.toThrow();
    expect(c.tool()).toMatchObject({ toolCallId: "call_cap_2", status: "pending_approval" });
    expect(c.tool().arguments).toBe(TOO_DEEP_TO_SHOW);
  });
});

describe("StreamAssembler: tool calls", () => {
  it("accumulates streamed fragments; a fragment without a tool call id continues the message's last call", () => {
    const c = client();
    c.feed(
      msg({ message_type: "tool_call_message", id: "m-1", run_id: "run-1", tool_call: { tool_call_id: "call_1", name: "Read", arguments: '{"file_' } }),
      msg({ message_type: "tool_call_message", id: "m-1", run_id: "run-1", tool_call: { arguments: 'path":"a.' } }),
      msg({ message_type: "tool_call_message", id: "m-1", run_id: "run-1", tool_call: { tool_call_id: "call_1", name: "Read", arguments: 'ts"}' } }),
    );
    expect(c.messages()).toEqual([
      {
        key: "tool_call:call_1",
        id: "m-1",
        runId: "run-1",
        kind: "tool_call",
        toolCallId: "call_1",
        name: "Read",
        arguments: '{"file_path":"a.ts"}',
        status: "requested",
      },
    ]);
  });

  it("shows streamed tool output while the call runs, then the final result", () => {
    const c = client();
    c.feed(
      msg({ message_type: "tool_call_message", id: "m-1", run_id: "run-1", tool_call: { tool_call_id: "call_1", name: "Bash", arguments: "{}" } }),
      life({ id: "m-1", message_type: "client_tool_start", run_id: "run-1", tool_call_id: "call_1" }),
      msg({
        message_type: "tool_return_message",
        id: "synthetic-tool-return-stream-call_1",
        run_id: "run-1",
        status: "success",
        tool_call_id: "call_1",
        tool_return: "line 1",
        tool_returns: [{ tool_call_id: "call_1", status: "success", tool_return: "line 1", stdout: ["line 1"] }],
      }),
    );
    expect(c.tool()).toMatchObject({ status: "running", result: { output: "line 1", stdout: ["line 1"] } });
    c.feed(
      msg({
        message_type: "tool_return_message",
        id: "synthetic-tool-return-stream-call_1",
        run_id: "run-1",
        status: "success",
        tool_call_id: "call_1",
        tool_return: "line 1\nline 2",
        tool_returns: [{ tool_call_id: "call_1", status: "success", tool_return: "line 1\nline 2", stdout: ["line 1", "line 2"] }],
      }),
    );
    expect(c.tool()).toMatchObject({ status: "running", result: { output: "line 1\nline 2" } });
    c.feed(
      msg({
        message_type: "tool_return_message",
        id: "m-2",
        run_id: "run-1",
        tool_returns: [{ tool_call_id: "call_1", status: "error", tool_return: "exit 1", stderr: ["boom"] }],
      }),
      life({ id: "m-1", message_type: "client_tool_end", run_id: "run-1", tool_call_id: "call_1", status: "error" }),
    );
    expect(c.tool()).toMatchObject({ status: "error", result: { status: "error", output: "exit 1", stderr: ["boom"] } });
  });

  it("reads a result without tool_returns (runtime-synthesised interrupt results)", () => {
    const c = client();
    c.feed(
      msg({
        message_type: "tool_return_message",
        id: "synthetic-interrupt-tool-return-1",
        run_id: "run-1",
        status: "error",
        tool_call_id: "call_7",
        tool_return: "User interrupted the stream",
      }),
    );
    expect(c.tool()).toMatchObject({ toolCallId: "call_7", status: "error", result: { status: "error", output: "User interrupted the stream" } });
  });
});

describe("StreamAssembler: turns, errors, notices", () => {
  it("an abort: Interrupted notice, cancelled turn, and the unfinished call is cancelled", () => {
    const c = client();
    c.feed(
      msg({ message_type: "assistant_message", id: "m-1", content: "Counting: 1, 2,", run_id: "local-run-4" }),
      msg({ message_type: "tool_call_message", id: "m-2", run_id: "local-run-4", tool_call: { tool_call_id: "call_9", name: "Bash", arguments: "{}" } }),
      life({ id: "m-2", message_type: "client_tool_start", run_id: "local-run-4", tool_call_id: "call_9" }),
    );
    expect(c.assembler.view(A).turn.running).toBe(true);
    c.feed(
      life({ message_type: "status", run_id: "local-run-4", message: "Interrupted", level: "warning" }),
      turnFinished("cancelled", { run_id: "local-run-4", usage: { prompt_tokens: 640, completion_tokens: 33, total_tokens: 673, step_count: 1 } }),
    );
    expect(summary(c.messages())).toEqual(["assistant:Counting: 1, 2,", "tool_call:Bash:cancelled", "status:warning:Interrupted"]);
    expect(c.assembler.view(A).turn).toMatchObject({ running: false, runIds: ["local-run-4"], stopReason: "cancelled", usage: { total_tokens: 673 } });
  });

  it("a new turn after turn_finished starts with fresh run ids", () => {
    const c = client();
    c.feed(
      msg({ message_type: "assistant_message", id: "m-1", content: "pong", run_id: "run-1" }),
      msg({ message_type: "stop_reason", stop_reason: "end_turn", run_id: "run-1" }),
      turnFinished("end_turn", { run_id: "run-1" }),
      msg({ message_type: "user_message", id: "user-msg-2", content: "again", otid: "cm-2" }),
    );
    expect(c.assembler.view(A).turn).toEqual({ running: true, runIds: [] });
    c.feed(msg({ message_type: "assistant_message", id: "m-2", content: "pong", run_id: "run-2" }));
    expect(c.assembler.view(A).turn).toEqual({ running: true, runIds: ["run-2"] });
  });

  it("retries stay in the same turn (03b): a failed run, a retry, then a new run", () => {
    const c = client();
    c.feed(
      life({ message_type: "loop_error", run_id: "run-1", message: "Connection error.", stop_reason: "llm_api_error", is_terminal: false }),
      msg({ message_type: "error_message", id: "e-1", message: "Connection error.", error_type: "llm_error", run_id: "run-1" }),
      msg({ message_type: "stop_reason", stop_reason: "llm_api_error", run_id: "run-1" }),
    );
    expect(c.assembler.view(A).turn).toEqual({ running: false, runIds: ["run-1"], stopReason: "llm_api_error" });
    c.feed(
      life({
        message_type: "retry",
        run_id: "run-1",
        message: "Connection error. Retrying (1/3)...",
        reason: "llm_api_error",
        attempt: 1,
        max_attempts: 3,
        delay_ms: 1000,
      }),
      msg({ message_type: "event_message", id: "ev-1", event_type: "retry", event_data: { attempt: 1, max_attempts: 3, delay_ms: 1000 }, run_id: "run-2" }),
      msg({ message_type: "assistant_message", id: "m-1", content: "ok", run_id: "run-2" }),
    );
    expect(c.assembler.view(A).turn).toEqual({ running: true, runIds: ["run-1", "run-2"] });
    const retry = c.messages().find((m) => m.kind === "retry");
    expect(retry).toMatchObject({ message: "Connection error. Retrying (1/3)...", reason: "llm_api_error", attempt: 1, maxAttempts: 3, delayMs: 1000 });
    expect(c.messages().find((m) => m.kind === "event")).toMatchObject({ eventType: "retry", data: { attempt: 1 } });
    expect(c.messages().find((m) => m.kind === "error")).toMatchObject({ message: "Connection error.", errorType: "llm_error" });
  });

  it("an invalid input's loop_error is shown but opens no turn", () => {
    const c = client();
    c.feed(
      life({
        message_type: "loop_error",
        message: "Protocol violation: input.kind=create_message requires payload.messages[]",
        stop_reason: "error",
        is_terminal: false,
      }),
    );
    expect(c.messages()).toMatchObject([
      { kind: "loop_error", stopReason: "error", isTerminal: false, message: "Protocol violation: input.kind=create_message requires payload.messages[]" },
    ]);
    expect(c.assembler.view(A).turn).toEqual({ running: false, runIds: [] });
  });

  it("slash commands: start and end fold into one message per invocation", () => {
    const c = client();
    c.feed(life({ message_type: "slash_command_start", command_id: "compact", input: "/compact" }));
    expect(c.messages()).toMatchObject([{ kind: "command", slash: true, commandId: "compact", input: "/compact", status: "running" }]);
    c.feed(life({ message_type: "slash_command_end", command_id: "compact", input: "/compact", output: "Compacted 12 messages.", success: true }));
    c.feed(life({ message_type: "slash_command_start", command_id: "compact", input: "/compact" }));
    c.feed(life({ message_type: "slash_command_end", command_id: "compact", input: "/compact", output: "Nothing to compact.", success: false }));
    expect(c.messages().map((m) => m.kind === "command" && [m.status, m.output])).toEqual([
      ["success", "Compacted 12 messages."],
      ["error", "Nothing to compact."],
    ]);
    expect(c.assembler.view(A).turn).toEqual({ running: false, runIds: [] });
  });
});

describe("StreamAssembler: duplicates", () => {
  it("applies a frame once however often it is delivered (same idempotency_key)", () => {
    const c = client();
    const chunk = msg({ message_type: "assistant_message", id: "m-1", content: "Hello", run_id: "run-1" });
    const finished = turnFinished("end_turn", { run_id: "run-1" });
    expect(c.assembler.apply(chunk)).toBe(true);
    expect(c.assembler.apply(chunk)).toBe(false);
    expect(c.assembler.apply({ ...chunk })).toBe(false);
    expect(c.assembler.apply(JSON.parse(JSON.stringify(chunk)))).toBe(false);
    expect(c.assembler.apply(finished)).toBe(true);
    expect(c.assembler.apply(finished)).toBe(false);
    expect(summary(c.messages())).toEqual(["assistant:Hello"]);
    expect(c.changes).toHaveLength(2);
  });

  it("keeps applying after the runtime re-registers and event_seq restarts at 1", () => {
    const c = client();
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "before ", run_id: "run-1" }));
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "and ", run_id: "run-1" }));
    frames.reregister();
    c.feed(msg({ message_type: "assistant_message", id: "m-1", content: "after", run_id: "run-1" }));
    expect(summary(c.messages())).toEqual(["assistant:before and after"]);
  });

  it("frames without a change report false and emit nothing", () => {
    const c = client();
    c.feed(msg({ message_type: "approval_response_message", id: "ar-1", approve: true, approval_request_id: "ui-msg-7" }));
    expect(c.messages()).toEqual([]);
    expect(c.changes).toEqual([]);
  });
});
