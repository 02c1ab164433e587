import type {
  ControlRequestEvent,
  LettaMessageContent,
  LettaToolCallDelta,
  LettaUsageStatistics,
  RuntimeEvent,
  StreamDelta,
  StreamDeltaEvent,
  TurnFinishedEvent,
} from "@byor/protocol";
import type { Disposable } from "./disposable.js";
import { Emitter } from "./emitter.js";
import { EventDeduper } from "./event-deduper.js";
import { scopeKey, toScope, type Scope } from "./scope.js";

/**
 * Fields of every assembled message. `id` is the id the runtime gave (the Letta message id, a `lifecycle-…` id,
 * or the tool call id for a tool call first seen in a control_request); two messages of different kinds may share
 * it (Letta streams reasoning and text of one step under one id). `key` is unique within a view: use it as a list key.
 */
interface MessageBase {
  key: string;
  id: string;
  runId?: string;
}

/** What a tool call shows as its arguments when its input is too deep for `JSON.stringify` (decoders refuse such
 * frames; a program can still hand one over). Not worth an iterative encoder in every page that shows tool calls. */
export const TOO_DEEP_TO_SHOW = "(arguments nested too deeply to show)";

function argumentsText(input: unknown): string {
  try {
    return JSON.stringify(input);
  } catch (error) {
    if (error instanceof RangeError) return TOO_DEEP_TO_SHOW;
    throw error;
  }
}

export type ToolCallStatus = "requested" | "pending_approval" | "running" | "success" | "error" | "cancelled";

export interface ToolCallResult {
  status: "success" | "error";
  output: string;
  stdout?: string[];
  stderr?: string[];
}

/**
 * How the runtime classified a call that needs approval: `pending` waits for the user (then `requestId` is the
 * control_request to answer, see the StateMirror), `auto_allowed` / `auto_denied` were decided by permission rules.
 */
export interface ToolCallApproval {
  state: "pending" | "auto_allowed" | "auto_denied";
  requestId?: string;
}

export interface AssembledToolCall extends MessageBase {
  kind: "tool_call";
  toolCallId: string;
  name: string;
  /** JSON text of the arguments, accumulated from the streamed fragments. */
  arguments: string;
  /**
   * `requested` (the model called it), `pending_approval`, `running` (executing on the device; `result` may hold
   * streamed output so far), `success` / `error` (finished), `cancelled` (the turn ended before it finished).
   */
  status: ToolCallStatus;
  result?: ToolCallResult;
  approval?: ToolCallApproval;
}

export type AssembledMessage =
  | (MessageBase & { kind: "user"; text: string; content: LettaMessageContent; otid?: string })
  | (MessageBase & { kind: "assistant"; text: string })
  | (MessageBase & { kind: "reasoning"; text: string })
  | (MessageBase & { kind: "hidden_reasoning"; state: "redacted" | "omitted" })
  | (MessageBase & { kind: "system"; text: string })
  | (MessageBase & { kind: "summary"; text: string })
  | AssembledToolCall
  | (MessageBase & { kind: "error"; message: string; errorType?: string; detail?: string })
  | (MessageBase & {
      kind: "loop_error";
      /** The provider's error text when the runtime attached it, else the runtime's message. */
      message: string;
      stopReason: string;
      isTerminal: boolean;
      /** The runtime's message as sent (often a JSON dump of the provider error), when it differs from `message`. */
      detail?: string;
    })
  | (MessageBase & { kind: "status"; message: string; level: string })
  /** A run stopped (`requires_approval` is a pause, not a stop, and makes no message). */
  | (MessageBase & { kind: "stop"; stopReason: string })
  | (MessageBase & { kind: "retry"; message: string; reason: string; attempt: number; maxAttempts: number; delayMs: number })
  /** A Letta run event (`event_message`): `compaction`, `retry` from the local backend, ... */
  | (MessageBase & { kind: "event"; eventType: string; data: Record<string, unknown> })
  /** A slash command (`slash: true`, from execute_command) or a shell command. */
  | (MessageBase & {
      kind: "command";
      slash: boolean;
      commandId: string;
      input: string;
      status: "running" | "success" | "error";
      output?: string;
    });

export interface TurnState {
  /** A turn is producing output (false once it stopped, even before turn_finished). Paused for approval counts as running. */
  running: boolean;
  /** Letta runs of the current (or last) turn. */
  runIds: string[];
  stopReason?: string;
  /** From turn_finished. */
  turnId?: string;
  error?: string;
  usage?: LettaUsageStatistics;
}

export interface ConversationView {
  scope: Scope;
  /** In arrival order. Treat as read-only: the assembler copies before changing a list it has handed out. */
  messages: AssembledMessage[];
  turn: TurnState;
}

export interface AssemblerChange {
  scope: Scope;
  /** The message added or updated, if any (a change may touch only the turn). */
  message?: AssembledMessage;
  /**
   * The conversation as it is now, built when first read (read it in the handler). Building a view hands the
   * message list out, so the next write copies it: a listener that never reads it costs no copy per delta.
   */
  readonly view: ConversationView;
}

/** How many idempotency keys are remembered for dedupe. */
const SEEN_LIMIT = 8192;
/** Id prefix of the runtime's streamed partial tool output (cumulative snapshots while the tool runs). */
const STREAMED_OUTPUT = "synthetic-tool-return-stream-";
const FINAL: ReadonlySet<ToolCallStatus> = new Set(["success", "error", "cancelled"]);

interface ViewState {
  scope: Scope;
  messages: AssembledMessage[];
  index: Map<string, number>;
  /** The messages array was handed out in a view: copy before the next write. */
  shared: boolean;
  cached?: ConversationView;
  turn: TurnState;
  /** turn_finished was seen and no run output since: the next run output starts a new turn. */
  closed: boolean;
  /** Letta message id → last tool call id seen in it (later fragments may omit the id). */
  lastToolCall: Map<string, string>;
  /** command_id → key of the command still running under that id. */
  openCommands: Map<string, string>;
  counter: number;
}

/**
 * Folds `stream_delta` frames (plus `turn_finished` and `control_request`) into a conversation per scope: text
 * chunks joined per message, tool calls with their arguments, approval state, status and result, errors, stops.
 * Deltas of subagents (`subagent_id` set) are raw lines of another conversation and are left out. A frame whose
 * `idempotency_key` was already applied is ignored (relayed duplicates); event_seq is not used for this because
 * it restarts after a re-register and frames can legitimately arrive out of order across sockets.
 */
export class StreamAssembler {
  readonly #views = new Map<string, ViewState>();
  readonly #seen = new EventDeduper({ capacity: SEEN_LIMIT, refresh: false });
  readonly #emitter = new Emitter<{ change: AssemblerChange }>();
  /** Set by every message write during one apply. */
  #dirty = false;

  /** Folds one event in; returns true (and emits "change") if a view changed. */
  apply(event: RuntimeEvent): boolean {
    if (event.type !== "stream_delta" && event.type !== "turn_finished" && event.type !== "control_request") return false;
    if (event.type === "stream_delta" && event.subagent_id !== undefined) return false;
    if (this.#seen.seen(event)) return false;
    const state = this.#state(event.runtime);
    const turn = state.turn;
    this.#dirty = false;
    let message: AssembledMessage | undefined;
    if (event.type === "stream_delta") message = this.#delta(state, event);
    else if (event.type === "turn_finished") this.#turnFinished(state, event);
    else message = this.#controlRequest(state, event);
    if (!this.#dirty && state.turn === turn) return false;
    state.cached = undefined;
    const view = () => this.view(state.scope);
    this.#emitter.emit("change", {
      scope: state.scope,
      ...(message ? { message } : {}),
      get view() {
        return view();
      },
    });
    return true;
  }

  /** The conversation of a scope (an empty one for a scope never seen). The same object until the next change. */
  view(scope: Scope): ConversationView {
    const state = this.#views.get(scopeKey(scope));
    if (!state) return { scope: toScope(scope), messages: [], turn: { running: false, runIds: [] } };
    if (!state.cached) {
      state.shared = true;
      state.cached = { scope: state.scope, messages: state.messages, turn: state.turn };
    }
    return state.cached;
  }

  on(name: "change", handler: (change: AssemblerChange) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /** Forgets one scope's conversation, or all of them (e.g. before reloading history). */
  clear(scope?: Scope): void {
    if (scope) this.#views.delete(scopeKey(scope));
    else this.#views.clear();
  }

  #state(scope: Scope): ViewState {
    const key = scopeKey(scope);
    let state = this.#views.get(key);
    if (!state) {
      state = {
        scope: toScope(scope),
        messages: [],
        index: new Map(),
        shared: false,
        turn: { running: false, runIds: [] },
        closed: true,
        lastToolCall: new Map(),
        openCommands: new Map(),
        counter: 0,
      };
      this.#views.set(key, state);
    }
    return state;
  }

  // --- messages -------------------------------------------------------------------------------------------------

  #get(state: ViewState, key: string): AssembledMessage | undefined {
    const i = state.index.get(key);
    return i === undefined ? undefined : state.messages[i];
  }

  /** Adds or replaces a message (messages are never mutated: a view handed out keeps what it showed). */
  #put<M extends AssembledMessage>(state: ViewState, message: M): M {
    this.#dirty = true;
    if (state.shared) {
      state.messages = state.messages.slice();
      state.shared = false;
    }
    const i = state.index.get(message.key);
    if (i === undefined) {
      state.index.set(message.key, state.messages.length);
      state.messages.push(message);
    } else {
      state.messages[i] = message;
    }
    return message;
  }

  #delta(state: ViewState, event: StreamDeltaEvent): AssembledMessage | undefined {
    const delta = event.delta;
    const runId = typeof delta.run_id === "string" ? delta.run_id : undefined;
    this.#turnOutput(state, delta, runId);
    const run = runId !== undefined ? { runId } : {};
    const id = typeof delta.id === "string" ? delta.id : undefined;

    switch (delta.message_type) {
      case "assistant_message":
      case "reasoning_message": {
        const kind = delta.message_type === "assistant_message" ? "assistant" : "reasoning";
        const chunk = delta.message_type === "assistant_message" ? textOf(delta.content) : delta.reasoning;
        const msgId = id ?? this.#anonymous(state, kind);
        const key = `${kind}:${msgId}`;
        const existing = this.#get(state, key);
        const text = (existing && "text" in existing ? existing.text : "") + chunk;
        return this.#put(state, { key, id: msgId, ...run, ...(existing?.runId ? { runId: existing.runId } : {}), kind, text });
      }
      case "hidden_reasoning_message":
        return this.#entry(state, "hidden_reasoning", id, run, { state: delta.state });
      case "user_message": {
        const otid = typeof delta.otid === "string" ? delta.otid : undefined;
        const msgId = id ?? otid ?? this.#anonymous(state, "user");
        // The runtime echoes each dequeued input (otid = client_message_id); Letta may stream it again: one message.
        const key = `user:${otid ?? msgId}`;
        const existing = this.#get(state, key);
        return this.#put(state, {
          key,
          id: existing?.id ?? msgId,
          ...(existing?.runId ? { runId: existing.runId } : run),
          kind: "user",
          text: textOf(delta.content),
          content: delta.content,
          ...(otid !== undefined ? { otid } : {}),
        });
      }
      case "system_message":
      case "summary_message": {
        const kind = delta.message_type === "system_message" ? "system" : "summary";
        return this.#entry(state, kind, id, run, { text: delta.message_type === "system_message" ? delta.content : delta.summary });
      }
      case "tool_call_message":
      case "approval_request_message":
        return this.#toolCallChunk(state, delta, id, runId);
      case "approval_classification_end": {
        let last: AssembledMessage | undefined;
        const mark = (ids: string[], apply: (call: AssembledToolCall) => AssembledToolCall) => {
          for (const toolCallId of ids) last = this.#updateToolCall(state, toolCallId, runId, apply);
        };
        mark(delta.auto_allowed_tool_call_ids, (call) => ({
          ...call,
          approval: { ...call.approval, state: "auto_allowed" },
          status: call.status === "pending_approval" ? "requested" : call.status,
        }));
        mark(delta.auto_denied_tool_call_ids, (call) => ({
          ...call,
          approval: { ...call.approval, state: "auto_denied" },
          status: FINAL.has(call.status) ? call.status : "error",
        }));
        mark(delta.user_input_tool_call_ids, (call) => ({
          ...call,
          approval: { ...call.approval, state: "pending" },
          status: FINAL.has(call.status) || call.status === "running" ? call.status : "pending_approval",
        }));
        return last;
      }
      case "client_tool_start":
        return this.#updateToolCall(
          state,
          delta.tool_call_id,
          runId,
          (call) => ({
            ...call,
            name: call.name || delta.tool_name || "",
            // The runtime sends the complete arguments here: they win over streamed fragments.
            arguments: delta.tool_args ?? call.arguments,
            status: FINAL.has(call.status) ? call.status : "running",
          }),
          id,
        );
      case "client_tool_end":
        return this.#updateToolCall(state, delta.tool_call_id, runId, (call) => ({ ...call, status: delta.status }), id);
      case "tool_return_message": {
        const returns =
          delta.tool_returns && delta.tool_returns.length > 0
            ? delta.tool_returns
            : delta.tool_call_id !== undefined && delta.status !== undefined
              ? [{ tool_call_id: delta.tool_call_id, status: delta.status, tool_return: delta.tool_return ?? "", stdout: delta.stdout, stderr: delta.stderr }]
              : [];
        const partial = id?.startsWith(STREAMED_OUTPUT) === true;
        let last: AssembledMessage | undefined;
        for (const ret of returns) {
          const result: ToolCallResult = { status: ret.status, output: textOf(ret.tool_return) };
          if (ret.stdout) result.stdout = ret.stdout;
          if (ret.stderr) result.stderr = ret.stderr;
          last = this.#updateToolCall(state, ret.tool_call_id, runId, (call) => ({
            ...call,
            result,
            // Streamed output is a snapshot of a tool still running; only a real return finishes the call.
            status: partial ? (FINAL.has(call.status) ? call.status : "running") : ret.status,
          }));
        }
        return last;
      }
      case "error_message":
        return this.#entry(state, "error", id, run, {
          message: delta.message,
          errorType: delta.error_type,
          ...(delta.detail !== undefined && delta.detail !== delta.message ? { detail: delta.detail } : {}),
        });
      case "loop_error": {
        const message = delta.api_error?.message || delta.message;
        return this.#entry(state, "loop_error", id, run, {
          message,
          stopReason: delta.stop_reason,
          isTerminal: delta.is_terminal,
          ...(message !== delta.message ? { detail: delta.message } : {}),
        });
      }
      case "status":
        return this.#entry(state, "status", id, run, { message: delta.message, level: delta.level });
      case "stop_reason": {
        if (delta.stop_reason === "requires_approval") return undefined;
        // One stop per run; a stop without a run gets its own entry.
        const msgId = runId !== undefined ? `stop-${runId}` : this.#anonymous(state, "stop");
        return this.#put(state, { key: `stop:${msgId}`, id: msgId, ...run, kind: "stop", stopReason: delta.stop_reason });
      }
      case "retry":
        return this.#entry(state, "retry", id, run, {
          message: delta.message,
          reason: delta.reason,
          attempt: delta.attempt,
          maxAttempts: delta.max_attempts,
          delayMs: delta.delay_ms,
        });
      case "event_message":
        return this.#entry(state, "event", id, run, { eventType: delta.event_type, data: delta.event_data as Record<string, unknown> });
      case "slash_command_start":
      case "command_start": {
        const msgId = id ?? this.#anonymous(state, "command");
        const key = `command:${msgId}`;
        state.openCommands.set(delta.command_id, key);
        return this.#put(state, {
          key,
          id: msgId,
          ...run,
          kind: "command",
          slash: delta.message_type === "slash_command_start",
          commandId: delta.command_id,
          input: delta.input,
          status: "running",
        });
      }
      case "slash_command_end":
      case "command_end": {
        const openKey = state.openCommands.get(delta.command_id);
        state.openCommands.delete(delta.command_id);
        const open = openKey !== undefined ? this.#get(state, openKey) : undefined;
        const msgId = open?.id ?? id ?? this.#anonymous(state, "command");
        return this.#put(state, {
          key: open?.key ?? `command:${msgId}`,
          id: msgId,
          ...(open?.runId ? { runId: open.runId } : run),
          kind: "command",
          slash: delta.message_type === "slash_command_end",
          commandId: delta.command_id,
          input: delta.input,
          status: delta.success ? "success" : "error",
          output: delta.output,
        });
      }
      case "usage_statistics": {
        const { type: _type, ...usage } = delta;
        state.turn = { ...state.turn, usage };
        return undefined;
      }
      default:
        // approval_response_message (answers are reported by client_tool_* and tool returns) and kinds added later.
        return undefined;
    }
  }

  /** Streamed chunks of tool calls: name once, arguments appended per fragment, keyed by tool call id. */
  #toolCallChunk(
    state: ViewState,
    delta: Extract<StreamDelta, { message_type: "tool_call_message" | "approval_request_message" }>,
    id: string | undefined,
    runId: string | undefined,
  ): AssembledMessage | undefined {
    const needsApproval = delta.message_type === "approval_request_message";
    const calls: LettaToolCallDelta[] = Array.isArray(delta.tool_calls)
      ? delta.tool_calls
      : delta.tool_calls
        ? [delta.tool_calls]
        : delta.tool_call
          ? [delta.tool_call]
          : [];
    const msgId = id ?? this.#anonymous(state, "tool_call");
    let last: AssembledMessage | undefined;
    for (const chunk of calls) {
      const toolCallId = chunk.tool_call_id || state.lastToolCall.get(msgId) || msgId;
      state.lastToolCall.set(msgId, toolCallId);
      last = this.#updateToolCall(
        state,
        toolCallId,
        runId,
        (call) => ({
          ...call,
          name: call.name || chunk.name || "",
          arguments: call.arguments + (chunk.arguments ?? ""),
          ...(needsApproval && call.status === "requested"
            ? { status: "pending_approval" as const, approval: { ...call.approval, state: "pending" as const } }
            : {}),
        }),
        msgId,
      );
    }
    return last;
  }

  /** Updates the tool call with this id, creating it (status `requested`) if it was not seen yet. */
  #updateToolCall(
    state: ViewState,
    toolCallId: string,
    runId: string | undefined,
    update: (call: AssembledToolCall) => AssembledToolCall,
    messageId?: string,
  ): AssembledToolCall {
    const key = `tool_call:${toolCallId}`;
    const existing = this.#get(state, key) as AssembledToolCall | undefined;
    const call: AssembledToolCall = existing ?? {
      key,
      id: messageId ?? toolCallId,
      ...(runId !== undefined ? { runId } : {}),
      kind: "tool_call",
      toolCallId,
      name: "",
      arguments: "",
      status: "requested",
    };
    return this.#put(state, update(call));
  }

  #controlRequest(state: ViewState, event: ControlRequestEvent): AssembledMessage | undefined {
    const body = event.request;
    const existing = this.#get(state, `tool_call:${body.tool_call_id}`) as AssembledToolCall | undefined;
    // Re-sent after a reconnect and on sync: nothing new unless the call was not known or not marked yet.
    if (
      existing?.approval?.requestId === event.request_id &&
      (existing.status === "pending_approval" || FINAL.has(existing.status) || existing.status === "running")
    ) {
      return undefined;
    }
    return this.#updateToolCall(state, body.tool_call_id, undefined, (call) => ({
      ...call,
      name: call.name || body.tool_name,
      arguments: call.arguments || argumentsText(body.input),
      approval: { state: "pending", requestId: event.request_id },
      status: FINAL.has(call.status) || call.status === "running" ? call.status : "pending_approval",
    }));
  }

  // --- turn -----------------------------------------------------------------------------------------------------

  /**
   * Output of a run (a delta with a run id, or the echo of a dequeued input) belongs to a turn: it opens one
   * after turn_finished and marks it running. A stop_reason (other than requires_approval) or a terminal
   * loop_error stops it; a retry may resume it (same turn); only turn_finished closes it.
   */
  #turnOutput(state: ViewState, delta: StreamDelta, runId: string | undefined): void {
    const type = delta.message_type;
    if (type === "slash_command_start" || type === "slash_command_end" || type === "command_start" || type === "command_end") return;
    if (delta.message_type === "loop_error" && delta.is_terminal) {
      // Also sent right after turn_finished for the same failure: it must not open a new turn.
      if (!state.closed) state.turn = { ...state.turn, running: false, stopReason: delta.stop_reason };
      return;
    }
    if (runId === undefined && type !== "user_message") return;
    const fresh = state.closed;
    state.closed = false;
    const turn: TurnState = fresh ? { running: true, runIds: [] } : state.turn;
    const stopReason = delta.message_type === "stop_reason" && delta.stop_reason !== "requires_approval" ? delta.stop_reason : undefined;
    const runIds = runId !== undefined && !turn.runIds.includes(runId) ? [...turn.runIds, runId] : turn.runIds;
    const running = stopReason === undefined;
    if (!fresh && running === turn.running && runIds === turn.runIds && stopReason === turn.stopReason) return;
    const next: TurnState = { ...turn, running, runIds };
    if (stopReason !== undefined) next.stopReason = stopReason;
    else delete next.stopReason;
    state.turn = next;
  }

  #turnFinished(state: ViewState, event: TurnFinishedEvent): void {
    const base: TurnState = state.closed ? { running: false, runIds: [] } : state.turn;
    const runIds = event.run_id !== undefined && !base.runIds.includes(event.run_id) ? [...base.runIds, event.run_id] : base.runIds;
    const usage = event.usage ?? base.usage;
    state.turn = {
      running: false,
      runIds,
      stopReason: event.stop_reason,
      turnId: event.turn_id,
      ...(event.error !== undefined ? { error: event.error } : {}),
      ...(usage !== undefined ? { usage } : {}),
    };
    state.closed = true;
    // A call still waiting or running when its turn is over will never finish.
    for (const message of state.messages) {
      if (message.kind === "tool_call" && !FINAL.has(message.status)) this.#put(state, { ...message, status: "cancelled" });
    }
  }

  #anonymous(state: ViewState, kind: string): string {
    return `${kind}-${++state.counter}`;
  }

  /** Puts a message keyed `kind:id`, with an id of its own when the delta had none. */
  #entry<K extends AssembledMessage["kind"]>(
    state: ViewState,
    kind: K,
    id: string | undefined,
    run: { runId?: string },
    fields: Omit<Extract<AssembledMessage, { kind: K }>, keyof MessageBase | "kind">,
  ): AssembledMessage {
    const msgId = id ?? this.#anonymous(state, kind);
    return this.#put(state, { key: `${kind}:${msgId}`, id: msgId, ...run, kind, ...fields } as unknown as AssembledMessage);
  }
}

/** Text of Letta content: a string, or the `text` of its text parts. */
function textOf(content: LettaMessageContent | undefined | null): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content as Array<{ type?: unknown; text?: unknown }>) {
    if (part && typeof part.text === "string" && (part.type === undefined || part.type === "text")) text += part.text;
  }
  return text;
}
