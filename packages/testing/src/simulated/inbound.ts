// How the real runtime sorts a frame it could not parse as a command: almost always it drops it without a word;
// only an `input` with a valid `runtime` but a bad payload is reported, as a non-terminal `loop_error` whose text
// is one of these (checked in this order, as 0.32.18 does).

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const isStringArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
const TOOLSETS = new Set(["auto", "codex", "default", "letta", "none"]);

/** The runtime's scope check: agent_id null or a non-empty string, conversation_id a non-empty string. */
export function isRuntimeScope(v: unknown): v is { agent_id: string | null; conversation_id: string } {
  if (!v || typeof v !== "object") return false;
  const s = v as Record<string, unknown>;
  return (
    (s.agent_id === null || (typeof s.agent_id === "string" && s.agent_id.length > 0)) && typeof s.conversation_id === "string" && s.conversation_id.length > 0
  );
}

function isApprovalResponseBody(p: Record<string, unknown>): boolean {
  if (typeof p.request_id !== "string") return false;
  if (p.error !== undefined) return typeof p.error === "string";
  if (!p.decision || typeof p.decision !== "object") return false;
  const d = p.decision as Record<string, unknown>;
  if (d.behavior === "allow") {
    const ids = d.selected_permission_suggestion_ids;
    return (
      (d.message === undefined || typeof d.message === "string") &&
      (d.updated_input === undefined || d.updated_input === null || typeof d.updated_input === "object") &&
      (ids === undefined || isStringArray(ids))
    );
  }
  if (d.behavior === "deny") return typeof d.message === "string";
  return false;
}

function isTeleportContinue(p: Record<string, unknown>): boolean {
  if (!isRecord(p) || !isRecord(p.source)) return false;
  const c = p.continuation;
  return (
    typeof p.teleport_id === "string" &&
    p.teleport_id.length > 0 &&
    typeof p.source.device_id === "string" &&
    typeof p.source.connection_name === "string" &&
    (c === undefined || (isRecord(c) && Array.isArray(c.approvals)))
  );
}

/** The loop_error text for an unparseable `input` with a valid runtime, or undefined when the frame is just dropped. */
export function invalidInputReason(frame: unknown): { runtime: { agent_id: string | null; conversation_id: string }; reason: string } | undefined {
  if (!frame || typeof frame !== "object") return undefined;
  const f = frame as Record<string, unknown>;
  if (f.type !== "input" || !isRuntimeScope(f.runtime)) return undefined;
  const runtime = f.runtime;
  const fail = (reason: string) => ({ runtime, reason: `Protocol violation: ${reason}` });
  if (!f.payload || typeof f.payload !== "object") return fail("input.payload must be an object");
  const p = f.payload as Record<string, unknown>;
  if (p.kind === "create_message") {
    if (!Array.isArray(p.messages)) return fail("input.kind=create_message requires payload.messages[]");
    if (p.image_failure_mode !== undefined && p.image_failure_mode !== "strict" && p.image_failure_mode !== "drop") {
      return fail("input.payload.image_failure_mode must be strict or drop");
    }
    if (p.client_tool_allowlist !== undefined && !isStringArray(p.client_tool_allowlist)) return fail("input.payload.client_tool_allowlist must be string[]");
    const ts = p.client_toolset;
    if (
      ts !== undefined &&
      !(isRecord(ts) && (ts.base === undefined || TOOLSETS.has(ts.base as string)) && (ts.include === undefined || isStringArray(ts.include)))
    ) {
      return fail("input.payload.client_toolset must contain an optional valid base and string[] include");
    }
    if (p.exclude_interactive_tools !== undefined && typeof p.exclude_interactive_tools !== "boolean")
      return fail("input.payload.exclude_interactive_tools must be boolean");
    if (p.external_tool_scope_ids !== undefined && !isStringArray(p.external_tool_scope_ids))
      return fail("input.payload.external_tool_scope_ids must be string[]");
    return undefined;
  }
  if (p.kind === "approval_response") {
    return isApprovalResponseBody(p)
      ? undefined
      : fail("input.kind=approval_response requires payload.request_id and either payload.decision or payload.error");
  }
  if (p.kind === "teleport_continue") {
    return isTeleportContinue(p) ? undefined : fail("input.kind=teleport_continue requires teleport_id, source, and optional continuation.approvals[]");
  }
  return { runtime, reason: `Unsupported input payload kind: ${String(p.kind)}` };
}

/** The legacy Cloud frame `{type:"message", agentId, conversationId, messages}`, which still runs a turn. */
export function legacyMessage(frame: unknown): { agentId: string; conversationId: string; messages: unknown[] } | undefined {
  if (!isRecord(frame) || frame.type !== "message" || typeof frame.agentId !== "string" || !frame.agentId || !Array.isArray(frame.messages)) return undefined;
  const conversationId =
    typeof frame.conversationId === "string" ? frame.conversationId : typeof frame.conversation_id === "string" ? frame.conversation_id : "default";
  return { agentId: frame.agentId, conversationId, messages: frame.messages };
}

/** The text of the first message with content (what the runtime queues and echoes). */
export function messageText(messages: readonly unknown[]): { text: string; clientMessageId: string | undefined } {
  for (const m of messages) {
    if (!isRecord(m)) continue;
    const cm = typeof m.client_message_id === "string" ? m.client_message_id : undefined;
    if (typeof m.content === "string") return { text: m.content, clientMessageId: cm };
    if (Array.isArray(m.content)) {
      const text = m.content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
      return { text, clientMessageId: cm };
    }
  }
  return { text: "", clientMessageId: undefined };
}

/**
 * Commands the runtime parses more loosely than the schema describes them: it accepts these and then refuses them
 * in its handler (runtime_start_response success:false, or a loop_error), where the schema rejects the frame.
 */
export function looseCommand(frame: Record<string, unknown>): Record<string, unknown> | undefined {
  if (frame.type === "runtime_start") {
    const ok =
      typeof frame.request_id === "string" &&
      (frame.agent_id === undefined || typeof frame.agent_id === "string") &&
      (frame.create_agent === undefined || (isRecord(frame.create_agent) && isRecord(frame.create_agent.body))) &&
      (frame.conversation_id === undefined || typeof frame.conversation_id === "string") &&
      (frame.create_conversation === undefined ||
        (isRecord(frame.create_conversation) && (frame.create_conversation.body === undefined || isRecord(frame.create_conversation.body))));
    return ok ? frame : undefined;
  }
  if (frame.type === "change_device_state") {
    if (!isRuntimeScope(frame.runtime) || !frame.payload || typeof frame.payload !== "object") return undefined;
    const p = frame.payload as Record<string, unknown>;
    const idOk = (v: unknown) => v === undefined || v === null || typeof v === "string";
    const ok =
      (p.mode === undefined || typeof p.mode === "string") && (p.cwd === undefined || typeof p.cwd === "string") && idOk(p.agent_id) && idOk(p.conversation_id);
    return ok ? frame : undefined;
  }
  return undefined;
}
