import type { ClientSession, Scope } from "@byor/browser";
import type { ModelListEntry } from "@byor/protocol";
import { describeError } from "./access.js";
import type { RuntimeCatalog } from "./catalog.js";
import { h, replace } from "./dom.js";

export interface ModelPickerHost {
  readonly catalog: RuntimeCatalog;
  session(): ClientSession | undefined;
}

/**
 * The models of the selected runtime (list_models): the one picked is what New agent creates agents with, and
 * "Use for this conversation" switches the open conversation to it (update_model with its handle). Each shows only
 * when the role may send its command (`rights`).
 */
export class ModelPicker {
  readonly element: HTMLElement;
  #runtimeId: string | undefined;
  #scope: Scope | undefined;
  #shown: { entries: readonly ModelListEntry[] | undefined; chosen: string | undefined } | undefined;
  readonly #select = h("select", { name: "model", "aria-label": "Model", onchange: () => this.#choose() });
  readonly #refresh = h(
    "button",
    { type: "button", class: "icon", title: "Ask the runtime again (list_models, force)", "aria-label": "Refresh models", onclick: () => this.#reload() },
    "↻",
  );
  readonly #apply = h("button", { type: "button", class: "secondary use-model", onclick: () => void this.#applyToConversation() }, "Use for this conversation");
  readonly #status = h("div", { class: "panel-status", role: "status" });

  constructor(private readonly host: ModelPickerHost) {
    this.element = h(
      "section",
      { class: "panel model-picker", "aria-label": "Model" },
      h("h2", {}, "Model"),
      h("div", { class: "row" }, this.#select, this.#refresh),
      this.#apply,
      this.#status,
    );
  }

  /** `scope`: the open conversation, when it is on this runtime. `rights`: what the role may do here. */
  update(runtimeId: string | undefined, scope: Scope | undefined, rights: { list: boolean; switchModel: boolean } = { list: true, switchModel: true }): void {
    if (runtimeId !== this.#runtimeId) {
      this.#runtimeId = runtimeId;
      this.#shown = undefined;
      this.#say("");
    }
    this.#scope = scope;
    this.element.hidden = runtimeId === undefined || !rights.list;
    this.#apply.hidden = !rights.switchModel;
    if (runtimeId === undefined || !rights.list) return;
    const models = this.host.catalog.models(runtimeId);
    const chosen = this.host.catalog.chosenModel(runtimeId);
    if (!this.#shown || this.#shown.entries !== models.value || this.#shown.chosen !== chosen) {
      this.#shown = { entries: models.value, chosen };
      const entries = models.value ?? [];
      replace(
        this.#select,
        ...entries.map((m) => h("option", { value: m.handle, title: m.description || m.handle }, m.label === m.handle ? m.label : `${m.label} (${m.handle})`)),
        entries.length ? null : h("option", { value: "", disabled: true }, models.state === "ready" ? "no models: connect a provider" : "—"),
      );
      this.#select.value = chosen ?? "";
    }
    this.#select.disabled = !models.value?.length;
    this.#apply.disabled = !scope || !chosen;
    this.#apply.title = scope ? "update_model for the open conversation" : "Open a conversation on this runtime first";
    if (this.#status.dataset.tone) return; // an answer to the user's action stays until the next one
    if (models.state === "loading") this.#status.textContent = "Loading models…";
    else if (models.state === "error") this.#status.textContent = `Could not list models: ${models.error}`;
    else if (models.state === "ready" && !models.value?.length) this.#status.textContent = "This runtime has no model yet: connect a provider above.";
    else this.#status.textContent = "";
  }

  #choose(): void {
    if (!this.#runtimeId) return;
    this.host.catalog.choose(this.#runtimeId, this.#select.value || undefined);
    this.#say("");
  }

  #reload(): void {
    if (!this.#runtimeId) return;
    this.#say("");
    void this.host.catalog.loadModels(this.#runtimeId, true);
  }

  async #applyToConversation(): Promise<void> {
    const session = this.host.session();
    const runtimeId = this.#runtimeId;
    const scope = this.#scope;
    const handle = runtimeId ? this.host.catalog.chosenModel(runtimeId) : undefined;
    if (!session || !runtimeId || !scope || !handle) return;
    this.#apply.disabled = true;
    this.#say(`Switching to ${handle}…`, "busy");
    try {
      const response = await session.request(runtimeId, { type: "update_model", runtime: scope, payload: { model_handle: handle } }, { timeoutMs: 20_000 });
      this.host.catalog.noteModel(runtimeId, scope, response.model_handle ?? handle, response.applied_to);
      this.#say(`This ${response.applied_to === "agent" ? "agent" : "conversation"} now uses ${response.model_handle ?? handle}.`, "ok");
    } catch (error) {
      this.#say(`Could not switch the model: ${describeError(error)}`, "error");
    } finally {
      this.#apply.disabled = false;
    }
  }

  #say(text: string, tone: "ok" | "error" | "busy" | "" = ""): void {
    this.#status.textContent = text;
    this.#status.dataset.tone = tone;
  }
}
