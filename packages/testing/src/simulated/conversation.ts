// One conversation of the simulated runtime: its loop state, pending approvals and queue, and the scripted turns
// it plays. The frame order of each path (text turn, tool call with approval, allow, deny, abort, model error)
// follows captures of the real 0.32.18 runtime; see the package README for what was compared.
import { randomUUID } from "node:crypto";
import type {
  ControlRequestBody,
  ConversationRuntimeScope,
  DeviceStatus,
  LoopStatus,
  PendingControlRequest,
  PermissionMode,
  RuntimeEvent,
} from "@byor/protocol";
import { chunksOf, type ScenarioTurn } from "../scenario.js";
import { loopState } from "./snapshots.js";

export interface Scope {
  agent_id: string;
  conversation_id: string;
}

/** An enveloped event before the runtime adds `runtime`, `event_seq`, `emitted_at` and `idempotency_key`. */
export type EventBody = { type: string } & Record<string, unknown>;

/** What a conversation needs from the runtime around it. */
export interface ConversationHost {
  now(): number;
  /** Waits `ms` (0: yields once). Rejects with the turn's abort reason when `signal` aborts. */
  pause(ms: number, signal: AbortSignal): Promise<void>;
  /** Sends an enveloped event of `scope` (dropped when no connection subscribed to it or the socket is down). */
  emit(scope: Scope, body: EventBody): void;
  /** Sends a direct frame (no envelope). */
  direct(frame: RuntimeEvent): void;
  deviceStatus(conversation: Conversation): DeviceStatus;
  /** The next scripted turn for an input. */
  nextTurn(conversation: Conversation, text: string): ScenarioTurn;
  nextToolCallId(): string;
  nextRunId(): string;
  agentExists(agentId: string): boolean;
  /** The tool result of an allowed call (by default the scripted `result`). */
  runTool(call: { name: string; input: Record<string, unknown>; result: string | undefined }): string;
}

export interface TurnInput {
  requestId?: string;
  /** The echo of the command's `runtime`, for input_accepted. */
  runtime: ConversationRuntimeScope;
  clientMessageId: string;
  text: string;
  /** Legacy `message` frames run a turn without input_accepted. */
  legacy?: boolean;
}

interface Decision {
  behavior: "allow" | "deny";
  message?: string;
  requestId?: string;
  runtime: ConversationRuntimeScope;
}

interface PendingApproval extends PendingControlRequest {
  resolve(decision: Decision): void;
}

class TurnAborted extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();

export class Conversation {
  readonly scope: Scope;
  mode: PermissionMode;
  status: LoopStatus = "WAITING_ON_INPUT";
  activeRunIds: string[] = [];
  executingToolCallIds: string[] = [];
  readonly clientMessageIdsByRunId = new Map<string, string[]>();
  readonly pending: PendingApproval[] = [];
  readonly queue: { id: string; client_message_id: string; kind: "message"; source: "user"; content: string; enqueued_at: string; input: TurnInput }[] = [];
  #turn: { controller: AbortController; runId: string | undefined; turnId: string; queued: boolean } | undefined;
  /** Set by an abort: the next input takes the queue path. */
  #viaQueue = false;
  #messageCounter = 0;
  #queueCounter = 0;
  #batchCounter = 0;

  constructor(
    scope: Scope,
    mode: PermissionMode,
    private readonly host: ConversationHost,
  ) {
    this.scope = scope;
    this.mode = mode;
  }

  /** A turn is running or waiting for an approval (the device status's `is_processing`). */
  get busy(): boolean {
    return this.#turn !== undefined;
  }

  // ---- snapshots ----

  loopBody(): EventBody {
    return {
      type: "update_loop_status",
      loop_status: loopState({
        status: this.status,
        activeRunIds: this.activeRunIds,
        clientMessageIdsByRunId: this.clientMessageIdsByRunId,
        executingToolCallIds: this.executingToolCallIds,
      }),
    };
  }

  queueBody(removed: { client_message_id: string; disposition: "dequeued" | "cancelled" }[] = []): EventBody {
    return { type: "update_queue", queue: this.queue.map(({ input: _input, ...item }) => item), removed };
  }

  deviceBody(): EventBody {
    return { type: "update_device_status", device_status: this.host.deviceStatus(this) };
  }

  controlRequestBody(request: PendingControlRequest): EventBody {
    return {
      type: "control_request",
      request_id: request.request_id,
      request: request.request,
      agent_id: this.scope.agent_id,
      conversation_id: this.scope.conversation_id,
    };
  }

  #emit(body: EventBody): void {
    this.host.emit(this.scope, body);
  }

  #loop(status: LoopStatus, activeRunIds: string[] = this.activeRunIds, executing: string[] = []): void {
    this.status = status;
    this.activeRunIds = activeRunIds;
    this.executingToolCallIds = executing;
    this.#emit(this.loopBody());
  }

  #device(): void {
    this.#emit(this.deviceBody());
  }

  #delta(delta: Record<string, unknown>): void {
    this.#emit({ type: "stream_delta", delta });
  }

  #lifecycle(messageType: string, runId: string | undefined, fields: Record<string, unknown>): void {
    const delta: Record<string, unknown> = { id: `lifecycle-${randomUUID()}`, date: iso(this.host.now()), message_type: messageType };
    if (runId) delta.run_id = runId;
    this.#delta({ ...delta, ...fields });
  }

  // ---- commands ----

  /**
   * `input` create_message (or a legacy `message`): start a turn at once, or go through the queue when a turn is
   * running. The real runtime also takes the queue path for the first input after an aborted turn.
   */
  input(input: TurnInput): void {
    const accepted = (disposition: "started" | "queued") => {
      if (input.requestId && !input.legacy) {
        this.host.direct({
          type: "input_accepted",
          request_id: input.requestId,
          runtime: input.runtime,
          accepted: true,
          disposition,
        } as unknown as RuntimeEvent);
      }
    };
    if (!this.busy && !this.#viaQueue) {
      accepted("started");
      this.#start(input, `batch-direct-${randomUUID()}`, false);
      return;
    }
    this.#viaQueue = false;
    accepted("queued");
    this.queue.push({
      id: `q-${++this.#queueCounter}`,
      client_message_id: input.clientMessageId,
      kind: "message",
      source: "user",
      content: input.text,
      enqueued_at: iso(this.host.now()),
      input,
    });
    this.#emit(this.queueBody());
    // The optimistic echo of the queued user message.
    this.#delta({
      type: "message",
      id: `user-msg-${randomUUID()}`,
      date: iso(this.host.now()),
      message_type: "user_message",
      content: input.text,
      otid: input.clientMessageId,
    });
    if (!this.busy) this.#next();
  }

  #start(input: TurnInput, turnId: string, queued: boolean): void {
    const controller = new AbortController();
    this.#turn = { controller, runId: undefined, turnId, queued };
    void this.#play(input, controller.signal).catch((err: unknown) => {
      if (!(err instanceof TurnAborted)) throw err;
    });
  }

  /** An approval_response. Unknown or already answered requests are refused like the real runtime does. */
  approve(
    requestId: string | undefined,
    targetId: string,
    decision: { behavior: "allow" | "deny"; message?: string },
    runtime: ConversationRuntimeScope,
  ): void {
    const index = this.pending.findIndex((p) => p.request_id === targetId);
    if (index < 0) {
      if (requestId) {
        this.host.direct({
          type: "input_accepted",
          request_id: requestId,
          runtime,
          accepted: false,
          error: "Approval request is no longer pending",
        } as unknown as RuntimeEvent);
      }
      return;
    }
    const [approval] = this.pending.splice(index, 1);
    this.#loop("WAITING_ON_APPROVAL");
    this.#device();
    approval!.resolve({ ...decision, ...(requestId ? { requestId } : {}), runtime });
  }

  /** abort_message: interrupts the running turn (and its pending approval) if there is one. */
  abort(requestId: string | undefined, runtime: ConversationRuntimeScope): void {
    const turn = this.#turn;
    if (!turn) {
      if (requestId)
        this.host.direct({ type: "abort_message_response", request_id: requestId, runtime, aborted: false, success: true } as unknown as RuntimeEvent);
      return;
    }
    turn.controller.abort(new TurnAborted("aborted"));
    this.#turn = undefined;
    this.#viaQueue = true;
    if (this.pending.length) {
      // Cancelling the approval is a state change of its own.
      this.pending.splice(0);
      this.#loop("WAITING_ON_INPUT", [], []);
      this.#device();
    }
    this.#loop("WAITING_ON_INPUT", [], []);
    this.#device();
    this.#lifecycle("status", turn.runId, { message: "Interrupted", level: "warning" });
    if (requestId)
      this.host.direct({ type: "abort_message_response", request_id: requestId, runtime, aborted: true, success: true } as unknown as RuntimeEvent);
    this.#emit({ type: "turn_finished", turn_id: turn.turnId, stop_reason: "cancelled", ...(turn.runId ? { run_id: turn.runId } : {}) });
    this.#device();
    this.#after(turn.queued);
  }

  /** Ends everything silently (the runtime re-registered or stopped). */
  teardown(): void {
    this.#turn?.controller.abort(new TurnAborted("teardown"));
    this.#turn = undefined;
    this.#viaQueue = false;
    this.pending.splice(0);
    this.queue.splice(0);
    this.status = "WAITING_ON_INPUT";
    this.activeRunIds = [];
    this.executingToolCallIds = [];
  }

  /** change_device_state: mode (and cwd, handled by the runtime) changed. */
  changed(): void {
    if (this.busy) {
      this.#device();
      return;
    }
    this.#loop("EXECUTING_COMMAND", [], []);
    this.#loop("EXECUTING_COMMAND", [], []);
    this.#device();
    this.#loop("WAITING_ON_INPUT", [], []);
  }

  // ---- the turn ----

  async #play(input: TurnInput, signal: AbortSignal): Promise<void> {
    const host = this.host;
    const turn = this.#turn!;
    const pause = (ms = 0) => host.pause(ms, signal);

    if (!host.agentExists(this.scope.agent_id)) {
      const error = `Agent ${this.scope.agent_id} not found`;
      this.#loop("SENDING_API_REQUEST", [], []);
      this.#device();
      await pause();
      this.#turn = undefined;
      this.#loop("WAITING_ON_INPUT", [], []);
      this.#device();
      this.#emit({ type: "turn_finished", turn_id: turn.turnId, stop_reason: "error", error });
      this.#lifecycle("loop_error", undefined, { message: error, stop_reason: "error", is_terminal: true });
      this.#device();
      this.#after(turn.queued);
      return;
    }

    let step: ScenarioTurn | undefined = host.nextTurn(this, input.text);
    let previousRun: string | undefined;
    for (let first = true; step; first = false) {
      const runId = host.nextRunId();
      let seq = 0;
      const message = (fields: Record<string, unknown>) => ({
        ...fields,
        run_id: runId,
        seq_id: ++seq,
        type: "message",
      });
      const base = () => ({ date: iso(host.now()), agent_id: this.scope.agent_id, conversation_id: this.scope.conversation_id });

      this.#loop("SENDING_API_REQUEST", previousRun ? [previousRun] : []);
      if (first) this.#device();
      if (first && turn.queued) this.#emit(this.queueBody([{ client_message_id: input.clientMessageId, disposition: "dequeued" }]));
      await pause();
      this.#loop("WAITING_FOR_API_RESPONSE", previousRun ? [previousRun] : []);
      this.#loop("PROCESSING_API_RESPONSE", []);
      if (!first) {
        this.#loop("PROCESSING_API_RESPONSE", []);
        this.#device();
      }
      this.clientMessageIdsByRunId.set(runId, [input.clientMessageId]);
      turn.runId = runId;
      this.#loop("PROCESSING_API_RESPONSE", [runId]);

      if (step.error) {
        this.#fail(step.error, runId, turn.turnId, turn.queued, message, base, () => ++seq);
        return;
      }

      const delay = step.chunkDelayMs ?? 0;
      const n = ++this.#messageCounter;
      const reasoning = chunksOf(step.reasoning);
      for (const piece of reasoning) {
        await pause(delay);
        this.#delta(message({ id: `ui-msg-${n}:reasoning:0`, ...base(), message_type: "reasoning_message", reasoning: piece }));
      }
      for (const piece of chunksOf(step.text)) {
        await pause(delay);
        const id = reasoning.length ? `ui-msg-${n}:assistant:1` : `ui-msg-${n}`;
        this.#delta(message({ id, ...base(), message_type: "assistant_message", content: [{ type: "text", text: piece }] }));
      }
      const call = step.toolCall;
      const callId = call ? (call.id ?? host.nextToolCallId()) : undefined;
      const approvalMessageId = `letta-msg-${++this.#messageCounter}`;
      if (call) {
        await pause(delay);
        this.#delta(
          message({
            id: approvalMessageId,
            ...base(),
            message_type: "approval_request_message",
            tool_call: { tool_call_id: callId, name: call.name, arguments: JSON.stringify(call.input) },
          }),
        );
      }
      if (step.usage !== false) {
        const completion = Math.max(1, chunksOf(step.text).length + (call ? 1 : 0));
        this.#delta(
          message({
            id: `letta-msg-${++this.#messageCounter}`,
            ...base(),
            message_type: "usage_statistics",
            prompt_tokens: 10,
            completion_tokens: completion,
            total_tokens: 10 + completion,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
            context_tokens: 10 + completion,
          }),
        );
      }
      // The stop_reason delta carries no id or date in the runtime's frames.
      this.#delta({ message_type: "stop_reason", stop_reason: call ? "requires_approval" : "end_turn", run_id: runId, seq_id: ++seq, type: "message" });
      if (!call || !callId) {
        this.#finish(turn.turnId, runId, turn.queued);
        return;
      }

      const needsApproval = call.requiresApproval !== false && this.mode !== "unrestricted";
      this.#lifecycle("approval_classification_end", runId, {
        auto_allowed_tool_call_ids: needsApproval ? [] : [callId],
        auto_denied_tool_call_ids: [],
        user_input_tool_call_ids: needsApproval ? [callId] : [],
      });
      let decision: Decision = { behavior: "allow", runtime: input.runtime };
      if (needsApproval) {
        const request: ControlRequestBody = {
          subtype: "can_use_tool",
          tool_name: call.name,
          input: call.input,
          tool_call_id: callId,
          permission_suggestions: suggestionsFor(call.name, call.input),
          blocked_path: null,
        };
        let resolve!: (d: Decision) => void;
        const answered = new Promise<Decision>((r) => (resolve = r));
        const approval: PendingApproval = { request_id: `perm-${callId}`, request, resolve };
        this.#loop("WAITING_ON_APPROVAL", [runId]);
        this.pending.push(approval);
        this.#emit(this.controlRequestBody(approval));
        this.#loop("WAITING_ON_APPROVAL", [runId]);
        this.#device();
        decision = await Promise.race([
          answered,
          new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener("abort", () => reject(signal.reason), { once: true });
          }),
        ]);
      }

      const accepted = () => {
        if (decision.requestId)
          this.host.direct({ type: "input_accepted", request_id: decision.requestId, runtime: decision.runtime, accepted: true } as unknown as RuntimeEvent);
      };
      const toolReturn = (status: "success" | "error", text: string) =>
        this.#delta({
          type: "message",
          message_type: "tool_return_message",
          id: `synthetic-tool-return-${randomUUID()}`,
          date: iso(host.now()),
          run_id: runId,
          status,
          tool_call_id: callId,
          tool_return: text,
          tool_returns: [{ tool_call_id: callId, status, tool_return: text }],
        });
      if (decision.behavior === "allow") {
        accepted();
        this.#loop("EXECUTING_CLIENT_SIDE_TOOL", [runId], [callId]);
        this.#loop("EXECUTING_CLIENT_SIDE_TOOL", [runId], [callId]);
        this.#device();
        this.#delta({
          id: approvalMessageId,
          date: iso(host.now()),
          message_type: "client_tool_start",
          run_id: runId,
          tool_call_id: callId,
          tool_name: call.name,
          tool_args: JSON.stringify(call.input),
        });
        await pause();
        const output = host.runTool({ name: call.name, input: call.input, result: call.result });
        this.#delta({ id: approvalMessageId, date: iso(host.now()), message_type: "client_tool_end", run_id: runId, tool_call_id: callId, status: "success" });
        toolReturn("success", output);
      } else {
        this.#loop("EXECUTING_CLIENT_SIDE_TOOL", [runId], []);
        this.#loop("EXECUTING_CLIENT_SIDE_TOOL", [runId], []);
        this.#device();
        accepted();
        this.#delta({ id: approvalMessageId, date: iso(host.now()), message_type: "client_tool_end", run_id: runId, tool_call_id: callId, status: "error" });
        toolReturn("error", decision.message ?? "Denied");
      }
      this.executingToolCallIds = [];
      previousRun = runId;
      step = step.then ?? {};
    }
  }

  #finish(turnId: string, runId: string, queued: boolean): void {
    this.#turn = undefined;
    this.#loop("WAITING_ON_INPUT", [], []);
    this.#device();
    this.#emit({ type: "turn_finished", turn_id: turnId, stop_reason: "end_turn", run_id: runId });
    this.#device();
    this.#after(queued);
  }

  /** After a turn: a turn that came through the queue reports the (now empty) queue and the idle loop again. */
  #after(queued: boolean): void {
    if (queued) {
      this.#emit(this.queueBody());
      this.#loop("WAITING_ON_INPUT", [], []);
    }
    this.#next();
  }

  #fail(
    error: { status?: number; message: string },
    runId: string,
    turnId: string,
    queued: boolean,
    message: (fields: Record<string, unknown>) => Record<string, unknown>,
    base: () => Record<string, unknown>,
    nextSeq: () => number,
  ): void {
    // The text the real runtime reports for an HTTP error of the scripted model (which sends this body).
    const status = error.status ?? 401;
    const type = status < 500 ? "invalid_request_error" : "server_error";
    const detail = `${status}: ${JSON.stringify({ message: error.message, type, code: null, param: null })}`;
    const errorType = "local_backend_error";
    const dump = JSON.stringify({ error: { error: { type: errorType, message: detail, detail }, run_id: runId } }, null, 2);
    const apiError = { message_type: "error_message", message: detail, error_type: errorType, run_id: runId, detail };
    this.#lifecycle("loop_error", runId, { message: dump, stop_reason: "error", is_terminal: false, api_error: apiError });
    this.#delta(
      message({
        id: `letta-msg-${++this.#messageCounter}`,
        ...base(),
        message_type: "error_message",
        message: detail,
        detail,
        error_type: errorType,
        retryable: false,
      }),
    );
    this.#delta({ message_type: "stop_reason", stop_reason: "error", run_id: runId, seq_id: nextSeq(), type: "message" });
    this.#turn = undefined;
    this.#loop("WAITING_ON_INPUT", [], []);
    this.#device();
    this.#emit({ type: "turn_finished", turn_id: turnId, stop_reason: "error", run_id: runId, error: dump });
    this.#lifecycle("loop_error", runId, { message: dump, stop_reason: "error", is_terminal: true, api_error: apiError });
    this.#device();
    this.#after(queued);
  }

  /** Starts the next queued input, if any: the queue without it, the idle loop, then the turn. */
  #next(): void {
    const item = this.queue.shift();
    if (!item) return;
    this.#viaQueue = false;
    this.#emit(this.queueBody());
    this.#loop("WAITING_ON_INPUT", [], []);
    this.#start(item.input, `batch-${++this.#batchCounter}`, true);
  }
}

/** The runtime offers "don't ask again" for most commands, but not for deletions. */
function suggestionsFor(tool: string, input: Record<string, unknown>): { id: string; text: string }[] {
  const command = typeof input.command === "string" ? input.command : undefined;
  if (tool !== "Bash" || !command || /^\s*rm\b/.test(command)) return [];
  return [{ id: "save-default", text: `Yes, and don't ask again for '${command}' in this project` }];
}
