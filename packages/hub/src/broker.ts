import {
  AppSessions,
  encodedEvent,
  sameScope,
  toScope,
  type AppConnection,
  type AppConnectionOptions,
  type AppRequestFrame,
  type Clock,
  type DeliveredFrame,
  type EncodedFrame,
  type Scope,
  type Transport,
} from "@byor/core";
import {
  ByorError,
  RESPONSE_TYPES,
  TRANSPORT_COMMAND_TYPES,
  decodeCommand,
  privilegeOfAppFrame,
  responseTypeOf,
  roleAllows,
  type ByorErrorCode,
  type ByorErrorFrame,
  type ByorEventFrame,
  type ByorListRuntimesFrame,
  type ByorSendFrame,
  type ByorSubscribeFrame,
  type ByorUnsubscribeFrame,
  type PrivilegeClass,
  type RuntimeCommand,
  type RuntimeEvent,
} from "@byor/protocol";
import type { FaultLog } from "./fault-log.js";
import type { Logger } from "./logger.js";
import { RequestRoutes, type SavedRoute } from "./request-routes.js";
import type { BusEvent } from "./backplane.js";
import type { RuntimeHandle } from "./remote-runtime.js";
import type { Metrics } from "./metrics.js";
import { Subscriptions } from "./subscriptions.js";
import { DEFAULT_AUDITED_CLASSES, UNRESTRICTED, throttledWarn, type AuditRecord, type Principal } from "./principal.js";
import { welcomingTransport } from "./welcome-principal.js";

export interface BrokerOptions {
  appSessions?: AppConnectionOptions;
  /** Scopes one app may subscribe to. Default 256. */
  maxSubscriptionsPerApp?: number;
  /** Requests one app may have waiting for an answer. Default 256. */
  maxPendingRequestsPerApp?: number;
  /** How long an unanswered request is remembered. Default 10 minutes. */
  requestTtlMs?: number;
  clock?: Pick<Clock, "now">;
  /** Where faults while handling an app's frame are logged (rate-limited). */
  faults?: FaultLog;
  /** Prefix of the request ids the broker forwards: unique per node when several share runtimes. */
  requestIdPrefix?: string;
  /** Where events, deliveries and commands are counted. */
  metrics?: Metrics;
  /** Gets a record of each privileged frame of an app (see `auditClasses`) and of every frame refused as forbidden. */
  audit?(record: AuditRecord): void;
  /** Classes whose allowed frames `audit` gets (default: all but observe). */
  auditClasses?: ReadonlySet<PrivilegeClass>;
  /** An app's subscriptions or pending requests changed (a session journal records them). */
  onSessionChanged?(app: AppConnection): void;
  /** The bus frames after a position, for a session resumed here to catch up; "gone": trimmed past it. */
  readBus?(after: string): Promise<BusEvent[] | "gone">;
}

/** What a session journal keeps of an app besides its frames: enough for another node to carry it on. */
export interface SessionRouting {
  subs: { runtimeId: string; scope: Scope }[];
  follows: string[];
  routes: SavedRoute[];
  /** The last bus position of another node's frame this node had routed when the state was taken. */
  position: string | null;
  /** Runtimes this node held: their frames reached the app directly, not from the bus, so a catch-up skips them. */
  local: string[];
}

/** A frame held for an app that is catching up, with the bus text it came from (to drop a catch-up duplicate). */
interface Held {
  source: string | undefined;
  frame: DeliveredFrame | EncodedFrame;
}

/** The runtimes apps can reach: this node's, and with a backplane, those of other nodes. */
export interface RuntimeDirectory {
  get(id: string): RuntimeHandle | undefined;
  all(): RuntimeHandle[];
  /** Whether this node holds the runtime's socket. */
  isLocal?(id: string): boolean;
}

/** Responses the runtime pairs with a request_id; one the server does not route (its own syncs) goes to nobody. */
const RESPONSES: ReadonlySet<string> = new Set(Object.values(RESPONSE_TYPES));
/** Transport frames of the runtime leg: the server speaks them itself, apps may not. */
const SERVER_ONLY_COMMANDS: ReadonlySet<string> = new Set(TRANSPORT_COMMAND_TYPES);

/** Answers that carry Letta agent objects. */
const AGENT_ANSWERS: ReadonlySet<string> = new Set(["agent_list_response", "agent_retrieve_response", "agent_create_response", "agent_update_response"]);
/** Fields of a Letta agent object that hold secret values. */
const AGENT_SECRET_FIELDS = ["secrets", "tool_exec_environment_variables"] as const;

/** The answer with every agent object's secret-holding fields removed (copies; the runtime's frame is shared). */
function withoutAgentSecrets<T extends object>(answer: T): T {
  const strip = (agent: unknown): unknown => {
    if (typeof agent !== "object" || agent === null || Array.isArray(agent)) return agent;
    if (!AGENT_SECRET_FIELDS.some((field) => field in agent)) return agent;
    const copy: Record<string, unknown> = { ...(agent as Record<string, unknown>) };
    for (const field of AGENT_SECRET_FIELDS) delete copy[field];
    return copy;
  };
  const out: Record<string, unknown> = { ...(answer as Record<string, unknown>) };
  if (Array.isArray(out.agents)) out.agents = out.agents.map(strip);
  if ("agent" in out) out.agent = strip(out.agent);
  return out as T;
}

/** The `runtime` scope a frame carries, if any. */
function scopeOf(frame: object): Scope | undefined {
  const runtime = (frame as { runtime?: unknown }).runtime as { agent_id?: unknown; conversation_id?: unknown } | undefined;
  if (!runtime || typeof runtime.conversation_id !== "string") return undefined;
  if (runtime.agent_id !== null && typeof runtime.agent_id !== "string") return undefined;
  return toScope(runtime as Scope);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The client endpoint: apps connect, list runtimes, subscribe to scopes and send commands; runtime frames fan out
 * to them. Scoped frames go to the apps subscribed to that scope, answers to the app that asked, unscoped frames to
 * every app following that runtime; runtime status changes go to every app. Each app session (handshake, seq/ack,
 * replay, parking, heartbeat, slow-consumer close) is a @byor/core AppConnection.
 */
export class Broker {
  readonly sessions: AppSessions;
  /** Every app, with its label for logs. */
  readonly #apps = new Map<AppConnection, string>();
  /** Who each app is (apps accepted without one: UNRESTRICTED). A resume hands the new socket's to the session. */
  readonly #principals = new WeakMap<AppConnection, Principal>();
  #refusedLog: ((line: string) => void) | undefined;
  readonly #subs: Subscriptions;
  readonly #routes: RequestRoutes;
  readonly #faults: FaultLog | undefined;
  readonly #metrics: Metrics | undefined;
  readonly #options: BrokerOptions;
  /** The last bus position of another node's frame routed here (a journaled session records it). */
  #position: string | undefined;
  /** Apps resumed here that are catching up from the bus: live frames for them wait behind the catch-up. */
  #catchingUp: Map<AppConnection, Held[]> | undefined;

  constructor(
    private readonly registry: RuntimeDirectory,
    private readonly logger: Logger,
    options: BrokerOptions = {},
  ) {
    // The handlers of every app, once for all of them (a closure per app and event would be ~0.1 KiB each).
    this.sessions = new AppSessions(options.appSessions, {
      // A frame handler that throws is answered internal_error by the session itself, which reports it here, as it
      // does an exception of any other handler. A subscribe fails later, in its promise: answered and logged here.
      error: (app, error) => this.#faults?.report("app handler", `a handler of app ${this.#label(app)} failed`, error.cause ?? error),
      frame: (app, frame) => {
        if (!this.#authorized(app, frame)) return;
        if (frame.type !== "byor.list_runtimes") this.#options.onSessionChanged?.(app);
        switch (frame.type) {
          case "byor.send":
            return this.#send(app, frame);
          case "byor.subscribe": {
            const label = this.#label(app); // now: the app may be gone when the subscribe fails
            return void this.#subscribe(app, frame).catch((error: unknown) => this.#subscribeFailed(app, label, error));
          }
          case "byor.unsubscribe":
            return this.#unsubscribe(app, frame);
          case "byor.list_runtimes":
            return this.#listRuntimes(app, frame);
        }
      },
      state: (app, { to }) => {
        // Not the session id: it is what a resume presents.
        if (to.status === "open")
          this.logger.info(`app ${this.#label(app)} ${to.resumed ? "resumed its session" : `connected${app.seqAck ? " (seq/ack)" : ""}`}`);
        if (to.status === "offline") this.logger.info(`app ${this.#label(app)} dropped (${to.lastClose.code}); session kept for a resume`);
      },
      closed: (app, close) => {
        if (close.reason === "resumed") this.#resumed(app);
        const label = this.#label(app);
        this.#apps.delete(app);
        this.#catchingUp?.delete(app);
        this.#routes.dropApp(app);
        for (const { deviceId, scope } of this.#subs.removeApp(app)) this.registry.get(deviceId)?.session.unwatch(scope);
        if (close.reason !== "resumed") this.logger.info(`app ${label} closed (${close.code}${close.reason ? ` ${close.reason}` : ""})`);
      },
    });
    this.#faults = options.faults;
    this.#metrics = options.metrics;
    this.#options = options;
    this.#subs = new Subscriptions(options.maxSubscriptionsPerApp ?? 256);
    this.#routes = new RequestRoutes({
      maxPerApp: options.maxPendingRequestsPerApp ?? 256,
      ttlMs: options.requestTtlMs ?? 10 * 60_000,
      clock: options.clock ?? { now: () => Date.now() },
      ...(options.requestIdPrefix !== undefined ? { prefix: options.requestIdPrefix } : {}),
    });
  }

  /**
   * A new app socket, and who its credentials say it is: the broker refuses its frames its role does not allow, and
   * its welcome names the principal. Without one the app may do everything (and its welcome names nobody).
   */
  accept(transport: Transport, label: string, principal?: Principal): AppConnection {
    const app = this.sessions.accept(principal ? welcomingTransport(transport, principal) : transport);
    this.#apps.set(app, label);
    if (principal) this.#principals.set(app, principal);
    return app;
  }

  /** Whether the app's role allows this frame; if not, it is answered with byor.error `forbidden`. Audited either way. */
  #authorized(app: AppConnection, frame: AppRequestFrame): boolean {
    // Undefined: a type no app may send (unknown, or a transport command), refused as invalid further on.
    const needed = privilegeOfAppFrame(frame);
    if (needed == null) return true;
    const principal = this.#principals.get(app) ?? UNRESTRICTED;
    const allowed = roleAllows(principal.role, needed);
    const send = frame.type === "byor.send" ? (frame.command as { type: string; request_id?: unknown }) : undefined;
    const command = send ? send.type : frame.type;
    const requestId = send ? (typeof send.request_id === "string" ? send.request_id : undefined) : (frame as { request_id?: string }).request_id;
    const reason = allowed ? undefined : `${command} needs the ${needed} privilege, which role ${principal.role.name} does not grant`;
    if (this.#options.audit && (!allowed || (this.#options.auditClasses ?? DEFAULT_AUDITED_CLASSES).has(needed))) {
      const runtimeId = (frame as { runtime_id?: string }).runtime_id ?? null;
      const record: AuditRecord = {
        time: new Date(this.#now()).toISOString(),
        principal: principal.name,
        role: principal.role.name,
        class: needed,
        command,
        runtime_id: runtimeId,
        ...(requestId !== undefined && { request_id: requestId }),
        allowed,
        ...(reason !== undefined && { reason }),
      };
      try {
        this.#options.audit(record);
      } catch (error) {
        this.#faults?.report("audit", `writing the audit record of ${command} by ${principal.name} failed`, error);
      }
    }
    if (allowed) return true;
    (this.#refusedLog ??= throttledWarn(this.logger))(
      `app ${this.#label(app)} (${principal.name}, role ${principal.role.name}): refused ${command}: ${reason}`,
    );
    this.#error(app, "forbidden", `forbidden: ${reason}`, requestId, frame.type);
    return false;
  }

  /**
   * A new socket resumed an earlier session (this handle retires): the session goes on with the new socket's
   * principal, whose credentials are the ones presented now. Without observe it keeps no subscription.
   */
  #resumed(handle: AppConnection): void {
    const session = this.sessions.get(handle.sessionId);
    const principal = this.#principals.get(handle);
    if (!session || session === handle || !principal) return;
    this.#principals.set(session, principal);
    const label = this.#apps.get(handle);
    if (label !== undefined && this.#apps.has(session)) this.#apps.set(session, label);
    if (roleAllows(principal.role, "observe")) return;
    for (const { deviceId, scope } of this.#subs.removeApp(session)) this.registry.get(deviceId)?.session.unwatch(scope);
  }

  #now(): number {
    return this.#options.clock?.now() ?? Date.now();
  }

  #label(app: AppConnection): string {
    return this.#apps.get(app) ?? "?";
  }

  #subscribeFailed(app: AppConnection, label: string, error: unknown): void {
    this.#faults?.report("app frame", `handling byor.subscribe of app ${label} failed; answered internal_error`, error);
    app.reply({ type: "byor.error", code: "internal_error", message: "the server failed to handle this frame; it was dropped", frame_type: "byor.subscribe" });
  }

  /** A runtime came online (first connect or reconnect): every app hears it. */
  runtimeOnline(entry: RuntimeHandle): void {
    // Scopes apps here subscribed to while the runtime was held by another node (or before it moved) are not watched
    // by the session that holds it now: watch them, which re-syncs them.
    for (const scope of this.#subs.scopesOf(entry.deviceId)) {
      if (entry.session.scopes.some((s) => sameScope(s, scope))) continue;
      entry.session
        .watch(scope)
        .catch((error: unknown) => this.logger.warn(`sync of ${scope.agent_id}/${scope.conversation_id} on ${entry.label} failed: ${message(error)}`));
    }
    this.#broadcastStatus(entry);
  }

  /** A runtime went offline: every app hears it; requests it had not answered fail. */
  runtimeOffline(entry: RuntimeHandle): void {
    for (const route of this.#routes.dropRuntime(entry.deviceId)) {
      route.app.reply({
        type: "byor.error",
        code: "runtime_offline",
        message: `runtime ${entry.deviceId} went offline before answering`,
        request_id: route.originalId,
      });
    }
    this.#broadcastStatus(entry);
  }

  /** A command forwarded to the node holding the runtime could not be sent there: the app that asked hears why. */
  commandFailed(_runtimeId: string, forwardedId: string, code: string, text: string): void {
    const route = this.#routes.fail(forwardedId);
    if (!route) return;
    const known: ByorErrorCode = code === "runtime_offline" || code === "not_connected" ? "runtime_offline" : "request_failed";
    route.app.reply({ type: "byor.error", code: known, message: text, request_id: route.originalId, frame_type: "byor.send" });
  }

  /** A runtime was dropped from the registry: nothing of it is kept. */
  runtimeForgotten(entry: RuntimeHandle): void {
    this.#routes.dropRuntime(entry.deviceId);
    this.#subs.removeRuntime(entry.deviceId);
  }

  /**
   * Fans one runtime frame out. With `text` (the frame as the runtime sent it, which passed validation) the apps
   * get that text spliced into their byor.event, built once for all of them; without it the event is encoded once.
   * Answers routed to one app carry the app's own request_id, so they are encoded (at any depth).
   */
  runtimeEvent(entry: RuntimeHandle, event: RuntimeEvent, text?: string, position?: string): void {
    if (position !== undefined) this.#position = position;
    if (event.type === "ping") return; // the session answered it
    if (this.#metrics) this.#metrics.events++;
    if (this.#catchingUp) return this.#eventHolding(entry, event, text);
    const deviceId = entry.deviceId;
    const requestId = (event as { request_id?: unknown }).request_id;
    if (typeof requestId === "string") {
      const route = this.#routes.take(deviceId, requestId, event.type);
      if (route) {
        const answer = this.#answerFor(route.app, event, route.originalId);
        route.app.deliver({ type: "byor.event", runtime_id: deviceId, event: answer });
        if (this.#metrics) this.#metrics.deliveries++;
        if (event.type === "runtime_start_response" && event.success) this.#subscribeQuietly(route.app, entry, scopeOf(event));
        return;
      }
      // An answer to the server's own request (a sync it sent), or to an app that is gone.
      if (RESPONSES.has(event.type)) return;
    }
    const scope = scopeOf(event);
    const targets = scope ? this.#subs.subscribers(deviceId, scope) : this.#subs.followers(deviceId);
    if (targets === undefined) return;
    const frame: DeliveredFrame | EncodedFrame = text === undefined ? { type: "byor.event", runtime_id: deviceId, event } : encodedEvent(deviceId, text);
    if (targets instanceof Set) for (const app of targets) app.deliver(frame);
    else targets.deliver(frame);
    if (this.#metrics) this.#metrics.deliveries += targets instanceof Set ? targets.size : 1;
  }

  /** runtimeEvent while some app catches up: per target, held or delivered. */
  #eventHolding(entry: RuntimeHandle, event: RuntimeEvent, text: string | undefined): void {
    const deviceId = entry.deviceId;
    const source = text;
    const requestId = (event as { request_id?: unknown }).request_id;
    if (typeof requestId === "string") {
      const route = this.#routes.take(deviceId, requestId, event.type);
      if (route) {
        const answer = this.#answerFor(route.app, event, route.originalId);
        this.#deliverOrHold(route.app, { type: "byor.event", runtime_id: deviceId, event: answer }, source);
        if (event.type === "runtime_start_response" && event.success) this.#subscribeQuietly(route.app, entry, scopeOf(event));
        return;
      }
      if (RESPONSES.has(event.type)) return;
    }
    const scope = scopeOf(event);
    const targets = scope ? this.#subs.subscribers(deviceId, scope) : this.#subs.followers(deviceId);
    if (targets === undefined) return;
    const frame: DeliveredFrame | EncodedFrame = text === undefined ? { type: "byor.event", runtime_id: deviceId, event } : encodedEvent(deviceId, text);
    for (const app of targets instanceof Set ? targets : [targets]) this.#deliverOrHold(app, frame, source);
  }

  #deliverOrHold(app: AppConnection, frame: DeliveredFrame | EncodedFrame, source: string | undefined): void {
    const held = this.#catchingUp?.get(app);
    if (held) held.push({ source, frame });
    else app.deliver(frame);
    if (this.#metrics) this.#metrics.deliveries++;
  }

  /** What another node needs to carry this app's session on (journaled with its frames). */
  sessionRouting(app: AppConnection): SessionRouting {
    const subs = this.#subs.ofApp(app).map(({ deviceId, scope }) => ({ runtimeId: deviceId, scope }));
    const follows = this.#subs.followedBy(app);
    const ids = new Set([...follows, ...subs.map((s) => s.runtimeId)]);
    return {
      subs,
      follows,
      routes: this.#routes.ofApp(app),
      position: this.#position ?? null,
      local: [...ids].filter((id) => this.registry.isLocal?.(id) === true),
    };
  }

  /**
   * A session another node journaled carries on here: its subscriptions, follows and pending requests are taken
   * over, then the bus frames it missed after the journal's position are delivered (numbered on from the journal),
   * then the live frames that arrived meanwhile. Frames of runtimes the journaling node held itself are not taken
   * from the bus (they reached the app directly there): those runtimes moved, and re-sync when they reconnect.
   */
  async restoreSession(app: AppConnection, routing: SessionRouting): Promise<void> {
    const held: Held[] = [];
    (this.#catchingUp ??= new Map()).set(app, held);
    // A resume on a socket whose role may not observe keeps no subscription (as a resume on the same node).
    if (!roleAllows((this.#principals.get(app) ?? UNRESTRICTED).role, "observe")) routing = { ...routing, subs: [], follows: [] };
    try {
      for (const id of routing.follows) this.#subs.follow(app, id);
      for (const route of routing.routes) this.#routes.adopt(app, route);
      for (const { runtimeId, scope } of routing.subs) {
        this.#subs.add(app, runtimeId, scope);
        const entry = this.registry.get(runtimeId);
        // A scope the runtime's owner does not watch any more (it moved, or never was) is watched again: a sync.
        if (
          entry?.online &&
          !entry.session.scopes.some((s) => sameScope(s, scope)) &&
          !(entry as { watchesRemotely?(s: Scope): boolean }).watchesRemotely?.(scope)
        ) {
          entry.session
            .watch(scope)
            .catch((error: unknown) => this.logger.warn(`sync of ${scope.agent_id}/${scope.conversation_id} on ${entry.label} failed: ${message(error)}`));
        }
      }
      const missed = routing.position === null || !this.#options.readBus ? [] : await this.#options.readBus(routing.position);
      if (missed === "gone") {
        this.logger.warn(`app ${this.#label(app)} resumed here, but the bus no longer reaches back to where its session was journaled; its runtimes re-sync`);
        for (const { runtimeId, scope } of routing.subs)
          this.registry
            .get(runtimeId)
            ?.session.watch(scope)
            .catch(() => {});
      } else {
        const skip = new Set(routing.local);
        const live = new Set(held.map((h) => h.source).filter((t): t is string => t !== undefined));
        for (const bus of missed) {
          if (skip.has(bus.runtimeId) || live.has(bus.text)) continue;
          this.#catchUpOne(app, bus);
        }
      }
    } finally {
      if (this.#catchingUp.get(app) === held) {
        this.#catchingUp.delete(app);
        if (this.#catchingUp.size === 0) this.#catchingUp = undefined;
        for (const { frame } of held) app.deliver(frame);
      }
    }
  }

  /**
   * An answer as the app that asked gets it: under its own request id, and without the agents' secrets unless its
   * role grants `secrets` (agent_list and agent_retrieve are `observe`: the Letta agent object they pass through
   * carries secret values).
   */
  #answerFor(app: AppConnection, event: RuntimeEvent, originalId: string): ByorEventFrame["event"] {
    const answer = Object.assign({}, event, { request_id: originalId }) as ByorEventFrame["event"];
    if (!AGENT_ANSWERS.has(event.type) || roleAllows((this.#principals.get(app) ?? UNRESTRICTED).role, "secrets")) return answer;
    return withoutAgentSecrets(answer);
  }

  /** One missed bus frame, for this app only, routed as it would have been live. */
  #catchUpOne(app: AppConnection, bus: BusEvent): void {
    let event: RuntimeEvent;
    try {
      event = JSON.parse(bus.text) as RuntimeEvent;
    } catch {
      return;
    }
    if (event.type === "ping") return;
    const requestId = (event as { request_id?: unknown }).request_id;
    if (typeof requestId === "string" && this.#routes.appOf(bus.runtimeId, requestId) === app) {
      const route = this.#routes.take(bus.runtimeId, requestId, event.type)!;
      app.deliver({ type: "byor.event", runtime_id: bus.runtimeId, event: this.#answerFor(app, event, route.originalId) });
      return;
    }
    if (typeof requestId === "string" && RESPONSES.has(event.type)) return;
    if (this.#subs.reaches(app, bus.runtimeId, scopeOf(event))) app.deliver(encodedEvent(bus.runtimeId, bus.text));
  }

  /** Every app session closed with 1001 `Server shutting down`. */
  close(): void {
    this.sessions.dispose();
  }

  #send(app: AppConnection, frame: ByorSendFrame): void {
    const command = frame.command as { type: string; request_id?: unknown };
    const requestId = typeof command.request_id === "string" ? command.request_id : undefined;
    const entry = this.#online(app, frame.runtime_id, requestId, "byor.send");
    if (!entry) return;
    const decoded = decodeCommand(frame.command);
    if (!decoded.ok) {
      const { error } = decoded;
      const reply: ByorErrorFrame = { type: "byor.error", code: error.code, message: error.message, frame_type: "byor.send" };
      if (error.issues.length)
        reply.issues = error.issues.map(({ pointer, keyword, expected, found }) => ({ pointer: `/command${pointer}`, keyword, expected, found }));
      if (error.moreIssues) reply.more_issues = error.moreIssues;
      if (requestId) reply.request_id = requestId;
      this.#metrics?.commandRefused(error.code);
      return app.reply(reply);
    }
    let outgoing: RuntimeCommand = decoded.message;
    if (SERVER_ONLY_COMMANDS.has(outgoing.type)) {
      return this.#error(app, "invalid_message", `${outgoing.type} is part of the runtime connection and is sent by the server itself`, requestId, "byor.send");
    }
    this.#subs.follow(app, entry.deviceId);
    // A scoped command: the runtime routes that scope's events to this server from now on; relay them to this app
    // and re-sync the scope whenever the runtime reconnects.
    const scope = scopeOf(outgoing);
    if (scope) this.#subscribeQuietly(app, entry, scope);
    // Only commands the runtime answers are routed back under an id of the server's; any other request_id (that of
    // an external_tool_call_request being answered, or of a command that is never answered) goes through as it is.
    let forwardedId: string | undefined;
    const responseType = responseTypeOf(outgoing);
    if (requestId && responseType) {
      forwardedId = this.#routes.add(app, entry.deviceId, requestId, responseType);
      if (!forwardedId) return this.#error(app, "too_many_requests", "too many requests waiting for an answer; wait for some", requestId, "byor.send");
      outgoing = { ...outgoing, request_id: forwardedId } as RuntimeCommand;
    }
    try {
      entry.session.send(outgoing);
      if (this.#metrics) this.#metrics.commands++;
    } catch (error) {
      if (forwardedId) this.#routes.cancel(forwardedId);
      const code = error instanceof ByorError ? error.code : "request_failed";
      this.#error(app, code, message(error), requestId, "byor.send");
    }
  }

  async #subscribe(app: AppConnection, frame: ByorSubscribeFrame): Promise<void> {
    const entry = this.#online(app, frame.runtime_id, frame.request_id, "byor.subscribe");
    if (!entry) return;
    const scope = toScope(frame.scope);
    const answer = (success: boolean, error?: string) =>
      app.reply({
        type: "byor.subscribed",
        runtime_id: entry.deviceId,
        scope,
        success,
        ...(frame.request_id !== undefined && { request_id: frame.request_id }),
        ...(error !== undefined && { error }),
      });
    const added = this.#subs.add(app, entry.deviceId, scope);
    if (added === "full") return answer(false, "too many subscriptions for this app");
    try {
      // The sync's snapshot frames are scoped: they reach this app (and the scope's other subscribers) on the way.
      // A repeated subscribe is a re-sync.
      await entry.session.watch(scope);
      answer(true);
    } catch (error) {
      // Only what this call added is undone: a failed re-sync leaves an earlier subscription as it was.
      if (added === "added" && this.#subs.remove(app, entry.deviceId, scope)) entry.session.unwatch(scope);
      answer(false, message(error));
    }
  }

  #unsubscribe(app: AppConnection, frame: ByorUnsubscribeFrame): void {
    const entry = this.registry.get(frame.runtime_id);
    if (!entry) return this.#error(app, "unknown_runtime", `no runtime ${frame.runtime_id} on this server`, frame.request_id, "byor.unsubscribe");
    const scope = toScope(frame.scope);
    if (this.#subs.remove(app, entry.deviceId, scope)) entry.session.unwatch(scope);
  }

  #listRuntimes(app: AppConnection, frame: ByorListRuntimesFrame): void {
    app.reply({
      type: "byor.runtimes",
      runtimes: this.registry.all().map((runtime) => runtime.info()),
      ...(frame.request_id !== undefined && { request_id: frame.request_id }),
    });
  }

  /** Subscribes an app to a scope it used, watching it on the runtime unless already watched. */
  #subscribeQuietly(app: AppConnection, entry: RuntimeHandle, scope: Scope | undefined): void {
    // A role without observe is not sent a scope's events because it sent a command there.
    if (!scope || !roleAllows((this.#principals.get(app) ?? UNRESTRICTED).role, "observe") || this.#subs.add(app, entry.deviceId, scope) === "full") return;
    const watched = entry.session.scopes.some((s) => sameScope(s, scope));
    if (!watched)
      entry.session
        .watch(scope)
        .catch((error: unknown) => this.logger.warn(`sync of ${scope.agent_id}/${scope.conversation_id} on ${entry.label} failed: ${message(error)}`));
  }

  /** The runtime, if known and online; otherwise answers the app with byor.error. */
  #online(app: AppConnection, runtimeId: string, requestId: string | undefined, frameType: string): RuntimeHandle | undefined {
    const entry = this.registry.get(runtimeId);
    if (!entry) return void this.#error(app, "unknown_runtime", `no runtime ${runtimeId} on this server`, requestId, frameType);
    if (!entry.online) return void this.#error(app, "runtime_offline", `runtime ${entry.label} is offline`, requestId, frameType);
    return entry;
  }

  #error(app: AppConnection, code: ByorErrorCode, text: string, requestId: string | undefined, frameType: string): void {
    if (frameType === "byor.send") this.#metrics?.commandRefused(code);
    app.reply({ type: "byor.error", code, message: text, frame_type: frameType, ...(requestId !== undefined && { request_id: requestId }) });
  }

  #broadcastStatus(entry: RuntimeHandle): void {
    const runtime = entry.info();
    for (const app of this.#apps.keys()) app.deliver({ type: "byor.runtime_status", runtime });
  }
}
