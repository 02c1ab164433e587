import { approve, deny, type ClientSession, type ControlRequestEvent } from "@byor/browser";
import { describeError } from "./access.js";
import { h, prettyJson } from "./dom.js";

/** Which answers the principal's role may send (a card without either shows the request, read-only). */
export interface ApprovalRights {
  approve: boolean;
  deny: boolean;
}

interface Card {
  request: ControlRequestEvent;
  el: HTMLElement;
  allow: HTMLButtonElement;
  refuse: HTMLButtonElement;
  reason: HTMLInputElement;
  /** The permission suggestions to accept with Allow. */
  suggestions: HTMLElement | null;
  readOnly: HTMLElement;
}

/**
 * Cards for the control_requests waiting in one conversation, keyed by runtime and request id so a card (and the
 * reason typed into it) survives re-renders, and answers the runtime it came from (two runtimes may both ask
 * `perm-call_1`). Allow / deny go out through `approve()` / `deny()` as `input` requests; the state
 * mirror drops the approval once the runtime accepted the answer. A role that may not answer sees the card without
 * its buttons.
 */
export class ApprovalsView {
  readonly element = h("section", { class: "approvals", "aria-label": "Pending approvals" });
  #cards = new Map<string, Card>();

  constructor(private readonly session: () => ClientSession | undefined) {}

  update(runtimeId: string, pending: readonly ControlRequestEvent[], rights: ApprovalRights = { approve: true, deny: true }): void {
    const keyOf = (request: ControlRequestEvent) => `${runtimeId}\u0000${request.request_id}`;
    const keys = new Set(pending.map(keyOf));
    for (const [key, card] of this.#cards) {
      if (keys.has(key)) continue;
      card.el.remove();
      this.#cards.delete(key);
    }
    for (const request of pending) {
      const key = keyOf(request);
      if (this.#cards.has(key)) continue;
      const card = this.#card(runtimeId, request);
      this.#cards.set(key, card);
      this.element.append(card.el);
    }
    for (const card of this.#cards.values()) {
      card.allow.hidden = !rights.approve;
      card.refuse.hidden = !rights.deny;
      card.reason.hidden = !rights.approve && !rights.deny;
      if (card.suggestions) card.suggestions.hidden = !rights.approve;
      card.readOnly.hidden = rights.approve || rights.deny;
    }
    this.element.hidden = this.#cards.size === 0;
  }

  #card(runtimeId: string, request: ControlRequestEvent): Card {
    const body = request.request;
    const reason = h("input", { class: "reason", type: "text", placeholder: "Reason (sent to the agent when denying)", "aria-label": "Reason" });
    const suggestions = body.permission_suggestions.map((s) => ({ id: s.id, box: h("input", { type: "checkbox", value: s.id }), text: s.text }));
    const error = h("div", { class: "card-error", role: "alert" });
    const allow = h("button", { type: "button", class: "allow" }, "Allow");
    const refuse = h("button", { type: "button", class: "deny" }, "Deny");
    const answer = async (allowIt: boolean) => {
      const session = this.session();
      if (!session) return;
      allow.disabled = refuse.disabled = true;
      error.textContent = "";
      const text = reason.value.trim();
      try {
        const selected = suggestions.filter((s) => s.box.checked).map((s) => s.id);
        const command = allowIt
          ? approve(request, { ...(text ? { message: text } : {}), ...(selected.length ? { selectedPermissionSuggestionIds: selected } : {}) })
          : deny(request, text || "Denied from the BYOR console");
        await session.request(runtimeId, command, { timeoutMs: 15_000 });
      } catch (err) {
        error.textContent = `Could not send the answer: ${describeError(err)}`;
        allow.disabled = refuse.disabled = false;
      }
    };
    allow.addEventListener("click", () => void answer(true));
    refuse.addEventListener("click", () => void answer(false));
    const readOnly = h("span", { class: "muted read-only", hidden: true }, "Your role can watch this approval but not answer it.");
    const offered = suggestions.length ? h("div", { class: "suggestions" }, ...suggestions.map((s) => h("label", {}, s.box, ` ${s.text}`))) : null;
    const el = h(
      "article",
      { class: "approval", "data-request-id": request.request_id },
      h("header", {}, h("span", { class: "approval-title" }, "Approval needed"), h("span", { class: "tool-name" }, body.tool_name)),
      h("pre", { class: "args" }, prettyJson(body.input)),
      offered,
      h("div", { class: "approval-actions" }, reason, allow, refuse, readOnly),
      error,
    );
    return { request, el, allow, refuse, reason, suggestions: offered, readOnly };
  }
}
