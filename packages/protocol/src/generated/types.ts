// GENERATED FILE: do not edit. TypeScript types of every schema.
// Source: schema/**/*.json (JSON Schema draft-07). Regenerate with `pnpm codegen`; CI runs `pnpm codegen:check`.

/**
 * The answer to an approval request: allow the tool call (optionally with edited arguments and remembered suggestions) or deny it with a message for the agent.
 */
export type ApprovalDecision = (
  | {
      behavior: "allow";
      /**
       * Optional note passed along with the approval.
       */
      message?: string;
      /**
       * Replacement tool arguments; omitted or null keeps the original ones.
       */
      updated_input?: {} | null;
      /**
       * Ids from the request's `permission_suggestions` to persist as rules.
       */
      selected_permission_suggestion_ids?: string[];
    }
  | {
      behavior: "deny";
      /**
       * Why the call was denied; returned to the agent as the tool result.
       */
      message: string;
    }
) & {
  behavior: string;
};
/**
 * Who may talk to the agent in direct messages: only users who completed a pairing code, only listed users, or anyone.
 */
export type ChannelDmPolicy = "pairing" | "allowlist" | "open";
/**
 * Identifier of a channel plugin (e.g. "telegram", "slack", or a user plugin folder name). The runtime drops channel commands whose channel_id does not match this pattern.
 */
export type ChannelId = string;
/**
 * An on/off setting.
 */
export type ChannelConfigBooleanField = ChannelConfigFieldBase & {
  type: "boolean";
  default?: boolean;
};
/**
 * A setting holding a map from string keys to string or number values.
 */
export type ChannelConfigKeyValueMapField = ChannelConfigFieldBase & {
  type: "key-value-map";
  valueType: "string" | "number";
  default?: {
    [k: string]: string | number | undefined;
  };
  keyLabel?: string;
  valueLabel?: string;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
};
/**
 * A numeric setting with optional bounds and step.
 */
export type ChannelConfigNumberField = ChannelConfigFieldBase & {
  type: "number";
  default?: number;
  /**
   * Inclusive lower bound.
   */
  min?: number;
  /**
   * Inclusive upper bound.
   */
  max?: number;
  step?: number;
  /**
   * Unit shown after the input, e.g. "ms".
   */
  suffix?: string;
  placeholder?: string;
};
/**
 * A secret setting (token, password); its value is never echoed back in snapshots.
 */
export type ChannelConfigSecretField = ChannelConfigFieldBase & {
  type: "secret";
  placeholder?: string;
};
/**
 * A setting chosen from a fixed list of options.
 */
export type ChannelConfigSelectField = ChannelConfigFieldBase & {
  type: "select";
  options: ChannelConfigSelectOption[];
  /**
   * Value of one of the options.
   */
  default?: string;
};
/**
 * A setting holding a list of strings.
 */
export type ChannelConfigStringArrayField = ChannelConfigFieldBase & {
  type: "string-array";
  default?: string[];
  placeholder?: string;
};
/**
 * A free-text setting.
 */
export type ChannelConfigTextField = ChannelConfigFieldBase & {
  type: "text";
  default?: string;
  placeholder?: string;
};
/**
 * One field of a channel config schema; the `type` member says which kind of input it is.
 */
export type ChannelConfigField = (
  | ChannelConfigTextField
  | ChannelConfigSecretField
  | ChannelConfigSelectField
  | ChannelConfigBooleanField
  | ChannelConfigNumberField
  | ChannelConfigStringArrayField
  | ChannelConfigKeyValueMapField
) & {
  type: string;
};
/**
 * Where chatgpt_usage_read looks for the ChatGPT OAuth provider: the local store or the Letta API.
 */
export type ChatGPTUsageTarget = "local" | "api";
/**
 * A toolset choice as stored per conversation: one of the concrete presets, or `auto` to let the runtime pick from the model.
 */
export type ToolsetPreference = ToolsetName | "auto";
/**
 * A concrete built-in client toolset preset the runtime can load for a conversation.
 */
export type ToolsetName = "codex" | "default" | "letta" | "none";
/**
 * A preview of the change a file-editing tool would make, attached to an approval request. `mode` says whether hunks could be computed (`advanced`) or why not (`fallback`, `unpreviewable`). Keys are camelCase on the wire.
 */
export type DiffPreview = (
  | {
      mode: "advanced";
      /**
       * Path of the file the tool would change.
       */
      fileName: string;
      /**
       * Unified-diff hunks of the change.
       */
      hunks: {
        /**
         * First line of the hunk in the old file (1-based).
         */
        oldStart: number;
        /**
         * Number of old-file lines the hunk covers.
         */
        oldLines: number;
        /**
         * First line of the hunk in the new file (1-based).
         */
        newStart: number;
        /**
         * Number of new-file lines the hunk covers.
         */
        newLines: number;
        lines: {
          /**
           * Unchanged, added or removed line.
           */
          type: "context" | "add" | "remove";
          /**
           * The line text without the diff marker.
           */
          content: string;
        }[];
      }[];
    }
  | {
      mode: "fallback";
      /**
       * Path of the file the tool would change.
       */
      fileName: string;
      /**
       * Why only a fallback preview is available.
       */
      reason: string;
    }
  | {
      mode: "unpreviewable";
      /**
       * Path of the file the tool would change.
       */
      fileName: string;
      /**
       * Why no preview can be shown.
       */
      reason: string;
    }
) & {
  mode: string;
};
/**
 * What happened when a cron task came due.
 */
export type CronRunOutcome = "queued" | "missed" | "failed" | "skipped";
/**
 * Why a cron run ended with its outcome.
 */
export type CronRunReason =
  | "scheduled_time_matched"
  | "one_off_due"
  | "scheduler_inactive"
  | "started_too_late"
  | "queue_full"
  | "runtime_unavailable"
  | "task_cancelled"
  | "invalid_cron"
  | "scheduler_error";
/**
 * How much a conversation may do without asking: `standard` asks before risky tools, `acceptEdits` also lets file edits through, `unrestricted` asks for nothing, `strict` asks for everything that is not read-only. Kept per conversation by the runtime.
 */
export type PermissionMode = "standard" | "acceptEdits" | "unrestricted" | "strict";
/**
 * Where a skill was found: shipped with Letta Code, in the user's global skills, in the agent's memory, or in the project directory.
 */
export type SkillSource = "bundled" | "global" | "agent" | "project";
/**
 * When the agent reflects on its memory: never, every N steps, or after a compaction.
 */
export type ReflectionTrigger = "off" | "step-count" | "compaction-event";
/**
 * How reflection results are merged into memory.
 */
export type ReflectionMergeMode = "auto" | "explicit";
/**
 * How file content travels in a string: "utf8" is the text itself, "base64" the raw bytes base64-encoded (for binary files such as images). The runtime rejects any other value.
 */
export type FileContentEncoding = "utf8" | "base64";
/**
 * One part of Letta message content, told apart by `type`.
 */
export type LettaContentPart =
  | LettaTextContent
  | LettaImageContent
  | LettaToolCallContent
  | LettaToolReturnContent
  | LettaReasoningContent
  | LettaRedactedReasoningContent
  | LettaOmittedReasoningContent;
/**
 * A tool call that waits for approval. It is followed by a `stop_reason` of `requires_approval`, an `approval_classification_end` delta and, for calls that need the user, a control_request.
 */
export type LettaApprovalRequestMessage = LettaMessageBase & {
  message_type?: "approval_request_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  tool_call: LettaToolCallDelta;
  /**
   * All tool calls of the message (parallel tool calling).
   */
  tool_calls?: LettaToolCallDelta[] | LettaToolCallDelta | null;
};
/**
 * Records how pending approvals were answered.
 */
export type LettaApprovalResponseMessage = LettaMessageBase & {
  message_type?: "approval_response_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  approvals?: {}[] | null;
  approve?: boolean | null;
  /**
   * Id of the approval request message answered.
   */
  approval_request_id?: string | null;
  /**
   * Reason given with the answer.
   */
  reason?: string | null;
};
/**
 * Assistant text. Streamed as many chunks with the same `id`; each chunk holds only the new text.
 */
export type LettaAssistantMessage = LettaMessageBase & {
  message_type?: "assistant_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * The new text: a string, or text parts.
   */
  content: string | LettaTextContent[];
};
/**
 * Content of a user message (sent in an input, queued, echoed back in the stream): plain text, or an array of content parts. Every part carries its `type`; the runtime passes them on to the model backend.
 */
export type LettaMessageContent = string | LettaContentPart[];
/**
 * An error reported by the Letta run (e.g. the LLM provider failed). Also the shape of `api_error` in a loop_error delta.
 */
export type LettaErrorMessage = LettaMessageBase & {
  message_type: "error_message";
  /**
   * Error category, e.g. `llm_error`.
   */
  error_type: string;
  /**
   * Error text.
   */
  message: string;
  /**
   * Run that failed.
   */
  run_id: string;
  /**
   * More detail, if any.
   */
  detail?: string;
  /**
   * Whether retrying may help (sent by the local backend).
   */
  retryable?: boolean;
  /**
   * Provider error code, if any.
   */
  error_code?: string;
  /**
   * HTTP status of the failed provider call, if any.
   */
  status_code?: number;
};
/**
 * A run event, e.g. `compaction`, or `retry` from the local provider backend (event_data then holds attempt, max_attempts, delay_ms and message).
 */
export type LettaEventMessage = LettaMessageBase & {
  message_type?: "event_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * Kind of event (`compaction`, `retry`, ...).
   */
  event_type: string;
  /**
   * Event details; depend on event_type.
   */
  event_data: {};
};
/**
 * Marks reasoning the provider redacted or omitted.
 */
export type LettaHiddenReasoningMessage = LettaMessageBase & {
  message_type?: "hidden_reasoning_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  state: "redacted" | "omitted";
  /**
   * Opaque redacted reasoning, if provided.
   */
  hidden_reasoning?: string | null;
};
/**
 * Visible model reasoning, streamed in chunks like assistant text.
 */
export type LettaReasoningMessage = LettaMessageBase & {
  message_type?: "reasoning_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * Reasoning text of this chunk.
   */
  reasoning: string;
  source?: "reasoner_model" | "non_reasoner_model";
  /**
   * Provider signature of the reasoning block.
   */
  signature?: string | null;
};
/**
 * Ends a Letta run's stream and says why. `requires_approval` does not end the turn.
 */
export type LettaStopReason = LettaMessageBase & {
  message_type?: "stop_reason";
  stop_reason: StopReason;
};
/**
 * Why a Letta run or turn stopped. `end_turn` is a normal finish; `requires_approval` pauses the turn for a tool approval; the others report errors, limits or cancellation.
 */
export type StopReason =
  | "end_turn"
  | "error"
  | "llm_api_error"
  | "invalid_llm_response"
  | "invalid_tool_call"
  | "max_steps"
  | "max_tokens_exceeded"
  | "no_tool_call"
  | "tool_rule"
  | "cancelled"
  | "insufficient_credits"
  | "requires_approval"
  | "context_window_overflow_in_system_prompt";
/**
 * The summary that replaced older messages after a compaction.
 */
export type LettaSummaryMessage = LettaMessageBase & {
  message_type?: "summary_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * Summary text.
   */
  summary: string;
  /**
   * Statistics of the compaction.
   */
  compaction_stats?: {} | null;
};
/**
 * A system message of the conversation.
 */
export type LettaSystemMessage = LettaMessageBase & {
  message_type?: "system_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * System prompt text.
   */
  content: string;
};
/**
 * A tool call the agent makes that needs no approval, streamed in chunks.
 */
export type LettaToolCallMessage = LettaMessageBase & {
  message_type?: "tool_call_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  tool_call: LettaToolCallDelta;
  /**
   * All tool calls of the message (parallel tool calling).
   */
  tool_calls?: LettaToolCallDelta[] | LettaToolCallDelta | null;
};
/**
 * Result of a tool call. On the main stream the runtime rewrites it: the results are in `tool_returns` and the top-level `tool_call_id`, `status`, `tool_return`, `stdout` and `stderr` are removed, except on results it synthesises itself (streamed tool output, interrupts), which carry both. Subagent deltas pass it through unchanged.
 */
export type LettaToolReturnMessage = LettaMessageBase & {
  message_type?: "tool_return_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  /**
   * One entry per tool call answered.
   */
  tool_returns?:
    | {
        /**
         * The tool call this result answers.
         */
        tool_call_id: string;
        status: "success" | "error";
        /**
         * Result text (always a string on the main stream; Letta content parts in raw subagent deltas).
         */
        tool_return: string | (LettaTextContent | LettaImageContent)[];
        stdout?: string[] | null;
        stderr?: string[] | null;
        type?: "tool";
      }[]
    | null;
  /**
   * Present only on runtime-synthesised results and raw subagent deltas.
   */
  tool_call_id?: string;
  /**
   * Present only on runtime-synthesised results and raw subagent deltas.
   */
  status?: "success" | "error";
  /**
   * Present only on runtime-synthesised results and raw subagent deltas.
   */
  tool_return?: string;
  stdout?: string[] | null;
  stderr?: string[] | null;
};
/**
 * Token counters of a run (in a stream delta) or of the whole turn (in turn_finished.usage, without message_type).
 */
export type LettaUsageStatistics = LettaMessageBase & {
  message_type?: "usage_statistics";
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  step_count?: number;
  cached_input_tokens?: number | null;
  cache_write_tokens?: number | null;
  reasoning_tokens?: number | null;
  context_tokens?: number | null;
  /**
   * Runs counted.
   */
  run_ids?: string[] | null;
};
/**
 * A user message. The runtime also emits an echo of each dequeued input (id `user-msg-<uuid>`, `otid` = client_message_id, `created_by_id` = acting user).
 */
export type LettaUserMessage = LettaMessageBase & {
  message_type?: "user_message";
  /**
   * Letta message id.
   */
  id: string;
  /**
   * ISO-8601 creation time.
   */
  date: string;
  content: LettaMessageContent;
  /**
   * Acting user id attached by the runtime to its input echo.
   */
  created_by_id?: string;
};
/**
 * The phase a conversation's agent loop is in. `WAITING_ON_INPUT` is idle; the others mean a turn, an approval wait or a slash command is in progress.
 */
export type LoopStatus =
  | "SENDING_API_REQUEST"
  | "WAITING_FOR_API_RESPONSE"
  | "RETRYING_API_REQUEST"
  | "PROCESSING_API_RESPONSE"
  | "EXECUTING_CLIENT_SIDE_TOOL"
  | "EXECUTING_COMMAND"
  | "WAITING_ON_APPROVAL"
  | "WAITING_ON_INPUT";
/**
 * OAuth credentials accepted by connect_provider.oauth_config: either ChatGPT tokens or generic provider tokens.
 */
export type ProviderOAuthConfig = ChatGPTOAuthConfig | ProviderOAuthTokensConfig;
/**
 * Provider store that connect-provider commands read or write. The runtime only supports (and only accepts) the local store.
 */
export type ProviderStorageTarget = "local";
/**
 * Where reflection settings are persisted: the local project, the global settings, or both.
 */
export type ReflectionSettingsScope = "local_project" | "global" | "both";
/**
 * Sent after the runtime classified the tool calls awaiting approval: which it allowed or denied by itself and which need the user (those get a control_request).
 */
export type StreamDeltaApprovalClassificationEnd = StreamDeltaLifecycleBase & {
  message_type: "approval_classification_end";
  /**
   * Tool calls allowed by permission rules or mode.
   */
  auto_allowed_tool_call_ids: string[];
  /**
   * Tool calls denied by permission rules.
   */
  auto_denied_tool_call_ids: string[];
  /**
   * Tool calls that wait for an answer from the user.
   */
  user_input_tool_call_ids: string[];
};
/**
 * A client-side tool call finished (or was denied or aborted: status `error`).
 */
export type StreamDeltaClientToolEnd = StreamDeltaLifecycleBase & {
  message_type: "client_tool_end";
  /**
   * The tool call that finished.
   */
  tool_call_id: string;
  status: "success" | "error";
};
/**
 * A client-side tool call starts executing on the runtime.
 */
export type StreamDeltaClientToolStart = StreamDeltaLifecycleBase & {
  message_type: "client_tool_start";
  /**
   * The tool call being executed.
   */
  tool_call_id: string;
  /**
   * Tool name.
   */
  tool_name?: string;
  /**
   * JSON-encoded arguments.
   */
  tool_args?: string;
};
/**
 * A shell command finished. Declared but not emitted by 0.32.18.
 */
export type StreamDeltaCommandEnd = StreamDeltaLifecycleBase & {
  message_type: "command_end";
  /**
   * Command id.
   */
  command_id: string;
  /**
   * Command text.
   */
  input: string;
  /**
   * Command output.
   */
  output: string;
  success: boolean;
  /**
   * Render the output dimmed.
   */
  dim_output?: boolean;
  /**
   * Output is already formatted.
   */
  preformatted?: boolean;
};
/**
 * A shell command started. Declared but not emitted by 0.32.18 (execute_command uses the slash_command deltas).
 */
export type StreamDeltaCommandStart = StreamDeltaLifecycleBase & {
  message_type: "command_start";
  /**
   * Command id.
   */
  command_id: string;
  /**
   * Command text.
   */
  input: string;
};
/**
 * An error in the turn loop: a failed run, a handler exception, or an invalid `input` payload ("Protocol violation: ..."). `is_terminal` says whether the turn ended. This is the runtime's only error event.
 */
export type StreamDeltaLoopError = StreamDeltaLifecycleBase & {
  message_type: "loop_error";
  /**
   * Error text (may be a JSON dump of the provider error).
   */
  message: string;
  stop_reason: StopReason;
  /**
   * True when the turn ended with this error.
   */
  is_terminal: boolean;
  api_error?: LettaErrorMessage;
};
/**
 * A Letta message chunk forwarded by the runtime, marked with `type: "message"` and discriminated by `message_type`. Letta `ping` and `response_state` chunks are never forwarded. Deltas of subagents are raw lines of the child process and may carry extra fields.
 */
export type StreamDeltaMessage = (
  | LettaSystemMessage
  | LettaUserMessage
  | LettaAssistantMessage
  | LettaReasoningMessage
  | LettaHiddenReasoningMessage
  | LettaToolCallMessage
  | LettaToolReturnMessage
  | LettaApprovalRequestMessage
  | LettaApprovalResponseMessage
  | LettaEventMessage
  | LettaSummaryMessage
  | LettaErrorMessage
  | LettaStopReason
  | LettaUsageStatistics
) & {
  type: "message";
  /**
   * Letta message kind.
   */
  message_type:
    | "system_message"
    | "user_message"
    | "assistant_message"
    | "reasoning_message"
    | "hidden_reasoning_message"
    | "tool_call_message"
    | "tool_return_message"
    | "approval_request_message"
    | "approval_response_message"
    | "event_message"
    | "summary_message"
    | "error_message"
    | "stop_reason"
    | "usage_statistics";
};
/**
 * The runtime will retry a failed LLM request or run after `delay_ms`.
 */
export type StreamDeltaRetry = StreamDeltaLifecycleBase & {
  message_type: "retry";
  /**
   * What failed and what happens next.
   */
  message: string;
  reason: StopReason;
  /**
   * Number of this retry.
   */
  attempt: number;
  /**
   * Retries allowed in all.
   */
  max_attempts: number;
  /**
   * Wait before the retry.
   */
  delay_ms: number;
  /**
   * Set on retries relayed from Letta Cloud.
   */
  retry_kind?: "provider_retry" | "transport_fallback";
  /**
   * LLM provider being retried.
   */
  provider?: string;
  from_transport?: string | null;
  to_transport?: string | null;
  error_code?: string | null;
  step_id?: string | null;
};
/**
 * An execute_command (slash command) finished.
 */
export type StreamDeltaSlashCommandEnd = StreamDeltaLifecycleBase & {
  message_type: "slash_command_end";
  /**
   * The command id of the execute_command.
   */
  command_id: string;
  /**
   * The command as typed.
   */
  input: string;
  /**
   * Text result.
   */
  output: string;
  success: boolean;
};
/**
 * An execute_command (slash command) started.
 */
export type StreamDeltaSlashCommandStart = StreamDeltaLifecycleBase & {
  message_type: "slash_command_start";
  /**
   * The command id of the execute_command.
   */
  command_id: string;
  /**
   * The command as typed, e.g. `/compact`.
   */
  input: string;
};
/**
 * A short notice for the user, e.g. "Interrupted" (level warning) after an abort.
 */
export type StreamDeltaStatus = StreamDeltaLifecycleBase & {
  message_type: "status";
  /**
   * Notice text.
   */
  message: string;
  level: "info" | "success" | "warning";
};
/**
 * Payload of a stream_delta: a forwarded Letta message chunk (`type: "message"`) or a runtime lifecycle notice (no `type`). Every variant has a distinct `message_type`.
 */
export type StreamDelta = (
  | StreamDeltaMessage
  | StreamDeltaApprovalClassificationEnd
  | StreamDeltaClientToolStart
  | StreamDeltaClientToolEnd
  | StreamDeltaCommandStart
  | StreamDeltaCommandEnd
  | StreamDeltaSlashCommandStart
  | StreamDeltaSlashCommandEnd
  | StreamDeltaStatus
  | StreamDeltaRetry
  | StreamDeltaLoopError
) & {
  /**
   * Variant discriminator.
   */
  message_type: string;
};
/**
 * Client-chosen name of a terminal session; every terminal command and event carries it. Sessions are kept per connection, so the same id on two connections names two terminals.
 */
export type TerminalId = string;
/**
 * Asks the client to approve a tool call. Re-sent on reconnect and after sync while still pending; answer with an input whose payload is approval_response with the same request_id.
 */
export type ControlRequestEvent = EventEnvelope & {
  type: "control_request";
  /**
   * `perm-<tool_call_id>`; echo it in the approval_response.
   */
  request_id: string;
  request: ControlRequestBody;
  /**
   * Agent of the conversation (repeats runtime.agent_id).
   */
  agent_id?: string;
  /**
   * Conversation (repeats runtime.conversation_id).
   */
  conversation_id?: string;
};
/**
 * Answers launch_subagent once the subagent has started (or failed to start within the startup timeout). On success it names the background task and where its output goes.
 */
export type LaunchSubagentResponseEvent = (
  | {
      success: true;
      /**
       * Background task id (as in background_processes).
       */
      task_id: string;
      /**
       * File the subagent's output is written to.
       */
      output_file: string;
      agent_id: string | null;
      conversation_id: string | null;
    }
  | {
      success: false;
      error: string;
    }
) & {
  type: "launch_subagent_response";
  request_id: string;
  success: boolean;
};
/**
 * One piece of turn output or a lifecycle notice for a scope: Letta message chunks (assistant text, tool calls, tool results, stop reason, usage) and runtime notices (tool execution, retries, errors). Goes on the stream socket in split mode.
 */
export type StreamDeltaEvent = EventEnvelope & {
  type: "stream_delta";
  delta: StreamDelta;
  /**
   * Set when the delta comes from a subagent; the delta is then a raw line of that subagent.
   */
  subagent_id?: string;
};
/**
 * Later answer to teleport_request, sent only to the requesting connection once the conversation reached a point where it can move: carries the permission mode and any tool results the destination must continue with.
 */
export type TeleportReadyEvent = EventEnvelope & {
  type: "teleport_ready";
  teleport_id: string;
  success: boolean;
  /**
   * Whether a turn was in progress when the conversation was handed over.
   */
  active_turn: boolean;
  mode?: PermissionMode;
  continuation?: TeleportContinuation;
  error?: string;
};
/**
 * Sent once when a turn is over (finished, failed or cancelled), after its last stream_delta. Goes on the control socket in split mode.
 */
export type TurnFinishedEvent = EventEnvelope & {
  type: "turn_finished";
  /**
   * Id of the dequeued batch that formed the turn (`batch-...`).
   */
  turn_id: string;
  stop_reason: StopReason;
  /**
   * Last Letta run of the turn, if one started.
   */
  run_id?: string;
  /**
   * Error text when the turn failed.
   */
  error?: string;
  usage?: LettaUsageStatistics;
};
/**
 * Full device-status snapshot of one conversation. Sent when a socket opens (for live conversations), on sync and runtime_start (left out of a sync replay if unchanged, unless forced), and whenever mode, cwd, toolset, skills, background processes or pending approvals change.
 */
export type UpdateDeviceStatusEvent = EventEnvelope & {
  type: "update_device_status";
  device_status: DeviceStatus;
};
/**
 * Full loop-state snapshot of one conversation. Sent on connect, on sync and runtime_start, on every loop phase change and when a run id first appears.
 */
export type UpdateLoopStatusEvent = EventEnvelope & {
  type: "update_loop_status";
  loop_status: LoopState;
};
/**
 * Full snapshot of a conversation's input queue, plus the items that left it since the last snapshot, in order. Sent on every queue change, on sync and runtime_start (with an empty removed list), and after remove_queue_item.
 */
export type UpdateQueueEvent = EventEnvelope & {
  type: "update_queue";
  queue: QueueMessage[];
  /**
   * Items dequeued or cancelled since the previous snapshot, oldest first; may be empty.
   */
  removed: QueueRemovalTransition[];
};
/**
 * Full list of the subagents launched from one conversation (silent foreground ones left out). Sent on sync and runtime_start and whenever a subagent changes.
 */
export type UpdateSubagentStateEvent = EventEnvelope & {
  type: "update_subagent_state";
  subagents: SubagentSnapshot[];
};

/**
 * A Letta agent object (AgentState of the Letta API), passed through unchanged; not modelled here.
 */
export interface AgentState {}
/**
 * What a BYOR server knows of one runtime: who it is, whether it is connected, since when, and when it was last heard from.
 */
export interface ByorRuntimeInfo {
  /**
   * The runtime's id on this server (its device id).
   */
  id: string;
  /**
   * The --env-name it registered with (App Server mode: the name it reports, or the one the server was given).
   */
  connection_name: string;
  /**
   * The connectionId the server gave it at its last registration.
   */
  connection_id?: string | null;
  online: boolean;
  /**
   * ISO time of its current (or last) connection.
   */
  connected_at?: string | null;
  /**
   * ISO time of the last frame it sent.
   */
  last_seen_at?: string | null;
  /**
   * How the runtime reaches the server: remote (it registered and dialled in: letta remote) or app_server (the server dials it: letta server --listen). Absent from servers that predate App Server support: read it as remote.
   */
  mode?: "remote" | "app_server";
}
/**
 * Settings of a channel account to create. The runtime rejects the whole command if this object has any key not listed here.
 */
export interface ChannelAccountCreatePayload {
  /**
   * Chosen by the runtime when absent.
   */
  account_id?: string;
  display_name?: string;
  enabled?: boolean;
  dm_policy?: ChannelDmPolicy;
  allowed_users?: string[];
  config?: ChannelPluginConfig;
}
/**
 * Free-form settings object owned by the channel plugin (snake_case keys). In snapshots it is redacted (secrets become has_* flags); in commands the plugin validates it when the command is handled.
 */
export interface ChannelPluginConfig {}
/**
 * State of one account (one bot or login) of a channel: its settings plus whether it is configured and running, and when it was created and last changed.
 */
export interface ChannelAccountSnapshot {
  channel_id: ChannelId;
  account_id: string;
  /**
   * Absent until the runtime has learned a name for the account (e.g. the bot name).
   */
  display_name?: string;
  enabled: boolean;
  dm_policy: ChannelDmPolicy;
  /**
   * Platform user ids allowed to message the agent.
   */
  allowed_users: string[];
  config: ChannelPluginConfig;
  configured: boolean;
  running: boolean;
  /**
   * ISO-8601 time.
   */
  created_at: string;
  /**
   * ISO-8601 time.
   */
  updated_at: string;
}
/**
 * Changes to an existing channel account; absent keys stay unchanged. The account id cannot be changed, and any key not listed here makes the runtime reject the command.
 */
export interface ChannelAccountUpdatePatch {
  display_name?: string;
  enabled?: boolean;
  dm_policy?: ChannelDmPolicy;
  allowed_users?: string[];
  config?: ChannelPluginConfig;
}
/**
 * Keys every field of a channel config schema has, whatever its type: the config key it edits, its label and UI hints.
 */
export interface ChannelConfigFieldBase {
  /**
   * snake_case key inside the plugin config object.
   */
  key: string;
  label: string;
  description?: string;
  required?: boolean;
  /**
   * UI hint: changing the value only takes effect after a restart.
   */
  restartRequired?: boolean;
  /**
   * Stored once for the channel (app, the default) or per account.
   */
  scope?: "app" | "account";
}
/**
 * One choice of a select field: stored value and display label.
 */
export interface ChannelConfigSelectOption {
  value: string;
  label: string;
}
/**
 * Declarative description of a channel plugin's settings, so a client can render a settings form instead of raw JSON.
 */
export interface ChannelConfigSchema {
  version: 1;
  fields: ChannelConfigField[];
}
/**
 * Current settings of one channel account, as returned by channel_get_config and channel_set_config.
 */
export interface ChannelConfigSnapshot {
  channel_id: ChannelId;
  account_id: string;
  /**
   * Absent until the runtime has learned a name for the account (e.g. the bot name).
   */
  display_name?: string;
  enabled: boolean;
  dm_policy: ChannelDmPolicy;
  /**
   * Platform user ids allowed to message the agent.
   */
  allowed_users: string[];
  config: ChannelPluginConfig;
}
/**
 * A pairing request from a platform user that is waiting for approval: the code the user received and who sent it.
 */
export interface ChannelPendingPairing {
  account_id: string;
  /**
   * Code to pass to channel_pairing_bind.
   */
  code: string;
  sender_id: string;
  sender_name?: string;
  chat_id: string;
  /**
   * ISO-8601 time.
   */
  created_at: string;
  /**
   * ISO-8601 time.
   */
  expires_at: string;
}
/**
 * A route: messages from one chat (optionally one thread) of a channel account are delivered to one agent conversation.
 */
export interface ChannelRouteSnapshot {
  channel_id: ChannelId;
  account_id: string;
  chat_id: string;
  chat_type?: "direct" | "channel";
  /**
   * Thread the route is limited to; null for the whole chat.
   */
  thread_id?: string | null;
  agent_id: string;
  conversation_id: string;
  enabled: boolean;
  /**
   * Whether the agent may post to the chat on its own initiative.
   */
  outbound_enabled?: boolean;
  /**
   * ISO-8601 time.
   */
  created_at: string;
  /**
   * ISO-8601 time.
   */
  updated_at: string;
}
/**
 * Changes to a channel account's DM policy, allow-list and plugin settings. Any key not listed here makes the runtime reject the command.
 */
export interface ChannelSetConfigPayload {
  dm_policy?: ChannelDmPolicy;
  allowed_users?: string[];
  plugin_config?: ChannelPluginConfig;
}
/**
 * Overview of one channel plugin on this runtime: whether it is configured, enabled and running, its DM policy and counters, and its settings schema.
 */
export interface ChannelSummary {
  channel_id: ChannelId;
  display_name: string;
  configured: boolean;
  enabled: boolean;
  running: boolean;
  /**
   * Policy of the first account, or null when the channel has no account.
   */
  dm_policy: ChannelDmPolicy | null;
  pending_pairings_count: number;
  approved_users_count: number;
  routes_count: number;
  /**
   * Null when the plugin declares no schema.
   */
  config_schema: ChannelConfigSchema | null;
}
/**
 * A chat the channel account has discovered (e.g. a Slack channel the bot was added to) that can be bound to a conversation with channel_target_bind.
 */
export interface ChannelTargetSnapshot {
  channel_id: ChannelId;
  account_id: string;
  target_id: string;
  target_type: "channel";
  chat_id: string;
  label: string;
  /**
   * ISO-8601 time.
   */
  discovered_at: string;
  /**
   * ISO-8601 time.
   */
  last_seen_at: string;
  last_message_id?: string;
}
/**
 * ChatGPT (OpenAI Codex) OAuth tokens a client obtained itself and hands to connect_provider.
 */
export interface ChatGPTOAuthConfig {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  account_id: string;
  /**
   * Expiry time (epoch milliseconds).
   */
  expires_at: number;
}
/**
 * Structured failure of chatgpt_usage_read (this response reports errors as an object, not a string).
 */
export interface ChatGPTUsageError {
  code:
    | "bad_request"
    | "not_connected"
    | "unsupported_target"
    | "refresh_failed"
    | "unauthorized"
    | "forbidden"
    | "rate_limited"
    | "network_error"
    | "bad_response";
  message: string;
  /**
   * Suggested wait before retrying (rate_limited).
   */
  retryAfterMs?: number;
}
/**
 * Usage and limits of a connected ChatGPT subscription at one point in time.
 */
export interface ChatGPTUsageSnapshot {
  providerName: string;
  /**
   * ISO-8601 time the usage was read.
   */
  fetchedAt: string;
  /**
   * One-line human-readable summary.
   */
  summary: string;
  planType?: string | null;
  limitReached?: boolean | null;
  rateLimitReachedType?: string | null;
  primary: ChatGPTUsageWindow | null;
  secondary: ChatGPTUsageWindow | null;
  additional: ChatGPTUsageWindow[];
  credits?: {
    balance?: string | null;
    availableCount?: number | null;
    hasCredits?: boolean | null;
    unlimited?: boolean | null;
  } | null;
  individualLimit?: {
    limit: string;
    used: string;
    remainingPercent: number;
    resetsAt: number;
  } | null;
}
/**
 * One rate-limit window of a ChatGPT subscription (e.g. the 5-hour or weekly window).
 */
export interface ChatGPTUsageWindow {
  label: string;
  usedPercent: number | null;
  windowDurationMins: number | null;
  /**
   * Reset time (epoch), or null if unknown.
   */
  resetsAt: number | null;
}
/**
 * Per-turn choice of built-in client tools: a base toolset preset and extra bundled tools to load, without changing the saved preference.
 */
export interface ClientToolsetConfig {
  base?: ToolsetPreference;
  /**
   * Extra bundled client tools to load before the allowlist is applied.
   */
  include?: string[];
}
/**
 * What the runtime asks permission for. Only the `can_use_tool` subtype exists: a tool call the agent wants to run, with its parsed arguments and optional suggestions and diff previews.
 */
export interface ControlRequestBody {
  subtype: "can_use_tool";
  /**
   * Name of the tool the agent wants to call (e.g. `Bash`, `Edit`).
   */
  tool_name: string;
  /**
   * The tool call arguments, parsed from JSON; their shape depends on the tool.
   */
  input: {};
  /**
   * Id of the tool call; the request id is `perm-<tool_call_id>`.
   */
  tool_call_id: string;
  /**
   * Ways to remember the approval (e.g. `save-default`); empty for approvals recovered after a restart.
   */
  permission_suggestions: {
    /**
     * Suggestion id, echoed in `selected_permission_suggestion_ids` of an allow decision.
     */
    id: string;
    /**
     * Human-readable label of the suggestion.
     */
    text: string;
  }[];
  /**
   * Path that triggered the request, if any; null in practice.
   */
  blocked_path: string | null;
  /**
   * Previews for file-editing tools; omitted when there are none.
   */
  diffs?: DiffPreview[];
}
/**
 * Options of conversation_fork. The runtime rejects the frame if a given agent_id or message_id is an empty string.
 */
export interface ConversationForkBody {
  /**
   * Agent whose default conversation is forked (agent-direct mode).
   */
  agent_id?: string | null;
  /**
   * Hide the new conversation from listings.
   */
  hidden?: boolean;
  /**
   * Fork up to and including this message.
   */
  message_id?: string;
}
/**
 * A Letta conversation object (Conversation of the Letta API), passed through unchanged; not modelled here.
 */
export interface ConversationRecord {}
/**
 * A runtime scope whose agent may be unknown (null): used by sync and by the envelope of events. A null agent resolves to the runtime's only live conversation, if there is exactly one.
 */
export interface ConversationRuntimeScope {
  /**
   * Letta agent id, or null.
   */
  agent_id: string | null;
  /**
   * Conversation id, or "default".
   */
  conversation_id: string;
  /**
   * Relay-set acting user; echoed only by direct responses.
   */
  acting_user_id?: string;
}
/**
 * One finished run of a cron task from its run log (camelCase keys, as stored).
 */
export interface CronRunLogEntry {
  /**
   * Epoch milliseconds the entry was written.
   */
  ts: number;
  /**
   * Cron task id.
   */
  jobId: string;
  action: "finished";
  status?: "ok" | "error" | "skipped";
  outcome?: CronRunOutcome;
  reason?: CronRunReason;
  error?: string;
  summary?: string;
  agentId?: string;
  conversationId?: string;
  runId?: string;
  runAtMs?: number;
  queueItemId?: string;
  scheduledFor?: string | null;
  firedAt?: string;
}
/**
 * A page of a cron task's run history, newest first.
 */
export interface CronRunLogPage {
  entries: CronRunLogEntry[];
  total: number;
  offset: number;
  limit: number;
  hasMore: boolean;
  /**
   * Offset of the next page, or null on the last page.
   */
  nextOffset: number | null;
}
/**
 * A scheduled prompt stored by the runtime: what to send to which conversation and when, plus its run bookkeeping. Every key is always present.
 */
export interface CronTask {
  id: string;
  agent_id: string;
  /**
   * Target conversation id, "default", or "new" for a fresh conversation per run.
   */
  conversation_id: string;
  name: string;
  description: string;
  /**
   * Five-field cron expression.
   */
  cron: string;
  /**
   * IANA time zone the expression is evaluated in.
   */
  timezone: string;
  /**
   * false for a one-off task.
   */
  recurring: boolean;
  /**
   * Text queued into the conversation when the task fires.
   */
  prompt: string;
  status: "active" | "paused" | "fired" | "missed" | "cancelled";
  /**
   * ISO-8601.
   */
  created_at: string;
  /**
   * ISO-8601, or null.
   */
  expires_at: string | null;
  /**
   * ISO-8601, or null.
   */
  last_fired_at: string | null;
  fire_count: number;
  cancel_reason: ("conversation_not_found" | "expired") | null;
  jitter_offset_ms: number;
  /**
   * ISO-8601, or null.
   */
  last_run_at: string | null;
  last_run_outcome: CronRunOutcome | null;
  last_run_reason: CronRunReason | null;
  last_run_error: string | null;
  /**
   * ISO-8601, or null.
   */
  last_missed_at: string | null;
  missed_count: number;
  failed_count: number;
  /**
   * For one-off tasks: the ISO-8601 time it is due.
   */
  scheduled_for: string | null;
  /**
   * ISO-8601, or null.
   */
  fired_at: string | null;
  /**
   * ISO-8601, or null.
   */
  missed_at: string | null;
}
/**
 * Everything a client needs to draw the execution context of one conversation: connection, permission mode, working directory and git branch, toolset, loaded tools and skills, background processes, open approvals, experiments and the remote slash commands it can run.
 */
export interface DeviceStatus {
  /**
   * The connectionId the runtime got from register, or null before it has one.
   */
  current_connection_id: string | null;
  /**
   * The environment name the runtime registered with.
   */
  connection_name: string | null;
  /**
   * Whether the runtime's socket is open.
   */
  is_online: boolean;
  /**
   * Whether a turn is running in this conversation.
   */
  is_processing: boolean;
  current_permission_mode: PermissionMode;
  current_working_directory: string | null;
  /**
   * Counter bumped on every working-directory change, to tell stale cwd answers apart.
   */
  cwd_revision?: number;
  /**
   * Git state of the working directory; null outside a repository.
   */
  git_context: {
    /**
     * Checked-out branch; null on a detached HEAD or an empty repository.
     */
    branch: string | null;
    /**
     * Other local branches, most recently committed first.
     *
     * @maxItems 10
     */
    recent_branches: string[];
  } | null;
  /**
   * Read from the environment, so usually null for an installed runtime.
   */
  letta_code_version: string | null;
  /**
   * The toolset loaded now; null while the preference is `auto` and nothing was loaded yet.
   */
  current_toolset: ToolsetName | null;
  current_toolset_preference: ToolsetPreference;
  /**
   * Toolset choices to offer in a picker.
   */
  available_toolsets: {
    id: ToolsetPreference;
    display_name: string;
    label: string;
    description: string;
    is_featured: boolean;
  }[];
  /**
   * Names of the client tools loaded.
   */
  current_loaded_tools: string[];
  current_available_skills: {
    id: string;
    name: string;
    description: string;
    path: string;
    source: SkillSource;
  }[];
  /**
   * Running background work of this conversation, newest first.
   */
  background_processes: ((
    | {
        process_id: string;
        kind: "bash";
        command: string;
        started_at_ms: number | null;
        status: string;
        exit_code: number | null;
      }
    | {
        process_id: string;
        kind: "agent_task";
        task_type: string;
        description: string;
        started_at_ms: number;
        status: string;
        subagent_id: string | null;
        error?: string;
      }
    | {
        process_id: string;
        kind: "monitor";
        description: string;
        source: "command" | "websocket";
        started_at_ms: number;
        status: "running";
        persistent: boolean;
      }
  ) & {
    kind: string;
  })[];
  /**
   * Approvals still open in this conversation.
   */
  pending_control_requests: PendingControlRequest[];
  experiments: ExperimentSnapshot[];
  /**
   * Local folder of the agent's memory files; null without an agent.
   */
  memory_directory: string | null;
  /**
   * Only in snapshots not tied to a conversation: saved working directories keyed `conversation:<id>` or `agent:<agent_id>::conversation:default`.
   */
  cwd_map?: {
    [k: string]: string | undefined;
  };
  /**
   * Only in snapshots not tied to a conversation: the directory the runtime started in, used when cwd_map has no entry.
   */
  boot_working_directory?: string | null;
  /**
   * True when the runtime suggests running the `doctor` command (e.g. an oversized system prompt).
   */
  should_doctor?: boolean;
  /**
   * Null when the scope has no agent.
   */
  reflection_settings: ReflectionSettingsSnapshot | null;
  /**
   * Slash command ids this runtime runs through execute_command.
   */
  supported_commands: string[];
  /**
   * Slash commands added by locally loaded mods, also run through execute_command; left out when there are none.
   */
  mod_commands?: {
    id: string;
    description: string;
    /**
     * Argument hint for a command palette, e.g. `<query>`.
     */
    args?: string;
  }[];
}
/**
 * An approval the runtime is still waiting for in a conversation, as listed in the device status. Answer it like the control_request it came from.
 */
export interface PendingControlRequest {
  /**
   * The control_request id (`perm-<tool_call_id>`).
   */
  request_id: string;
  request: ControlRequestBody;
}
/**
 * State of one experimental feature flag.
 */
export interface ExperimentSnapshot {
  id:
    "artifacts" | "conversation_titles" | "desktop_conversation_bootstrap" | "diffs" | "reflection_arena" | "tui_cron";
  label: string;
  description: string;
  /**
   * Environment variable that can enable it.
   */
  envVar?: string;
  enabled: boolean;
  /**
   * What decided the enabled value.
   */
  source: "override" | "env" | "default";
  /**
   * Stored user override, or null.
   */
  override: boolean | null;
}
/**
 * Effective reflection settings of one agent.
 */
export interface ReflectionSettingsSnapshot {
  agent_id: string;
  trigger: ReflectionTrigger;
  step_count: number;
  merge: ReflectionMergeMode;
  merge_instructions: string;
}
/**
 * Fields the runtime adds to every event that goes through its outbound queue. event_seq counts per connection from 1, survives a reconnect with the same connectionId and restarts after a re-register.
 */
export interface EventEnvelope {
  runtime: ConversationRuntimeScope;
  /**
   * Per-connection sequence number of the written frame.
   */
  event_seq: number;
  /**
   * ISO-8601 UTC time the frame was emitted.
   */
  emitted_at: string;
  /**
   * Unique per emission, `<type>:<event_seq>:<uuid>`; for dropping relayed duplicates.
   */
  idempotency_key: string;
}
/**
 * A tool a controller offers to the agent. The runtime shows it to the model and forwards each call back to the controller as external_tool_call_request.
 */
export interface ExternalToolDefinition {
  /**
   * Tool name the model calls.
   */
  name: string;
  /**
   * Human-readable name for UIs.
   */
  label?: string;
  description: string;
  /**
   * JSON Schema of the tool's arguments, passed to the model as is.
   */
  parameters: {};
}
/**
 * A set of external tools, optionally under a scope id. Tools without a scope are offered on every turn; scoped ones only on turns whose input names the scope in external_tool_scope_ids.
 */
export interface ExternalToolGroup {
  /**
   * Controller-chosen scope that selects these tools per input.
   */
  scope_id?: string;
  tools: ExternalToolDefinition[];
}
/**
 * One matching line of a content search, with its position and optional surrounding lines.
 */
export interface FileGrepMatch {
  /**
   * File path relative to the search root.
   */
  path: string;
  /**
   * Line number of the match, counted from 1.
   */
  line: number;
  /**
   * Column where the match starts, counted from 1 (inclusive).
   */
  column: number;
  /**
   * Column just after the match ends, counted from 1 (exclusive).
   */
  column_end: number;
  /**
   * The whole matching line, without its line break.
   */
  text: string;
  /**
   * Context lines preceding the match (at most context_lines).
   */
  before?: string[];
  /**
   * Context lines following the match (at most context_lines).
   */
  after?: string[];
}
/**
 * One hit of a file-name search: a file or a directory whose path contains the query.
 */
export interface FileSearchEntry {
  /**
   * Path relative to the search root (a bare name when searching the home directory).
   */
  path: string;
  /**
   * Whether the hit is a file or a directory (the runtime returns directories too).
   */
  type: "file" | "dir";
}
/**
 * One node of a directory subtree returned by get_tree.
 */
export interface FileTreeEntry {
  /**
   * Path of the file or directory.
   */
  path: string;
  /**
   * Whether the node is a file or a directory.
   */
  type: "file" | "dir";
}
/**
 * One git branch found by search_branches; local and remote-tracking branches are both listed.
 */
export interface GitBranchInfo {
  /**
   * Short ref name, e.g. "main" or "origin/main".
   */
  name: string;
  /**
   * True for the branch checked out in the working tree.
   */
  is_current: boolean;
  /**
   * True for remote-tracking branches (the runtime tests for an "origin/" prefix).
   */
  is_remote: boolean;
}
/**
 * A text part of Letta message content: `{"type": "text", "text": "..."}`.
 */
export interface LettaTextContent {
  type: "text";
  /**
   * The text.
   */
  text: string;
  /**
   * Provider signature of the reasoning this text belongs to, if any.
   */
  signature?: string | null;
}
/**
 * An image part of Letta message content. The runtime itself reads only base64 sources (it resizes them for the model); the others are passed through.
 */
export interface LettaImageContent {
  type: "image";
  /**
   * Where the image is: inline base64 data, a URL, or a file stored by Letta.
   */
  source:
    | {
        type: "base64";
        /**
         * MIME type, e.g. `image/png`.
         */
        media_type: string;
        /**
         * The image bytes, base64-encoded.
         */
        data: string;
        /**
         * Detail level for the model: `low`, `high` or `auto`.
         */
        detail?: string | null;
      }
    | {
        type: "url";
        /**
         * Where to fetch the image.
         */
        url: string;
      }
    | {
        type: "letta";
        /**
         * Id of the image file Letta stored.
         */
        file_id: string;
        /**
         * The image bytes, base64-encoded, when included.
         */
        data?: string | null;
        /**
         * MIME type.
         */
        media_type?: string | null;
        /**
         * Detail level for the model: `low`, `high` or `auto`.
         */
        detail?: string | null;
      };
}
/**
 * A tool call recorded as a part of Letta message content.
 */
export interface LettaToolCallContent {
  type: "tool_call";
  /**
   * Tool call id.
   */
  id: string;
  /**
   * Tool name.
   */
  name: string;
  /**
   * Tool arguments.
   */
  input: {};
  /**
   * Provider signature of the reasoning this call belongs to, if any.
   */
  signature?: string | null;
}
/**
 * A tool result recorded as a part of Letta message content.
 */
export interface LettaToolReturnContent {
  type: "tool_return";
  /**
   * The tool call this result answers.
   */
  tool_call_id: string;
  /**
   * What the tool returned.
   */
  content: string;
  /**
   * The tool failed.
   */
  is_error: boolean;
}
/**
 * Model reasoning recorded as a part of Letta message content.
 */
export interface LettaReasoningContent {
  type: "reasoning";
  /**
   * Produced by a reasoning model (not prompted).
   */
  is_native: boolean;
  /**
   * The reasoning text.
   */
  reasoning: string;
  /**
   * Provider signature of the reasoning.
   */
  signature?: string | null;
}
/**
 * Reasoning the provider returned only in encrypted form, as a part of Letta message content.
 */
export interface LettaRedactedReasoningContent {
  type: "redacted_reasoning";
  /**
   * The provider's opaque reasoning data.
   */
  data: string;
}
/**
 * Marks reasoning the provider did not return, as a part of Letta message content.
 */
export interface LettaOmittedReasoningContent {
  type: "omitted_reasoning";
  /**
   * Provider signature of the omitted reasoning.
   */
  signature?: string | null;
}
/**
 * Optional fields shared by the Letta message kinds the runtime forwards in stream deltas. Chunks of one streamed message share `id`; `seq_id` orders chunks within a run.
 */
export interface LettaMessageBase {
  /**
   * Letta message id; streamed chunks of the same message repeat it.
   */
  id?: string;
  /**
   * ISO-8601 creation time.
   */
  date?: string;
  /**
   * Offline-threading id (for user messages, the client_message_id when one was given).
   */
  otid?: string | null;
  /**
   * Letta run that produced the message.
   */
  run_id?: string | null;
  /**
   * Agent step that produced the message.
   */
  step_id?: string | null;
  /**
   * Position of the chunk in the run's stream.
   */
  seq_id?: number | null;
  /**
   * Identity id of the sender, if any.
   */
  sender_id?: string | null;
  /**
   * Optional sender name.
   */
  name?: string | null;
  /**
   * Set on messages that report an error.
   */
  is_err?: boolean | null;
}
/**
 * A tool call as streamed by Letta: complete, or a partial delta in which any field may be missing (arguments arrive as JSON text in pieces).
 */
export interface LettaToolCallDelta {
  /**
   * Id of the tool call.
   */
  tool_call_id?: string | null;
  /**
   * Tool name.
   */
  name?: string | null;
  /**
   * JSON-encoded arguments (or a fragment of them in a delta).
   */
  arguments?: string | null;
}
/**
 * The runtime's authoritative view of one conversation's loop. Every snapshot is complete, so a client can replace its state with the latest one instead of pairing start/end events.
 */
export interface LoopState {
  status: LoopStatus;
  /**
   * Letta run ids of the turn in progress (zero or one in practice).
   */
  active_run_ids: string[];
  /**
   * For recent runs, the client_message_ids of the inputs each run consumed. Left out when there is nothing to report.
   */
  client_message_ids_by_run_id?: {
    [k: string]: string[] | undefined;
  };
  /**
   * Tool calls running on the device right now; empty unless status is EXECUTING_CLIENT_SIDE_TOOL.
   */
  executing_tool_call_ids: string[];
}
/**
 * One file of an agent's memory filesystem (MemFS), as listed by list_memory. Markdown files carry their body; images carry only size and MIME type.
 */
export interface MemoryFileEntry {
  /**
   * Path relative to the memory root, e.g. "system/persona.md".
   */
  relative_path: string;
  /**
   * True for files under system/ (pinned into the agent context).
   */
  is_system: boolean;
  /**
   * Description from the file's front matter, or null.
   */
  description: string | null;
  /**
   * Body without front matter; empty for images.
   */
  content: string;
  /**
   * Body length for markdown, byte size for images.
   */
  size: number;
  /**
   * Memory paths this file links to with [[wiki links]]; only when include_references was set.
   */
  references?: string[];
  /**
   * File kind.
   */
  kind?: "markdown" | "image";
  /**
   * MIME type of the file, e.g. "text/markdown" or "image/png".
   */
  mime_type?: string | null;
}
/**
 * One commit of an agent's memory git repository.
 */
export interface MemoryHistoryCommit {
  /**
   * Full commit hash.
   */
  sha: string;
  /**
   * Commit subject line.
   */
  message: string;
  /**
   * Author date, ISO-8601.
   */
  timestamp: string;
  /**
   * Author name, or null when git reported none.
   */
  author_name: string | null;
}
/**
 * One message to add to the conversation when a turn starts (Letta MessageCreate), plus an optional client_message_id the runtime uses to deduplicate retried inputs.
 */
export interface MessageCreate {
  /**
   * Author of the message; normally `user`.
   */
  role: "user" | "system" | "assistant";
  content: LettaMessageContent;
  /**
   * Client-chosen id; an input whose first id was already accepted is not run again. Also used as the message `otid` when none is given.
   */
  client_message_id?: string;
  /**
   * Offline-threading id of the message.
   */
  otid?: string | null;
  /**
   * Optional sender name.
   */
  name?: string | null;
  /**
   * Optional sender identity id.
   */
  sender_id?: string | null;
  /**
   * Letta batch item id.
   */
  batch_item_id?: string | null;
  /**
   * Letta group id.
   */
  group_id?: string | null;
  /**
   * Letta message-create discriminator.
   */
  type?: "message" | null;
}
/**
 * One selectable model in list_models_response: a catalog preset or a model the backend reports as available.
 */
export interface ModelListEntry {
  /**
   * Catalog id to pass back as update_model.payload.model_id (native entries use the handle).
   */
  id: string;
  /**
   * Provider-qualified model handle, e.g. "anthropic/claude-sonnet-4-6".
   */
  handle: string;
  /**
   * Human-readable name.
   */
  label: string;
  /**
   * Short description; may be empty.
   */
  description: string;
  isDefault?: boolean;
  isFeatured?: boolean;
  free?: boolean;
  /**
   * Model settings the runtime applies when this entry is selected (provider_type, reasoning_effort, context_window, ...).
   */
  updateArgs?: {};
}
/**
 * An alternative way to authenticate with a provider that offers several; its id goes in connect_provider.auth_method_id.
 */
export interface ProviderAuthMethod {
  id: string;
  label: string;
  description: string;
  fields: ProviderField[];
}
/**
 * One credential or setting input a provider asks for when connecting (API key, base URL, region, ...).
 */
export interface ProviderField {
  /**
   * Key to use in connect_provider.fields.
   */
  key: string;
  label: string;
  placeholder?: string;
  /**
   * Input should be masked.
   */
  secret?: boolean;
  required?: boolean;
}
/**
 * Whether (and how) one provider alias is connected in the store. Only is_connected is present when it is not.
 */
export interface ProviderConnectionState {
  is_connected: boolean;
  /**
   * Stored provider record id.
   */
  id?: string;
  /**
   * Alias the provider is stored under.
   */
  provider_name?: string;
  provider_type?: string;
  auth_type?: "api" | "oauth";
  base_url?: string;
  /**
   * Request timeout, or false when disabled.
   */
  timeout?: number | false;
  region?: string;
}
/**
 * One connectable provider as listed by the connect-provider responses, with the inputs it needs and its current connection state.
 */
export interface ProviderEntry {
  /**
   * Value for connect_provider.provider_id.
   */
  id: string;
  display_name: string;
  description: string;
  provider_type: string;
  /**
   * Default alias used when connecting.
   */
  provider_name: string;
  /**
   * Every alias that maps to this row.
   */
  provider_names: string[];
  /**
   * Connects through an OAuth flow instead of fields.
   */
  is_oauth?: boolean;
  oauth_provider_id?: string;
  requires_api_key: boolean;
  fields?: ProviderField[];
  auth_methods?: ProviderAuthMethod[];
  connected: ProviderConnectionState;
  /**
   * All connected aliases of this row.
   */
  connected_providers: ProviderConnectionState[];
}
/**
 * Generic subscription OAuth tokens for a provider, from a login flow the client ran itself. A refresh token is mandatory so the runtime can renew access; extra provider-specific keys are kept.
 */
export interface ProviderOAuthTokensConfig {
  type: "oauth";
  /**
   * Access token (must not be blank).
   */
  access: string;
  /**
   * Refresh token (must not be blank).
   */
  refresh: string;
  /**
   * Expiry time (epoch milliseconds).
   */
  expires: number;
}
/**
 * One input waiting in a conversation's queue for the current turn to end.
 */
export interface QueueMessage {
  /**
   * Queue item id; pass it to remove_queue_item.
   */
  id: string;
  /**
   * The sender's id for the input, or one the runtime made up (`cm-<id>`) when none was given.
   */
  client_message_id: string;
  /**
   * What produced the item.
   */
  kind: "message" | "task_notification" | "cron_prompt" | "approval_result" | "overlay_action" | "mod_continue";
  /**
   * Who the item is attributed to.
   */
  source: "user" | "task_notification" | "cron" | "subagent" | "system" | "channel";
  content: LettaMessageContent;
  /**
   * ISO-8601 UTC time the item was queued.
   */
  enqueued_at: string;
  /**
   * Present (true) when a user interrupt parked the item; resume_queue or a new input releases it.
   */
  paused?: boolean;
}
/**
 * One item that left the input queue since the previous snapshot: `dequeued` when it started a turn, `cancelled` when it was dropped.
 */
export interface QueueRemovalTransition {
  client_message_id: string;
  disposition: "dequeued" | "cancelled";
}
/**
 * CLI launch options that apply to one conversation of the runtime (tool allow/deny lists, turn limit, subagent role, ...). The runtime checks every listed field's type and drops a runtime_start whose settings do not match.
 */
export interface RuntimeExecutionSettings {
  /**
   * Exact tool set to load.
   */
  tools?: string[];
  preload_skills?: string[];
  /**
   * Tools allowed without asking.
   */
  allowed_tools: string[];
  /**
   * Tools that are always refused.
   */
  disallowed_tools: string[];
  max_turns?: number;
  parent_agent_id?: string;
  agent_role?: "subagent";
  transcript_path?: string;
  memory_directory?: string;
  disable_memory_guard: boolean;
}
/**
 * Names one conversation of one agent on a runtime. Commands that carry it subscribe the sending connection to that scope; the runtime rejects the frame if either id is missing or empty.
 */
export interface RuntimeScope {
  /**
   * Letta agent id.
   */
  agent_id: string;
  /**
   * Conversation id, or "default" for the agent's default conversation.
   */
  conversation_id: string;
  /**
   * Set by a relay on inbound frames to attribute the action to a user; echoed only by direct responses.
   */
  acting_user_id?: string;
}
/**
 * Fields of every runtime-generated lifecycle delta. These deltas have no `type` field; `message_type` tells them apart. Ids look like `lifecycle-<uuid>`.
 */
export interface StreamDeltaLifecycleBase {
  /**
   * Delta id (`lifecycle-<uuid>`, or the approval message id for client tool events).
   */
  id: string;
  /**
   * ISO-8601 time the delta was created.
   */
  date: string;
  /**
   * Lifecycle kind.
   */
  message_type: string;
  /**
   * Letta run the delta belongs to, when known.
   */
  run_id?: string;
}
/**
 * The current state of one subagent launched from a conversation, as listed in update_subagent_state.
 */
export interface SubagentSnapshot {
  subagent_id: string;
  /**
   * Kind of subagent, e.g. `general-purpose` or `explore`.
   */
  subagent_type: string;
  /**
   * Short label of the task given to it.
   */
  description: string;
  prompt?: string;
  status: "pending" | "running" | "completed" | "error";
  /**
   * Link to the subagent's agent, or null before it exists.
   */
  agent_url: string | null;
  /**
   * The subagent's own conversation, when known.
   */
  conversation_id?: string | null;
  model?: string;
  is_background?: boolean;
  silent?: boolean;
  /**
   * The parent's tool call that launched it.
   */
  tool_call_id?: string;
  parent_agent_id?: string;
  parent_conversation_id?: string;
  /**
   * Launch time, epoch milliseconds.
   */
  start_time: number;
  /**
   * Tool calls the subagent has made so far.
   */
  tool_calls: {
    id: string;
    name: string;
    /**
     * Arguments as a JSON string.
     */
    args: string;
  }[];
  total_tokens: number;
  duration_ms: number;
  error?: string;
}
/**
 * Tool results a conversation still owed when it was teleported, carried from the source runtime to the destination so the turn can go on there.
 */
export interface TeleportContinuation {
  /**
   * Items: A Letta approval or tool-return item, passed through unchanged.
   */
  approvals: {}[];
}
/**
 * Accepts one socket of a paired split-channel connection attempt. Only used when the register response enabled both supportsSplitStatusChannels and supportsPairedListenerGenerations; it must echo the attempt's query parameters.
 */
export interface ListenerReadyFrame {
  type: "listener_ready";
  /**
   * The connectionGeneration query parameter of the socket.
   */
  connection_generation: string;
  /**
   * The connectionAttempt query parameter of the socket.
   */
  connection_attempt: number;
}
/**
 * The runtime's heartbeat, sent every 30 s on each of its sockets. The server must answer {"type":"pong"} on the control socket; after three unanswered pings the runtime drops the socket.
 */
export interface PingFrame {
  type: "ping";
}
/**
 * The server's answer to the runtime's ping. Only a JSON pong on the control socket counts as life; WebSocket protocol pongs do not. Extra fields are ignored.
 */
export interface PongFrame {
  type: "pong";
  /**
   * Optional send time in epoch ms; the runtime ignores it.
   */
  timestamp?: number;
}
/**
 * Interrupts the running turn (or pending approval) of a conversation and parks the queued inputs. With a request_id the runtime answers abort_message_response; the turn itself ends with turn_finished `cancelled`.
 */
export interface AbortMessageCommand {
  type: "abort_message";
  runtime: ConversationRuntimeScope;
  /**
   * Without it no abort_message_response is sent.
   */
  request_id?: string;
  /**
   * The run the client means to stop.
   */
  run_id?: string | null;
}
/**
 * Creates an agent from a raw Letta create body through the runtime's backend.
 */
export interface AgentCreateCommand {
  type: "agent_create";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta agent create parameters (passthrough).
   */
  body: {};
}
/**
 * Deletes an agent through the runtime's backend.
 */
export interface AgentDeleteCommand {
  type: "agent_delete";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta agent id.
   */
  agent_id: string;
}
/**
 * Lists agents through the runtime's backend.
 */
export interface AgentListCommand {
  type: "agent_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Query parameters forwarded to the Letta agents list API (passthrough).
   */
  query?: {};
}
/**
 * Reads one agent through the runtime's backend.
 */
export interface AgentRetrieveCommand {
  type: "agent_retrieve";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta agent id.
   */
  agent_id: string;
}
/**
 * Updates an agent through the runtime's backend.
 */
export interface AgentUpdateCommand {
  type: "agent_update";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta agent id.
   */
  agent_id: string;
  /**
   * Letta agent update parameters (passthrough).
   */
  body: {};
}
/**
 * Asks the runtime for its version, backend and capabilities. Answered by app_server_info_response.
 */
export interface AppServerInfoCommand {
  type: "app_server_info";
  request_id: string;
}
/**
 * Changes the permission mode and/or working directory of a conversation. There is no direct answer: the runtime emits update_loop_status and update_device_status, or a loop_error stream delta when the mode or directory is refused.
 */
export interface ChangeDeviceStateCommand {
  type: "change_device_state";
  runtime: ConversationRuntimeScope;
  payload: {
    /**
     * New permission mode. The legacy names `default` (= standard) and `bypassPermissions` / `fullAccess` (= unrestricted) are still accepted; any other value is refused with a loop_error.
     */
    mode?: PermissionMode | ("default" | "bypassPermissions" | "fullAccess");
    /**
     * New working directory.
     */
    cwd?: string;
    /**
     * Overrides runtime.agent_id for the change.
     */
    agent_id?: string | null;
    /**
     * Overrides runtime.conversation_id for the change.
     */
    conversation_id?: string | null;
  };
}
/**
 * Binds a channel account to an agent conversation, so its chats are delivered there. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountBindCommand {
  type: "channel_account_bind";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
  runtime: RuntimeScope;
}
/**
 * Creates an account (e.g. a bot) for a channel. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountCreateCommand {
  type: "channel_account_create";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account: ChannelAccountCreatePayload;
}
/**
 * Deletes a channel account with its pairings, routes and targets. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountDeleteCommand {
  type: "channel_account_delete";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
}
/**
 * Starts (connects) one channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountStartCommand {
  type: "channel_account_start";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
}
/**
 * Stops (disconnects) one channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountStopCommand {
  type: "channel_account_stop";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
}
/**
 * Removes the agent binding of a channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountUnbindCommand {
  type: "channel_account_unbind";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
}
/**
 * Changes the settings of an existing channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountUpdateCommand {
  type: "channel_account_update";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  account_id: string;
  patch: ChannelAccountUpdatePatch;
}
/**
 * Lists the accounts of one channel. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelAccountsListCommand {
  type: "channel_accounts_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
}
/**
 * Reads the settings of a channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelGetConfigCommand {
  type: "channel_get_config";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
}
/**
 * Approves a pairing code and routes the paired chat to an agent conversation. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelPairingBindCommand {
  type: "channel_pairing_bind";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
  runtime: RuntimeScope;
  /**
   * Pairing code the platform user received.
   */
  code: string;
}
/**
 * Lists the pairing requests of a channel that wait for approval. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelPairingsListCommand {
  type: "channel_pairings_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
}
/**
 * Removes the route of one chat. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelRouteRemoveCommand {
  type: "channel_route_remove";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
  /**
   * Chat whose route is removed.
   */
  chat_id: string;
}
/**
 * Points the route of one chat at another agent conversation. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelRouteUpdateCommand {
  type: "channel_route_update";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
  /**
   * Chat whose route is changed.
   */
  chat_id: string;
  runtime: RuntimeScope;
}
/**
 * Lists chat-to-conversation routes, optionally filtered by channel, account, agent or conversation. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelRoutesListCommand {
  type: "channel_routes_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id?: ChannelId;
  account_id?: string;
  agent_id?: string;
  conversation_id?: string;
}
/**
 * Changes the DM policy, allow-list or plugin settings of a channel account. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelSetConfigCommand {
  type: "channel_set_config";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
  config: ChannelSetConfigPayload;
}
/**
 * Starts a channel (or one of its accounts). Answered only when the runtime runs the channel gateway.
 */
export interface ChannelStartCommand {
  type: "channel_start";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
}
/**
 * Stops a channel (or one of its accounts). Answered only when the runtime runs the channel gateway.
 */
export interface ChannelStopCommand {
  type: "channel_stop";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
}
/**
 * Routes a discovered chat (target) to an agent conversation. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelTargetBindCommand {
  type: "channel_target_bind";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
  runtime: RuntimeScope;
  /**
   * target_id from channel_targets_list.
   */
  target_id: string;
}
/**
 * Lists the chats a channel account has discovered and that can be bound. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelTargetsListCommand {
  type: "channel_targets_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  channel_id: ChannelId;
  /**
   * Account to act on; the channel's default account when absent.
   */
  account_id?: string;
}
/**
 * Lists the channel plugins known to the runtime with their state. Answered only when the runtime runs the channel gateway.
 */
export interface ChannelsListCommand {
  type: "channels_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
}
/**
 * Reads the usage and rate-limit windows of a connected ChatGPT subscription.
 */
export interface ChatgptUsageReadCommand {
  type: "chatgpt_usage_read";
  /**
   * Echoed in the response.
   */
  request_id: string;
  target: ChatGPTUsageTarget;
  /**
   * Connected ChatGPT alias; defaults to the built-in one.
   */
  provider_name?: string;
  /**
   * Bypass the short runtime-side cache.
   */
  force_refresh?: boolean;
}
/**
 * Checks out (optionally creates) a git branch. After the answer the runtime also sends an update_device_status with the new git context.
 */
export interface CheckoutBranchCommand {
  type: "checkout_branch";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Branch to check out.
   */
  branch: string;
  /**
   * Create the branch (git checkout -b).
   */
  create?: boolean;
  /**
   * Repository directory; defaults to the runtime's boot working directory.
   */
  cwd?: string;
}
/**
 * Stores credentials for a model provider in the local provider store (API-key style fields or OAuth tokens), so its models become usable.
 */
export interface ConnectProviderCommand {
  type: "connect_provider";
  /**
   * Echoed in the response.
   */
  request_id: string;
  target: ProviderStorageTarget;
  /**
   * Provider id from list_connect_providers.
   */
  provider_id: string;
  /**
   * Auth method id, for providers that offer several.
   */
  auth_method_id?: string;
  /**
   * Field key to value (e.g. apiKey, baseUrl). Must be empty when oauth_config is used.
   */
  fields: {
    [k: string]: string | undefined;
  };
  /**
   * Alias to store the provider under (defaults to the provider's own name).
   */
  provider_name?: string;
  oauth_config?: ProviderOAuthConfig;
}
/**
 * Compacts (summarises) a conversation's history through the runtime's backend.
 */
export interface ConversationCompactCommand {
  type: "conversation_compact";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
  /**
   * Letta compact parameters (passthrough).
   */
  body?: {};
}
/**
 * Creates a conversation through the runtime's backend.
 */
export interface ConversationCreateCommand {
  type: "conversation_create";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation create parameters, including agent_id (passthrough).
   */
  body: {};
  /**
   * Set by a relay: the user the new conversation is attributed to.
   */
  acting_user_id?: string;
}
/**
 * Copies a conversation (optionally only up to one message) into a new one.
 */
export interface ConversationForkCommand {
  type: "conversation_fork";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
  body?: ConversationForkBody;
  /**
   * Set by a relay: the user the new conversation is attributed to.
   */
  acting_user_id?: string;
}
/**
 * Lists conversations through the runtime's backend.
 */
export interface ConversationListCommand {
  type: "conversation_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Query parameters forwarded to the Letta conversations list API (passthrough).
   */
  query?: {};
}
/**
 * Reads a page of a conversation's message history (default 50, newest first).
 */
export interface ConversationMessagesListCommand {
  type: "conversation_messages_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
  /**
   * Letta message list parameters (limit, order, before, after...; passthrough).
   */
  query?: {};
}
/**
 * Rebuilds the system prompt of a conversation through the runtime's backend (not supported by the local backend).
 */
export interface ConversationRecompileCommand {
  type: "conversation_recompile";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
  /**
   * Letta recompile parameters (passthrough).
   */
  body?: {};
}
/**
 * Reads one conversation through the runtime's backend.
 */
export interface ConversationRetrieveCommand {
  type: "conversation_retrieve";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
}
/**
 * Updates a conversation (e.g. its summary) through the runtime's backend.
 */
export interface ConversationUpdateCommand {
  type: "conversation_update";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Letta conversation id.
   */
  conversation_id: string;
  /**
   * Letta conversation update parameters (passthrough).
   */
  body: {};
}
/**
 * Creates a new agent from one of the built-in personality presets.
 */
export interface CreateAgentCommand {
  type: "create_agent";
  /**
   * Echoed in the response.
   */
  request_id: string;
  personality: "memo" | "tutorial" | "blank" | "linus" | "kawaii";
  /**
   * Model id or handle; unknown models fail the request.
   */
  model?: string;
  /**
   * Extra tags for the agent.
   */
  tags?: string[];
  /**
   * Pin the agent globally (default true).
   */
  pin_global?: boolean;
}
/**
 * Creates a cron task that queues a prompt into a conversation on a schedule (recurring) or once. Followed by crons_updated on success.
 */
export interface CronAddCommand {
  type: "cron_add";
  /**
   * Echoed in the response.
   */
  request_id: string;
  agent_id: string;
  /**
   * Target conversation id, "default", or omitted / "new" for a fresh conversation per run.
   */
  conversation_id?: string;
  name: string;
  description: string;
  /**
   * Five-field cron expression.
   */
  cron: string;
  /**
   * IANA time zone; defaults to the runtime's.
   */
  timezone?: string;
  recurring: boolean;
  /**
   * Text to queue when the task fires.
   */
  prompt: string;
  /**
   * For one-off tasks: ISO-8601 due time.
   */
  scheduled_for?: string | null;
}
/**
 * Deletes one cron task. Followed by crons_updated if it existed.
 */
export interface CronDeleteCommand {
  type: "cron_delete";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
}
/**
 * Deletes every cron task of one agent. Followed by crons_updated if any were deleted.
 */
export interface CronDeleteAllCommand {
  type: "cron_delete_all";
  /**
   * Echoed in the response.
   */
  request_id: string;
  agent_id: string;
}
/**
 * Reads one cron task.
 */
export interface CronGetCommand {
  type: "cron_get";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
}
/**
 * Lists stored cron tasks, optionally filtered by agent and conversation.
 */
export interface CronListCommand {
  type: "cron_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Only tasks of this agent.
   */
  agent_id?: string;
  /**
   * Only tasks of this conversation.
   */
  conversation_id?: string;
}
/**
 * Pauses an active cron task. Followed by crons_updated on success.
 */
export interface CronPauseCommand {
  type: "cron_pause";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
}
/**
 * Resumes a paused cron task. Followed by crons_updated on success.
 */
export interface CronResumeCommand {
  type: "cron_resume";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
  /**
   * New ISO-8601 due time; needed when resuming a one-off task whose time has passed.
   */
  scheduled_for?: string;
}
/**
 * Reads a page of a cron task's run history, newest first.
 */
export interface CronRunsCommand {
  type: "cron_runs";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
  /**
   * Page size (default 50, clamped to 1..200).
   */
  limit?: number;
  /**
   * Entries to skip.
   */
  offset?: number;
  /**
   * Only entries of this run.
   */
  run_id?: string;
}
/**
 * Runs a cron task now, outside its schedule.
 */
export interface CronTriggerCommand {
  type: "cron_trigger";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
}
/**
 * Changes fields of a cron task; omitted fields are kept. Followed by crons_updated on success.
 */
export interface CronUpdateCommand {
  type: "cron_update";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Cron task id.
   */
  task_id: string;
  name?: string;
  description?: string;
  conversation_id?: string;
  cron?: string;
  timezone?: string;
  recurring?: boolean;
  prompt?: string;
  /**
   * ISO-8601 due time, or null to clear it.
   */
  scheduled_for?: string | null;
}
/**
 * Deletes one file from an agent's memory filesystem and commits the deletion. Deleting a missing file succeeds without a commit.
 */
export interface DeleteMemoryFileCommand {
  type: "delete_memory_file";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Path relative to the memory root; must stay inside it.
   */
  path: string;
  /**
   * Commit message; the runtime picks one when omitted or blank.
   */
  commit_message?: string;
}
/**
 * Removes a provider (or one alias of it) from the local provider store.
 */
export interface DisconnectProviderCommand {
  type: "disconnect_provider";
  /**
   * Echoed in the response.
   */
  request_id: string;
  target: ProviderStorageTarget;
  /**
   * Provider id from list_connect_providers.
   */
  provider_id: string;
  /**
   * Connected alias to remove when a row has several.
   */
  provider_name?: string;
}
/**
 * Find-and-replace edit of a file on the runtime host. When something changed the runtime first pushes a direct file_ops frame with the new document, then answers edit_file_response.
 */
export interface EditFileCommand {
  type: "edit_file";
  /**
   * Absolute path of the file.
   */
  file_path: string;
  /**
   * Exact text to find.
   */
  old_string: string;
  /**
   * Replacement text.
   */
  new_string: string;
  /**
   * Replace every occurrence instead of requiring exactly one.
   */
  replace_all?: boolean;
  /**
   * Fail unless exactly this many occurrences are replaced; the runtime requires a positive integer.
   */
  expected_replacements?: number;
  /**
   * Echoed in the paired response.
   */
  request_id: string;
}
/**
 * Turns on the git-backed memory filesystem for an agent. Answered with enable_memfs_response, then memory_updated with affected_paths ["*"].
 */
export interface EnableMemfsCommand {
  type: "enable_memfs";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent to enable MemFS for.
   */
  agent_id: string;
}
/**
 * Runs a slash command (one of device_status.supported_commands or mod_commands) in a conversation. The runtime streams slash_command_start and slash_command_end deltas, then answers execute_command_response.
 */
export interface ExecuteCommandCommand {
  type: "execute_command";
  /**
   * Command name without the slash, e.g. `compact`.
   */
  command_id: string;
  request_id: string;
  runtime: RuntimeScope;
  /**
   * Everything after the command name.
   */
  args?: string;
}
/**
 * The controller's answer to an external_tool_call_request: the tool result, or an error. It needs at least one of the two. Not answered; unknown request ids are ignored.
 */
export interface ExternalToolCallResponseCommand {
  type: "external_tool_call_response";
  /**
   * The request_id of the external_tool_call_request.
   */
  request_id: string;
  result?: {
    /**
     * Result parts, MCP style.
     */
    content: {
      /**
       * Part kind, e.g. `text` or `image`.
       */
      type?: string;
      text?: string;
      /**
       * Base64 data of a binary part.
       */
      data?: string;
      mimeType?: string;
    }[];
    /**
     * The tool ran but reports a failure.
     */
    is_error?: boolean;
  };
  /**
   * The tool could not be run.
   */
  error?: string;
}
/**
 * Collaborative-editing operations on one file, in both directions. From a client, the runtime ignores the operations and, if document_content is present, overwrites the file with it (no response). From the runtime it pushes a file's new full content after edit_file (direct frame) or after an agent tool wrote the file (enveloped frame); then cg_entries and ops are empty and source is "agent".
 */
export interface FileOpsFrame {
  type: "file_ops";
  /**
   * Absolute path of the edited file.
   */
  path: string;
  /**
   * Serialized causal-graph entries (always empty from the runtime; not checked on input).
   *
   * Items: A causal-graph entry: a run of len operations by agent starting at seq, with its parent versions.
   */
  cg_entries: {
    agent?: string;
    seq?: number;
    len?: number;
    /**
     * Parent versions as [agent, seq] pairs.
     */
    parents?: [string, number][];
  }[];
  /**
   * Insert/delete operations (always empty from the runtime; not checked on input).
   *
   * Items: One text operation.
   */
  ops: {
    /**
     * Insert or delete.
     */
    type?: "ins" | "del";
    /**
     * Position in the document.
     */
    pos?: number;
    /**
     * Inserted text (inserts only).
     */
    content?: string;
  }[];
  /**
   * Who produced the change, e.g. "agent" or a client window id.
   */
  source: string;
  /**
   * Full document after the change; the runtime always sends it.
   */
  document_content?: string;
  runtime?: ConversationRuntimeScope;
  /**
   * Envelope sequence number; present only on the enveloped form.
   */
  event_seq?: number;
  /**
   * Envelope emission time (ISO-8601 UTC); present only on the enveloped form.
   */
  emitted_at?: string;
  /**
   * Envelope dedupe key; present only on the enveloped form.
   */
  idempotency_key?: string;
}
/**
 * Asks for the per-conversation working-directory overrides and the boot working directory.
 */
export interface GetCwdMapCommand {
  type: "get_cwd_map";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
}
/**
 * Lists the experimental feature flags and their state.
 */
export interface GetExperimentsCommand {
  type: "get_experiments";
  /**
   * Echoed in the response.
   */
  request_id: string;
}
/**
 * Reads the effective reflection settings of the scope's agent.
 */
export interface GetReflectionSettingsCommand {
  type: "get_reflection_settings";
  /**
   * Echoed in the response.
   */
  request_id: string;
  runtime: RuntimeScope;
}
/**
 * Fetches a directory subtree down to a given depth (at most 5 000 entries), e.g. to fill a file explorer.
 */
export interface GetTreeCommand {
  type: "get_tree";
  /**
   * Absolute path of the subtree root.
   */
  path: string;
  /**
   * How many directory levels to descend.
   */
  depth: number;
  /**
   * Echoed in the paired response.
   */
  request_id: string;
}
/**
 * Content search ("find in files") under a directory, returning matching lines with context. Searching the home directory returns an empty success without searching.
 */
export interface GrepInFilesCommand {
  type: "grep_in_files";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Text to look for; a regular expression when is_regex is true.
   */
  query: string;
  /**
   * Treat query as a regular expression (default false).
   */
  is_regex?: boolean;
  /**
   * Match case exactly (default false).
   */
  case_sensitive?: boolean;
  /**
   * Match whole words only (default false).
   */
  whole_word?: boolean;
  /**
   * File-name glob filter such as "*.tsx"; empty means all files.
   */
  glob?: string;
  /**
   * Absolute directory to search; defaults to the runtime process's working directory.
   */
  cwd?: string;
  /**
   * Maximum number of matching lines returned (default 500).
   */
  max_results?: number;
  /**
   * Lines of context before and after each match (default 2).
   */
  context_lines?: number;
}
/**
 * Drives a conversation turn: starts (or queues) a turn with new messages, answers a pending approval, or continues a teleported conversation. With a request_id the runtime acknowledges it with input_accepted; the turn itself is reported through stream_delta and turn_finished. A valid runtime with a bad payload yields a loop_error delta instead.
 */
export interface InputCommand {
  type: "input";
  /**
   * Without it no input_accepted is sent.
   */
  request_id?: string;
  runtime: ConversationRuntimeScope;
  /**
   * What to do, selected by `kind`.
   */
  payload: (
    | {
        kind: "create_message";
        /**
         * Messages that start the turn. If the turn must wait, only the first message with content is queued.
         */
        messages: MessageCreate[];
        /**
         * What to do with images that are unsupported or fail to load.
         */
        image_failure_mode?: "strict" | "drop";
        /**
         * Client tools allowed this turn; an empty array allows none. Omitted keeps the normal toolset.
         */
        client_tool_allowlist?: string[];
        client_toolset?: ClientToolsetConfig;
        /**
         * Scoped external tools (from runtime_start) to expose this turn.
         */
        external_tool_scope_ids?: string[];
        /**
         * Leave out tools that ask the user questions mid-turn (for headless clients).
         */
        exclude_interactive_tools?: boolean;
        /**
         * Letta response_format passed through to the run.
         */
        response_format?: {};
      }
    | ((
        | {
            error: string;
          }
        | {
            decision: ApprovalDecision;
          }
      ) & {
        kind: "approval_response";
        /**
         * The `request_id` of the control_request being answered (`perm-<tool_call_id>`).
         */
        request_id: string;
        /**
         * Answer the request with an error instead of a decision; when present, `decision` is ignored.
         */
        error?: string;
      })
    | {
        kind: "teleport_continue";
        /**
         * Id of the teleport; repeating it is idempotent.
         */
        teleport_id: string;
        /**
         * The runtime the conversation comes from.
         */
        source: {
          /**
           * Device id of the source runtime.
           */
          device_id: string;
          /**
           * Connection name of the source runtime.
           */
          connection_name: string;
        };
        continuation?: TeleportContinuation;
      }
  ) & {
    kind: string;
  };
}
/**
 * Starts a background subagent on behalf of a parent conversation, as the Agent tool would. Answered by launch_subagent_response once it has started; progress shows in update_subagent_state.
 */
export interface LaunchSubagentCommand {
  type: "launch_subagent";
  request_id: string;
  runtime: RuntimeScope;
  /**
   * Launch arguments. The runtime refuses unknown keys and blank strings.
   */
  args: {
    subagent_type?: string;
    prompt: string;
    description: string;
    /**
     * Identity of the subagent's first input (not the request_id of this command).
     */
    client_message_id?: string;
    model?: string;
    /**
     * Existing agent to run as the subagent.
     */
    agent_id?: string;
    conversation_id?: string;
    computer?: string;
    max_turns?: number;
  };
  /**
   * The Agent or external tool call this launch comes from, if any.
   */
  tool_call_id?: string;
}
/**
 * Lists the providers that can be connected in the runtime's local provider store, with their connection state.
 */
export interface ListConnectProvidersCommand {
  type: "list_connect_providers";
  /**
   * Echoed in the response.
   */
  request_id: string;
  target: ProviderStorageTarget;
}
/**
 * Lists the entries of one directory, folders first, with optional paging. The only file command whose request_id is optional: without it the response is still sent, just not correlated.
 */
export interface ListInDirectoryCommand {
  type: "list_in_directory";
  /**
   * Absolute path of the directory to list.
   */
  path: string;
  /**
   * Also return non-directory entries in files (default false: folders only).
   */
  include_files?: boolean;
  /**
   * Maximum entries returned, folders and files together (default all).
   */
  limit?: number;
  /**
   * Entries to skip before the page starts (default 0).
   */
  offset?: number;
  /**
   * Echoed in the response when present.
   */
  request_id?: string;
}
/**
 * Lists every file of an agent's memory filesystem with its content. Answered in chunks of list_memory_response (5 entries each, same request_id) until one has done: true.
 */
export interface ListMemoryCommand {
  type: "list_memory";
  /**
   * Echoed in every chunk.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Also return the [[wiki link]] targets of each file.
   */
  include_references?: boolean;
}
/**
 * Asks for the models the user can select (catalog presets plus models the backend reports as available).
 */
export interface ListModelsCommand {
  type: "list_models";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Skip the runtime's availability cache and refetch.
   */
  force?: boolean;
}
/**
 * Fetches the patch of one commit of an agent's memory repository.
 */
export interface MemoryCommitDiffCommand {
  type: "memory_commit_diff";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Commit to show.
   */
  sha: string;
}
/**
 * Reads one memory file as it was at a given commit.
 */
export interface MemoryFileAtRefCommand {
  type: "memory_file_at_ref";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Path relative to the memory root.
   */
  file_path: string;
  /**
   * Commit hash (any git revision works).
   */
  ref: string;
}
/**
 * Lists commits of an agent's memory repository, for one file or the whole repository. On failure the runtime sends no response at all.
 */
export interface MemoryHistoryCommand {
  type: "memory_history";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Path relative to the memory root; omit for the whole repository.
   */
  file_path?: string;
  /**
   * Maximum commits (default 50).
   */
  limit?: number;
}
/**
 * The old Letta Cloud "environment message", still accepted: the runtime turns it into an input with a create_message payload and no request_id, so it is never acknowledged. Prefer input.
 */
export interface LegacyMessageCommand {
  type: "message";
  /**
   * Letta agent id.
   */
  agentId: string;
  /**
   * Conversation id; defaults to "default". Takes precedence over conversation_id.
   */
  conversationId?: string;
  /**
   * Alternative spelling of conversationId.
   */
  conversation_id?: string;
  messages: MessageCreate[];
  /**
   * Like create_message client_tool_allowlist; ignored if not a string array.
   */
  clientToolAllowlist?: string[];
  clientToolset?: ClientToolsetConfig;
  /**
   * Like create_message external_tool_scope_ids; ignored if not a string array.
   */
  externalToolScopeIds?: string[];
}
/**
 * Stops a background monitor of a conversation (a background_processes entry of kind `monitor`). Answered by monitor_stop_response.
 */
export interface MonitorStopCommand {
  type: "monitor_stop";
  request_id: string;
  runtime: RuntimeScope;
  process_id: string;
}
/**
 * Reads a file on the runtime host. Text is read as strict UTF-8 by default; base64 returns raw bytes (files up to 25 MiB).
 */
export interface ReadFileCommand {
  type: "read_file";
  /**
   * Absolute path of the file.
   */
  path: string;
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  encoding?: FileContentEncoding;
}
/**
 * Reads one file from an agent's memory working tree. Absolute paths and paths escaping the memory root are answered with a failure.
 */
export interface ReadMemoryFileCommand {
  type: "read_memory_file";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Path relative to the memory root.
   */
  path: string;
  encoding?: FileContentEncoding;
}
/**
 * Drops one queued input of a conversation without touching the running turn. Answered by remove_queue_item_response, followed by an update_queue snapshot.
 */
export interface RemoveQueueItemCommand {
  type: "remove_queue_item";
  request_id: string;
  runtime: RuntimeScope;
  /**
   * The id of the queue item (QueueMessage.id).
   */
  item_id: string;
}
/**
 * Releases the queued inputs an interrupt parked so the next one starts a turn, without sending a new input. With a request_id the runtime answers resume_queue_response.
 */
export interface ResumeQueueCommand {
  type: "resume_queue";
  runtime: ConversationRuntimeScope;
  /**
   * Without it no resume_queue_response is sent.
   */
  request_id?: string;
}
/**
 * Replaces this connection's external tools on one or more conversations without starting or subscribing to them. An empty external_tools list removes them. A conversation may appear only once across all groups, otherwise the frame is dropped.
 */
export interface RuntimeExternalToolsUpdateCommand {
  type: "runtime_external_tools_update";
  request_id: string;
  updates: {
    /**
     * Conversations that get this tool set.
     *
     * @minItems 1
     */
    runtimes: RuntimeScope[];
    external_tools: ExternalToolGroup[];
  }[];
}
/**
 * Opens (or creates) an agent conversation on the runtime, applies its initial settings, subscribes this connection to it and replays its state as sync does. Name an existing agent or create one, and name an existing conversation or create one; leaving conversation_id out creates a new conversation.
 */
export interface RuntimeStartCommand {
  type: "runtime_start";
  request_id: string;
  /**
   * Existing agent. Not together with create_agent.
   */
  agent_id?: string;
  /**
   * Create an agent first. Not together with agent_id.
   */
  create_agent?: {
    /**
     * Letta AgentCreateParams, passed through to the agent-create API.
     */
    body: {};
    /**
     * Pin the new agent globally (default true).
     */
    pin_global?: boolean;
    /**
     * Give the agent a memory filesystem (default true); turn off for worker agents.
     */
    memfs?: boolean;
  };
  /**
   * Existing conversation, or "default". Not together with create_conversation.
   */
  conversation_id?: string;
  /**
   * Create a conversation. Not together with conversation_id.
   */
  create_conversation?: {
    /**
     * Letta ConversationCreateParams without agent_id; without an agent it must give the model and system prompt of an agent-free conversation.
     */
    body?: {};
  };
  /**
   * Source tags to merge into the conversation.
   */
  conversation_source_tags?: string[];
  /**
   * Initial working directory; null goes back to the directory the runtime started in.
   */
  cwd?: string | null;
  mode?: PermissionMode;
  execution_settings?: RuntimeExecutionSettings;
  /**
   * Confine the conversation's file access to a workspace.
   */
  workspace_sandbox?: {
    root: string;
    isolation_root: string;
  };
  /**
   * Which skill sources to load for this conversation.
   */
  skill_sources?: SkillSource[];
  /**
   * Keep the current skill-source override when skill_sources is left out.
   */
  preserve_skill_sources?: boolean;
  /**
   * Who is calling; recorded for diagnostics only.
   */
  client_info?: {
    name: string;
    title?: string;
    version?: string;
  };
  /**
   * Look for approvals left pending by an earlier process (default true).
   */
  recover_approvals?: boolean;
  /**
   * Include update_device_status in the replay even if unchanged (default true).
   */
  force_device_status?: boolean;
  /**
   * Send the state replay before runtime_start_response instead of after it.
   */
  wait_for_replay?: boolean;
  /**
   * Set when this start prepares the destination of a teleport; an input of kind teleport_continue with the same id follows.
   */
  teleport_id?: string;
  /**
   * Tools of this connection to register for the resolved conversation.
   */
  external_tools?: ExternalToolGroup[];
}
/**
 * Lists local and remote-tracking git branches whose names contain a substring.
 */
export interface SearchBranchesCommand {
  type: "search_branches";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Case-insensitive substring of the branch name; "" returns all.
   */
  query: string;
  /**
   * Result limit (default 20).
   */
  max_results?: number;
  /**
   * Repository directory; defaults to the runtime's boot working directory.
   */
  cwd?: string;
}
/**
 * File-name search under a directory of the runtime host (breadth-first, case-insensitive substring of the relative path), e.g. for a quick-open box. Directories can match too; an empty query matches everything.
 */
export interface SearchFilesCommand {
  type: "search_files";
  /**
   * Substring matched against relative paths; "" matches every entry.
   */
  query: string;
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Result limit (default 5, capped at 200).
   */
  max_results?: number;
  /**
   * Directory to search in; defaults to the runtime process's working directory.
   */
  cwd?: string;
}
/**
 * Sets and removes an agent's secrets in one atomic update. Names are upper-cased and must then match ^[A-Z_][A-Z0-9_]*$, else the answer is an error.
 */
export interface SecretApplyCommand {
  type: "secret_apply";
  /**
   * Echoed in the response.
   */
  request_id: string;
  agent_id: string;
  /**
   * Secret name to new plaintext value.
   */
  set: {
    [k: string]: string | undefined;
  };
  /**
   * Secret names to remove (wins over set).
   */
  unset: string[];
}
/**
 * Refreshes and lists an agent's secrets, including their plaintext values.
 */
export interface SecretListCommand {
  type: "secret_list";
  /**
   * Echoed in the response.
   */
  request_id: string;
  agent_id: string;
}
/**
 * Changes the runtime's boot working directory, the one used by conversations without their own cwd. Affected conversations get fresh device-status updates.
 */
export interface SetBootWorkingDirectoryCommand {
  type: "set_boot_working_directory";
  /**
   * Echoed in the response; the runtime requires it to be non-empty.
   */
  request_id: string;
  /**
   * New directory (resolved against the current boot directory).
   */
  cwd: string;
}
/**
 * Turns one experimental feature on or off. Only three ids are accepted by this runtime; others are dropped without an answer.
 */
export interface SetExperimentCommand {
  type: "set_experiment";
  /**
   * Echoed in the response.
   */
  request_id: string;
  experiment_id: "conversation_titles" | "desktop_conversation_bootstrap" | "tui_cron";
  enabled: boolean;
}
/**
 * Changes the reflection settings of the scope's agent. Followed by update_device_status on success.
 */
export interface SetReflectionSettingsCommand {
  type: "set_reflection_settings";
  /**
   * Echoed in the response.
   */
  request_id: string;
  runtime: RuntimeScope;
  settings: {
    trigger: ReflectionTrigger;
    /**
     * Steps between reflections (positive integer, required even when unused).
     */
    step_count: number;
    merge?: ReflectionMergeMode;
    merge_instructions?: string;
  };
  scope?: ReflectionSettingsScope;
}
/**
 * Disables a skill by removing its link from the global skills folder. Followed by skills_updated on success.
 */
export interface SkillDisableCommand {
  type: "skill_disable";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Skill name (link name in the global skills folder).
   */
  name: string;
}
/**
 * Enables a skill by linking its directory (which must hold a SKILL.md) into the global skills folder. Followed by skills_updated on success.
 */
export interface SkillEnableCommand {
  type: "skill_enable";
  /**
   * Echoed in the response.
   */
  request_id: string;
  /**
   * Absolute path of the skill directory on the runtime's machine.
   */
  skill_path: string;
}
/**
 * Asks the runtime to replay the current state of one scope (pending approvals, device, loop, queue and subagent snapshots) and subscribes this connection to it. Send it on every (re)connect; with a request_id the runtime answers sync_response after the replay.
 */
export interface SyncCommand {
  type: "sync";
  runtime: ConversationRuntimeScope;
  /**
   * Without it the state is replayed but no sync_response is sent.
   */
  request_id?: string;
  /**
   * Look for approvals left pending by an earlier process (default true).
   */
  recover_approvals?: boolean;
  /**
   * Owner only: resume a turn that was interrupted.
   */
  resume_interrupted_turn?: boolean;
  /**
   * Include update_device_status even if it did not change since the last one sent on this socket.
   */
  force_device_status?: boolean;
}
/**
 * Tells the source runtime that a teleport it got ready for did not happen, so it keeps the conversation (and runs any pending tool approvals itself). Not answered.
 */
export interface TeleportFailedCommand {
  type: "teleport_failed";
  teleport_id: string;
  runtime: RuntimeScope;
  /**
   * Why the teleport failed.
   */
  error: string;
}
/**
 * Asks whether this runtime can receive a teleported conversation. Answered by teleport_probe_response.
 */
export interface TeleportProbeCommand {
  type: "teleport_probe";
  request_id: string;
  runtime: RuntimeScope;
}
/**
 * Asks the source runtime to hand a conversation over to another runtime. There is no direct answer: once the conversation reaches a safe point the runtime sends teleport_ready (same teleport_id) to this connection. Repeating a teleport_id is harmless.
 */
export interface TeleportRequestCommand {
  type: "teleport_request";
  request_id: string;
  /**
   * Client-chosen id of this teleport.
   */
  teleport_id: string;
  runtime: RuntimeScope;
  /**
   * The destination runtime.
   */
  target: {
    connection_id: string;
    device_id: string;
    connection_name: string;
  };
}
/**
 * Sends keystrokes or pasted text to a running terminal. Never answered; unknown ids are ignored.
 */
export interface TerminalInputCommand {
  type: "terminal_input";
  terminal_id: TerminalId;
  /**
   * Raw bytes to write to the PTY, as text (control characters included).
   */
  data: string;
}
/**
 * Ends a terminal session. Never answered (terminal_exited follows when the shell exits); ignored for sessions younger than 2 s. All terminals of a connection are also killed when its socket closes.
 */
export interface TerminalKillCommand {
  type: "terminal_kill";
  terminal_id: TerminalId;
}
/**
 * Changes the size of a running terminal. Never answered.
 */
export interface TerminalResizeCommand {
  type: "terminal_resize";
  terminal_id: TerminalId;
  /**
   * New width in columns.
   */
  cols: number;
  /**
   * New height in rows.
   */
  rows: number;
}
/**
 * Opens an interactive shell (PTY) on the runtime host under a client-chosen terminal_id. Answered with terminal_spawned, or with terminal_exited carrying an error when the PTY cannot start; a repeat spawn of a live id younger than 2 s re-sends terminal_spawned for the existing session.
 */
export interface TerminalSpawnCommand {
  type: "terminal_spawn";
  terminal_id: TerminalId;
  /**
   * Terminal width in columns (0 falls back to 80).
   */
  cols: number;
  /**
   * Terminal height in rows (0 falls back to 24).
   */
  rows: number;
  /**
   * Directory to start the shell in; defaults to the runtime's boot working directory.
   */
  cwd?: string;
}
/**
 * Stops a watch started with watch_file (watches are reference-counted per path). Never answered, although request_id is required.
 */
export interface UnwatchFileCommand {
  type: "unwatch_file";
  /**
   * Absolute path of the watched file.
   */
  path: string;
  /**
   * Required by the runtime but never echoed.
   */
  request_id: string;
}
/**
 * Switches the model of one conversation (or of the agent, for its default conversation). The runtime answers update_model_response and also emits a status delta and fresh state.
 */
export interface UpdateModelCommand {
  type: "update_model";
  /**
   * Echoed in the response.
   */
  request_id: string;
  runtime: ConversationRuntimeScope;
  /**
   * Which model to use; at least one of model_id or model_handle is required.
   */
  payload: (
    | {
        model_id: string;
      }
    | {
        model_handle: string;
      }
  ) & {
    /**
     * Catalog id from list_models (e.g. "sonnet").
     */
    model_id?: string;
    /**
     * Direct provider/model handle.
     */
    model_handle?: string;
    /**
     * Effort for OpenAI-compatible proxies; null restores the provider default.
     */
    reasoning_effort?: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max" | null;
  };
}
/**
 * Sets the toolset preference of one conversation's scope ("auto" picks by model). The runtime answers update_toolset_response and also emits a status delta and fresh state.
 */
export interface UpdateToolsetCommand {
  type: "update_toolset";
  /**
   * Echoed in the response.
   */
  request_id: string;
  runtime: ConversationRuntimeScope;
  toolset_preference: ToolsetPreference;
}
/**
 * Starts watching a file for changes made outside the client; each change is pushed as file_changed (debounced 150 ms). Never answered, although request_id is required.
 */
export interface WatchFileCommand {
  type: "watch_file";
  /**
   * Absolute path of the file to watch.
   */
  path: string;
  /**
   * Required by the runtime but never echoed.
   */
  request_id: string;
}
/**
 * Replaces the whole content of a file on the runtime host (creating it if missing). Answered with write_file_response.
 */
export interface WriteFileCommand {
  type: "write_file";
  /**
   * Absolute path of the file.
   */
  path: string;
  /**
   * New full content, as UTF-8 text.
   */
  content: string;
  /**
   * Echoed in the paired response.
   */
  request_id: string;
}
/**
 * Writes one file into an agent's memory filesystem and commits it. A memory_updated push follows when a commit was made.
 */
export interface WriteMemoryFileCommand {
  type: "write_memory_file";
  /**
   * Echoed in the paired response.
   */
  request_id: string;
  /**
   * Agent whose memory filesystem (MemFS) is used.
   */
  agent_id: string;
  /**
   * Path relative to the memory root; must stay inside it.
   */
  path: string;
  /**
   * New content, as text or base64 depending on encoding.
   */
  content: string;
  encoding?: FileContentEncoding;
  /**
   * Commit message; the runtime picks one when omitted or blank.
   */
  commit_message?: string;
}
/**
 * Answers an abort_message that carried a request_id. aborted tells whether a running turn or a pending approval was actually interrupted.
 */
export interface AbortMessageResponseEvent {
  type: "abort_message_response";
  request_id: string;
  runtime: ConversationRuntimeScope;
  aborted: boolean;
  success: boolean;
  error?: string;
}
/**
 * Answers agent_create; agent is null on failure.
 */
export interface AgentCreateResponseEvent {
  type: "agent_create_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent: AgentState | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers agent_delete, echoing the agent id.
 */
export interface AgentDeleteResponseEvent {
  type: "agent_delete_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent_id: string;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers agent_list. On failure agents is empty.
 */
export interface AgentListResponseEvent {
  type: "agent_list_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agents: AgentState[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers agent_retrieve; agent is null on failure.
 */
export interface AgentRetrieveResponseEvent {
  type: "agent_retrieve_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent: AgentState | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers agent_update; agent is null on failure.
 */
export interface AgentUpdateResponseEvent {
  type: "agent_update_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent: AgentState | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers app_server_info with the runtime's version, backend, protocol version and capability flags. It cannot fail.
 */
export interface AppServerInfoResponseEvent {
  type: "app_server_info_response";
  request_id: string;
  success: true;
  /**
   * Where agents and conversations are stored.
   */
  backend: "local" | "api";
  letta_code_version: string;
  /**
   * App-server protocol version (1 for this runtime).
   */
  protocol_version: number;
  capabilities: {
    agent_management: boolean;
    conversation_management: boolean;
    memory_management: boolean;
    runtime_start: boolean;
    launch_subagent?: boolean;
    runtime_workspace_sandbox?: boolean;
    runtime_external_tools_update?: boolean;
    /**
     * Whether input accepts response_format (API backend only).
     */
    structured_outputs?: boolean;
    split_channels: boolean;
  };
}
/**
 * Answers channel_account_bind with the resulting account, or null and an error.
 */
export interface ChannelAccountBindResponseEvent {
  type: "channel_account_bind_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_account_create with the resulting account, or null and an error.
 */
export interface ChannelAccountCreateResponseEvent {
  type: "channel_account_create_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_account_delete; deleted is false when there was no such account or deletion failed.
 */
export interface ChannelAccountDeleteResponseEvent {
  type: "channel_account_delete_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  account_id: string;
  deleted: boolean;
}
/**
 * Answers channel_account_start with the resulting account, or null and an error.
 */
export interface ChannelAccountStartResponseEvent {
  type: "channel_account_start_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_account_stop with the resulting account, or null and an error.
 */
export interface ChannelAccountStopResponseEvent {
  type: "channel_account_stop_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_account_unbind with the resulting account, or null and an error.
 */
export interface ChannelAccountUnbindResponseEvent {
  type: "channel_account_unbind_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_account_update with the resulting account, or null and an error.
 */
export interface ChannelAccountUpdateResponseEvent {
  type: "channel_account_update_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  /**
   * The account after the change; null on failure.
   */
  account: ChannelAccountSnapshot | null;
}
/**
 * Answers channel_accounts_list. On failure accounts is empty.
 */
export interface ChannelAccountsListResponseEvent {
  type: "channel_accounts_list_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  accounts: ChannelAccountSnapshot[];
}
/**
 * Tells that accounts of a channel changed (account_id names the one, if known). A direct frame (no envelope) without the new state, so refetch: sent to the connection whose channel command caused the change, or to every connection when the channel gateway notices it (e.g. a new pairing request).
 */
export interface ChannelAccountsUpdatedEvent {
  type: "channel_accounts_updated";
  /**
   * Unix time in milliseconds when the change happened.
   */
  timestamp: number;
  channel_id: ChannelId;
  account_id?: string;
}
/**
 * Answers channel_get_config with the account settings, or null and an error.
 */
export interface ChannelGetConfigResponseEvent {
  type: "channel_get_config_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  config: ChannelConfigSnapshot | null;
}
/**
 * Answers channel_pairing_bind with the new route of the paired chat; chat_id is absent on failure.
 */
export interface ChannelPairingBindResponseEvent {
  type: "channel_pairing_bind_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  chat_id?: string;
  /**
   * The created or changed route; null on failure.
   */
  route?: ChannelRouteSnapshot | null;
}
/**
 * Answers channel_pairings_list. On failure pending is empty.
 */
export interface ChannelPairingsListResponseEvent {
  type: "channel_pairings_list_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  pending: ChannelPendingPairing[];
}
/**
 * Tells that the pending pairings of a channel changed. A direct frame (no envelope) without the new state, so refetch: sent to the connection whose channel command caused the change, or to every connection when the channel gateway notices it (e.g. a new pairing request).
 */
export interface ChannelPairingsUpdatedEvent {
  type: "channel_pairings_updated";
  /**
   * Unix time in milliseconds when the change happened.
   */
  timestamp: number;
  channel_id: ChannelId;
}
/**
 * Answers channel_route_remove; found is false when the chat had no route.
 */
export interface ChannelRouteRemoveResponseEvent {
  type: "channel_route_remove_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  chat_id: string;
  found: boolean;
}
/**
 * Answers channel_route_update with the changed route.
 */
export interface ChannelRouteUpdateResponseEvent {
  type: "channel_route_update_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  chat_id: string;
  /**
   * The created or changed route; null on failure.
   */
  route?: ChannelRouteSnapshot | null;
}
/**
 * Answers channel_routes_list. channel_id is the channel that was listed ("telegram" when the command named none; absent on failure then).
 */
export interface ChannelRoutesListResponseEvent {
  type: "channel_routes_list_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id?: ChannelId;
  routes: ChannelRouteSnapshot[];
}
/**
 * Tells that routes of a channel changed, with the agent conversation concerned when there is one. A direct frame (no envelope) without the new state, so refetch: sent to the connection whose channel command caused the change, or to every connection when the channel gateway notices it (e.g. a new pairing request).
 */
export interface ChannelRoutesUpdatedEvent {
  type: "channel_routes_updated";
  /**
   * Unix time in milliseconds when the change happened.
   */
  timestamp: number;
  channel_id: ChannelId;
  agent_id?: string;
  /**
   * Conversation of the route change, when there is one.
   */
  conversation_id?: string | null;
}
/**
 * Answers channel_set_config with the account settings, or null and an error.
 */
export interface ChannelSetConfigResponseEvent {
  type: "channel_set_config_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  config: ChannelConfigSnapshot | null;
}
/**
 * Answers channel_start with the channel summary after the change, or null and an error.
 */
export interface ChannelStartResponseEvent {
  type: "channel_start_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel: ChannelSummary | null;
}
/**
 * Answers channel_stop with the channel summary after the change, or null and an error.
 */
export interface ChannelStopResponseEvent {
  type: "channel_stop_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel: ChannelSummary | null;
}
/**
 * Answers channel_target_bind with the route created for the target chat; chat_id is absent on failure.
 */
export interface ChannelTargetBindResponseEvent {
  type: "channel_target_bind_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  target_id: string;
  chat_id?: string;
  /**
   * The created or changed route; null on failure.
   */
  route?: ChannelRouteSnapshot | null;
}
/**
 * Answers channel_targets_list. On failure targets is empty.
 */
export interface ChannelTargetsListResponseEvent {
  type: "channel_targets_list_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channel_id: ChannelId;
  targets: ChannelTargetSnapshot[];
}
/**
 * Tells that the discovered targets of a channel changed. A direct frame (no envelope) without the new state, so refetch: sent to the connection whose channel command caused the change, or to every connection when the channel gateway notices it (e.g. a new pairing request).
 */
export interface ChannelTargetsUpdatedEvent {
  type: "channel_targets_updated";
  /**
   * Unix time in milliseconds when the change happened.
   */
  timestamp: number;
  channel_id: ChannelId;
}
/**
 * Answers channels_list. On failure channels is empty.
 */
export interface ChannelsListResponseEvent {
  type: "channels_list_response";
  /**
   * request_id of the command.
   */
  request_id: string;
  success: boolean;
  /**
   * Why the command failed; only when success is false.
   */
  error?: string;
  channels: ChannelSummary[];
}
/**
 * Tells that the list or state of channels changed. A direct frame (no envelope) without the new state, so refetch: sent to the connection whose channel command caused the change, or to every connection when the channel gateway notices it (e.g. a new pairing request).
 */
export interface ChannelsUpdatedEvent {
  type: "channels_updated";
  /**
   * Unix time in milliseconds when the change happened.
   */
  timestamp: number;
  channel_id?: ChannelId;
}
/**
 * Answers chatgpt_usage_read with a usage snapshot, or a structured error object.
 */
export interface ChatgptUsageReadResponseEvent {
  type: "chatgpt_usage_read_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  target: ChatGPTUsageTarget;
  usage?: ChatGPTUsageSnapshot;
  error?: ChatGPTUsageError;
}
/**
 * Answer to checkout_branch.
 */
export interface CheckoutBranchResponseEvent {
  type: "checkout_branch_response";
  request_id: string;
  /**
   * Branch now checked out; on failure, the requested branch.
   */
  branch: string;
  success: boolean;
  error?: string;
}
/**
 * Answers connect_provider with the updated provider list.
 */
export interface ConnectProviderResponseEvent {
  type: "connect_provider_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  target: ProviderStorageTarget;
  /**
   * Provider list after the change; empty on failure.
   */
  providers: ProviderEntry[];
  /**
   * True after a successful change: refresh list_models.
   */
  models_may_have_changed: boolean;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_compact; compaction is null on failure.
 */
export interface ConversationCompactResponseEvent {
  type: "conversation_compact_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  /**
   * Letta compaction result (passthrough).
   */
  compaction: {} | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_create; conversation is null on failure.
 */
export interface ConversationCreateResponseEvent {
  type: "conversation_create_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  conversation: ConversationRecord | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_fork with the new conversation, or null on failure.
 */
export interface ConversationForkResponseEvent {
  type: "conversation_fork_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  conversation: {
    id: string;
  } | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_list. On failure conversations is empty.
 */
export interface ConversationListResponseEvent {
  type: "conversation_list_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  conversations: ConversationRecord[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_messages_list with one page of messages and a cursor for the next older page.
 */
export interface ConversationMessagesListResponseEvent {
  type: "conversation_messages_list_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  /**
   * Items: A Letta message (passthrough).
   */
  messages: {}[];
  /**
   * Message id to pass as query.before for the next page.
   */
  next_before: string | null;
  has_more: boolean;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_recompile; result is null on failure.
 */
export interface ConversationRecompileResponseEvent {
  type: "conversation_recompile_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  /**
   * Backend result (the recompiled prompt).
   */
  result: string | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_retrieve; conversation is null on failure.
 */
export interface ConversationRetrieveResponseEvent {
  type: "conversation_retrieve_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  conversation: ConversationRecord | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers conversation_update; conversation is null on failure.
 */
export interface ConversationUpdateResponseEvent {
  type: "conversation_update_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  conversation: ConversationRecord | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers create_agent with the new agent's id, name and model.
 */
export interface CreateAgentResponseEvent {
  type: "create_agent_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent_id?: string;
  name?: string;
  /**
   * Model handle of the agent; null when it has none.
   */
  model?: string | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_add with the stored task, or an error (invalid expression, too many tasks...).
 */
export interface CronAddResponseEvent {
  type: "cron_add_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  task?: CronTask;
  /**
   * Set when no scheduler is running, so the task will not fire yet.
   */
  warning?: string;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_delete_all with the number of tasks removed.
 */
export interface CronDeleteAllResponseEvent {
  type: "cron_delete_all_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  agent_id: string;
  deleted: number;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_delete; found says whether the task existed.
 */
export interface CronDeleteResponseEvent {
  type: "cron_delete_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  found: boolean;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_get; task is null when it does not exist.
 */
export interface CronGetResponseEvent {
  type: "cron_get_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  found: boolean;
  task: CronTask | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_list. On failure tasks is empty.
 */
export interface CronListResponseEvent {
  type: "cron_list_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  tasks: CronTask[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_pause.
 */
export interface CronPauseResponseEvent {
  type: "cron_pause_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  found: boolean;
  task?: CronTask;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_resume.
 */
export interface CronResumeResponseEvent {
  type: "cron_resume_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  found: boolean;
  task?: CronTask;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_runs with one page of run history.
 */
export interface CronRunsResponseEvent {
  type: "cron_runs_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  page?: CronRunLogPage;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_trigger.
 */
export interface CronTriggerResponseEvent {
  type: "cron_trigger_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  found: boolean;
  task?: CronTask;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers cron_update; success is false with error "Cron task not found" for an unknown id.
 */
export interface CronUpdateResponseEvent {
  type: "cron_update_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  task?: CronTask;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Tells clients that the stored cron tasks changed. Sent directly after a cron command changes tasks, and through the event queue (with the envelope fields) when the scheduler fires a task.
 */
export interface CronsUpdatedEvent {
  type: "crons_updated";
  /**
   * Epoch milliseconds.
   */
  timestamp: number;
  /**
   * Agent whose tasks changed.
   */
  agent_id?: string;
  /**
   * Conversation of the changed task, when known.
   */
  conversation_id?: string | null;
  runtime?: ConversationRuntimeScope;
  /**
   * Envelope field; only on scheduler-fired frames.
   */
  event_seq?: number;
  /**
   * Envelope field; only on scheduler-fired frames.
   */
  emitted_at?: string;
  /**
   * Envelope field; only on scheduler-fired frames.
   */
  idempotency_key?: string;
}
/**
 * Answer to delete_memory_file; committed is false when the file was already absent.
 */
export interface DeleteMemoryFileResponseEvent {
  type: "delete_memory_file_response";
  request_id: string;
  agent_id: string;
  /**
   * Normalized path relative to the memory root.
   */
  path: string;
  success: boolean;
  /**
   * Whether a commit was created; success only.
   */
  committed?: boolean;
  /**
   * Hash of the new commit, when one was made.
   */
  commit_sha?: string;
  error?: string;
}
/**
 * Answers disconnect_provider with the updated provider list.
 */
export interface DisconnectProviderResponseEvent {
  type: "disconnect_provider_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  target: ProviderStorageTarget;
  /**
   * Provider list after the change; empty on failure.
   */
  providers: ProviderEntry[];
  /**
   * True after a successful change: refresh list_models.
   */
  models_may_have_changed: boolean;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to edit_file with the number of replacements made.
 */
export interface EditFileResponseEvent {
  type: "edit_file_response";
  request_id: string;
  file_path: string;
  /**
   * Human-readable summary of the edit; null on failure.
   */
  message: string | null;
  /**
   * Occurrences replaced (0 on failure).
   */
  replacements: number;
  /**
   * First line touched by the edit; success only.
   */
  start_line?: number;
  success: boolean;
  error?: string;
}
/**
 * Answer to enable_memfs.
 */
export interface EnableMemfsResponseEvent {
  type: "enable_memfs_response";
  request_id: string;
  success: boolean;
  /**
   * Local memory directory; success only.
   */
  memory_directory?: string;
  error?: string;
}
/**
 * Answers execute_command once the slash command has finished. output holds the text the command produced, or the failure message (e.g. `Unknown command: x`) when success is false.
 */
export interface ExecuteCommandResponseEvent {
  type: "execute_command_response";
  request_id: string;
  success: boolean;
  output: string;
}
/**
 * The agent called an external tool; the runtime asks the connection that registered it to run the tool. Answer with external_tool_call_response and the same request_id within 5 minutes, or the call fails.
 */
export interface ExternalToolCallRequestEvent {
  type: "external_tool_call_request";
  /**
   * Runtime-made id, `external-tool-<uuid>`.
   */
  request_id: string;
  runtime?: ConversationRuntimeScope;
  /**
   * Scope the tool was registered under, if any.
   */
  scope_id?: string;
  tool_call_id: string;
  tool_name: string;
  /**
   * The tool arguments the model produced.
   */
  input: {};
}
/**
 * Pushed after watch_file when the watched file changes on disk (debounced 150 ms).
 */
export interface FileChangedEvent {
  type: "file_changed";
  /**
   * The watched path.
   */
  path: string;
  /**
   * New modification time in epoch milliseconds (camelCase on the wire).
   */
  lastModified: number;
}
/**
 * Answer to get_cwd_map. The runtime always reports success.
 */
export interface GetCwdMapResponseEvent {
  type: "get_cwd_map_response";
  request_id: string;
  success: boolean;
  /**
   * Working-directory overrides keyed by conversation scope key.
   */
  cwd_map: {
    [k: string]: string | undefined;
  };
  /**
   * Directory used by conversations without an override.
   */
  boot_working_directory: string | null;
  error?: string;
}
/**
 * Answers get_experiments.
 */
export interface GetExperimentsResponseEvent {
  type: "get_experiments_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  experiments: ExperimentSnapshot[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers get_reflection_settings; reflection_settings is null on failure.
 */
export interface GetReflectionSettingsResponseEvent {
  type: "get_reflection_settings_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  reflection_settings: ReflectionSettingsSnapshot | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to get_tree with the entries of the subtree.
 */
export interface GetTreeResponseEvent {
  type: "get_tree_response";
  /**
   * The requested root.
   */
  path: string;
  request_id: string;
  entries: FileTreeEntry[];
  /**
   * True when directories deeper than depth were left out.
   */
  has_more_depth: boolean;
  success: boolean;
  error?: string;
}
/**
 * Answer to grep_in_files. The counters and matches are present on failure too (zero and empty).
 */
export interface GrepInFilesResponseEvent {
  type: "grep_in_files_response";
  request_id: string;
  success: boolean;
  matches: FileGrepMatch[];
  /**
   * Matching lines found.
   */
  total_matches: number;
  /**
   * Files with at least one match.
   */
  total_files: number;
  /**
   * True when max_results cut the list.
   */
  truncated: boolean;
  error?: string;
}
/**
 * Acknowledges an input that carried a request_id: whether it was accepted and, for new messages, whether the turn started now or was queued. Echoes the command's runtime. Not sent for invalid payloads or the legacy message.
 */
export interface InputAcceptedEvent {
  type: "input_accepted";
  /**
   * The request_id of the input.
   */
  request_id: string;
  runtime: ConversationRuntimeScope;
  accepted: boolean;
  /**
   * For accepted create_message inputs: the turn started now or waits in the queue. Absent for approval responses.
   */
  disposition?: "started" | "queued";
  /**
   * Why the input was refused.
   */
  error?: string;
}
/**
 * Answers list_connect_providers. On failure providers is empty.
 */
export interface ListConnectProvidersResponseEvent {
  type: "list_connect_providers_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  target: ProviderStorageTarget;
  providers: ProviderEntry[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to list_in_directory: one page of folder names and, if asked, file names.
 */
export interface ListInDirectoryResponseEvent {
  type: "list_in_directory_response";
  /**
   * The listed directory, as requested.
   */
  path: string;
  /**
   * Sub-directory names in this page.
   */
  folders: string[];
  /**
   * File names in this page; only when include_files was set.
   */
  files?: string[];
  /**
   * More entries exist after this page (camelCase on the wire).
   */
  hasMore: boolean;
  /**
   * Entry count of the whole directory; success only.
   */
  total?: number;
  success: boolean;
  error?: string;
  /**
   * Present only if the command had one.
   */
  request_id?: string;
}
/**
 * One chunk of the answer to list_memory (up to 5 entries); the last chunk has done: true. A single chunk with no entries is sent when MemFS is off (memfs_enabled false), empty, or on failure.
 */
export interface ListMemoryResponseEvent {
  type: "list_memory_response";
  request_id: string;
  entries: MemoryFileEntry[];
  /**
   * True on the last chunk.
   */
  done: boolean;
  /**
   * Number of files in the whole listing.
   */
  total: number;
  success: boolean;
  error?: string;
  /**
   * Whether MemFS is enabled for the agent.
   */
  memfs_enabled?: boolean;
  /**
   * Whether the local memory checkout exists.
   */
  memfs_initialized?: boolean;
}
/**
 * Answers list_models with the selectable models. On failure entries is empty.
 */
export interface ListModelsResponseEvent {
  type: "list_models_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  entries: ModelListEntry[];
  /**
   * Handles the backend offers to this user; null when that lookup failed.
   */
  available_handles?: string[] | null;
  /**
   * Bring-your-own-key provider alias to its base provider (e.g. "lc-anthropic" -> "anthropic").
   */
  byok_provider_aliases?: {
    [k: string]: string | undefined;
  };
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to memory_commit_diff with the commit's patch, or null and an error.
 */
export interface MemoryCommitDiffResponseEvent {
  type: "memory_commit_diff_response";
  request_id: string;
  sha: string;
  /**
   * Unified diff of the commit; null on failure.
   */
  diff: string | null;
  success: boolean;
  error?: string;
}
/**
 * Answer to memory_file_at_ref with the file content at that commit, or null and an error.
 */
export interface MemoryFileAtRefResponseEvent {
  type: "memory_file_at_ref_response";
  request_id: string;
  file_path: string;
  ref: string;
  /**
   * File content at ref; null on failure.
   */
  content: string | null;
  success: boolean;
  error?: string;
}
/**
 * Answer to memory_history (sent on success only).
 */
export interface MemoryHistoryResponseEvent {
  type: "memory_history_response";
  request_id: string;
  /**
   * The requested file, or "" for the whole repository.
   */
  file_path: string;
  /**
   * Newest first.
   */
  commits: MemoryHistoryCommit[];
  success: boolean;
  error?: string;
}
/**
 * Tells clients that files of an agent's memory changed (after a memory write, delete, enable_memfs or a memory sync). Usually a direct frame; after a post-turn memory push it goes through the outbound queue and carries the envelope fields.
 */
export interface MemoryUpdatedEvent {
  type: "memory_updated";
  /**
   * Changed paths relative to the memory root; ["*"] means anything may have changed.
   */
  affected_paths: string[];
  /**
   * Time of the change in epoch milliseconds.
   */
  timestamp: number;
  runtime?: ConversationRuntimeScope;
  /**
   * Envelope sequence number; present only on the enveloped form.
   */
  event_seq?: number;
  /**
   * Envelope emission time (ISO-8601 UTC); present only on the enveloped form.
   */
  emitted_at?: string;
  /**
   * Envelope dedupe key; present only on the enveloped form.
   */
  idempotency_key?: string;
}
/**
 * Answers monitor_stop. stopped is true only when a running monitor was killed; success without stopped means it had already ended.
 */
export interface MonitorStopResponseEvent {
  type: "monitor_stop_response";
  request_id: string;
  runtime: RuntimeScope;
  process_id: string;
  success: boolean;
  stopped: boolean;
  error?: string;
}
/**
 * Answer to read_file with the content, or null content and an error.
 */
export interface ReadFileResponseEvent {
  type: "read_file_response";
  request_id: string;
  path: string;
  /**
   * File content in the given encoding; null on failure.
   */
  content: string | null;
  encoding?: FileContentEncoding;
  success: boolean;
  error?: string;
}
/**
 * Answer to read_memory_file.
 */
export interface ReadMemoryFileResponseEvent {
  type: "read_memory_file_response";
  request_id: string;
  agent_id: string;
  /**
   * Normalized path relative to the memory root (as requested on failure).
   */
  path: string;
  /**
   * Content in the given encoding; null on failure.
   */
  content: string | null;
  encoding: FileContentEncoding;
  success: boolean;
  error?: string;
}
/**
 * Answers remove_queue_item; success is false when no queued item had that id. An update_queue snapshot follows either way.
 */
export interface RemoveQueueItemResponseEvent {
  type: "remove_queue_item_response";
  request_id: string;
  success: boolean;
  item_id: string;
}
/**
 * Answers a resume_queue that carried a request_id, with the number of parked queue items it released.
 */
export interface ResumeQueueResponseEvent {
  type: "resume_queue_response";
  request_id: string;
  runtime: ConversationRuntimeScope;
  resumed: number;
  success: boolean;
  error?: string;
}
/**
 * Answers runtime_external_tools_update once the new tool sets are in place (or with an error when the runtime is shutting down).
 */
export interface RuntimeExternalToolsUpdateResponseEvent {
  type: "runtime_external_tools_update_response";
  request_id: string;
  success: boolean;
  error?: string;
}
/**
 * Answers runtime_start with the resolved scope and the agent and conversation it used or created. On failure runtime is null and error says why; agent and conversation hold whatever was resolved before the failure.
 */
export interface RuntimeStartResponseEvent {
  type: "runtime_start_response";
  request_id: string;
  success: boolean;
  /**
   * The scope to use in later commands; agent_id is null for an agent-free conversation.
   */
  runtime: ConversationRuntimeScope | null;
  agent: AgentState | null;
  /**
   * For `default` a stand-in object with id "default".
   */
  conversation: ConversationRecord | null;
  execution_settings?: RuntimeExecutionSettings;
  /**
   * Which of the two this command created.
   */
  created: {
    agent: boolean;
    conversation: boolean;
  };
  error?: string;
}
/**
 * Answer to search_branches. On failure branches is empty and error holds the git error.
 */
export interface SearchBranchesResponseEvent {
  type: "search_branches_response";
  request_id: string;
  branches: GitBranchInfo[];
  success: boolean;
  error?: string;
}
/**
 * Answer to search_files. On failure files is empty and error says why.
 */
export interface SearchFilesResponseEvent {
  type: "search_files_response";
  request_id: string;
  files: FileSearchEntry[];
  success: boolean;
  error?: string;
}
/**
 * Answers secret_apply with the sorted secret names after the update. Empty on failure.
 */
export interface SecretApplyResponseEvent {
  type: "secret_apply_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  names: string[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers secret_list with the agent's secrets sorted by key, values in plaintext. Empty on failure.
 */
export interface SecretListResponseEvent {
  type: "secret_list_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  secrets: {
    key: string;
    value: string;
  }[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to set_boot_working_directory with the boot directory now in effect (the unchanged one on failure).
 */
export interface SetBootWorkingDirectoryResponseEvent {
  type: "set_boot_working_directory_response";
  request_id: string;
  success: boolean;
  /**
   * Current boot working directory.
   */
  boot_working_directory: string;
  /**
   * Counter bumped on every working-directory change.
   */
  cwd_revision: number;
  error?: string;
}
/**
 * Answers set_experiment with every flag's state (also on failure). Followed by update_device_status on success.
 */
export interface SetExperimentResponseEvent {
  type: "set_experiment_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  experiments: ExperimentSnapshot[];
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers set_reflection_settings with the resulting settings and the scope they were saved to.
 */
export interface SetReflectionSettingsResponseEvent {
  type: "set_reflection_settings_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  reflection_settings: ReflectionSettingsSnapshot | null;
  scope: ReflectionSettingsScope;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers skill_disable. Success frames carry name (the declared skill_name is not sent by this version).
 */
export interface SkillDisableResponseEvent {
  type: "skill_disable_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  name?: string;
  /**
   * Declared by the protocol types but not sent by 0.32.18.
   */
  skill_name?: string;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers skill_enable. Success frames carry name, skill_path and link_path (the declared skill_name is not sent by this version).
 */
export interface SkillEnableResponseEvent {
  type: "skill_enable_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  /**
   * Skill name (the link name).
   */
  name?: string;
  skill_path?: string;
  /**
   * Where the skill was linked.
   */
  link_path?: string;
  /**
   * Declared by the protocol types but not sent by 0.32.18.
   */
  skill_name?: string;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Tells clients that the set of enabled skills changed (after skill_enable / skill_disable).
 */
export interface SkillsUpdatedEvent {
  type: "skills_updated";
  /**
   * Epoch milliseconds.
   */
  timestamp: number;
}
/**
 * Closes a sync that carried a request_id, after the state frames of the scope were replayed. success is false when the runtime is shutting down or the replay failed.
 */
export interface SyncResponseEvent {
  type: "sync_response";
  request_id: string;
  runtime: ConversationRuntimeScope;
  success: boolean;
  error?: string;
}
/**
 * Answers teleport_probe with what this runtime can do as a teleport destination.
 */
export interface TeleportProbeResponseEvent {
  type: "teleport_probe_response";
  request_id: string;
  runtime: ConversationRuntimeScope;
  /**
   * Whether teleport works here; false when the runtime keeps its state in a local backend.
   */
  supported: boolean;
  drains_accepted_inputs: true;
  idempotent_continuation: true;
}
/**
 * A terminal session ended: its shell exited, or terminal_spawn failed to start one (then exitCode is 1 and error says why).
 */
export interface TerminalExitedEvent {
  type: "terminal_exited";
  terminal_id: TerminalId;
  /**
   * Exit code of the shell (camelCase on the wire); 1 for a failed spawn.
   */
  exitCode: number;
  /**
   * Why the PTY could not be started; only on spawn failures.
   */
  error?: string;
}
/**
 * Output of a terminal session, batched (about 16 ms, flushed early at 64 KiB). Sent directly, only to the connection that spawned the terminal.
 */
export interface TerminalOutputEvent {
  type: "terminal_output";
  terminal_id: TerminalId;
  /**
   * Decoded PTY output, including ANSI escape sequences.
   */
  data: string;
}
/**
 * Confirms that a terminal_spawn started a shell (or that a recent session with that id was reused).
 */
export interface TerminalSpawnedEvent {
  type: "terminal_spawned";
  terminal_id: TerminalId;
  /**
   * Process id of the shell on the runtime host.
   */
  pid: number;
}
/**
 * Answers update_model. Success frames say where the model was applied and its resulting settings; failure frames usually echo runtime, model_id and model_handle.
 */
export interface UpdateModelResponseEvent {
  type: "update_model_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  runtime?: ConversationRuntimeScope;
  /**
   * agent for the default conversation, else conversation.
   */
  applied_to?: "agent" | "conversation";
  model_id?: string;
  model_handle?: string;
  /**
   * Letta model settings after the update (passthrough).
   */
  model_settings?: {} | null;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answers update_toolset with the toolset now in use.
 */
export interface UpdateToolsetResponseEvent {
  type: "update_toolset_response";
  /**
   * request_id of the command being answered.
   */
  request_id: string;
  success: boolean;
  runtime?: ConversationRuntimeScope;
  current_toolset?: ToolsetName;
  current_toolset_preference?: ToolsetPreference;
  /**
   * Failure reason (success false).
   */
  error?: string;
}
/**
 * Answer to write_file.
 */
export interface WriteFileResponseEvent {
  type: "write_file_response";
  request_id: string;
  path: string;
  success: boolean;
  error?: string;
}
/**
 * Answer to write_memory_file; committed tells whether a commit was made (false when the content was unchanged).
 */
export interface WriteMemoryFileResponseEvent {
  type: "write_memory_file_response";
  request_id: string;
  agent_id: string;
  /**
   * Normalized path relative to the memory root.
   */
  path: string;
  success: boolean;
  /**
   * Whether a commit was created; success only.
   */
  committed?: boolean;
  /**
   * Hash of the new commit, when one was made.
   */
  commit_sha?: string;
  error?: string;
}
/**
 * Body of GET /v1/health. The runtime calls it only when telemetry is on, reads nothing but an optional version, and ignores errors.
 */
export interface HealthResponse {
  /**
   * Server version.
   */
  version?: string;
}
/**
 * Body the runtime POSTs to /v1/environments/register at startup, after a 1008 close and after 5 minutes without a connection, to get a connectionId and the WebSocket URL.
 */
export interface RegisterRequest {
  /**
   * Stable id of the machine (a UUID).
   */
  deviceId: string;
  /**
   * Id of this listener instance: `server-` plus 16 hex digits derived from the connection name, or one given by the process that spawned the runtime.
   */
  listenerInstanceId?: string;
  /**
   * Environment name (`--env-name`).
   */
  connectionName: string;
  metadata: {
    lettaCodeVersion: string;
    /**
     * Node's process.platform, e.g. `linux`.
     */
    os: string;
    nodeVersion: string;
    /**
     * `v2-input`: the runtime takes v2 input frames.
     */
    environmentMessageProtocol: string;
    /**
     * Always true: the runtime can do the listener_ready handshake.
     */
    supportsPairedListenerGenerations: boolean;
    /**
     * Slash command ids it runs through execute_command.
     */
    supported_commands: string[];
    /**
     * Whether the runtime can upgrade itself in place.
     */
    self_update: {
      supported: boolean;
      writable: boolean;
      /**
       * Why self-update is off or not possible.
       */
      reason?: string;
      install_path?: string;
      /**
       * Command to upgrade by hand.
       */
      manual_command: string;
    };
  };
}
/**
 * The 2xx JSON answer to POST /v1/environments/register. Without string connectionId and wsUrl the runtime gives up; the two flags turn on split control/stream sockets and the listener_ready handshake (only the literal true counts). Other fields are ignored.
 */
export interface RegisterResponse {
  /**
   * Id of this registration. With the `conn-` prefix the runtime checks runtime-status before recovering approvals.
   */
  connectionId: string;
  /**
   * Absolute ws:// or wss:// URL the runtime connects to; may carry its own query.
   */
  wsUrl: string;
  /**
   * Open a control and a stream socket.
   */
  supportsSplitStatusChannels?: boolean;
  /**
   * With split sockets: wait for listener_ready on each socket.
   */
  supportsPairedListenerGenerations?: boolean;
}
/**
 * Body of GET /v1/agents/{agent_id}/runtime-status?conversation_ids=...; the runtime asks it before recovering pending approvals (only when its connectionId starts with `conn-`). Recovery goes ahead when the conversation's entry exists, has no conflicting listeners, and either its active harness is this connection or it is IDLE.
 */
export interface RuntimeStatusResponse {
  statuses: {
    conversation_id: string;
    /**
     * Conversation state; `IDLE` when nothing runs.
     */
    state: string;
    /**
     * More than one runtime claims the conversation.
     */
    has_conflicting_listeners: boolean;
    active_harness: {
      /**
       * connectionId of the runtime that runs the conversation.
       */
      connection_id: string;
    } | null;
  }[];
}
/**
 * Acknowledges every relayed frame up to and including seq, so the server can drop them from the replay buffer.
 */
export interface ByorAckFrame {
  type: "byor.ack";
  seq: number;
}
/**
 * The server refused a frame of this app (bad JSON, unknown type, invalid command, unknown or offline runtime...). Nothing else is affected.
 */
export interface ByorErrorFrame {
  type: "byor.error";
  /**
   * A ByorErrorCode (invalid_json, unknown_type, invalid_message, unknown_runtime, runtime_offline, forbidden: the app's role does not grant the privilege class the frame needs, ...).
   */
  code: string;
  message: string;
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
  /**
   * The type of the refused frame, if it had one.
   */
  frame_type?: string;
  /**
   * One entry per problem, the first 20 at most (more_issues counts the others).
   */
  issues?: {
    pointer: string;
    keyword?: string;
    expected: string;
    found: string;
  }[];
  /**
   * How many further problems were found and left out of issues (an estimate). Absent when none were.
   */
  more_issues?: number;
}
/**
 * A frame the runtime sent, relayed to an app that subscribed to its scope (or any frame that is not scoped, such as a response to this app's command).
 */
export interface ByorEventFrame {
  type: "byor.event";
  /**
   * The runtime's id on this server (its device id).
   */
  runtime_id: string;
  /**
   * Per-subscriber delivery counter, present only when seq/ack was negotiated.
   */
  seq?: number;
  /**
   * The runtime's event, as it sent it.
   */
  event: {
    type: string;
  };
}
/**
 * First frame of an app on the client endpoint: opts into seq/ack and, after a reconnect, asks to resume where it left off.
 */
export interface ByorHelloFrame {
  type: "byor.hello";
  /**
   * Number every relayed frame and keep a replay buffer for this app.
   */
  seq_ack?: boolean;
  /**
   * The session to resume and the last seq the app processed.
   */
  resume?: {
    session_id: string;
    last_seq: number;
  };
}
/**
 * Asks for the runtimes this server knows, online or not.
 */
export interface ByorListRuntimesFrame {
  type: "byor.list_runtimes";
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
}
/**
 * Heartbeat from either side of the client endpoint; answered with byor.pong.
 */
export interface ByorPingFrame {
  type: "byor.ping";
}
/**
 * Answer to byor.ping.
 */
export interface ByorPongFrame {
  type: "byor.pong";
}
/**
 * The session cannot be resumed exactly (unknown, expired, or its replay buffer no longer reaches last_seq): the app must re-sync its scopes from snapshots. A new session follows.
 */
export interface ByorResetFrame {
  type: "byor.reset";
  /**
   * The new session.
   */
  session_id: string;
  reason: "unknown_session" | "buffer_overrun" | "expired";
}
/**
 * A runtime connected, reconnected or went offline.
 */
export interface ByorRuntimeStatusFrame {
  type: "byor.runtime_status";
  /**
   * Per-subscriber delivery counter, present only when seq/ack was negotiated.
   */
  seq?: number;
  runtime: ByorRuntimeInfo;
}
/**
 * Answer to byor.list_runtimes.
 */
export interface ByorRuntimesFrame {
  type: "byor.runtimes";
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
  runtimes: ByorRuntimeInfo[];
}
/**
 * Asks the server to send a command to one runtime. The server validates it and names the scope, so the runtime routes the answer back.
 */
export interface ByorSendFrame {
  type: "byor.send";
  /**
   * The runtime's id on this server (its device id).
   */
  runtime_id: string;
  /**
   * A runtime command; validated against its own schema by the server.
   */
  command: {
    type: string;
  };
}
/**
 * Watches one scope of a runtime: the server syncs it now and after every runtime reconnect, and relays its events to this app.
 */
export interface ByorSubscribeFrame {
  type: "byor.subscribe";
  /**
   * The runtime's id on this server (its device id).
   */
  runtime_id: string;
  scope: ConversationRuntimeScope;
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
}
/**
 * Answer to byor.subscribe once the runtime has replayed the scope's state (sync_response).
 */
export interface ByorSubscribedFrame {
  type: "byor.subscribed";
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
  /**
   * The runtime's id on this server (its device id).
   */
  runtime_id: string;
  scope: ConversationRuntimeScope;
  success: boolean;
  error?: string;
}
/**
 * Stops relaying one scope of a runtime to this app.
 */
export interface ByorUnsubscribeFrame {
  type: "byor.unsubscribe";
  /**
   * The runtime's id on this server (its device id).
   */
  runtime_id: string;
  scope: ConversationRuntimeScope;
  /**
   * Echoed in the answer, for correlation.
   */
  request_id?: string;
}
/**
 * Answer to byor.hello: the session id to resume with later, whether it resumed an earlier one, whether seq/ack is on, and (on a server with access control) who the app is and what it may do.
 */
export interface ByorWelcomeFrame {
  type: "byor.welcome";
  session_id: string;
  resumed: boolean;
  seq_ack: boolean;
  /**
   * The last seq the server has sent on this session.
   */
  last_seq?: number;
  /**
   * Who the server authenticated this socket as, and what its role lets it do (schema/privileges.json): an app shows only what these privilege classes allow; the server refuses the rest with byor.error forbidden. Absent from servers without access control. After a resume, the principal of the socket that resumed.
   */
  principal?: {
    /**
     * The principal's name: a token's name, the server owner (owner), or a user named by the server's authenticate hook.
     */
    name: string;
    /**
     * Its role: viewer, operator, admin, or a custom role of the server.
     */
    role: string;
    /**
     * The privilege classes the role grants (observe, converse, files, terminal, memory, secrets, providers, channels, schedules, admin).
     */
    privileges: string[];
  };
}

/** Every frame a server or app may send to the runtime. */
export type RuntimeCommand =
  | ListenerReadyFrame
  | PongFrame
  | AbortMessageCommand
  | AgentCreateCommand
  | AgentDeleteCommand
  | AgentListCommand
  | AgentRetrieveCommand
  | AgentUpdateCommand
  | AppServerInfoCommand
  | ChangeDeviceStateCommand
  | ChannelAccountBindCommand
  | ChannelAccountCreateCommand
  | ChannelAccountDeleteCommand
  | ChannelAccountStartCommand
  | ChannelAccountStopCommand
  | ChannelAccountUnbindCommand
  | ChannelAccountUpdateCommand
  | ChannelAccountsListCommand
  | ChannelGetConfigCommand
  | ChannelPairingBindCommand
  | ChannelPairingsListCommand
  | ChannelRouteRemoveCommand
  | ChannelRouteUpdateCommand
  | ChannelRoutesListCommand
  | ChannelSetConfigCommand
  | ChannelStartCommand
  | ChannelStopCommand
  | ChannelTargetBindCommand
  | ChannelTargetsListCommand
  | ChannelsListCommand
  | ChatgptUsageReadCommand
  | CheckoutBranchCommand
  | ConnectProviderCommand
  | ConversationCompactCommand
  | ConversationCreateCommand
  | ConversationForkCommand
  | ConversationListCommand
  | ConversationMessagesListCommand
  | ConversationRecompileCommand
  | ConversationRetrieveCommand
  | ConversationUpdateCommand
  | CreateAgentCommand
  | CronAddCommand
  | CronDeleteCommand
  | CronDeleteAllCommand
  | CronGetCommand
  | CronListCommand
  | CronPauseCommand
  | CronResumeCommand
  | CronRunsCommand
  | CronTriggerCommand
  | CronUpdateCommand
  | DeleteMemoryFileCommand
  | DisconnectProviderCommand
  | EditFileCommand
  | EnableMemfsCommand
  | ExecuteCommandCommand
  | ExternalToolCallResponseCommand
  | FileOpsFrame
  | GetCwdMapCommand
  | GetExperimentsCommand
  | GetReflectionSettingsCommand
  | GetTreeCommand
  | GrepInFilesCommand
  | InputCommand
  | LaunchSubagentCommand
  | ListConnectProvidersCommand
  | ListInDirectoryCommand
  | ListMemoryCommand
  | ListModelsCommand
  | MemoryCommitDiffCommand
  | MemoryFileAtRefCommand
  | MemoryHistoryCommand
  | LegacyMessageCommand
  | MonitorStopCommand
  | ReadFileCommand
  | ReadMemoryFileCommand
  | RemoveQueueItemCommand
  | ResumeQueueCommand
  | RuntimeExternalToolsUpdateCommand
  | RuntimeStartCommand
  | SearchBranchesCommand
  | SearchFilesCommand
  | SecretApplyCommand
  | SecretListCommand
  | SetBootWorkingDirectoryCommand
  | SetExperimentCommand
  | SetReflectionSettingsCommand
  | SkillDisableCommand
  | SkillEnableCommand
  | SyncCommand
  | TeleportFailedCommand
  | TeleportProbeCommand
  | TeleportRequestCommand
  | TerminalInputCommand
  | TerminalKillCommand
  | TerminalResizeCommand
  | TerminalSpawnCommand
  | UnwatchFileCommand
  | UpdateModelCommand
  | UpdateToolsetCommand
  | WatchFileCommand
  | WriteFileCommand
  | WriteMemoryFileCommand;

/** Every frame the runtime may send. */
export type RuntimeEvent =
  | PingFrame
  | FileOpsFrame
  | AbortMessageResponseEvent
  | AgentCreateResponseEvent
  | AgentDeleteResponseEvent
  | AgentListResponseEvent
  | AgentRetrieveResponseEvent
  | AgentUpdateResponseEvent
  | AppServerInfoResponseEvent
  | ChannelAccountBindResponseEvent
  | ChannelAccountCreateResponseEvent
  | ChannelAccountDeleteResponseEvent
  | ChannelAccountStartResponseEvent
  | ChannelAccountStopResponseEvent
  | ChannelAccountUnbindResponseEvent
  | ChannelAccountUpdateResponseEvent
  | ChannelAccountsListResponseEvent
  | ChannelAccountsUpdatedEvent
  | ChannelGetConfigResponseEvent
  | ChannelPairingBindResponseEvent
  | ChannelPairingsListResponseEvent
  | ChannelPairingsUpdatedEvent
  | ChannelRouteRemoveResponseEvent
  | ChannelRouteUpdateResponseEvent
  | ChannelRoutesListResponseEvent
  | ChannelRoutesUpdatedEvent
  | ChannelSetConfigResponseEvent
  | ChannelStartResponseEvent
  | ChannelStopResponseEvent
  | ChannelTargetBindResponseEvent
  | ChannelTargetsListResponseEvent
  | ChannelTargetsUpdatedEvent
  | ChannelsListResponseEvent
  | ChannelsUpdatedEvent
  | ChatgptUsageReadResponseEvent
  | CheckoutBranchResponseEvent
  | ConnectProviderResponseEvent
  | ControlRequestEvent
  | ConversationCompactResponseEvent
  | ConversationCreateResponseEvent
  | ConversationForkResponseEvent
  | ConversationListResponseEvent
  | ConversationMessagesListResponseEvent
  | ConversationRecompileResponseEvent
  | ConversationRetrieveResponseEvent
  | ConversationUpdateResponseEvent
  | CreateAgentResponseEvent
  | CronAddResponseEvent
  | CronDeleteAllResponseEvent
  | CronDeleteResponseEvent
  | CronGetResponseEvent
  | CronListResponseEvent
  | CronPauseResponseEvent
  | CronResumeResponseEvent
  | CronRunsResponseEvent
  | CronTriggerResponseEvent
  | CronUpdateResponseEvent
  | CronsUpdatedEvent
  | DeleteMemoryFileResponseEvent
  | DisconnectProviderResponseEvent
  | EditFileResponseEvent
  | EnableMemfsResponseEvent
  | ExecuteCommandResponseEvent
  | ExternalToolCallRequestEvent
  | FileChangedEvent
  | GetCwdMapResponseEvent
  | GetExperimentsResponseEvent
  | GetReflectionSettingsResponseEvent
  | GetTreeResponseEvent
  | GrepInFilesResponseEvent
  | InputAcceptedEvent
  | LaunchSubagentResponseEvent
  | ListConnectProvidersResponseEvent
  | ListInDirectoryResponseEvent
  | ListMemoryResponseEvent
  | ListModelsResponseEvent
  | MemoryCommitDiffResponseEvent
  | MemoryFileAtRefResponseEvent
  | MemoryHistoryResponseEvent
  | MemoryUpdatedEvent
  | MonitorStopResponseEvent
  | ReadFileResponseEvent
  | ReadMemoryFileResponseEvent
  | RemoveQueueItemResponseEvent
  | ResumeQueueResponseEvent
  | RuntimeExternalToolsUpdateResponseEvent
  | RuntimeStartResponseEvent
  | SearchBranchesResponseEvent
  | SearchFilesResponseEvent
  | SecretApplyResponseEvent
  | SecretListResponseEvent
  | SetBootWorkingDirectoryResponseEvent
  | SetExperimentResponseEvent
  | SetReflectionSettingsResponseEvent
  | SkillDisableResponseEvent
  | SkillEnableResponseEvent
  | SkillsUpdatedEvent
  | StreamDeltaEvent
  | SyncResponseEvent
  | TeleportProbeResponseEvent
  | TeleportReadyEvent
  | TerminalExitedEvent
  | TerminalOutputEvent
  | TerminalSpawnedEvent
  | TurnFinishedEvent
  | UpdateDeviceStatusEvent
  | UpdateLoopStatusEvent
  | UpdateModelResponseEvent
  | UpdateQueueEvent
  | UpdateSubagentStateEvent
  | UpdateToolsetResponseEvent
  | WriteFileResponseEvent
  | WriteMemoryFileResponseEvent;

/** Command `type` → its message type. */
export interface CommandTypeMap {
  "listener_ready": ListenerReadyFrame;
  "pong": PongFrame;
  "abort_message": AbortMessageCommand;
  "agent_create": AgentCreateCommand;
  "agent_delete": AgentDeleteCommand;
  "agent_list": AgentListCommand;
  "agent_retrieve": AgentRetrieveCommand;
  "agent_update": AgentUpdateCommand;
  "app_server_info": AppServerInfoCommand;
  "change_device_state": ChangeDeviceStateCommand;
  "channel_account_bind": ChannelAccountBindCommand;
  "channel_account_create": ChannelAccountCreateCommand;
  "channel_account_delete": ChannelAccountDeleteCommand;
  "channel_account_start": ChannelAccountStartCommand;
  "channel_account_stop": ChannelAccountStopCommand;
  "channel_account_unbind": ChannelAccountUnbindCommand;
  "channel_account_update": ChannelAccountUpdateCommand;
  "channel_accounts_list": ChannelAccountsListCommand;
  "channel_get_config": ChannelGetConfigCommand;
  "channel_pairing_bind": ChannelPairingBindCommand;
  "channel_pairings_list": ChannelPairingsListCommand;
  "channel_route_remove": ChannelRouteRemoveCommand;
  "channel_route_update": ChannelRouteUpdateCommand;
  "channel_routes_list": ChannelRoutesListCommand;
  "channel_set_config": ChannelSetConfigCommand;
  "channel_start": ChannelStartCommand;
  "channel_stop": ChannelStopCommand;
  "channel_target_bind": ChannelTargetBindCommand;
  "channel_targets_list": ChannelTargetsListCommand;
  "channels_list": ChannelsListCommand;
  "chatgpt_usage_read": ChatgptUsageReadCommand;
  "checkout_branch": CheckoutBranchCommand;
  "connect_provider": ConnectProviderCommand;
  "conversation_compact": ConversationCompactCommand;
  "conversation_create": ConversationCreateCommand;
  "conversation_fork": ConversationForkCommand;
  "conversation_list": ConversationListCommand;
  "conversation_messages_list": ConversationMessagesListCommand;
  "conversation_recompile": ConversationRecompileCommand;
  "conversation_retrieve": ConversationRetrieveCommand;
  "conversation_update": ConversationUpdateCommand;
  "create_agent": CreateAgentCommand;
  "cron_add": CronAddCommand;
  "cron_delete": CronDeleteCommand;
  "cron_delete_all": CronDeleteAllCommand;
  "cron_get": CronGetCommand;
  "cron_list": CronListCommand;
  "cron_pause": CronPauseCommand;
  "cron_resume": CronResumeCommand;
  "cron_runs": CronRunsCommand;
  "cron_trigger": CronTriggerCommand;
  "cron_update": CronUpdateCommand;
  "delete_memory_file": DeleteMemoryFileCommand;
  "disconnect_provider": DisconnectProviderCommand;
  "edit_file": EditFileCommand;
  "enable_memfs": EnableMemfsCommand;
  "execute_command": ExecuteCommandCommand;
  "external_tool_call_response": ExternalToolCallResponseCommand;
  "file_ops": FileOpsFrame;
  "get_cwd_map": GetCwdMapCommand;
  "get_experiments": GetExperimentsCommand;
  "get_reflection_settings": GetReflectionSettingsCommand;
  "get_tree": GetTreeCommand;
  "grep_in_files": GrepInFilesCommand;
  "input": InputCommand;
  "launch_subagent": LaunchSubagentCommand;
  "list_connect_providers": ListConnectProvidersCommand;
  "list_in_directory": ListInDirectoryCommand;
  "list_memory": ListMemoryCommand;
  "list_models": ListModelsCommand;
  "memory_commit_diff": MemoryCommitDiffCommand;
  "memory_file_at_ref": MemoryFileAtRefCommand;
  "memory_history": MemoryHistoryCommand;
  "message": LegacyMessageCommand;
  "monitor_stop": MonitorStopCommand;
  "read_file": ReadFileCommand;
  "read_memory_file": ReadMemoryFileCommand;
  "remove_queue_item": RemoveQueueItemCommand;
  "resume_queue": ResumeQueueCommand;
  "runtime_external_tools_update": RuntimeExternalToolsUpdateCommand;
  "runtime_start": RuntimeStartCommand;
  "search_branches": SearchBranchesCommand;
  "search_files": SearchFilesCommand;
  "secret_apply": SecretApplyCommand;
  "secret_list": SecretListCommand;
  "set_boot_working_directory": SetBootWorkingDirectoryCommand;
  "set_experiment": SetExperimentCommand;
  "set_reflection_settings": SetReflectionSettingsCommand;
  "skill_disable": SkillDisableCommand;
  "skill_enable": SkillEnableCommand;
  "sync": SyncCommand;
  "teleport_failed": TeleportFailedCommand;
  "teleport_probe": TeleportProbeCommand;
  "teleport_request": TeleportRequestCommand;
  "terminal_input": TerminalInputCommand;
  "terminal_kill": TerminalKillCommand;
  "terminal_resize": TerminalResizeCommand;
  "terminal_spawn": TerminalSpawnCommand;
  "unwatch_file": UnwatchFileCommand;
  "update_model": UpdateModelCommand;
  "update_toolset": UpdateToolsetCommand;
  "watch_file": WatchFileCommand;
  "write_file": WriteFileCommand;
  "write_memory_file": WriteMemoryFileCommand;
}

/** Event `type` → its message type. */
export interface EventTypeMap {
  "ping": PingFrame;
  "file_ops": FileOpsFrame;
  "abort_message_response": AbortMessageResponseEvent;
  "agent_create_response": AgentCreateResponseEvent;
  "agent_delete_response": AgentDeleteResponseEvent;
  "agent_list_response": AgentListResponseEvent;
  "agent_retrieve_response": AgentRetrieveResponseEvent;
  "agent_update_response": AgentUpdateResponseEvent;
  "app_server_info_response": AppServerInfoResponseEvent;
  "channel_account_bind_response": ChannelAccountBindResponseEvent;
  "channel_account_create_response": ChannelAccountCreateResponseEvent;
  "channel_account_delete_response": ChannelAccountDeleteResponseEvent;
  "channel_account_start_response": ChannelAccountStartResponseEvent;
  "channel_account_stop_response": ChannelAccountStopResponseEvent;
  "channel_account_unbind_response": ChannelAccountUnbindResponseEvent;
  "channel_account_update_response": ChannelAccountUpdateResponseEvent;
  "channel_accounts_list_response": ChannelAccountsListResponseEvent;
  "channel_accounts_updated": ChannelAccountsUpdatedEvent;
  "channel_get_config_response": ChannelGetConfigResponseEvent;
  "channel_pairing_bind_response": ChannelPairingBindResponseEvent;
  "channel_pairings_list_response": ChannelPairingsListResponseEvent;
  "channel_pairings_updated": ChannelPairingsUpdatedEvent;
  "channel_route_remove_response": ChannelRouteRemoveResponseEvent;
  "channel_route_update_response": ChannelRouteUpdateResponseEvent;
  "channel_routes_list_response": ChannelRoutesListResponseEvent;
  "channel_routes_updated": ChannelRoutesUpdatedEvent;
  "channel_set_config_response": ChannelSetConfigResponseEvent;
  "channel_start_response": ChannelStartResponseEvent;
  "channel_stop_response": ChannelStopResponseEvent;
  "channel_target_bind_response": ChannelTargetBindResponseEvent;
  "channel_targets_list_response": ChannelTargetsListResponseEvent;
  "channel_targets_updated": ChannelTargetsUpdatedEvent;
  "channels_list_response": ChannelsListResponseEvent;
  "channels_updated": ChannelsUpdatedEvent;
  "chatgpt_usage_read_response": ChatgptUsageReadResponseEvent;
  "checkout_branch_response": CheckoutBranchResponseEvent;
  "connect_provider_response": ConnectProviderResponseEvent;
  "control_request": ControlRequestEvent;
  "conversation_compact_response": ConversationCompactResponseEvent;
  "conversation_create_response": ConversationCreateResponseEvent;
  "conversation_fork_response": ConversationForkResponseEvent;
  "conversation_list_response": ConversationListResponseEvent;
  "conversation_messages_list_response": ConversationMessagesListResponseEvent;
  "conversation_recompile_response": ConversationRecompileResponseEvent;
  "conversation_retrieve_response": ConversationRetrieveResponseEvent;
  "conversation_update_response": ConversationUpdateResponseEvent;
  "create_agent_response": CreateAgentResponseEvent;
  "cron_add_response": CronAddResponseEvent;
  "cron_delete_all_response": CronDeleteAllResponseEvent;
  "cron_delete_response": CronDeleteResponseEvent;
  "cron_get_response": CronGetResponseEvent;
  "cron_list_response": CronListResponseEvent;
  "cron_pause_response": CronPauseResponseEvent;
  "cron_resume_response": CronResumeResponseEvent;
  "cron_runs_response": CronRunsResponseEvent;
  "cron_trigger_response": CronTriggerResponseEvent;
  "cron_update_response": CronUpdateResponseEvent;
  "crons_updated": CronsUpdatedEvent;
  "delete_memory_file_response": DeleteMemoryFileResponseEvent;
  "disconnect_provider_response": DisconnectProviderResponseEvent;
  "edit_file_response": EditFileResponseEvent;
  "enable_memfs_response": EnableMemfsResponseEvent;
  "execute_command_response": ExecuteCommandResponseEvent;
  "external_tool_call_request": ExternalToolCallRequestEvent;
  "file_changed": FileChangedEvent;
  "get_cwd_map_response": GetCwdMapResponseEvent;
  "get_experiments_response": GetExperimentsResponseEvent;
  "get_reflection_settings_response": GetReflectionSettingsResponseEvent;
  "get_tree_response": GetTreeResponseEvent;
  "grep_in_files_response": GrepInFilesResponseEvent;
  "input_accepted": InputAcceptedEvent;
  "launch_subagent_response": LaunchSubagentResponseEvent;
  "list_connect_providers_response": ListConnectProvidersResponseEvent;
  "list_in_directory_response": ListInDirectoryResponseEvent;
  "list_memory_response": ListMemoryResponseEvent;
  "list_models_response": ListModelsResponseEvent;
  "memory_commit_diff_response": MemoryCommitDiffResponseEvent;
  "memory_file_at_ref_response": MemoryFileAtRefResponseEvent;
  "memory_history_response": MemoryHistoryResponseEvent;
  "memory_updated": MemoryUpdatedEvent;
  "monitor_stop_response": MonitorStopResponseEvent;
  "read_file_response": ReadFileResponseEvent;
  "read_memory_file_response": ReadMemoryFileResponseEvent;
  "remove_queue_item_response": RemoveQueueItemResponseEvent;
  "resume_queue_response": ResumeQueueResponseEvent;
  "runtime_external_tools_update_response": RuntimeExternalToolsUpdateResponseEvent;
  "runtime_start_response": RuntimeStartResponseEvent;
  "search_branches_response": SearchBranchesResponseEvent;
  "search_files_response": SearchFilesResponseEvent;
  "secret_apply_response": SecretApplyResponseEvent;
  "secret_list_response": SecretListResponseEvent;
  "set_boot_working_directory_response": SetBootWorkingDirectoryResponseEvent;
  "set_experiment_response": SetExperimentResponseEvent;
  "set_reflection_settings_response": SetReflectionSettingsResponseEvent;
  "skill_disable_response": SkillDisableResponseEvent;
  "skill_enable_response": SkillEnableResponseEvent;
  "skills_updated": SkillsUpdatedEvent;
  "stream_delta": StreamDeltaEvent;
  "sync_response": SyncResponseEvent;
  "teleport_probe_response": TeleportProbeResponseEvent;
  "teleport_ready": TeleportReadyEvent;
  "terminal_exited": TerminalExitedEvent;
  "terminal_output": TerminalOutputEvent;
  "terminal_spawned": TerminalSpawnedEvent;
  "turn_finished": TurnFinishedEvent;
  "update_device_status": UpdateDeviceStatusEvent;
  "update_loop_status": UpdateLoopStatusEvent;
  "update_model_response": UpdateModelResponseEvent;
  "update_queue": UpdateQueueEvent;
  "update_subagent_state": UpdateSubagentStateEvent;
  "update_toolset_response": UpdateToolsetResponseEvent;
  "write_file_response": WriteFileResponseEvent;
  "write_memory_file_response": WriteMemoryFileResponseEvent;
}

/** Every frame an app may send to a BYOR server's client endpoint. */
export type AppFrame =
  | ByorAckFrame
  | ByorHelloFrame
  | ByorListRuntimesFrame
  | ByorPingFrame
  | ByorPongFrame
  | ByorSendFrame
  | ByorSubscribeFrame
  | ByorUnsubscribeFrame;

/** Every frame a BYOR server may send to an app. */
export type ServerFrame =
  | ByorErrorFrame
  | ByorEventFrame
  | ByorPingFrame
  | ByorPongFrame
  | ByorResetFrame
  | ByorRuntimeStatusFrame
  | ByorRuntimesFrame
  | ByorSubscribedFrame
  | ByorWelcomeFrame;

/** App frame `type` → its message type. */
export interface AppFrameTypeMap {
  "byor.ack": ByorAckFrame;
  "byor.hello": ByorHelloFrame;
  "byor.list_runtimes": ByorListRuntimesFrame;
  "byor.ping": ByorPingFrame;
  "byor.pong": ByorPongFrame;
  "byor.send": ByorSendFrame;
  "byor.subscribe": ByorSubscribeFrame;
  "byor.unsubscribe": ByorUnsubscribeFrame;
}

/** Server frame `type` → its message type. */
export interface ServerFrameTypeMap {
  "byor.error": ByorErrorFrame;
  "byor.event": ByorEventFrame;
  "byor.ping": ByorPingFrame;
  "byor.pong": ByorPongFrame;
  "byor.reset": ByorResetFrame;
  "byor.runtime_status": ByorRuntimeStatusFrame;
  "byor.runtimes": ByorRuntimesFrame;
  "byor.subscribed": ByorSubscribedFrame;
  "byor.welcome": ByorWelcomeFrame;
}

/** Command `type` → the `type` of the one response the runtime pairs with it by `request_id`. */
export interface ResponseTypeMap {
  abort_message: "abort_message_response";
  agent_create: "agent_create_response";
  agent_delete: "agent_delete_response";
  agent_list: "agent_list_response";
  agent_retrieve: "agent_retrieve_response";
  agent_update: "agent_update_response";
  app_server_info: "app_server_info_response";
  channel_account_bind: "channel_account_bind_response";
  channel_account_create: "channel_account_create_response";
  channel_account_delete: "channel_account_delete_response";
  channel_account_start: "channel_account_start_response";
  channel_account_stop: "channel_account_stop_response";
  channel_account_unbind: "channel_account_unbind_response";
  channel_account_update: "channel_account_update_response";
  channel_accounts_list: "channel_accounts_list_response";
  channel_get_config: "channel_get_config_response";
  channel_pairing_bind: "channel_pairing_bind_response";
  channel_pairings_list: "channel_pairings_list_response";
  channel_route_remove: "channel_route_remove_response";
  channel_route_update: "channel_route_update_response";
  channel_routes_list: "channel_routes_list_response";
  channel_set_config: "channel_set_config_response";
  channel_start: "channel_start_response";
  channel_stop: "channel_stop_response";
  channel_target_bind: "channel_target_bind_response";
  channel_targets_list: "channel_targets_list_response";
  channels_list: "channels_list_response";
  chatgpt_usage_read: "chatgpt_usage_read_response";
  checkout_branch: "checkout_branch_response";
  connect_provider: "connect_provider_response";
  conversation_compact: "conversation_compact_response";
  conversation_create: "conversation_create_response";
  conversation_fork: "conversation_fork_response";
  conversation_list: "conversation_list_response";
  conversation_messages_list: "conversation_messages_list_response";
  conversation_recompile: "conversation_recompile_response";
  conversation_retrieve: "conversation_retrieve_response";
  conversation_update: "conversation_update_response";
  create_agent: "create_agent_response";
  cron_add: "cron_add_response";
  cron_delete: "cron_delete_response";
  cron_delete_all: "cron_delete_all_response";
  cron_get: "cron_get_response";
  cron_list: "cron_list_response";
  cron_pause: "cron_pause_response";
  cron_resume: "cron_resume_response";
  cron_runs: "cron_runs_response";
  cron_trigger: "cron_trigger_response";
  cron_update: "cron_update_response";
  delete_memory_file: "delete_memory_file_response";
  disconnect_provider: "disconnect_provider_response";
  edit_file: "edit_file_response";
  enable_memfs: "enable_memfs_response";
  execute_command: "execute_command_response";
  get_cwd_map: "get_cwd_map_response";
  get_experiments: "get_experiments_response";
  get_reflection_settings: "get_reflection_settings_response";
  get_tree: "get_tree_response";
  grep_in_files: "grep_in_files_response";
  input: "input_accepted";
  launch_subagent: "launch_subagent_response";
  list_connect_providers: "list_connect_providers_response";
  list_in_directory: "list_in_directory_response";
  list_memory: "list_memory_response";
  list_models: "list_models_response";
  memory_commit_diff: "memory_commit_diff_response";
  memory_file_at_ref: "memory_file_at_ref_response";
  memory_history: "memory_history_response";
  monitor_stop: "monitor_stop_response";
  read_file: "read_file_response";
  read_memory_file: "read_memory_file_response";
  remove_queue_item: "remove_queue_item_response";
  resume_queue: "resume_queue_response";
  runtime_external_tools_update: "runtime_external_tools_update_response";
  runtime_start: "runtime_start_response";
  search_branches: "search_branches_response";
  search_files: "search_files_response";
  secret_apply: "secret_apply_response";
  secret_list: "secret_list_response";
  set_boot_working_directory: "set_boot_working_directory_response";
  set_experiment: "set_experiment_response";
  set_reflection_settings: "set_reflection_settings_response";
  skill_disable: "skill_disable_response";
  skill_enable: "skill_enable_response";
  sync: "sync_response";
  teleport_probe: "teleport_probe_response";
  update_model: "update_model_response";
  update_toolset: "update_toolset_response";
  write_file: "write_file_response";
  write_memory_file: "write_memory_file_response";
}

/** Frames that carry the event envelope (runtime, event_seq, emitted_at, idempotency_key). */
export type EnvelopedEvent = ControlRequestEvent | StreamDeltaEvent | TeleportReadyEvent | TurnFinishedEvent | UpdateDeviceStatusEvent | UpdateLoopStatusEvent | UpdateQueueEvent | UpdateSubagentStateEvent;
