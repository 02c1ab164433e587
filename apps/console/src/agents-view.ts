import { sameScope, type Scope } from "@byor/browser";
import type { AgentSummary, RuntimeCatalog } from "./catalog.js";
import { h, replace } from "./dom.js";
import { readableId } from "./format.js";

/** What the role may do in the panel: list agents, list their conversations, start a new conversation. */
export interface AgentsRights {
  list: boolean;
  conversations: boolean;
  newConversation: boolean;
}

const ALL: AgentsRights = { list: true, conversations: true, newConversation: true };

export interface AgentsViewHost {
  readonly catalog: RuntimeCatalog;
  open(runtimeId: string, scope: Scope): void;
  newConversation(runtimeId: string, agentId: string): Promise<void>;
}

/**
 * The agents of the selected runtime (agent_list) and, unfolded, their conversations (conversation_list with the
 * agent's id; `default` is every agent's and is not listed). A click opens one; "New conversation" is runtime_start
 * with the agent and create_conversation. Rebuilt only when the catalog, the selection or what the role may do
 * changed; what the role may not send is left out.
 */
export class AgentsView {
  readonly element: HTMLElement;
  readonly #list = h("ul", { class: "agent-list", "aria-label": "Agents" });
  readonly #status = h("div", { class: "panel-status", role: "status" });
  readonly #refresh = h(
    "button",
    { type: "button", class: "icon", title: "Ask the runtime again (agent_list)", "aria-label": "Refresh agents", onclick: () => this.#reload() },
    "↻",
  );
  readonly #unfolded = new Set<string>();
  #runtimeId: string | undefined;
  #rendered: { version: number; runtimeId: string | undefined; selected: string; rights: string } | undefined;
  #rights: AgentsRights = ALL;

  constructor(private readonly host: AgentsViewHost) {
    this.element = h(
      "section",
      { class: "panel agents", "aria-label": "Agents" },
      h("div", { class: "panel-head" }, h("h2", {}, "Agents"), this.#refresh),
      this.#list,
      this.#status,
    );
  }

  update(runtimeId: string | undefined, selected: { runtimeId: string; scope: Scope } | undefined, rights: AgentsRights = ALL): void {
    this.#runtimeId = runtimeId;
    this.#rights = rights;
    this.element.hidden = runtimeId === undefined || !rights.list;
    const selectedKey = selected && selected.runtimeId === runtimeId ? `${selected.scope.agent_id}\u0000${selected.scope.conversation_id}` : "";
    const version = this.host.catalog.version;
    const rightsKey = `${rights.list}${rights.conversations}${rights.newConversation}`;
    const last = this.#rendered;
    if (last && last.version === version && last.runtimeId === runtimeId && last.selected === selectedKey && last.rights === rightsKey) return;
    this.#rendered = { version, runtimeId, selected: selectedKey, rights: rightsKey };
    if (runtimeId === undefined || !rights.list) return;
    const agents = this.host.catalog.agents(runtimeId);
    const scope = selected?.runtimeId === runtimeId ? selected.scope : undefined;
    replace(this.#list, ...(agents.value ?? []).map((agent) => this.#agent(runtimeId, agent, scope)));
    this.#status.textContent =
      agents.state === "loading" && !agents.value
        ? "Loading agents…"
        : agents.state === "error"
          ? `Could not list agents: ${agents.error}`
          : agents.value && agents.value.length === 0
            ? "No agents yet: New agent creates one."
            : "";
  }

  #reload(): void {
    if (!this.#runtimeId) return;
    void this.host.catalog.loadAgents(this.#runtimeId);
    if (this.#rights.conversations) for (const agentId of this.#unfolded) void this.host.catalog.loadConversations(this.#runtimeId, agentId);
  }

  #agent(runtimeId: string, agent: AgentSummary, selected: Scope | undefined): HTMLElement {
    const conversations = this.host.catalog.conversations(runtimeId, agent.id);
    const model = this.host.catalog.modelOf(runtimeId, { agent_id: agent.id, conversation_id: "default" }) ?? agent.model;
    const item = (conversationId: string, label: string) => {
      const scope = { agent_id: agent.id, conversation_id: conversationId };
      const current = selected !== undefined && sameScope(selected, scope);
      return h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: `agent-conversation${current ? " selected" : ""}`,
            "data-conversation-id": conversationId,
            title: conversationId,
            onclick: () => this.host.open(runtimeId, scope),
          },
          label,
        ),
      );
    };
    const details = h(
      "details",
      { class: "agent", "data-agent-id": agent.id, open: this.#unfolded.has(agent.id) },
      h(
        "summary",
        { title: agent.id },
        h("span", { class: "agent-name" }, agent.name === agent.id ? readableId(agent.id) : agent.name),
        agent.name === agent.id ? null : h("span", { class: "agent-id" }, readableId(agent.id)),
        model ? h("span", { class: "agent-model" }, model) : null,
      ),
      h(
        "ul",
        { class: "agent-conversations" },
        item("default", "default"),
        ...(conversations.value ?? []).map((c) => item(c.id, c.summary ? `${c.summary} (${readableId(c.id)})` : readableId(c.id))),
        conversations.state === "loading" ? h("li", { class: "muted" }, "loading…") : null,
        conversations.state === "error" ? h("li", { class: "form-error" }, conversations.error ?? "") : null,
        this.#rights.newConversation
          ? h(
              "li",
              {},
              h(
                "button",
                { type: "button", class: "new-conversation secondary", onclick: () => void this.host.newConversation(runtimeId, agent.id) },
                "+ New conversation",
              ),
            )
          : null,
      ),
    );
    details.addEventListener("toggle", () => {
      if (details.open) {
        this.#unfolded.add(agent.id);
        // Only when never asked: a rebuilt, unfolded <details> fires toggle again (a failure is retried with ↻).
        if (this.#rights.conversations && this.host.catalog.conversations(runtimeId, agent.id).state === "idle")
          void this.host.catalog.loadConversations(runtimeId, agent.id);
      } else this.#unfolded.delete(agent.id);
    });
    return h("li", {}, details);
  }
}
