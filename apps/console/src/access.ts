// What the signed-in principal may do in the console. No DOM. A server with access control names the app's principal
// in its welcome (name, role, privilege classes); each control here lists what it sends, and the class each of those
// needs comes from the protocol's registry (generated from the schemas), so a schema that moves a command to another
// class moves the console with it. Without a principal (a server without access control) everything is allowed.
import type { ByorPrincipal } from "@byor/core";
import { privilegeOf, privilegeOfAppFrame, type AppCommandType, type AppFrame, type PrivilegeClass } from "@byor/protocol";

/** A command an app sends in byor.send, or one of the server's own app frames (byor.subscribe, …). */
export type Sent = AppCommandType | Exclude<AppFrame["type"], "byor.send">;

/** Every control of the console that talks to a runtime or the server, and what it sends (all of it is needed). */
export const CONTROL_SENDS = {
  /** The message box and its Send button: input (create_message). */
  composer: ["input"],
  /** Allow on an approval card: input (approval_response). */
  approve: ["input"],
  /** Deny on an approval card: input (approval_response). */
  deny: ["input"],
  abort: ["abort_message"],
  /** Remove on a queued input. */
  queueRemove: ["remove_queue_item"],
  /** "Use for this conversation" in the model picker. */
  switchModel: ["update_model"],
  /** The permission mode of the open conversation. */
  permissionMode: ["change_device_state"],
  /** New agent (runtime_start with create_agent). */
  newAgent: ["runtime_start"],
  /** "+ New conversation" of an agent (runtime_start with create_conversation). */
  newConversation: ["runtime_start"],
  /** The model provider panel: its list and its Connect. */
  providers: ["list_connect_providers", "connect_provider"],
  /** "Use the demo model" (byor serve --demo): connects the demo provider. */
  demo: ["connect_provider"],
  /** The model picker's list. */
  models: ["list_models"],
  /** The agents panel. */
  agents: ["agent_list"],
  /** An agent's conversations, unfolded. */
  conversations: ["conversation_list"],
  /** Open a conversation: subscribing re-syncs it (the server sends the runtime a sync). */
  open: ["byor.subscribe"],
  /** The runtimes list. */
  runtimes: ["byor.list_runtimes"],
} as const satisfies Record<string, readonly Sent[]>;

export type Control = keyof typeof CONTROL_SENDS;

export const CONTROLS = Object.keys(CONTROL_SENDS) as Control[];

/** The class one thing sent needs; undefined for what no app may send. */
export function classOf(sent: Sent): PrivilegeClass | null | undefined {
  return sent.startsWith("byor.") ? privilegeOfAppFrame({ type: sent }) : privilegeOf(sent);
}

/** The classes a control needs (each once). Throws for a control whose command no role may send: a schema changed. */
export function classesOf(control: Control): PrivilegeClass[] {
  const classes = new Set<PrivilegeClass>();
  for (const sent of CONTROL_SENDS[control]) {
    const needed = classOf(sent);
    if (needed === undefined) throw new Error(`console control ${control}: no app may send ${sent}`);
    if (needed !== null) classes.add(needed);
  }
  return [...classes];
}

/** May this principal use the control? Always, without a principal (no access control on the server). */
export function allows(principal: ByorPrincipal | undefined, control: Control): boolean {
  if (!principal) return true;
  return classesOf(control).every((c) => principal.privileges.includes(c));
}

/** What the top bar shows next to the connection badge: "alice (operator)". */
export const principalLabel = (principal: ByorPrincipal): string => `${principal.name} (${principal.role})`;

/** Why a control is missing, for its tooltip or note: "your role (viewer) lacks converse". */
export function lacking(principal: ByorPrincipal | undefined, control: Control): string {
  const missing = principal ? classesOf(control).filter((c) => !principal.privileges.includes(c)) : [];
  return missing.length ? `your role (${principal!.role}) lacks ${missing.join(", ")}` : "";
}

/** The server's byor.error behind a failed call, if there is one (the session keeps it as the error's cause). */
const refusal = (error: unknown): { code?: unknown; message?: unknown } | undefined =>
  (error as { cause?: { code?: unknown; message?: unknown } } | null | undefined)?.cause ?? undefined;

/** The server refused it because the app's role does not grant its class (byor.error `forbidden`). */
export const isForbidden = (error: unknown): boolean => refusal(error)?.code === "forbidden";

/**
 * An error as the console tells it: a `forbidden` refusal says plainly that the role cannot do this (and which class
 * is missing, from the server's message); anything else is its message.
 */
export function describeError(error: unknown): string {
  if (isForbidden(error)) {
    const reason = String(refusal(error)?.message ?? "").replace(/^forbidden:\s*/, "");
    return `your role can't do this${reason ? ` (${reason})` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}
