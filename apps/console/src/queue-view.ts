import type { ClientSession, QueueMessage, Scope } from "@byor/browser";
import { describeError } from "./access.js";
import { h, replace } from "./dom.js";
import { contentText } from "./format.js";

/**
 * The inputs waiting in the open conversation's queue (the mirror's latest update_queue), each with a Remove button
 * (remove_queue_item) when the role may. A message sent while a turn runs lands here until that turn ends.
 */
export class QueueView {
  readonly element = h("section", { class: "queue-list", "aria-label": "Queued inputs", hidden: true });
  #shown: readonly QueueMessage[] | undefined;
  #canRemove = true;
  #runtimeId = "";
  #scope: Scope | undefined;
  readonly #error = h("div", { class: "form-error", role: "alert" });

  constructor(private readonly session: () => ClientSession | undefined) {}

  update(runtimeId: string, scope: Scope, items: readonly QueueMessage[], canRemove = true): void {
    this.#runtimeId = runtimeId;
    this.#scope = scope;
    if (items === this.#shown && canRemove === this.#canRemove) return;
    this.#shown = items;
    this.#canRemove = canRemove;
    this.element.hidden = items.length === 0;
    replace(
      this.element,
      h("div", { class: "queue-title" }, `Queued (${items.length}): each starts a turn when the one before ends`),
      h("ul", {}, ...items.map((item) => this.#item(item))),
      this.#error,
    );
  }

  #item(item: QueueMessage): HTMLElement {
    const text = contentText(item.content) || item.kind;
    const remove = this.#canRemove ? h("button", { type: "button", class: "queue-remove", title: "remove_queue_item" }, "Remove") : null;
    remove?.addEventListener("click", () => void this.#remove(item, remove));
    return h(
      "li",
      { class: "queue-item", "data-item-id": item.id },
      h("span", { class: "chip" }, item.paused ? "paused" : item.source),
      h("span", { class: "queue-text", title: text }, text),
      remove,
    );
  }

  async #remove(item: QueueMessage, button: HTMLButtonElement): Promise<void> {
    const session = this.session();
    const scope = this.#scope;
    if (!session || !scope?.agent_id) return;
    button.disabled = true;
    this.#error.textContent = "";
    try {
      await session.request(
        this.#runtimeId,
        { type: "remove_queue_item", runtime: { agent_id: scope.agent_id, conversation_id: scope.conversation_id }, item_id: item.id },
        { timeoutMs: 15_000 },
      );
    } catch (error) {
      this.#error.textContent = `Could not remove it: ${describeError(error)}`;
      button.disabled = false;
    }
  }
}
