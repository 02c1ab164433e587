import type { AssembledMessage } from "@byor/browser";
import { renderMessage } from "./message-view.js";

/**
 * A keyed list of messages: only messages the assembler replaced are rebuilt (a streaming answer touches one
 * element per frame, not the whole conversation), and the view sticks to the bottom while the user is there.
 */
export class MessageList {
  readonly element: HTMLElement;
  #rendered = new Map<string, { message: AssembledMessage; el: HTMLElement }>();
  #messages: readonly AssembledMessage[] | undefined;

  /** Follow new messages: true until the user scrolls up, and again once they scroll back to the bottom. */
  #stuck = true;

  constructor(element: HTMLElement) {
    this.element = element;
    element.addEventListener("scroll", () => (this.#stuck = element.scrollHeight - element.scrollTop - element.clientHeight < 40), { passive: true });
  }

  /** Scrolls to the newest message if the view follows them (call after the layout around the list changed). */
  follow(): void {
    if (this.#stuck) this.element.scrollTop = this.element.scrollHeight;
  }

  update(messages: readonly AssembledMessage[]): void {
    if (messages === this.#messages) return;
    this.#messages = messages;
    const container = this.element;
    const keep = new Set<string>();
    let cursor: ChildNode | null = container.firstChild;
    for (const message of messages) {
      keep.add(message.key);
      let entry = this.#rendered.get(message.key);
      if (!entry || entry.message !== message) {
        const el = renderMessage(message);
        if (entry) {
          if (cursor === entry.el) cursor = el;
          entry.el.replaceWith(el);
        }
        entry = { message, el };
        this.#rendered.set(message.key, entry);
      }
      if (entry.el !== cursor) container.insertBefore(entry.el, cursor);
      cursor = entry.el.nextSibling;
    }
    for (const [key, entry] of this.#rendered) {
      if (keep.has(key)) continue;
      entry.el.remove();
      this.#rendered.delete(key);
    }
    this.follow();
  }

  clear(): void {
    this.#stuck = true;
    this.#rendered.clear();
    this.#messages = undefined;
    this.element.replaceChildren();
  }
}
