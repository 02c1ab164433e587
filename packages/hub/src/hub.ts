import {
  systemClock,
  toDisposable,
  type AppConnection,
  type AppConnectionOptions,
  type Clock,
  type Disposable,
  type RuntimeSessionOptions,
  type Transport,
} from "@byor/core";
import type { PrivilegeClass, RegisterRequest, RuntimeEvent } from "@byor/protocol";
import type { Backplane } from "./backplane.js";
import { Broker, type RuntimeDirectory } from "./broker.js";
import { FaultLog } from "./fault-log.js";
import { Federation } from "./federation.js";
import { silentLogger, type Logger } from "./logger.js";
import { memoryBackplane } from "./memory-backplane.js";
import { Metrics } from "./metrics.js";
import type { RuntimeHandle } from "./remote-runtime.js";
import { remoteRuntimeInfo, runtimeRecord, runtimeSummary, type RuntimeSummary } from "./runtime-info.js";
import { RuntimeRegistry, isRefusal, type DialSpec, type Refusal, type RuntimeEntry, type RuntimeIds, type StoredRuntime } from "./runtime-registry.js";
import type { AuditRecord, Principal } from "./principal.js";
import { SessionJournal } from "./session-journal.js";
import { stableHash } from "./stable-hash.js";

export interface HubOptions {
  /** Timers and time of every session, route and record (default: the system's). */
  clock?: Clock;
  /** Where connection ids come from (default: a platform-free hash of device and listener instance). */
  ids?: RuntimeIds;
  /** Shared with other hubs for scale-out; default: in memory, this hub alone. */
  backplane?: Backplane;
  logger?: Logger;
  /** Runtimes that registered, online or not (default 1000); the oldest offline one makes room. */
  maxRuntimes?: number;
  runtimeSession?: RuntimeSessionOptions;
  appSessions?: AppConnectionOptions;
  /** Scopes one app may subscribe to (default 256). */
  maxSubscriptionsPerApp?: number;
  /** Requests one app may have waiting for an answer (default 256). */
  maxPendingRequestsPerApp?: number;
  /** How long an unanswered request is remembered (default 10 minutes). */
  requestTtlMs?: number;
  /** Gets a record of each privileged frame of an app (see `auditClasses`) and of every frame refused as forbidden. */
  audit?(record: AuditRecord): void;
  /** Classes whose allowed frames `audit` gets (default: every class but observe). */
  auditClasses?: ReadonlySet<PrivilegeClass>;
}

/** What happened to one of this node's runtimes, for whoever keeps records of them (a state directory). */
export type RuntimeChange = "registered" | "online" | "offline" | "forgotten";

/** What a metrics scrape reads of the hub. */
export interface HubStats {
  node: string;
  runtimesOnline: { local: number; all: number };
  appSessions: number;
  replay: { frames: number; bytes: number };
  backplaneLagMs: number | undefined;
}

const defaultIds: RuntimeIds = {
  connectionId: (deviceId, listenerInstanceId) => `conn-${stableHash(`${deviceId}\n${listenerInstanceId ?? ""}`)}`,
};

/**
 * The platform-free heart of a BYOR server: the runtimes (this node's, and with a shared backplane every node's),
 * the apps, and what connects them (subscriptions, request routes). A server adapter hands it transports: a runtime
 * socket to `attachRuntime`, an app socket to `acceptApp`; everything else happens here, testable in memory.
 *
 * It owns the registry, the broker and the federation, and is the one place their events meet: the registry
 * reports to the hub, which tells the broker and the federation in a fixed order.
 */
export class Hub implements Disposable {
  readonly metrics = new Metrics();
  readonly faults: FaultLog;
  readonly #logger: Logger;
  readonly #registry: RuntimeRegistry;
  readonly #broker: Broker;
  readonly #federation: Federation;
  readonly #runtimeHandlers = new Set<(runtime: RuntimeEntry) => void>();
  readonly #changeHandlers = new Set<(runtime: RuntimeEntry, change: RuntimeChange) => void>();
  readonly #journal: SessionJournal | undefined;
  readonly #shared: boolean;

  constructor(options: HubOptions = {}) {
    const clock = options.clock ?? systemClock;
    // Only an explicit clock overrides the sessions' own (a test may give the app sessions one of their own).
    const given = options.clock && { clock: options.clock };
    this.#logger = options.logger ?? silentLogger;
    // Log rate-limiting stays on wall time: a clock that throws (fault-injection tests) must not stop the reports.
    this.faults = new FaultLog(this.#logger);
    const backplane = options.backplane ?? memoryBackplane();
    this.#shared = options.backplane !== undefined;
    // With a shared session store, seq sessions are journaled so an app may resume on any node.
    const store = backplane.sessions;
    const journal =
      store &&
      new SessionJournal({
        store,
        backplane,
        routing: (app) => this.#broker.sessionRouting(app),
        restore: (app, routing) => this.#broker.restoreSession(app, routing),
        ttlMs: (options.appSessions?.parkMs ?? 60_000) + 60_000,
        faults: this.faults,
      });
    this.#journal = journal;
    this.#registry = new RuntimeRegistry(
      {
        maxRuntimes: options.maxRuntimes ?? 1000,
        session: { ...options.runtimeSession, ...given },
        logger: this.#logger,
        faults: this.faults,
        ids: options.ids ?? defaultIds,
        clock,
      },
      {
        online: (entry) => this.#online(entry),
        offline: (entry, close) => this.#offline(entry, close),
        event: (entry, event, text) => this.#event(entry, event, text),
        forgotten: (entry) => this.#forgotten(entry),
      },
    );
    const directory: RuntimeDirectory = {
      isLocal: (id) => this.#registry.get(id)?.online === true,
      get: (id) => this.#handle(id),
      all: () => [...this.#localHeld(), ...this.#federation.all()],
    };
    this.#broker = new Broker(directory, this.#logger, {
      appSessions: { ...options.appSessions, ...given, ...(journal && { journal }) },
      ...(journal && { onSessionChanged: (app: AppConnection) => journal.pending(app) }),
      ...(backplane.readBus && { readBus: (after: string) => backplane.readBus!(after) }),
      faults: this.faults,
      clock,
      metrics: this.metrics,
      // Several nodes on one backplane: answers travel to every node, so each forwards under ids of its own.
      ...(options.backplane !== undefined && { requestIdPrefix: `${backplane.nodeId}.` }),
      ...(options.maxSubscriptionsPerApp !== undefined && { maxSubscriptionsPerApp: options.maxSubscriptionsPerApp }),
      ...(options.maxPendingRequestsPerApp !== undefined && { maxPendingRequestsPerApp: options.maxPendingRequestsPerApp }),
      ...(options.requestTtlMs !== undefined && { requestTtlMs: options.requestTtlMs }),
      ...(options.audit !== undefined && { audit: options.audit }),
      ...(options.auditClasses !== undefined && { auditClasses: options.auditClasses }),
    });
    this.#federation = new Federation({
      backplane,
      local: this.#registry,
      record: (entry) => runtimeRecord(entry as RuntimeEntry, backplane.nodeId),
      broker: this.#broker,
      clock,
      logger: this.#logger,
      sessionTaken: (sessionId) => {
        const app = this.#broker.sessions.get(sessionId);
        if (app) this.#journal?.movedAway(app);
      },
    });
  }

  /** This node's id on the backplane. */
  get nodeId(): string {
    return this.#federation.nodeId;
  }

  /** Joins the backplane and learns the other nodes' runtimes. Rejects if it is unreachable. */
  start(): Promise<void> {
    return this.#federation.start();
  }

  /** A registration (`POST /v1/environments/register`): the runtime's entry, or why it was refused. */
  register(body: RegisterRequest): RuntimeEntry | Refusal {
    const outcome = this.#registry.register(body);
    if (!isRefusal(outcome)) this.#changed(outcome, "registered");
    return outcome;
  }

  /**
   * A runtime this node knew before a restart (see `storedRuntime`): listed offline, with what it registered, until
   * its socket reconnects. Undefined when it is known already, its ids are unusable, or `maxRuntimes` are listed.
   */
  restoreRuntime(record: StoredRuntime): RuntimeEntry | undefined {
    return this.#registry.restore(record);
  }

  /** This node's runtimes, online or not (dialled ones included). */
  localRuntimes(): RuntimeEntry[] {
    return this.#registry.all();
  }

  /** Runs `handler` when one of this node's runtimes registers, comes online, goes offline or is forgotten. */
  onRuntimeChange(handler: (runtime: RuntimeEntry, change: RuntimeChange) => void): Disposable {
    this.#changeHandlers.add(handler);
    return toDisposable(() => this.#changeHandlers.delete(handler));
  }

  /** Whether a runtime socket of this device may open now; the refusal if not. */
  admitRuntime(deviceId: string, connectionName: string): Refusal | undefined {
    return this.#registry.admit(deviceId, connectionName);
  }

  /** A runtime's socket opened; undefined if there was no room (the transport was closed, telling it why). */
  attachRuntime(deviceId: string, connectionName: string, connectionId: string | null, transport: Transport): RuntimeEntry | undefined {
    return this.#registry.attach(deviceId, connectionName, connectionId, transport);
  }

  /** Starts dialling a runtime in App Server mode (`letta server --listen`); the same id twice: the same entry. */
  dial(target: DialSpec): RuntimeEntry {
    return this.#registry.dial(target);
  }

  /**
   * An app's socket opened: its session (handshake, seq/ack, subscriptions, commands) starts. With a principal, its
   * frames are held to what its role grants (others are refused with byor.error `forbidden`) and its welcome names
   * it; without one, it may do everything.
   */
  acceptApp(transport: Transport, label: string, principal?: Principal): AppConnection {
    return this.#broker.accept(transport, label, principal);
  }

  /** One of this node's runtimes, online or not. */
  runtime(id: string): RuntimeEntry | undefined {
    return this.#registry.get(id);
  }

  /** Every runtime apps can reach, from this node and the others, as the HTTP API describes them. */
  runtimes(): RuntimeSummary[] {
    // This node's runtimes name it too: without it, the node holding a runtime listed it with no `node` while every
    // other node said which one it was.
    const node = this.nodeId;
    return [...this.#localHeld().map((entry) => ({ ...runtimeSummary(entry), node })), ...this.#federation.all().map(remoteRuntimeInfo)];
  }

  /** Runs `handler` each time one of this node's runtimes comes online (first connect and every reconnect). */
  onRuntime(handler: (runtime: RuntimeEntry) => void): Disposable {
    this.#runtimeHandlers.add(handler);
    return toDisposable(() => this.#runtimeHandlers.delete(handler));
  }

  stats(): HubStats {
    let frames = 0;
    let bytes = 0;
    for (const app of this.#broker.sessions.all()) {
      const held = app.replayHeld;
      frames += held.frames;
      bytes += held.bytes;
    }
    const local = this.#registry.all().filter((entry) => entry.online).length;
    return {
      node: this.nodeId,
      runtimesOnline: { local, all: local + this.#federation.all().filter((remote) => remote.online).length },
      appSessions: this.#broker.sessions.size,
      replay: { frames, bytes },
      backplaneLagMs: this.#federation.lagMs,
    };
  }

  /** Closes every runtime (1001: they retry) and app session, and leaves the backplane. */
  close(): void {
    this.#journal?.close();
    this.#registry.close();
    this.#broker.close();
    this.#federation.dispose();
  }

  dispose(): void {
    this.close();
  }

  #handle(id: string): RuntimeHandle | undefined {
    const local = this.#registry.get(id);
    return local && this.#holdsHere(local) ? local : (this.#federation.get(id) ?? local);
  }

  #localHeld(): RuntimeEntry[] {
    return this.#registry.all().filter((entry) => this.#holdsHere(entry));
  }

  /**
   * Whether this node's entry is the runtime as apps should see it. One that left this node for another (this node
   * still up) keeps an offline entry here: the other node's handle wins. Without this, apps here were refused with
   * runtime_offline after the runtime moved away, and it was listed twice (offline here, online there).
   */
  #holdsHere(entry: RuntimeEntry): boolean {
    return entry.online || this.#federation.get(entry.deviceId) === undefined;
  }

  #online(entry: RuntimeEntry): void {
    if (entry.mode === "app_server") this.#logger.info(`App Server runtime ${entry.label} at ${entry.dialUrl} connected`);
    else this.#logger.info(`runtime ${entry.label} connected (${entry.connectionId ?? "no connectionId"})`);
    // It was online on another node as far as this one knew (that node died): offline there first, then online here.
    const left = this.#federation.movedHere(entry.deviceId);
    if (left) this.#broker.runtimeOffline(left);
    this.#broker.runtimeOnline(entry);
    this.#federation.localStatus(entry);
    for (const handler of [...this.#runtimeHandlers]) {
      try {
        handler(entry);
      } catch (error) {
        this.faults.report("onRuntime handler", `an onRuntime handler failed for runtime ${entry.label}`, error);
      }
    }
    this.#changed(entry, "online");
  }

  #changed(entry: RuntimeEntry, change: RuntimeChange): void {
    for (const handler of [...this.#changeHandlers]) {
      try {
        handler(entry, change);
      } catch (error) {
        this.faults.report("onRuntimeChange handler", `an onRuntimeChange handler failed for runtime ${entry.label}`, error);
      }
    }
  }

  #offline(entry: RuntimeEntry, close: { code: number; reason: string } | undefined): void {
    const why = close ? `${close.code}${close.reason ? ` ${close.reason}` : ""}` : "closed";
    this.#logger.info(`runtime ${entry.label} offline (${why})`);
    this.#broker.runtimeOffline(entry);
    this.#federation.localStatus(entry);
    this.#changed(entry, "offline");
  }

  #event(entry: RuntimeEntry, event: RuntimeEvent, text: string): void {
    this.#broker.runtimeEvent(entry, event, text);
    // Alone on the default in-memory backplane, nobody else would read it: one publication per frame saved.
    if (this.#shared) this.#federation.localEvent(entry.deviceId, text);
  }

  #forgotten(entry: RuntimeEntry): void {
    this.#broker.runtimeForgotten(entry);
    this.#federation.localForgotten(entry.deviceId);
    this.#changed(entry, "forgotten");
  }
}
