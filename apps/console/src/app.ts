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
import { ApprovalsView } from "./approvals-view.js";
import { connectionLabel } from "./connection-label.js";
import { h, replace, shortId } from "./dom.js";
import { MessageList } from "./message-list.js";
import { renderRuntime, summarize } from "./runtimes-view.js";
import { withSent } from "./sent-messages.js";
import { forgetToken, saveToken, takeToken } from "./token.js";

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
  /** Why opening a conversation failed, per conversation key. */
  readonly #openErrors = new Map<string, string>();
  /**
   * What the user sent, per conversation key, with where it goes in the assembled conversation: the runtime echoes a
   * user message in its stream only when the input was queued (then with our client_message_id as otid).
   */
  readonly #sent = new Map<string, { at: number; message: Extract<AssembledMessage, { kind: "user" }> }[]>();
  #frame = 0;

  // Static parts of the page; the rest is rebuilt by render().
  readonly #badge = h("span", { class: "badge", "data-state": "connecting", role: "status", "aria-live": "polite" });
  readonly #badgeDetail = h("span", { class: "badge-detail" });
  readonly #retry = h("button", { type: "button", class: "retry", hidden: true, onclick: () => this.#client?.reconnectNow() }, "Retry now");
  readonly #banner = h("div", { class: "banner", role: "alert", hidden: true });
  readonly #tokenForm: HTMLFormElement;
  readonly #tokenInput = h("input", { type: "password", name: "token", autocomplete: "off", placeholder: "Server token", "aria-label": "Server token", required: true });
  readonly #runtimeList = h("ul", { class: "runtime-list", "aria-label": "Runtimes" });
  readonly #conversationList = h("ul", { class: "conversation-list", "aria-label": "Conversations" });
  readonly #openForm: HTMLFormElement;
  readonly #agentInput = h("input", { name: "agent", placeholder: "agent id", "aria-label": "Agent id", required: true, autocomplete: "off" });
  readonly #conversationInput = h("input", { name: "conversation", placeholder: "conversation (default)", "aria-label": "Conversation id", autocomplete: "off" });
  readonly #openError = h("div", { class: "form-error", role: "alert" });
  readonly #title = h("h2", { class: "conv-title" });
  readonly #loop = h("span", { class: "chip chip-loop", "data-loop": "" });
  readonly #queue = h("span", { class: "queue" });
  readonly #abort = h("button", { type: "button", class: "abort", onclick: () => void this.#abortTurn() }, "Abort");
  readonly #turnNote = h("div", { class: "turn-note" });
  readonly #messages = new MessageList(h("div", { class: "messages", "aria-live": "polite" }));
  readonly #approvals = new ApprovalsView(() => this.#session);
  readonly #composerInput = h("textarea", { name: "message", rows: 3, placeholder: "Message the agent… (Ctrl+Enter to send)", "aria-label": "Message" });
  readonly #send = h("button", { type: "submit", class: "send" }, "Send");
  readonly #composerError = h("div", { class: "form-error", role: "alert" });
  readonly #conversationPane: HTMLElement;
  readonly #empty = h("div", { class: "empty" });

  constructor(private readonly root: HTMLElement) {
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
      h("div", { class: "row" }, h("button", { type: "submit" }, "Open"), h("button", { type: "button", class: "secondary", onclick: () => void this.#newAgent() }, "New agent")),
      this.#openError,
    );
    const composer = h(
      "form",
      { class: "composer", onsubmit: (e) => this.#submitMessage(e) },
      this.#composerInput,
      h("div", { class: "composer-side" }, this.#send, this.#abort),
      this.#composerError,
    );
    this.#composerInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) composer.requestSubmit();
    });
    this.#conversationPane = h(
      "section",
      { class: "conversation", "aria-label": "Conversation" },
      h("header", { class: "conv-head" }, this.#title, h("div", { class: "conv-status" }, this.#loop, this.#queue)),
      this.#approvals.element,
      this.#messages.element,
      this.#turnNote,
      composer,
    );
    replace(
      root,
      h(
        "header",
        { class: "topbar" },
        h("h1", {}, "BYOR console"),
        h("div", { class: "connection" }, this.#badge, this.#badgeDetail, this.#retry),
      ),
      this.#banner,
      h(
        "main",
        { class: "layout" },
        h(
          "aside",
          { class: "sidebar" },
          h("h2", {}, "Runtimes"),
          this.#runtimeList,
          h("h2", {}, "Conversations"),
          this.#conversationList,
          this.#openForm,
        ),
        h("div", { class: "main-pane" }, this.#conversationPane, this.#empty),
      ),
    );
    // A tab in the background gets no animation frames: tick the countdown and catch up when it is shown again.
    setInterval(() => this.#schedule(), 1000);
    document.addEventListener("visibilitychange", () => this.#schedule());
  }

  get #session(): ClientSession | undefined {
    return this.#client?.session;
  }

  start(): void {
    const token = takeToken();
    if (token) this.#connect(token);
    else this.#askToken();
    this.#render();
  }

  // ── connection ────────────────────────────────────────────────────────────────────────────────────────────

  #connect(token: string): void {
    this.#client?.close();
    this.#banner.hidden = true;
    this.#runtimes.clear();
    this.#watched.clear();
    // A refused token closes this client for good; a token typed in then makes a new one (this method again).
    const client = new BrowserClient({ token, views: SESSION_VIEWS });
    this.#client = client;
    const session = client.session;
    client.on("status", (status) => {
      if (status.phase === "live" && !status.resumed) void this.#refreshRuntimes(session);
      if (status.phase === "closed" && isByorError(status.error, "unauthorized")) this.#refused(status.error.message);
      this.#schedule();
    });
    session.on("runtime", (info) => {
      this.#runtimes.set(info.id, info);
      // A server refuses to subscribe to a runtime it does not have online (after its restart, the page may be back
      // before the runtime), and the session forgets a refused subscription: ask again for those when the runtime
      // comes (back) online. The others the server re-syncs itself when a runtime reconnects.
      if (info.online) {
        for (const opened of this.#opened) if (opened.runtimeId === info.id && this.#openErrors.has(conversationKey(opened))) this.#subscribe(opened);
      }
      this.#schedule();
    });
    session.on("error", (error) => console.warn("byor:", error.message));
    client.start();
    for (const opened of this.#opened) this.#subscribe(opened);
  }

  async #refreshRuntimes(session: ClientSession): Promise<void> {
    try {
      const list = await session.listRuntimes();
      for (const info of list) this.#runtimes.set(info.id, info);
      if (!this.#selectedRuntime && list[0]) this.#selectedRuntime = list[0].id;
      this.#schedule();
    } catch (error) {
      console.warn("byor: listing runtimes failed:", (error as Error).message);
    }
  }

  #refused(message: string): void {
    forgetToken();
    replace(this.#banner, h("strong", {}, "Wrong token. "), message, this.#tokenForm);
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
    session.mirror(runtimeId).on("change", () => this.#schedule());
    session.assembler(runtimeId).on("change", () => this.#schedule());
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
        if (isByorError(error, "connection_closed")) return;
        const code = (error.cause as { code?: unknown } | undefined)?.code;
        const offline = code === "runtime_offline" || code === "unknown_runtime";
        this.#openErrors.set(key, offline ? "the runtime is offline; it re-opens when the runtime is back" : error.message);
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

  #select(opened: Opened): void {
    this.#selected = opened;
    this.#selectedRuntime = opened.runtimeId;
    localStorage.setItem(SELECTED_KEY, JSON.stringify(opened));
    this.#messages.clear();
    this.#composerError.textContent = "";
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

  /** runtime_start with create_agent: a fresh agent and its default conversation. */
  async #newAgent(): Promise<void> {
    const session = this.#session;
    const runtimeId = this.#selectedRuntime;
    if (!session || !runtimeId) {
      this.#openError.textContent = "Pick a runtime first.";
      return;
    }
    this.#openError.textContent = "Creating an agent…";
    try {
      const response = await session.request(runtimeId, { type: "runtime_start", create_agent: { body: {} }, conversation_id: "default" }, { timeoutMs: 60_000 });
      if (!response.runtime) throw new Error(response.error ?? "the runtime created no conversation");
      this.#openError.textContent = "";
      this.#open({ runtimeId, scope: { agent_id: response.runtime.agent_id, conversation_id: response.runtime.conversation_id } });
    } catch (error) {
      this.#openError.textContent = `Could not create an agent: ${(error as Error).message}`;
    }
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
      this.#sent.set(key, (this.#sent.get(key) ?? []).filter((entry) => entry !== local));
      if (!this.#composerInput.value) this.#composerInput.value = text;
      this.#composerError.textContent = `Not sent: ${(error as Error).message}`;
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
      this.#composerError.textContent = `Abort failed: ${(error as Error).message}`;
    } finally {
      this.#abort.disabled = false;
    }
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

  #render(): void {
    const client = this.#client;
    const session = this.#session;
    const label = client ? connectionLabel(client.status, Date.now()) : { state: "closed", text: "no token", detail: "", canRetry: false };
    this.#badge.dataset.state = label.state;
    this.#badge.textContent = label.text;
    this.#badgeDetail.textContent = label.detail;
    this.#retry.hidden = !label.canRetry;
    const live = client?.status.phase === "live";

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
      runtimes.length ? null : h("li", { class: "muted" }, live ? "No runtime has connected yet. Start one with the letta remote line byor serve printed." : "—"),
    );

    // Conversations
    replace(
      this.#conversationList,
      ...this.#opened.map((opened) => {
        const name = this.#runtimes.get(opened.runtimeId)?.connection_name ?? shortId(opened.runtimeId);
        const state = session?.mirror(opened.runtimeId).get(opened.scope);
        const isSelected = this.#selected !== undefined && this.#selected.runtimeId === opened.runtimeId && sameScope(this.#selected.scope, opened.scope);
        const approvals = state?.pendingApprovals.length ?? 0;
        return h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: `conversation-item${isSelected ? " selected" : ""}`, onclick: () => this.#select(opened) },
            h("span", { class: "conv-agent" }, shortId(opened.scope.agent_id ?? "(live agent)")),
            h("span", { class: "conv-id" }, ` / ${opened.scope.conversation_id}`),
            h("span", { class: "conv-runtime" }, ` on ${name}`),
            approvals ? h("span", { class: "chip chip-approval" }, String(approvals)) : null,
          ),
        );
      }),
      this.#opened.length ? null : h("li", { class: "muted" }, "None yet."),
    );

    // The selected conversation
    const selected = this.#selected;
    this.#conversationPane.hidden = !selected;
    this.#empty.hidden = !!selected;
    replace(this.#empty, runtimes.length ? "Open a conversation: pick a runtime, enter an agent id (or create a new agent)." : "Waiting for runtimes…");
    if (!selected || !session) return;
    this.#watch(selected.runtimeId);
    const view = session.conversation(selected.runtimeId, selected.scope);
    const state = session.mirror(selected.runtimeId).get(selected.scope);
    const runtime = this.#runtimes.get(selected.runtimeId);
    replace(
      this.#title,
      h("span", {}, shortId(selected.scope.agent_id ?? "(live agent)")),
      h("span", { class: "muted" }, ` / ${selected.scope.conversation_id}`),
      runtime ? h("span", { class: "muted" }, ` · ${runtime.connection_name}${runtime.online ? "" : " (offline)"}`) : null,
    );
    const loop = state?.loopStatus?.status;
    this.#loop.dataset.loop = loop ?? "";
    this.#loop.textContent = loop ? (LOOP_TEXT[loop] ?? loop) : "unknown";
    this.#loop.title = loop ?? "no loop status yet";
    const queue = state?.queue?.items ?? [];
    replace(this.#queue, queue.length ? `${queue.length} queued` : "queue empty");
    this.#queue.title = queue.map((item) => (typeof item.content === "string" ? item.content : item.kind)).join("\n");
    this.#approvals.update(selected.runtimeId, state?.pendingApprovals ?? []);
    this.#messages.update(withSent(view.messages, this.#sent.get(conversationKey(selected)) ?? []));
    const error = this.#openErrors.get(conversationKey(selected));
    const turn = view.turn;
    replace(
      this.#turnNote,
      error ? h("span", { class: "form-error" }, `Could not open this conversation: ${error}`) : null,
      turn.running ? h("span", { class: "working" }, "agent is working…") : null,
    );
    this.#messages.follow(); // the approvals or the turn note may have changed the list's height
    const busy = turn.running || (loop !== undefined && loop !== "WAITING_ON_INPUT");
    this.#abort.hidden = !busy;
    this.#send.disabled = !live;
  }
}

