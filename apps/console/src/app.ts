import {
  BrowserClient,
  SESSION_VIEWS,
  isByorError,
  sameScope,
  scopeKey,
  type AssembledMessage,
  type ByorRuntimeInfo,
  type ClientSession,
  type Scope,
} from "@byor/browser";
import { allows, describeError, isForbidden, lacking, principalLabel, type Control } from "./access.js";
import { AgentsView } from "./agents-view.js";
import { ApprovalsView } from "./approvals-view.js";
import { RuntimeCatalog } from "./catalog.js";
import { connectionLabel, isRevoked, ROLE_CHANGED_CLOSE } from "./connection-label.js";
import { DEMO_PARAMS, demoHandle, loadDemo, type DemoModel } from "./demo-model.js";
import { h, replace } from "./dom.js";
import { collapseRepeatedErrors } from "./error-messages.js";
import { readableId, shortId } from "./format.js";
import { MessageList } from "./message-list.js";
import { ModeSelect } from "./mode-select.js";
import { ModelPicker } from "./model-picker.js";
import { ProviderPanel } from "./provider-panel.js";
import { QueueView } from "./queue-view.js";
import { renderRuntime, summarize } from "./runtimes-view.js";
import { withSent } from "./sent-messages.js";
import { forgetToken, saveToken, takeHashParams, takeToken } from "./token.js";

/** A conversation the user opened: remembered (in this browser) and subscribed again on the next visit. */
interface Opened {
  runtimeId: string;
  scope: Scope;
}

const OPENED_KEY = "byor.conversations";
const SELECTED_KEY = "byor.selected";

const LOOP_TEXT: Record<string, string> = {
  SENDING_API_REQUEST: "sending request",
  WAITING_FOR_API_RESPONSE: "waiting for the model",
  RETRYING_API_REQUEST: "retrying",
  PROCESSING_API_RESPONSE: "streaming",
  EXECUTING_CLIENT_SIDE_TOOL: "running a tool",
  EXECUTING_COMMAND: "running a command",
  WAITING_ON_APPROVAL: "waiting for approval",
  WAITING_ON_INPUT: "idle",
};

function load<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

const randomId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

const conversationKey = (opened: Opened) => `${opened.runtimeId}\u0001${scopeKey(opened.scope)}`;

/** The console: one BrowserClient, rendered from its session's runtimes, mirrors and assembled conversations. */
export class ConsoleApp {
  #client: BrowserClient | undefined;
  readonly #runtimes = new Map<string, ByorRuntimeInfo>();
  readonly #watched = new Set<string>();
  #opened: Opened[] = load<Opened[]>(OPENED_KEY, []);
  #selected: Opened | undefined = load<Opened | undefined>(SELECTED_KEY, undefined);
  #selectedRuntime: string | undefined = this.#selected?.runtimeId;
  #demo: DemoModel | undefined;
  /** Why opening a conversation failed, per conversation key. */
  readonly #openErrors = new Map<string, string>();
  /**
   * What the user sent, per conversation key, with where it goes in the assembled conversation: the runtime echoes a
   * user message in its stream only when the input was queued (then with our client_message_id as otid).
   */
  readonly #sent = new Map<string, { at: number; message: Extract<AssembledMessage, { kind: "user" }> }[]>();
  #frame = 0;
  /** The principal's role and classes as last rendered: when they change (1012, then a new welcome), lists are fetched again. */
  #rights = "";
  #noticeTimer = 0;
  readonly #catalog = new RuntimeCatalog(
    () => this.#session,
    () => this.#schedule(),
  );

  // Static parts of the page; the rest is rebuilt by render().
  readonly #badge = h("span", { class: "badge", "data-state": "connecting", role: "status", "aria-live": "polite" });
  readonly #badgeDetail = h("span", { class: "badge-detail" });
  readonly #retry = h("button", { type: "button", class: "retry", hidden: true, onclick: () => this.#client?.reconnectNow() }, "Retry now");
  /** Who the server says this console is, "name (role)": only from a server with access control. */
  readonly #who = h("span", { class: "principal", hidden: true });
  readonly #banner = h("div", { class: "banner", role: "alert", hidden: true });
  /** A refusal that belongs to no form (a fire-and-forget command the role may not send). */
  readonly #notice = h("div", { class: "notice", role: "alert", hidden: true });
  readonly #tokenForm: HTMLFormElement;
  readonly #tokenInput = h("input", {
    type: "password",
    name: "token",
    autocomplete: "off",
    placeholder: "Server token",
    "aria-label": "Server token",
    required: true,
  });
  /** Everything in the sidebar that talks to the server: disabled while there is no usable connection (no or wrong token). */
  readonly #controls = h("fieldset", { class: "controls" });
  readonly #runtimeList = h("ul", { class: "runtime-list", "aria-label": "Runtimes" });
  readonly #conversationList = h("ul", { class: "conversation-list", "aria-label": "Conversations" });
  readonly #openForm: HTMLFormElement;
  readonly #agentInput = h("input", { name: "agent", placeholder: "agent id", "aria-label": "Agent id", required: true, autocomplete: "off" });
  readonly #conversationInput = h("input", {
    name: "conversation",
    placeholder: "conversation (default)",
    "aria-label": "Conversation id",
    autocomplete: "off",
  });
  readonly #newAgentButton = h("button", { type: "button", class: "secondary new-agent", onclick: () => void this.#newAgent().catch(() => {}) }, "New agent"); // its error is shown in the form
  readonly #openError = h("div", { class: "form-error", role: "alert" });
  readonly #providers: ProviderPanel;
  readonly #models: ModelPicker;
  readonly #agents: AgentsView;
  readonly #title = h("h2", { class: "conv-title" });
  readonly #copyId = h("button", { type: "button", class: "icon copy-id", title: "Copy the agent id", "aria-label": "Copy the agent id" }, "copy id");
  readonly #modelLabel = h("span", { class: "conv-model muted" });
  readonly #mode = new ModeSelect(() => this.#session);
  readonly #loop = h("span", { class: "chip chip-loop", "data-loop": "" });
  readonly #queueCount = h("span", { class: "queue" });
  readonly #queue = new QueueView(() => this.#session);
  readonly #abort = h("button", { type: "button", class: "abort", onclick: () => void this.#abortTurn() }, "Abort");
  readonly #turnNote = h("div", { class: "turn-note" });
  readonly #messages = new MessageList(h("div", { class: "messages", "aria-live": "polite" }));
  readonly #approvals = new ApprovalsView(() => this.#session);
  readonly #composerInput = h("textarea", { name: "message", rows: 3, placeholder: "Message the agent… (Ctrl+Enter to send)", "aria-label": "Message" });
  readonly #send = h("button", { type: "submit", class: "send" }, "Send");
  readonly #composerError = h("div", { class: "form-error", role: "alert" });
  readonly #composer: HTMLFormElement;
  /** In place of the composer for a role that may only watch. */
  readonly #watchOnly = h("div", { class: "watch-only muted", hidden: true });
  readonly #conversationPane: HTMLElement;
  readonly #empty = h("div", { class: "empty" });

  constructor(root: HTMLElement) {
    const app = this;
    this.#providers = new ProviderPanel({
      catalog: this.#catalog,
      get demo() {
        return app.#demo;
      },
      afterDemo: (runtimeId) => this.#afterDemo(runtimeId),
    });
    this.#models = new ModelPicker({ catalog: this.#catalog, session: () => this.#session });
    this.#agents = new AgentsView({
      catalog: this.#catalog,
      open: (runtimeId, scope) => this.#open({ runtimeId, scope }),
      newConversation: (runtimeId, agentId) => this.#newConversation(runtimeId, agentId),
    });
    this.#copyId.addEventListener("click", () => void this.#copyAgentId());
    this.#tokenForm = h(
      "form",
      { class: "token-form", onsubmit: (e) => this.#submitToken(e) },
      h("label", {}, "This console needs the server's token (", h("code", {}, "byor serve"), " prints a URL that carries it)."),
      h("div", { class: "row" }, this.#tokenInput, h("button", { type: "submit" }, "Connect")),
    );
    this.#openForm = h(
      "form",
      { class: "open-form", onsubmit: (e) => this.#submitOpen(e) },
      h("div", { class: "form-title" }, "Open a conversation"),
      this.#agentInput,
      this.#conversationInput,
      h("div", { class: "row" }, h("button", { type: "submit" }, "Open"), this.#newAgentButton),
      this.#openError,
    );
    const composer = (this.#composer = h(
      "form",
      { class: "composer", onsubmit: (e) => this.#submitMessage(e) },
      this.#composerInput,
      h("div", { class: "composer-side" }, this.#send, this.#abort),
      this.#composerError,
    ));
    this.#composerInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) composer.requestSubmit();
    });
    this.#conversationPane = h(
      "section",
      { class: "conversation", "aria-label": "Conversation" },
      h(
        "header",
        { class: "conv-head" },
        h("div", { class: "conv-name" }, this.#title, this.#copyId, this.#modelLabel),
        h("div", { class: "conv-status" }, this.#mode.element, this.#loop, this.#queueCount),
      ),
      this.#messages.element,
      // Below the messages, above the composer: a card never covers the conversation, and the answer is near.
      this.#approvals.element,
      this.#queue.element,
      this.#turnNote,
      composer,
      this.#watchOnly,
    );
    replace(
      this.#controls,
      h("h2", {}, "Runtimes"),
      this.#runtimeList,
      this.#providers.element,
      this.#models.element,
      this.#agents.element,
      h("h2", {}, "Open conversations"),
      this.#conversationList,
      this.#openForm,
    );
    replace(
      root,
      h("header", { class: "topbar" }, h("h1", {}, "BYOR console"), h("div", { class: "connection" }, this.#who, this.#badge, this.#badgeDetail, this.#retry)),
      this.#banner,
      this.#notice,
      h("main", { class: "layout" }, h("aside", { class: "sidebar" }, this.#controls), h("div", { class: "main-pane" }, this.#conversationPane, this.#empty)),
    );
    // A tab in the background gets no animation frames: tick the countdown and catch up when it is shown again.
    setInterval(() => this.#schedule(), 1000);
    document.addEventListener("visibilitychange", () => this.#schedule());
  }

  get #session(): ClientSession | undefined {
    return this.#client?.session;
  }

  /** May the principal the server named use this control? Everything, from a server without access control. */
  #can(control: Control): boolean {
    return allows(this.#session?.principal, control);
  }

  start(): void {
    const token = takeToken();
    this.#demo = loadDemo(takeHashParams(DEMO_PARAMS));
    if (token) this.#connect(token);
    else this.#askToken();
    this.#render();
  }

  // ── connection ────────────────────────────────────────────────────────────────────────────────────────────

  #connect(token: string): void {
    this.#client?.close();
    this.#banner.hidden = true;
    this.#rights = "";
    this.#runtimes.clear();
    this.#watched.clear();
    this.#catalog.clear();
    // A refused token closes this client for good; a token typed in then makes a new one (this method again).
    const client = new BrowserClient({ token, views: SESSION_VIEWS });
    this.#client = client;
    const session = client.session;
    client.on("status", (status) => {
      if (status.phase === "live") this.#principalChanged(session);
      if (status.phase === "live" && !status.resumed && this.#can("runtimes")) void this.#refreshRuntimes(session);
      if (status.phase === "closed" && isByorError(status.error, "unauthorized")) this.#refused("Wrong token. ", status.error.message);
      else if (status.phase === "closed" && isRevoked(status))
        this.#refused("Token revoked. ", `The server closed the connection: it no longer accepts this token (${status.close?.reason || status.close?.code}).`);
      // The role of this token changed: the server closed the socket to have it come back with the new one, at once.
      if (status.phase === "waiting" && status.attempt === 1 && status.lastClose?.code === ROLE_CHANGED_CLOSE) client.reconnectNow();
      this.#schedule();
    });
    session.on("runtime", (info) => {
      const before = this.#runtimes.get(info.id);
      this.#runtimes.set(info.id, info);
      if (!this.#selectedRuntime && info.online) this.#selectedRuntime = info.id;
      if (info.online) {
        // Back online: its providers, models or agents may have changed meanwhile.
        if (before && !before.online) this.#catalog.forget(info.id);
        // A server refuses to subscribe to a runtime it does not have online (after its restart, the page may be
        // back before the runtime), and the session forgets a refused subscription: ask again for those when the
        // runtime comes (back) online. The others the server re-syncs itself when a runtime reconnects.
        for (const opened of this.#opened) if (opened.runtimeId === info.id && this.#openErrors.has(conversationKey(opened))) this.#subscribe(opened);
      }
      this.#schedule();
    });
    session.on("error", (error) => {
      if (isForbidden(error)) this.#say(`Not done: ${describeError(error)}.`);
      else console.warn("byor:", error.message);
    });
    client.start();
    for (const opened of this.#opened) this.#subscribe(opened);
  }

  async #refreshRuntimes(session: ClientSession): Promise<void> {
    try {
      const list = await session.listRuntimes();
      for (const info of list) this.#runtimes.set(info.id, info);
      // A selection is kept while its runtime is away (after a server restart the list may not have it yet).
      if (!this.#selectedRuntime) this.#selectedRuntime = (list.find((r) => r.online) ?? list[0])?.id;
      this.#schedule();
    } catch (error) {
      console.warn("byor: listing runtimes failed:", (error as Error).message);
    }
  }

  /** A welcome named another role or classes than before (a new token, or the role changed): fetch the lists again. */
  #principalChanged(session: ClientSession): void {
    const principal = session.principal;
    const rights = principal ? `${principal.role}\u0000${principal.privileges.join(",")}` : "";
    if (rights === this.#rights) return;
    const first = this.#rights === "";
    this.#rights = rights;
    // What was refused (or hidden) under the old role may be allowed now, and the other way round.
    if (!first) this.#catalog.clear();
  }

  /** Shows a refusal for a while (a fire-and-forget command has no form to show it in). */
  #say(text: string): void {
    this.#notice.textContent = text;
    this.#notice.hidden = false;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = window.setTimeout(() => (this.#notice.hidden = true), 10_000);
  }

  #refused(title: string, message: string): void {
    forgetToken();
    replace(this.#banner, h("strong", {}, title), message, this.#tokenForm);
    this.#banner.hidden = false;
    this.#tokenInput.value = "";
    this.#tokenInput.focus();
  }

  #askToken(): void {
    replace(this.#banner, this.#tokenForm);
    this.#banner.hidden = false;
    this.#tokenInput.focus();
  }

  #submitToken(event: Event): void {
    event.preventDefault();
    const token = this.#tokenInput.value.trim();
    if (!token) return;
    saveToken(token);
    this.#connect(token);
    this.#render();
  }

  // ── conversations ─────────────────────────────────────────────────────────────────────────────────────────

  #watch(runtimeId: string): void {
    const session = this.#session;
    if (!session || this.#watched.has(runtimeId)) return;
    this.#watched.add(runtimeId);
    session.mirror(runtimeId).on("change", ({ scope, keys, state }) => {
      if (keys.includes("queue")) this.#dropCancelled(conversationKey({ runtimeId, scope }), state.queue?.lastRemoved ?? []);
      this.#schedule();
    });
    session.assembler(runtimeId).on("change", () => this.#schedule());
  }

  /** A queued message the runtime dropped (remove_queue_item) was never sent on: it leaves the transcript too. */
  #dropCancelled(key: string, removed: readonly { client_message_id: string; disposition: string }[]): void {
    const cancelled = new Set(removed.filter((r) => r.disposition === "cancelled").map((r) => r.client_message_id));
    const sent = this.#sent.get(key);
    if (cancelled.size && sent?.some((entry) => cancelled.has(entry.message.id)))
      this.#sent.set(
        key,
        sent.filter((entry) => !cancelled.has(entry.message.id)),
      );
  }

  #subscribe(opened: Opened): void {
    const session = this.#session;
    if (!session) return;
    this.#watch(opened.runtimeId);
    const key = conversationKey(opened);
    this.#openErrors.delete(key);
    session.subscribe(opened.runtimeId, opened.scope).then(
      () => this.#schedule(),
      (error: Error) => {
        if (isByorError(error, "connection_closed") || isByorError(error, "request_aborted")) return;
        const code = (error.cause as { code?: unknown } | undefined)?.code;
        const offline = code === "runtime_offline" || code === "unknown_runtime";
        this.#openErrors.set(key, offline ? "the runtime is offline; it re-opens when the runtime is back" : describeError(error));
        this.#schedule();
      },
    );
  }

  #open(opened: Opened): void {
    if (!this.#opened.some((o) => o.runtimeId === opened.runtimeId && sameScope(o.scope, opened.scope))) {
      this.#opened = [...this.#opened, opened];
      localStorage.setItem(OPENED_KEY, JSON.stringify(this.#opened));
    }
    this.#select(opened);
    this.#subscribe(opened);
  }

  /** Drops a conversation from the list (and stops watching it); the runtime keeps it. */
  #forget(opened: Opened): void {
    this.#opened = this.#opened.filter((o) => !(o.runtimeId === opened.runtimeId && sameScope(o.scope, opened.scope)));
    localStorage.setItem(OPENED_KEY, JSON.stringify(this.#opened));
    this.#session?.unsubscribe(opened.runtimeId, opened.scope);
    if (this.#selected && this.#selected.runtimeId === opened.runtimeId && sameScope(this.#selected.scope, opened.scope)) {
      this.#selected = undefined;
      localStorage.removeItem(SELECTED_KEY);
      this.#messages.clear();
    }
    this.#render();
  }

  #select(opened: Opened): void {
    const same = this.#selected !== undefined && this.#selected.runtimeId === opened.runtimeId && sameScope(this.#selected.scope, opened.scope);
    this.#selected = opened;
    this.#selectedRuntime = opened.runtimeId;
    localStorage.setItem(SELECTED_KEY, JSON.stringify(opened));
    if (!same) {
      this.#messages.clear();
      this.#composerError.textContent = "";
    }
    this.#render();
    this.#composerInput.focus();
  }

  #submitOpen(event: Event): void {
    event.preventDefault();
    const runtimeId = this.#selectedRuntime;
    const agent = this.#agentInput.value.trim();
    if (!runtimeId) {
      this.#openError.textContent = "Pick a runtime first.";
      return;
    }
    this.#openError.textContent = "";
    this.#open({ runtimeId, scope: { agent_id: agent, conversation_id: this.#conversationInput.value.trim() || "default" } });
  }

  /** runtime_start with create_agent: a fresh agent on the picked model, and its default conversation. */
  async #newAgent(): Promise<string> {
    const session = this.#session;
    const runtimeId = this.#selectedRuntime;
    if (!session || !runtimeId) {
      this.#openError.textContent = "Pick a runtime first.";
      return "";
    }
    const model = this.#catalog.chosenModel(runtimeId);
    this.#openError.textContent = `Creating an agent${model ? ` on ${model}` : ""}…`;
    try {
      const response = await session.request(
        runtimeId,
        { type: "runtime_start", create_agent: { body: model ? { model } : {} }, conversation_id: "default" },
        { timeoutMs: 60_000 },
      );
      if (!response.runtime) throw new Error(response.error ?? "the runtime created no conversation");
      this.#openError.textContent = "";
      const scope = { agent_id: response.runtime.agent_id, conversation_id: response.runtime.conversation_id };
      this.#catalog.noteModel(runtimeId, scope, (response.agent as { model?: string } | null)?.model ?? model);
      this.#open({ runtimeId, scope });
      void this.#catalog.loadAgents(runtimeId);
      return `New agent ${readableId(scope.agent_id ?? "")} opened.`;
    } catch (error) {
      this.#openError.textContent = `Could not create an agent: ${describeError(error)}`;
      throw error;
    }
  }

  /** runtime_start with an agent and create_conversation: a new conversation of that agent, opened. */
  async #newConversation(runtimeId: string, agentId: string): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      const response = await session.request(runtimeId, { type: "runtime_start", agent_id: agentId, create_conversation: {} }, { timeoutMs: 60_000 });
      if (!response.runtime) throw new Error(response.error ?? "the runtime created no conversation");
      this.#open({ runtimeId, scope: { agent_id: response.runtime.agent_id, conversation_id: response.runtime.conversation_id } });
      void this.#catalog.loadConversations(runtimeId, agentId);
    } catch (error) {
      this.#openError.textContent = `Could not create a conversation: ${describeError(error)}`;
    }
  }

  /** After "Use the demo model": the open conversation on this runtime switches to it, or a new agent gets it. */
  async #afterDemo(runtimeId: string): Promise<void> {
    const session = this.#session;
    const selected = this.#selected;
    const demo = this.#demo;
    if (!session || !demo) return;
    if (selected && selected.runtimeId === runtimeId && selected.scope.agent_id && this.#can("switchModel")) {
      const response = await session.request(
        runtimeId,
        { type: "update_model", runtime: selected.scope, payload: { model_handle: demoHandle(demo) } },
        { timeoutMs: 20_000 },
      );
      this.#catalog.noteModel(runtimeId, selected.scope, response.model_handle ?? demoHandle(demo), response.applied_to);
      return;
    }
    this.#selectedRuntime = runtimeId;
    if (this.#can("newAgent")) await this.#newAgent();
  }

  async #submitMessage(event: Event): Promise<void> {
    event.preventDefault();
    const session = this.#session;
    const selected = this.#selected;
    const text = this.#composerInput.value.trim();
    if (!session || !selected || !text) return;
    // The composer empties at once, so a second press sends nothing; a new message typed meanwhile is queued by
    // the runtime. The button follows the connection only (#render).
    this.#composerError.textContent = "";
    const clientMessageId = `cm-console-${randomId()}`;
    const key = conversationKey(selected);
    const local = {
      at: session.conversation(selected.runtimeId, selected.scope).messages.length,
      message: { key: `local-${clientMessageId}`, id: clientMessageId, kind: "user" as const, text, content: text, otid: clientMessageId },
    };
    this.#sent.set(key, [...(this.#sent.get(key) ?? []), local]);
    this.#composerInput.value = "";
    this.#schedule();
    try {
      await session.request(
        selected.runtimeId,
        {
          type: "input",
          runtime: selected.scope,
          payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: clientMessageId }] },
        },
        { timeoutMs: 30_000 },
      );
    } catch (error) {
      this.#sent.set(
        key,
        (this.#sent.get(key) ?? []).filter((entry) => entry !== local),
      );
      if (!this.#composerInput.value) this.#composerInput.value = text;
      this.#composerError.textContent = `Not sent: ${describeError(error)}`;
      this.#schedule();
    }
  }

  async #abortTurn(): Promise<void> {
    const session = this.#session;
    const selected = this.#selected;
    if (!session || !selected) return;
    this.#abort.disabled = true;
    try {
      await session.request(selected.runtimeId, { type: "abort_message", runtime: selected.scope }, { timeoutMs: 15_000 });
    } catch (error) {
      this.#composerError.textContent = `Abort failed: ${describeError(error)}`;
    } finally {
      this.#abort.disabled = false;
    }
  }

  async #copyAgentId(): Promise<void> {
    const id = this.#selected?.scope.agent_id;
    if (!id) return;
    try {
      await navigator.clipboard.writeText(id);
      this.#copyId.textContent = "copied";
    } catch {
      // No clipboard (permission, or not a secure context): the full id is in the title's tooltip.
      this.#copyId.textContent = "copy failed";
    }
    setTimeout(() => (this.#copyId.textContent = "copy id"), 1500);
  }

  // ── rendering ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Coalesces changes into one render per frame (a streaming answer changes many times a frame). */
  #schedule(): void {
    if (this.#frame) return;
    const run = () => {
      this.#frame = 0;
      this.#render();
    };
    this.#frame = document.hidden ? window.setTimeout(run, 250) : requestAnimationFrame(run);
  }

  /** Fetches the selected runtime's models and agents once it is reachable (and again after it reconnected). */
  #loadCatalog(runtimeId: string): void {
    if (this.#can("models") && this.#catalog.models(runtimeId).state === "idle") void this.#catalog.loadModels(runtimeId);
    if (this.#can("agents") && this.#catalog.agents(runtimeId).state === "idle") void this.#catalog.loadAgents(runtimeId);
  }

  #render(): void {
    const client = this.#client;
    const session = this.#session;
    const label = client ? connectionLabel(client.status, Date.now()) : { state: "closed", text: "no token", detail: "", canRetry: false };
    // Without a usable connection the banner says why (and asks for the token): the top bar only names the state.
    const unusable = !client || client.status.phase === "closed";
    this.#badge.dataset.state = label.state;
    this.#badge.textContent = label.text;
    this.#badgeDetail.textContent = unusable && !this.#banner.hidden ? "" : label.detail;
    this.#retry.hidden = !label.canRetry;
    this.#controls.disabled = unusable;
    const live = client?.status.phase === "live";
    // What the role may do (the last welcome's principal); everything without one.
    const principal = session?.principal;
    this.#who.hidden = !principal;
    this.#who.textContent = principal ? principalLabel(principal) : "";
    this.#who.title = principal ? `Signed in as ${principal.name}, role ${principal.role}: ${principal.privileges.join(", ")}` : "";
    const can = (control: Control) => allows(principal, control);
    this.#newAgentButton.hidden = !can("newAgent");
    this.#openForm.hidden = !can("open");

    // Runtimes
    const runtimes = [...this.#runtimes.values()].sort((a, b) => Number(b.online) - Number(a.online) || a.connection_name.localeCompare(b.connection_name));
    replace(
      this.#runtimeList,
      ...runtimes.map((info) =>
        renderRuntime(summarize(info, session), info.id === this.#selectedRuntime, () => {
          this.#selectedRuntime = info.id;
          this.#watch(info.id);
          this.#render();
        }),
      ),
      runtimes.length
        ? null
        : h(
            "li",
            { class: "muted" },
            !can("runtimes")
              ? `Not shown: ${lacking(principal, "runtimes")}.`
              : live
                ? "No runtime has connected yet. Start one with the letta remote line byor serve printed."
                : "—",
          ),
    );

    // The selected runtime: its provider, models and agents
    const runtimeId = this.#selectedRuntime !== undefined && this.#runtimes.has(this.#selectedRuntime) ? this.#selectedRuntime : undefined;
    if (runtimeId && live && this.#runtimes.get(runtimeId)?.online) this.#loadCatalog(runtimeId);
    const selected = this.#selected;
    const selectedHere = selected && selected.runtimeId === runtimeId ? selected.scope : undefined;
    this.#providers.update(runtimeId, can("providers"));
    this.#models.update(runtimeId, selectedHere?.agent_id ? selectedHere : undefined, { list: can("models"), switchModel: can("switchModel") });
    this.#agents.update(runtimeId, selected, { list: can("agents"), conversations: can("conversations"), newConversation: can("newConversation") });
    this.#newAgentButton.title = runtimeId
      ? `runtime_start with create_agent${this.#catalog.chosenModel(runtimeId) ? ` on ${this.#catalog.chosenModel(runtimeId)}` : ""}`
      : "Pick a runtime first";

    // Open conversations
    replace(
      this.#conversationList,
      ...this.#opened.map((opened) => {
        const name = this.#runtimes.get(opened.runtimeId)?.connection_name ?? shortId(opened.runtimeId);
        const state = session?.mirror(opened.runtimeId).get(opened.scope);
        const isSelected = selected !== undefined && selected.runtimeId === opened.runtimeId && sameScope(selected.scope, opened.scope);
        const approvals = state?.pendingApprovals.length ?? 0;
        const agent = opened.scope.agent_id ?? "(live agent)";
        return h(
          "li",
          { class: "conversation-row" },
          h(
            "button",
            {
              type: "button",
              class: `conversation-item${isSelected ? " selected" : ""}`,
              title: `${agent} / ${opened.scope.conversation_id} on ${name}`,
              onclick: () => this.#select(opened),
            },
            h("span", { class: "conv-agent" }, readableId(agent)),
            h("span", { class: "conv-id" }, ` / ${readableId(opened.scope.conversation_id)}`),
            h("span", { class: "conv-runtime" }, ` on ${name}`),
            approvals ? h("span", { class: "chip chip-approval" }, String(approvals)) : null,
          ),
          h(
            "button",
            {
              type: "button",
              class: "icon forget",
              title: "Remove from this list (the runtime keeps it)",
              "aria-label": "Remove from the list",
              onclick: () => this.#forget(opened),
            },
            "×",
          ),
        );
      }),
      this.#opened.length ? null : h("li", { class: "muted" }, "None yet."),
    );

    // The selected conversation
    this.#conversationPane.hidden = !selected;
    this.#empty.hidden = !!selected;
    replace(
      this.#empty,
      unusable
        ? "Not connected: the server's token is needed (see above)."
        : runtimes.length
          ? can("newAgent")
            ? "Open a conversation: connect a model provider, then New agent (or pick an agent and a conversation)."
            : "Open a conversation: pick an agent and a conversation."
          : "Waiting for runtimes…",
    );
    if (!selected || !session) return;
    this.#watch(selected.runtimeId);
    const view = session.conversation(selected.runtimeId, selected.scope);
    const state = session.mirror(selected.runtimeId).get(selected.scope);
    const runtime = this.#runtimes.get(selected.runtimeId);
    const agentId = selected.scope.agent_id ?? "(live agent)";
    replace(
      this.#title,
      h("span", { class: "conv-agent-id", title: agentId }, readableId(agentId)),
      h("span", { class: "muted", title: selected.scope.conversation_id }, ` / ${readableId(selected.scope.conversation_id)}`),
      runtime ? h("span", { class: "muted" }, ` · ${runtime.connection_name}${runtime.online ? "" : " (offline)"}`) : null,
    );
    this.#copyId.hidden = !selected.scope.agent_id;
    const model = this.#catalog.modelOf(selected.runtimeId, selected.scope);
    this.#modelLabel.textContent = model ? `model ${model}` : "";
    this.#mode.update(selected.runtimeId, selected.scope, state?.deviceStatus?.current_permission_mode, live && runtime?.online === true, {
      permitted: can("permissionMode"),
      why: lacking(principal, "permissionMode"),
    });
    const loop = state?.loopStatus?.status;
    this.#loop.dataset.loop = loop ?? "";
    this.#loop.textContent = loop ? (LOOP_TEXT[loop] ?? loop) : "unknown";
    this.#loop.title = loop ?? "no loop status yet";
    const queue = state?.queue?.items ?? [];
    replace(this.#queueCount, queue.length ? `${queue.length} queued` : "queue empty");
    this.#queue.update(selected.runtimeId, selected.scope, queue, can("queueRemove"));
    this.#approvals.update(selected.runtimeId, state?.pendingApprovals ?? [], { approve: can("approve"), deny: can("deny") });
    this.#messages.update(collapseRepeatedErrors(withSent(view.messages, this.#sent.get(conversationKey(selected)) ?? [])));
    const error = this.#openErrors.get(conversationKey(selected));
    const turn = view.turn;
    replace(
      this.#turnNote,
      error ? h("span", { class: "form-error" }, `Could not open this conversation: ${error}`) : null,
      turn.running ? h("span", { class: "working" }, "agent is working…") : null,
    );
    this.#messages.follow(); // the approvals or the turn note may have changed the list's height
    const busy = turn.running || (loop !== undefined && loop !== "WAITING_ON_INPUT");
    this.#abort.hidden = !busy || !can("abort");
    this.#send.disabled = !live;
    this.#composer.hidden = !can("composer");
    this.#watchOnly.hidden = can("composer");
    this.#watchOnly.textContent = principal && !can("composer") ? `Watching only: ${lacking(principal, "composer")} (sending messages needs it).` : "";
  }
}
