// Payload builders for the simulated runtime, shaped like the frames the real 0.32.18 runtime sends (trimmed to
// what a client needs: the same keys, shorter lists).
import type { DeviceStatus, LoopState, LoopStatus, PendingControlRequest, PermissionMode } from "@byor/protocol";

export const LETTA_CODE_VERSION = "0.32.18";

/** `metadata.supported_commands` of the register body and `device_status.supported_commands`. */
export const SUPPORTED_COMMANDS = [
  "clear",
  "clear-messages",
  "doctor",
  "dream",
  "reflect",
  "reflection",
  "init",
  "compact",
  "reload",
  "context-limit",
  "channels",
  "upgrade-letta-code",
  "toolset",
  "secret",
  "monitor_stop",
];

const AVAILABLE_TOOLSETS: DeviceStatus["available_toolsets"] = [
  { id: "auto", display_name: "Auto", label: "Auto", description: "Auto-select based on the model", is_featured: true },
  { id: "letta", display_name: "Letta", label: "Letta toolset", description: "Experimental unified toolset for every model", is_featured: true },
  { id: "none", display_name: "None", label: "None", description: "Empty built-in preset; keeps connected tools", is_featured: true },
  {
    id: "default",
    display_name: "Claude",
    label: "Claude toolset",
    description: "Optimized for Anthropic models, recommended for all non-OpenAI models",
    is_featured: true,
  },
  { id: "codex", display_name: "Codex", label: "Codex toolset", description: "Optimized for GPT/Codex models", is_featured: true },
];

const EXPERIMENTS: DeviceStatus["experiments"] = (
  [
    ["artifacts", "artifacts", "Expose Letta Code Desktop artifact creation tools and artifact UI surfaces."],
    ["conversation_titles", "conversation titles", "Generate AI conversation titles automatically when possible."],
    [
      "desktop_conversation_bootstrap",
      "conversation bootstrap",
      "Inject lightweight prior-conversation context into the first turn of brand-new Letta Code conversations.",
    ],
    ["diffs", "diffs", "Open browser-based worktree diff previews powered by Diffs from Pierre."],
    ["reflection_arena", "reflection arena", "Run blind A/B comparisons between reflection models on the same transcript sample."],
    ["tui_cron", "TUI cron scheduler", "Fire scheduled tasks from the CLI when the desktop app isn't running."],
  ] as const
).map(([id, label, description]) => ({ id, label, description, enabled: false, source: "default" as const, override: null }));

/** The tools the real runtime loads with its default toolset (names only). */
export const LOADED_TOOLS = ["AskUserQuestion", "Bash", "Edit", "Read", "Write", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate"];

export interface DeviceStatusInput {
  connectionId: string | null;
  connectionName: string;
  online: boolean;
  processing: boolean;
  mode: PermissionMode;
  cwd: string;
  agentId: string | null;
  pending: PendingControlRequest[];
  home: string;
}

export function deviceStatus(input: DeviceStatusInput): DeviceStatus {
  return {
    current_connection_id: input.connectionId,
    connection_name: input.connectionName,
    is_online: input.online,
    is_processing: input.processing,
    current_permission_mode: input.mode,
    current_working_directory: input.cwd,
    git_context: null,
    letta_code_version: null,
    current_toolset: "default",
    current_toolset_preference: "auto",
    available_toolsets: AVAILABLE_TOOLSETS,
    current_loaded_tools: LOADED_TOOLS,
    current_available_skills: [],
    background_processes: [],
    pending_control_requests: input.pending,
    experiments: EXPERIMENTS,
    memory_directory: input.agentId ? `${input.home}/.letta/lc-local-backend/memfs/${input.agentId}/memory` : null,
    cwd_revision: 0,
    should_doctor: false,
    supported_commands: SUPPORTED_COMMANDS,
    reflection_settings: input.agentId ? { agent_id: input.agentId, trigger: "step-count", step_count: 25, merge: "auto", merge_instructions: "" } : null,
  };
}

export interface LoopInput {
  status: LoopStatus;
  activeRunIds: string[];
  clientMessageIdsByRunId: Map<string, string[]>;
  executingToolCallIds: string[];
}

export function loopState(input: LoopInput): LoopState {
  const state: LoopState = { status: input.status, active_run_ids: [...input.activeRunIds], executing_tool_call_ids: [...input.executingToolCallIds] };
  // Left out when empty, as the runtime does; key order follows the runtime's frames.
  if (input.clientMessageIdsByRunId.size) {
    return {
      status: state.status,
      active_run_ids: state.active_run_ids,
      client_message_ids_by_run_id: Object.fromEntries([...input.clientMessageIdsByRunId].map(([k, v]) => [k, [...v]])),
      executing_tool_call_ids: state.executing_tool_call_ids,
    };
  }
  return state;
}

/** `app_server_info_response` of the real runtime in local-backend mode. */
export const APP_SERVER_INFO = {
  success: true as const,
  backend: "local" as const,
  letta_code_version: LETTA_CODE_VERSION,
  protocol_version: 1,
  capabilities: {
    agent_management: true,
    conversation_management: true,
    memory_management: true,
    runtime_start: true,
    launch_subagent: true,
    runtime_workspace_sandbox: true,
    runtime_external_tools_update: true,
    structured_outputs: false,
    split_channels: false,
  },
};

/** The `openai-compatible` entry of a `connect_provider_response`, once connected. */
export function openAiCompatibleProvider(baseUrl: string | undefined) {
  const connected = baseUrl
    ? {
        is_connected: true,
        id: "local-provider-openai-compatible",
        provider_name: "openai-compatible",
        provider_type: "openai-compatible",
        auth_type: "api" as const,
        base_url: baseUrl,
      }
    : { is_connected: false };
  return {
    id: "openai-compatible",
    display_name: "OpenAI-compatible API",
    description: "Connect an OpenAI-compatible Chat Completions endpoint",
    provider_type: "openai-compatible",
    provider_name: "openai-compatible",
    provider_names: ["openai-compatible", "lc-openai-compatible"],
    requires_api_key: false,
    fields: [
      { key: "apiKey", label: "API Key", secret: true, required: false },
      { key: "baseUrl", label: "Base URL", required: true },
    ],
    connected,
    connected_providers: baseUrl ? [connected] : [],
  };
}
