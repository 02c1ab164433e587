import { ByorError, type ApprovalDecision, type ControlRequestEvent, type InputCommand } from "@byor/protocol";
import { toScope } from "./scope.js";

export interface ApproveOptions {
  /** Replacement tool arguments (the user edited the call); omitted keeps the original ones. */
  updatedInput?: Record<string, unknown>;
  /** A note passed along with the approval. */
  message?: string;
  /** Ids from the request's `permission_suggestions` to remember as rules (e.g. `save-default`). */
  selectedPermissionSuggestionIds?: string[];
  /** The input's own request_id: with it the runtime answers with input_accepted. */
  requestId?: string;
}

/** Allows the tool call of a control_request: the `input` / `approval_response` frame to send to its runtime. */
export function approve(request: ControlRequestEvent, options: ApproveOptions = {}): InputCommand {
  const decision: ApprovalDecision = { behavior: "allow" };
  if (options.updatedInput !== undefined) decision.updated_input = options.updatedInput;
  if (options.message !== undefined) decision.message = options.message;
  if (options.selectedPermissionSuggestionIds !== undefined) {
    decision.selected_permission_suggestion_ids = options.selectedPermissionSuggestionIds;
  }
  return answer(request, decision, options.requestId);
}

/** Denies the tool call of a control_request; `message` goes back to the agent as the tool result. */
export function deny(request: ControlRequestEvent, message: string, options: { requestId?: string } = {}): InputCommand {
  if (typeof message !== "string" || message.length === 0) {
    throw new ByorError("invalid_message", "deny() needs a message: the runtime hands it to the agent as the tool result");
  }
  return answer(request, { behavior: "deny", message }, options.requestId);
}

function answer(request: ControlRequestEvent, decision: ApprovalDecision, requestId: string | undefined): InputCommand {
  const scope = toScope(request.runtime);
  // The envelope's agent may be null (runtime-resolved scope); the request repeats the agent id.
  const runtime = scope.agent_id === null && request.agent_id ? { ...scope, agent_id: request.agent_id } : scope;
  return {
    type: "input",
    ...(requestId !== undefined ? { request_id: requestId } : {}),
    runtime,
    payload: { kind: "approval_response", request_id: request.request_id, decision },
  };
}

/** The control_request an `input` command answers, if it is an approval_response. */
export function approvalAnswered(command: { type: string; payload?: unknown }): string | undefined {
  if (command.type !== "input") return undefined;
  const payload = command.payload as { kind?: unknown; request_id?: unknown } | undefined;
  return payload?.kind === "approval_response" && typeof payload.request_id === "string" ? payload.request_id : undefined;
}
