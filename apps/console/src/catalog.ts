// What the console knows about each runtime beyond its live state: the providers it can connect, the models it
// offers, its agents and their conversations, fetched with the protocol's list commands and kept per runtime.
import type { ClientSession, Scope } from "@byor/browser";
import type { ModelListEntry, ProviderEntry } from "@byor/protocol";
import { describeError } from "./access.js";
import { pickModel, type ConnectProvider } from "./providers.js";

export interface Loadable<T> {
  state: "idle" | "loading" | "ready" | "error";
  value?: T;
  error?: string;
}

/** What the console shows of an agent (agent_list passes Letta's AgentState through). */
export interface AgentSummary {
  id: string;
  name: string;
  model?: string;
}

/** What the console shows of a conversation (conversation_list passes Letta's records through). */
export interface ConversationSummary {
  id: string;
  summary?: string;
}

/** The part of ClientSession the catalog uses (a fake one in the unit tests). */
export type CatalogSession = Pick<ClientSession, "request">;

const LIST_TIMEOUT_MS = 20_000;
const IDLE: Loadable<never> = { state: "idle" };

export function toAgentSummary(raw: unknown): AgentSummary | undefined {
  const agent = raw as { id?: unknown; name?: unknown; model?: unknown } | null;
  if (!agent || typeof agent.id !== "string") return undefined;
  return {
    id: agent.id,
    name: typeof agent.name === "string" && agent.name ? agent.name : agent.id,
    ...(typeof agent.model === "string" ? { model: agent.model } : {}),
  };
}

function toConversationSummary(raw: unknown): ConversationSummary | undefined {
  const conversation = raw as { id?: unknown; summary?: unknown; archived?: unknown } | null;
  if (!conversation || typeof conversation.id !== "string" || conversation.archived === true) return undefined;
  return { id: conversation.id, ...(typeof conversation.summary === "string" && conversation.summary ? { summary: conversation.summary } : {}) };
}

const defined = <T>(value: T | undefined): value is T => value !== undefined;

export class RuntimeCatalog {
  readonly #entries = new Map<string, Loadable<unknown>>();
  /** The model the user picked (or the one preselected), per runtime: New agent uses it. */
  readonly #chosen = new Map<string, string>();
  /** Models as last reported (agent_list, runtime_start, update_model), per runtime and agent or conversation. */
  readonly #models = new Map<string, string>();
  /** The latest load of each entry: an older one that answers later is dropped. */
  readonly #loads = new Map<string, number>();
  #loadSeq = 0;
  /** Bumped on every change, so a view rebuilds only when something it shows changed. */
  version = 0;

  constructor(
    private readonly session: () => CatalogSession | undefined,
    private readonly changed: () => void,
  ) {}

  providers(runtimeId: string): Loadable<ProviderEntry[]> {
    return this.#get(`providers\u0000${runtimeId}`);
  }

  models(runtimeId: string): Loadable<ModelListEntry[]> {
    return this.#get(`models\u0000${runtimeId}`);
  }

  agents(runtimeId: string): Loadable<AgentSummary[]> {
    return this.#get(`agents\u0000${runtimeId}`);
  }

  conversations(runtimeId: string, agentId: string): Loadable<ConversationSummary[]> {
    return this.#get(`conversations\u0000${runtimeId}\u0000${agentId}`);
  }

  chosenModel(runtimeId: string): string | undefined {
    return this.#chosen.get(runtimeId);
  }

  choose(runtimeId: string, handle: string | undefined): void {
    if (handle) this.#chosen.set(runtimeId, handle);
    else this.#chosen.delete(runtimeId);
    this.#bump();
  }

  /** The model a conversation uses, as far as the console saw it set (its own, else its agent's). */
  modelOf(runtimeId: string, scope: Scope): string | undefined {
    const agent = scope.agent_id ?? "";
    return this.#models.get(`${runtimeId}\u0000${agent}\u0000${scope.conversation_id}`) ?? this.#models.get(`${runtimeId}\u0000${agent}`);
  }

  /** Notes a model set on an agent (agent_list, runtime_start, update_model of a default conversation) or on one conversation. */
  noteModel(runtimeId: string, scope: Scope, model: string | undefined, appliedTo: "agent" | "conversation" = "agent"): void {
    if (!model) return;
    const agent = scope.agent_id ?? "";
    this.#models.set(appliedTo === "agent" ? `${runtimeId}\u0000${agent}` : `${runtimeId}\u0000${agent}\u0000${scope.conversation_id}`, model);
    this.#bump();
  }

  loadProviders(runtimeId: string): Promise<void> {
    return this.#load(`providers\u0000${runtimeId}`, async (session) => {
      const response = await session.request(runtimeId, { type: "list_connect_providers", target: "local" }, { timeoutMs: LIST_TIMEOUT_MS });
      return response.providers;
    });
  }

  loadModels(runtimeId: string, force = false): Promise<void> {
    return this.#load(`models\u0000${runtimeId}`, async (session) => {
      const response = await session.request(runtimeId, { type: "list_models", ...(force ? { force: true } : {}) }, { timeoutMs: LIST_TIMEOUT_MS });
      const picked = pickModel(response.entries, this.#chosen.get(runtimeId));
      if (picked) this.#chosen.set(runtimeId, picked);
      return response.entries;
    });
  }

  loadAgents(runtimeId: string): Promise<void> {
    return this.#load(`agents\u0000${runtimeId}`, async (session) => {
      const response = await session.request(runtimeId, { type: "agent_list" }, { timeoutMs: LIST_TIMEOUT_MS });
      const agents = response.agents.map(toAgentSummary).filter(defined);
      for (const agent of agents) if (agent.model) this.#models.set(`${runtimeId}\u0000${agent.id}`, agent.model);
      return agents;
    });
  }

  loadConversations(runtimeId: string, agentId: string): Promise<void> {
    return this.#load(`conversations\u0000${runtimeId}\u0000${agentId}`, async (session) => {
      const response = await session.request(runtimeId, { type: "conversation_list", query: { agent_id: agentId } }, { timeoutMs: LIST_TIMEOUT_MS });
      return response.conversations.map(toConversationSummary).filter(defined);
    });
  }

  /**
   * Connects a provider; the response carries the new provider list, and the models are fetched again (the runtime
   * says they may have changed). Rejects with the runtime's reason when it refused.
   */
  async connect(runtimeId: string, command: ConnectProvider): Promise<void> {
    const session = this.session();
    if (!session) throw new Error("not connected to the server");
    const response = await session.request(runtimeId, command, { timeoutMs: LIST_TIMEOUT_MS });
    this.#loads.delete(`providers\u0000${runtimeId}`);
    this.#entries.set(`providers\u0000${runtimeId}`, { state: "ready", value: response.providers });
    this.#bump();
    if (response.models_may_have_changed) await this.loadModels(runtimeId, true);
  }

  /** Forgets what was fetched for a runtime (it reconnected: its providers or agents may have changed meanwhile). */
  forget(runtimeId: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key.split("\u0000")[1] !== runtimeId) continue;
      this.#entries.delete(key);
      this.#loads.delete(key);
    }
    this.#bump();
  }

  clear(): void {
    this.#entries.clear();
    this.#loads.clear();
    this.#bump();
  }

  #get<T>(key: string): Loadable<T> {
    return (this.#entries.get(key) as Loadable<T> | undefined) ?? IDLE;
  }

  async #load<T>(key: string, fetch: (session: CatalogSession) => Promise<T>): Promise<void> {
    const session = this.session();
    if (!session) return;
    const before = this.#get<T>(key);
    const id = ++this.#loadSeq;
    this.#loads.set(key, id);
    this.#entries.set(key, { ...before, state: "loading" });
    this.#bump();
    let next: Loadable<T>;
    try {
      next = { state: "ready", value: await fetch(session) };
    } catch (error) {
      next = { ...(before.value !== undefined ? { value: before.value } : {}), state: "error", error: describeError(error) };
    }
    // A newer load, or a forget() or clear() meanwhile (a new connection), drops this answer.
    if (this.#loads.get(key) !== id) return;
    this.#loads.delete(key);
    this.#entries.set(key, next);
    this.#bump();
  }

  #bump(): void {
    this.version++;
    this.changed();
  }
}
