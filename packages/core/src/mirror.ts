import type {
  ControlRequestEvent,
  DeviceStatus,
  LoopState,
  PendingControlRequest,
  QueueMessage,
  QueueRemovalTransition,
  RuntimeEvent,
  SubagentSnapshot,
  UpdateDeviceStatusEvent,
} from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import type { Disposable } from "./disposable.js";
import { jsonEqual as equal } from "./deep-json.js";
import { Emitter, type HandlerErrorReporter } from "./emitter.js";
import { EventDeduper } from "./event-deduper.js";
import { scopeKey, toScope, type Scope } from "./scope.js";

/**
 * Everything the runtime has told about one conversation, built from its snapshot frames: enough for a fresh app
 * to render the conversation's state without having seen any earlier frame. Each change yields a new object
 * (the previous one is never mutated), so UIs can compare by reference.
 */
export interface ScopeState {
  scope: Scope;
  /** Latest `update_device_status.device_status` (the runtime sends device status per scope). */
  deviceStatus?: DeviceStatus;
  /** Latest `update_loop_status.loop_status`. */
  loopStatus?: LoopState;
  /** Latest `update_queue`: the full queue and the items that left it since the snapshot before. */
  queue?: { items: QueueMessage[]; lastRemoved: QueueRemovalTransition[] };
  /** Latest `update_subagent_state.subagents`. */
  subagents?: SubagentSnapshot[];
  /** control_request frames still waiting for an answer, in arrival order. */
  pendingApprovals: ControlRequestEvent[];
  /** Clock time of the last change. */
  updatedAt: number;
}

export type MirrorKey = "deviceStatus" | "loopStatus" | "queue" | "subagents" | "pendingApprovals";

export interface MirrorChange {
  scope: Scope;
  keys: MirrorKey[];
  state: ScopeState;
}

/** How many answered request ids are remembered to ignore stale device-status listings (see `answered`). */
const ANSWERED_MEMORY = 1024;
/** How many idempotency keys are remembered to drop relayed duplicates. */
const SEEN_LIMIT = 8192;

/** The event types `StateMirror.apply` folds in; it ignores every other. */
export const MIRRORED_TYPES: ReadonlySet<string> = new Set([
  "update_device_status",
  "update_loop_status",
  "update_queue",
  "update_subagent_state",
  "control_request",
]);

/**
 * State mirror per scope. Fold every runtime event in with `apply`; only the snapshot frames and control_request
 * matter, everything else is ignored. Snapshots replace what they describe (the runtime sends full snapshots,
 * and re-sends them on sync), so an identical snapshot changes nothing; a frame whose idempotency_key was already
 * applied (a relayed duplicate, possibly late) is dropped so it cannot bring back an older state.
 */
export class StateMirror {
  readonly #clock: Clock;
  readonly #states = new Map<string, ScopeState>();
  readonly #emitter: Emitter<{ change: MirrorChange }>;
  // Made on first use (each empty Map or Set costs ~0.2 KiB, and a server holds a mirror per runtime): approvals
  // are rare, and a runtime that sent no snapshot has nothing to dedupe.
  /** Arrival order of pending approvals across scopes. */
  #arrival: Map<string, number> | undefined;
  #arrivals = 0;
  /** request_id → scope key of approvals answered locally whose answer the runtime has not confirmed yet. */
  #answered: Map<string, string> | undefined;
  #seen: EventDeduper | undefined;

  /** `onHandlerError`: where a change handler's exception goes (see EmitterOptions; a RuntimeSession passes its own). */
  constructor(options: { clock?: Clock; onHandlerError?: HandlerErrorReporter } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#emitter = new Emitter({ onHandlerError: options.onHandlerError });
  }

  /** Folds one event in. Returns true (and emits "change") if the mirror changed. */
  apply(event: RuntimeEvent): boolean {
    if (!MIRRORED_TYPES.has(event.type)) return false;
    if ((this.#seen ??= new EventDeduper({ capacity: SEEN_LIMIT, refresh: false })).seen(event)) return false;
    switch (event.type) {
      case "update_device_status":
        return this.#applyDeviceStatus(event);
      case "update_loop_status":
        return this.#set(event.runtime, "loopStatus", event.loop_status);
      case "update_queue":
        return this.#set(event.runtime, "queue", { items: event.queue, lastRemoved: event.removed });
      case "update_subagent_state":
        return this.#set(event.runtime, "subagents", event.subagents);
      case "control_request":
        return this.#addApproval(event);
      default:
        return false;
    }
  }

  /**
   * An approval was answered (the runtime accepted the `approval_response` input): drop it. Returns true if it
   * was pending. Until a device status stops listing it, a listing of it is taken as stale, not as a new request.
   */
  answered(requestId: string): boolean {
    for (const state of this.#states.values()) {
      const index = state.pendingApprovals.findIndex((request) => request.request_id === requestId);
      if (index < 0) continue;
      this.#remember(requestId, scopeKey(state.scope));
      this.#arrival?.delete(requestId);
      const pendingApprovals = state.pendingApprovals.filter((_, i) => i !== index);
      this.#commit(state, { pendingApprovals }, ["pendingApprovals"]);
      return true;
    }
    return false;
  }

  get(scope: Scope): ScopeState | undefined {
    return this.#states.get(scopeKey(scope));
  }

  all(): ScopeState[] {
    return [...this.#states.values()];
  }

  /** Pending approvals of every scope, oldest first. */
  pendingApprovals(): ControlRequestEvent[] {
    const all = [...this.#states.values()].flatMap((state) => state.pendingApprovals);
    const arrival = this.#arrival;
    return arrival ? all.sort((a, b) => (arrival.get(a.request_id) ?? 0) - (arrival.get(b.request_id) ?? 0)) : all;
  }

  on(name: "change", handler: (change: MirrorChange) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /**
   * Forgets one scope, or every scope (e.g. after a reset, before re-syncing from snapshots). Each forgotten scope
   * emits a change carrying an empty state.
   */
  clear(scope?: Scope): void {
    const keys = scope ? [scopeKey(scope)] : [...this.#states.keys()];
    for (const key of keys) {
      const state = this.#states.get(key);
      if (!state) continue;
      this.#states.delete(key);
      for (const request of state.pendingApprovals) this.#arrival?.delete(request.request_id);
      if (this.#answered) for (const [id, owner] of this.#answered) if (owner === key) this.#answered.delete(id);
      const changed: MirrorKey[] = (["deviceStatus", "loopStatus", "queue", "subagents"] as const).filter((k) => state[k] !== undefined);
      if (state.pendingApprovals.length) changed.push("pendingApprovals");
      const empty: ScopeState = { scope: state.scope, pendingApprovals: [], updatedAt: this.#clock.now() };
      this.#emitter.emit("change", { scope: state.scope, keys: changed, state: empty });
    }
  }

  #state(scope: Scope): ScopeState {
    const key = scopeKey(scope);
    let state = this.#states.get(key);
    if (!state) {
      state = { scope: toScope(scope), pendingApprovals: [], updatedAt: this.#clock.now() };
      this.#states.set(key, state);
    }
    return state;
  }

  #set<K extends "loopStatus" | "queue" | "subagents">(scope: Scope, key: K, value: NonNullable<ScopeState[K]>): boolean {
    const state = this.#state(scope);
    if (equal(state[key], value)) return false;
    this.#commit(state, { [key]: value }, [key]);
    return true;
  }

  #addApproval(event: ControlRequestEvent): boolean {
    const state = this.#state(event.runtime);
    // The runtime itself says it is pending (again): a local answer it has not seen yet no longer counts.
    this.#answered?.delete(event.request_id);
    // Re-sent after a reconnect and on every sync: keep the first copy and its place in the order.
    if (state.pendingApprovals.some((request) => request.request_id === event.request_id)) return false;
    (this.#arrival ??= new Map()).set(event.request_id, ++this.#arrivals);
    this.#commit(state, { pendingApprovals: [...state.pendingApprovals, event] }, ["pendingApprovals"]);
    return true;
  }

  /**
   * The device status lists the approvals still open in its scope: it is the authority. Requests it no longer
   * lists were answered or withdrawn; requests it lists that were never seen as control_request (e.g. a
   * snapshot that overtook them) are added, so approvals can be answered from the mirror alone.
   */
  #applyDeviceStatus(event: UpdateDeviceStatusEvent): boolean {
    const state = this.#state(event.runtime);
    const key = scopeKey(state.scope);
    const listed = event.device_status.pending_control_requests;
    const listedIds = new Set(listed.map((pending) => pending.request_id));
    const answered = this.#answered;
    if (answered) for (const [id, owner] of answered) if (owner === key && !listedIds.has(id)) answered.delete(id);

    const kept = state.pendingApprovals.filter((request) => listedIds.has(request.request_id));
    for (const request of state.pendingApprovals) if (!listedIds.has(request.request_id)) this.#arrival?.delete(request.request_id);
    const known = new Set(kept.map((request) => request.request_id));
    for (const pending of listed) {
      if (known.has(pending.request_id) || answered?.has(pending.request_id)) continue;
      known.add(pending.request_id);
      (this.#arrival ??= new Map()).set(pending.request_id, ++this.#arrivals);
      kept.push(fromListing(pending, event));
    }

    const patch: Partial<ScopeState> = {};
    const keys: MirrorKey[] = [];
    if (!equal(state.deviceStatus, event.device_status)) {
      patch.deviceStatus = event.device_status;
      keys.push("deviceStatus");
    }
    const approvalsChanged = kept.length !== state.pendingApprovals.length || kept.some((request, i) => request !== state.pendingApprovals[i]);
    if (approvalsChanged) {
      patch.pendingApprovals = kept;
      keys.push("pendingApprovals");
    }
    if (!keys.length) return false;
    this.#commit(state, patch, keys);
    return true;
  }

  #commit(state: ScopeState, patch: Partial<ScopeState>, keys: MirrorKey[]): void {
    const next: ScopeState = { ...state, ...patch, updatedAt: this.#clock.now() };
    this.#states.set(scopeKey(state.scope), next);
    this.#emitter.emit("change", { scope: next.scope, keys, state: next });
  }

  #remember(requestId: string, key: string): void {
    const answered = (this.#answered ??= new Map());
    answered.set(requestId, key);
    if (answered.size > ANSWERED_MEMORY) {
      const oldest = answered.keys().next();
      if (!oldest.done) answered.delete(oldest.value);
    }
  }
}

/**
 * A control_request rebuilt from a device-status listing. It carries the listing frame's envelope (its
 * idempotency_key suffixed with the request id, so keys stay unique); everything an answer needs is real.
 */
function fromListing(pending: PendingControlRequest, event: UpdateDeviceStatusEvent): ControlRequestEvent {
  const scope = toScope(event.runtime);
  return {
    type: "control_request",
    request_id: pending.request_id,
    request: pending.request,
    ...(scope.agent_id !== null ? { agent_id: scope.agent_id } : {}),
    conversation_id: scope.conversation_id,
    runtime: scope,
    event_seq: event.event_seq,
    emitted_at: event.emitted_at,
    idempotency_key: `${event.idempotency_key}#${pending.request_id}`,
  };
}
