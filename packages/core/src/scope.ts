import type { ConversationRuntimeScope } from "@byor/protocol";

/** A conversation of an agent: what the runtime routes events by. `agent_id` may be null (the only live one). */
export type Scope = Pick<ConversationRuntimeScope, "agent_id" | "conversation_id">;

/** A stable map key for a scope. */
export const scopeKey = (scope: Scope): string => `${scope.agent_id ?? ""}\u0000${scope.conversation_id}`;

/** Just the two routing ids (drops acting_user_id and anything else a frame's `runtime` carries). */
export const toScope = (scope: Scope): Scope => ({ agent_id: scope.agent_id, conversation_id: scope.conversation_id });

export const sameScope = (a: Scope, b: Scope): boolean => a.agent_id === b.agent_id && a.conversation_id === b.conversation_id;
