import type { ProviderEntry } from "@byor/protocol";
import { describeError } from "./access.js";
import type { RuntimeCatalog } from "./catalog.js";
import { demoHandle, type DemoModel } from "./demo-model.js";
import { h, replace } from "./dom.js";
import { connectableHere, connectCommand, demoConnectCommand, isConnected, providerInputs, sortProviders } from "./providers.js";

export interface ProviderPanelHost {
  readonly catalog: RuntimeCatalog;
  /** The demo model `byor serve --demo` announced, if any. */
  readonly demo: DemoModel | undefined;
  /** After the demo model was connected and chosen: e.g. open a first conversation with it. */
  afterDemo(runtimeId: string): Promise<void>;
}

/**
 * Connects a model provider to the selected runtime through the protocol's provider commands:
 * list_connect_providers fills the form (its fields, or those of the chosen auth method), connect_provider stores
 * the credentials in the runtime's local store. With `byor serve --demo`, one button connects the demo model.
 * The form is built once per runtime and provider, so what is typed survives re-renders. Hidden from a role without
 * the class of those commands.
 */
export class ProviderPanel {
  readonly element: HTMLElement;
  #runtimeId: string | undefined;
  #shown: readonly ProviderEntry[] | undefined;
  #busy = false;
  readonly #demoBox = h("div", { class: "demo-box", hidden: true });
  readonly #demoButton = h("button", { type: "button", class: "demo-use", onclick: () => void this.#useDemo() }, "Use the demo model");
  readonly #connected = h("div", { class: "connected-providers muted" });
  readonly #details: HTMLDetailsElement;
  readonly #select = h("select", { name: "provider", "aria-label": "Provider", onchange: () => this.#showInputs() });
  readonly #authSelect = h("select", {
    name: "auth_method",
    "aria-label": "Sign-in method",
    hidden: true,
    onchange: () => this.#showInputs(this.#authSelect.value),
  });
  readonly #inputsBox = h("div", { class: "provider-fields" });
  readonly #inputs = new Map<string, HTMLInputElement>();
  readonly #connect = h("button", { type: "submit", class: "connect" }, "Connect");
  readonly #status = h("div", { class: "panel-status", role: "status" });

  constructor(private readonly host: ProviderPanelHost) {
    this.#details = h(
      "details",
      { class: "connect-provider", ontoggle: () => this.#opened() },
      h("summary", {}, "Connect a provider"),
      h(
        "form",
        { class: "provider-form", onsubmit: (e) => void this.#submit(e) },
        this.#select,
        this.#authSelect,
        this.#inputsBox,
        h("div", { class: "row" }, this.#connect),
      ),
    );
    this.element = h(
      "section",
      { class: "panel provider-panel", "aria-label": "Model provider" },
      h("h2", {}, "Model provider"),
      this.#demoBox,
      this.#connected,
      this.#details,
      this.#status,
    );
  }

  update(runtimeId: string | undefined, permitted = true): void {
    if (runtimeId !== this.#runtimeId) {
      this.#runtimeId = runtimeId;
      this.#shown = undefined;
      this.#status.textContent = "";
      this.#status.dataset.tone = "";
    }
    this.element.hidden = runtimeId === undefined || !permitted;
    if (runtimeId === undefined || !permitted) return;
    const demo = this.host.demo;
    this.#demoBox.hidden = !demo;
    if (demo && !this.#demoBox.firstChild) {
      replace(this.#demoBox, h("div", {}, "This server runs a demo model (scripted, offline) at ", h("code", {}, demo.baseUrl), "."), this.#demoButton);
    }
    const providers = this.host.catalog.providers(runtimeId);
    if (this.#details.open && providers.state === "idle") void this.host.catalog.loadProviders(runtimeId); // another runtime picked
    if (providers.value !== this.#shown && providers.value) this.#fill(providers.value);
    const connected = (providers.value ?? []).filter(isConnected).map((p) => p.display_name);
    this.#connected.textContent = connected.length ? `Connected: ${connected.join(", ")}` : "";
    if (!this.#busy) {
      if (providers.state === "loading" && !providers.value) this.#say("Loading providers…");
      else if (providers.state === "error") this.#say(`Could not list providers: ${providers.error}`, "error");
    }
  }

  /** Opens the form (for people who know where they want to go). */
  open(): void {
    this.#details.open = true;
  }

  #opened(): void {
    const runtimeId = this.#runtimeId;
    if (!this.#details.open || !runtimeId) return;
    const state = this.host.catalog.providers(runtimeId).state;
    if (state === "idle" || state === "error") void this.host.catalog.loadProviders(runtimeId);
  }

  #fill(list: readonly ProviderEntry[]): void {
    this.#shown = list;
    const keep = this.#select.value;
    replace(
      this.#select,
      ...sortProviders(list).map((p) =>
        h(
          "option",
          { value: p.id, disabled: !connectableHere(p), title: p.description },
          `${p.display_name}${isConnected(p) ? " ✓" : ""}${connectableHere(p) ? "" : " (OAuth: not from here)"}`,
        ),
      ),
    );
    if (keep && list.some((p) => p.id === keep)) this.#select.value = keep;
    if (this.#status.dataset.tone !== "ok" && this.#status.dataset.tone !== "error") this.#say("");
    this.#showInputs(this.#authSelect.hidden ? undefined : this.#authSelect.value, keep === this.#select.value);
  }

  #provider(): ProviderEntry | undefined {
    return this.#shown?.find((p) => p.id === this.#select.value);
  }

  /** Builds the inputs of the selected provider (keeping typed values when only the list was refreshed). */
  #showInputs(authMethodId?: string, keepValues = false): void {
    const provider = this.#provider();
    const typed = keepValues ? new Map([...this.#inputs].map(([key, input]) => [key, input.value])) : new Map<string, string>();
    this.#inputs.clear();
    if (!provider) {
      replace(this.#inputsBox);
      this.#authSelect.hidden = true;
      return;
    }
    const methods = provider.auth_methods ?? [];
    this.#authSelect.hidden = methods.length < 2;
    replace(this.#authSelect, ...methods.map((m) => h("option", { value: m.id, title: m.description }, m.label)));
    const inputs = providerInputs(provider, authMethodId);
    if (inputs.authMethodId) this.#authSelect.value = inputs.authMethodId;
    replace(
      this.#inputsBox,
      ...inputs.fields.map((field) => {
        const input = h("input", {
          name: field.key,
          type: field.secret ? "password" : "text",
          autocomplete: "off",
          placeholder: field.placeholder ?? field.label,
          "aria-label": field.label,
          required: field.required === true,
        });
        input.value = typed.get(field.key) ?? "";
        this.#inputs.set(field.key, input);
        return h("label", { class: "field" }, h("span", {}, `${field.label}${field.required ? "" : " (optional)"}`), input);
      }),
      inputs.fields.length ? null : h("div", { class: "muted" }, "Nothing to fill in."),
    );
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    const runtimeId = this.#runtimeId;
    const provider = this.#provider();
    if (!runtimeId || !provider || this.#busy) return;
    let command;
    try {
      const values = Object.fromEntries([...this.#inputs].map(([key, input]) => [key, input.value]));
      command = connectCommand(provider, values, this.#authSelect.hidden ? undefined : this.#authSelect.value);
    } catch (error) {
      this.#say((error as Error).message, "error");
      return;
    }
    await this.#run(`Connecting ${provider.display_name}…`, async () => {
      await this.host.catalog.connect(runtimeId, command);
      for (const input of this.#inputs.values()) if (input.type === "password") input.value = "";
      this.#details.open = false; // done: the status line says what is connected
      const models = this.host.catalog.models(runtimeId).value ?? [];
      return `Connected ${provider.display_name}: ${models.length} model${models.length === 1 ? "" : "s"} available.`;
    });
  }

  async #useDemo(): Promise<void> {
    const runtimeId = this.#runtimeId;
    const demo = this.host.demo;
    if (!runtimeId || !demo || this.#busy) return;
    await this.#run("Connecting the demo model…", async () => {
      await this.host.catalog.connect(runtimeId, demoConnectCommand(demo));
      const handle = demoHandle(demo);
      if (!this.host.catalog.models(runtimeId).value?.some((m) => m.handle === handle)) {
        throw new Error(`the runtime does not list ${handle} (is byor serve --demo still running?)`);
      }
      this.host.catalog.choose(runtimeId, handle);
      await this.host.afterDemo(runtimeId);
      return `Demo model connected and chosen: ${handle}.`;
    });
  }

  async #run(doing: string, action: () => Promise<string>): Promise<void> {
    this.#busy = true;
    this.#connect.disabled = this.#demoButton.disabled = true;
    this.#say(doing);
    try {
      this.#say(await action(), "ok");
    } catch (error) {
      this.#say(describeError(error), "error");
    } finally {
      this.#busy = false;
      this.#connect.disabled = this.#demoButton.disabled = false;
    }
  }

  #say(text: string, tone: "ok" | "error" | "" = ""): void {
    this.#status.textContent = text;
    this.#status.dataset.tone = tone;
  }
}
