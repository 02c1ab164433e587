import type { ClientSession, Scope } from "@byor/browser";
import type { PermissionMode } from "@byor/protocol";
import { h, replace } from "./dom.js";

/** The permission modes, with what each lets through (the runtime keeps one per conversation). */
export const PERMISSION_MODES: readonly { mode: PermissionMode; text: string }[] = [
  { mode: "standard", text: "standard: asks before risky tools" },
  { mode: "acceptEdits", text: "acceptEdits: also lets file edits through" },
  { mode: "unrestricted", text: "unrestricted: asks for nothing" },
  { mode: "strict", text: "strict: asks for everything not read-only" },
];

const PENDING_MS = 15_000;

/**
 * The open conversation's permission mode: shows the one its device status reports and changes it with
 * change_device_state. That command has no answer: the runtime sends a new device status (or a loop_error when it
 * refuses), so the choice shows as pending until the status agrees or 15 s pass. A role that may not send it sees
 * the mode as text instead.
 */
export class ModeSelect {
  readonly #select = h("select", { class: "mode-select", name: "mode", "aria-label": "Permission mode", title: "Permission mode (change_device_state)" });
  readonly #readOnly = h("span", { class: "mode-read-only", hidden: true });
  readonly element = h("label", { class: "mode" }, h("span", { class: "muted" }, "mode"), this.#select, this.#readOnly);
  #pending: { mode: PermissionMode; until: number } | undefined;
  #target: { runtimeId: string; scope: Scope } | undefined;

  constructor(private readonly session: () => ClientSession | undefined) {
    replace(
      this.#select,
      h("option", { value: "", disabled: true }, "unknown"),
      ...PERMISSION_MODES.map((m) => h("option", { value: m.mode, title: m.text }, m.mode)),
    );
    this.#select.addEventListener("change", () => this.#change());
  }

  /** `access.permitted`: the role may change the mode (else `access.why` says what it lacks, in the tooltip). */
  update(runtimeId: string, scope: Scope, reported: string | undefined, enabled: boolean, access = { permitted: true, why: "" }, now = Date.now()): void {
    const target = this.#target;
    if (!target || target.runtimeId !== runtimeId || target.scope.agent_id !== scope.agent_id || target.scope.conversation_id !== scope.conversation_id)
      this.#pending = undefined;
    this.#target = { runtimeId, scope };
    if (this.#pending && (this.#pending.mode === reported || now > this.#pending.until)) this.#pending = undefined;
    const shown = this.#pending?.mode ?? reported ?? "";
    if (this.#select.value !== shown) this.#select.value = shown;
    this.element.dataset.pending = this.#pending ? "true" : "";
    this.#select.disabled = !enabled || !scope.agent_id;
    this.#select.hidden = !access.permitted;
    this.#readOnly.hidden = access.permitted;
    this.#readOnly.textContent = reported ?? "unknown";
    this.#readOnly.title = access.permitted ? "" : `Permission mode: ${access.why || "your role cannot change it"}`;
  }

  #change(): void {
    const session = this.session();
    const target = this.#target;
    const mode = this.#select.value as PermissionMode;
    if (!session || !target || !mode) return;
    this.#pending = { mode, until: Date.now() + PENDING_MS };
    this.element.dataset.pending = "true";
    session.send(target.runtimeId, { type: "change_device_state", runtime: target.scope, payload: { mode } });
  }
}
