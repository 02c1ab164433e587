import { RUNTIME_CLOSE, RuntimeSession, type AppServerSession, type Clock, type Disposable, type RuntimeSessionOptions, type Transport } from "@byor/core";
import type { ByorRuntimeInfo, RegisterRequest, RuntimeEvent } from "@byor/protocol";
import type { LocalRuntime } from "./federation.js";
import { brokerRuntimeInfo } from "./runtime-info.js";
import { runtimeLabel } from "./runtime-label.js";
import type { FaultLog } from "./fault-log.js";
import { idProblem } from "./ids.js";
import type { Logger } from "./logger.js";

/**
 * How a runtime reaches this server: it registered and dialled in (`letta remote`), or the server dials it
 * (`letta server --listen`, App Server mode).
 */
export type RuntimeMode = "remote" | "app_server";

/** One runtime: its core session (which outlives its sockets) and what the server tracks about it. */
export class RuntimeEntry implements LocalRuntime {
  readonly session: RuntimeSession;
  readonly mode: RuntimeMode;
  /** App Server mode: what dials the runtime (and redials it), and where. */
  readonly dialer: AppServerSession | undefined;
  readonly dialUrl: string | undefined;
  connectionName: string;
  connectionId: string | null = null;
  listenerInstanceId: string | undefined;
  metadata: RegisterRequest["metadata"] | undefined;
  registeredAt: number | null = null;
  /** When this server first saw it (a registration or a socket), kept across restarts with a state directory. */
  firstSeenAt: number | null = null;
  connectedAt: number | null = null;
  lastSeenAt: number | null = null;

  constructor(
    readonly deviceId: string,
    connectionName: string,
    options: RuntimeSessionOptions | { dialer: AppServerSession; url: string },
  ) {
    this.connectionName = connectionName;
    if ("dialer" in options) {
      this.mode = "app_server";
      this.dialer = options.dialer;
      this.dialUrl = options.url;
      this.session = options.dialer.session;
    } else {
      this.mode = "remote";
      this.dialer = undefined;
      this.dialUrl = undefined;
      this.session = new RuntimeSession(options);
    }
  }

  /** Ends it for good: a dialled runtime is no longer dialled (its socket closed with 1000). */
  close(): void {
    if (this.dialer) this.dialer.close();
    else this.session.close();
  }

  get online(): boolean {
    return this.session.state.status === "open";
  }

  get id(): string {
    return this.deviceId;
  }

  /** Its description on the client endpoint (byor.runtimes, byor.runtime_status). */
  info(): ByorRuntimeInfo {
    return brokerRuntimeInfo(this);
  }

  /** For logs: `"my-laptop" (7ba1fdb5)`. */
  get label(): string {
    return runtimeLabel(this.connectionName, this.deviceId);
  }
}

/**
 * Where the registry's ids come from. A connectionId must be stable per device and listener instance: the same
 * runtime gets the same id on every registration and after a server restart, and the `conn-` prefix makes the
 * runtime ask runtime-status before recovering approvals.
 */
export interface RuntimeIds {
  connectionId(deviceId: string, listenerInstanceId: string | undefined): string;
}

/** A runtime in App Server mode to dial: its id here, its name until it names itself, and how to open its session. */
export interface DialSpec {
  id: string;
  /** Undefined: the runtime's own name (from its device status) once connected; `fallbackName` until then. */
  name: string | undefined;
  fallbackName: string;
  url: string;
  open(session: RuntimeSessionOptions): AppServerSession;
}

export interface RegistryEvents {
  /** A runtime's socket opened (first connect or a reconnect). */
  online(entry: RuntimeEntry): void;
  /** A runtime's socket closed or went silent; the entry stays, waiting for it to reconnect. */
  offline(entry: RuntimeEntry, close: { code: number; reason: string } | undefined): void;
  /** A valid frame from a runtime, and its text as received (relayed to apps as it is). */
  event(entry: RuntimeEntry, event: RuntimeEvent, text: string): void;
  /** An offline runtime was dropped to make room for a new one. */
  forgotten(entry: RuntimeEntry): void;
}

/** Why a registration or a socket was refused: an HTTP status and a JSON error body. */
export interface Refusal {
  status: 409 | 503;
  error: string;
  message: string;
}

/** What a server keeps of a runtime that registered, to know it again after a restart (times in ms). */
export interface StoredRuntime {
  deviceId: string;
  connectionName: string;
  connectionId: string | null;
  listenerInstanceId: string | undefined;
  /** What it registered with: its versions, OS, supported commands. */
  metadata: RegisterRequest["metadata"] | undefined;
  registeredAt: number | null;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
}

/** A runtime entry as a record to keep. */
export const storedRuntime = (entry: RuntimeEntry): StoredRuntime => ({
  deviceId: entry.deviceId,
  connectionName: entry.connectionName,
  connectionId: entry.connectionId,
  listenerInstanceId: entry.listenerInstanceId,
  metadata: entry.metadata,
  registeredAt: entry.registeredAt,
  firstSeenAt: entry.firstSeenAt,
  lastSeenAt: entry.lastSeenAt,
});

export const isRefusal = (value: unknown): value is Refusal => typeof value === "object" && value !== null && "status" in value;

/**
 * The runtimes of this server, one entry per device id. A runtime that reconnects (new socket, same device) is the
 * same entry: its session re-attaches and re-syncs what it watched. Bounded: at most `maxRuntimes` entries; the
 * oldest offline one makes room for a new device.
 */
export class RuntimeRegistry implements Disposable {
  readonly #entries = new Map<string, RuntimeEntry>();
  readonly #sessionOptions: RuntimeSessionOptions;
  readonly #clock: Pick<Clock, "now">;
  #closed = false;
  /** How many entries are dialled runtimes (never evicted, never removed). */
  #dialed = 0;

  constructor(
    private readonly options: {
      maxRuntimes: number;
      session: RuntimeSessionOptions;
      logger: Logger;
      faults: FaultLog;
      ids: RuntimeIds;
      clock?: Pick<Clock, "now">;
    },
    private readonly events: RegistryEvents,
  ) {
    this.#sessionOptions = options.session;
    this.#clock = options.clock ?? { now: () => Date.now() };
  }

  get(deviceId: string): RuntimeEntry | undefined {
    return this.#entries.get(deviceId);
  }

  all(): RuntimeEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * A registration. The same runtime may register again (a restart, a 1008, a 5-minute outage). Another listener of
   * a device whose runtime is online (a different connection name) is refused with 409: the runtime exits with that
   * message, instead of two processes taking the one entry from each other.
   */
  register(body: RegisterRequest): RuntimeEntry | Refusal {
    const refusal = this.admit(body.deviceId, body.connectionName);
    if (refusal) return refusal;
    const entry = this.#entries.get(body.deviceId) ?? this.#create(body.deviceId, body.connectionName);
    if (!entry) return this.#full();
    entry.connectionName = body.connectionName;
    entry.listenerInstanceId = body.listenerInstanceId;
    entry.metadata = body.metadata;
    entry.connectionId = this.options.ids.connectionId(body.deviceId, body.listenerInstanceId);
    entry.registeredAt = this.#clock.now();
    entry.firstSeenAt ??= entry.registeredAt;
    return entry;
  }

  /**
   * A runtime this server knew before it restarted (a state directory's record): listed offline, with what it
   * registered, until it reconnects. Undefined when the device is known already or there is no room.
   */
  restore(record: StoredRuntime): RuntimeEntry | undefined {
    if (this.#entries.has(record.deviceId) || idProblem(record.deviceId) || idProblem(record.connectionName)) return undefined;
    if (this.#registeredCount() >= this.options.maxRuntimes) return undefined;
    const entry = this.#create(record.deviceId, record.connectionName);
    if (!entry) return undefined;
    entry.connectionId = record.connectionId;
    entry.listenerInstanceId = record.listenerInstanceId;
    entry.metadata = record.metadata;
    entry.registeredAt = record.registeredAt;
    entry.firstSeenAt = record.firstSeenAt;
    entry.lastSeenAt = record.lastSeenAt;
    return entry;
  }

  /** Whether this device may register or attach a socket now; the refusal if not. */
  admit(deviceId: string, connectionName: string): Refusal | undefined {
    if (this.#closed) return { status: 503, error: "shutting_down", message: "the server is shutting down" };
    const existing = this.#entries.get(deviceId);
    if (existing?.online && existing.connectionName !== connectionName) {
      return {
        status: 409,
        error: "device_already_connected",
        message: `another runtime of this device (${existing.label}) is connected to this server; one runtime per device`,
      };
    }
    if (existing?.mode === "app_server") return { status: 409, error: "device_already_connected", message: "this id belongs to a runtime the server dials" };
    if (existing || this.#registeredCount() < this.options.maxRuntimes || this.#evictOne()) return undefined;
    return this.#full();
  }

  /**
   * A runtime socket opened: attaches it to the device's entry (created if the server has not seen a registration,
   * e.g. after a restart: the runtime reconnects without registering again).
   */
  attach(deviceId: string, connectionName: string, connectionId: string | null, transport: Transport): RuntimeEntry | undefined {
    const entry = this.#entries.get(deviceId) ?? this.#create(deviceId, connectionName);
    if (!entry) {
      transport.close(RUNTIME_CLOSE.tooManyRuntimes.code, RUNTIME_CLOSE.tooManyRuntimes.reason);
      return undefined;
    }
    entry.connectionName = connectionName;
    if (connectionId) entry.connectionId = connectionId;
    entry.connectedAt = this.#clock.now();
    entry.lastSeenAt = entry.connectedAt;
    entry.firstSeenAt ??= entry.connectedAt;
    entry.session.attach(transport);
    return entry;
  }

  /**
   * Starts dialling a runtime in App Server mode and lists it from now on (online once connected). It counts
   * toward no limit and is never evicted: it was configured. Dialling the same id twice returns the same entry.
   */
  dial(target: DialSpec): RuntimeEntry {
    const id = target.id;
    const existing = this.#entries.get(id);
    if (existing) return existing;
    const dialer = target.open(this.#sessionOptions);
    const entry = new RuntimeEntry(id, target.name ?? target.fallbackName, { dialer, url: target.url });
    dialer.on("state", ({ to }) => {
      if (to.status === "open") entry.connectedAt = entry.lastSeenAt = this.#clock.now();
      else if (to.status === "closed" && !this.#closed) {
        this.options.logger.error(`App Server runtime ${entry.label} at ${target.url}: gave up (${to.reason})`);
      }
    });
    dialer.on("error", (error) => this.options.logger.warn(`App Server runtime ${entry.label}: ${error.message}`));
    // The runtime names itself (its --computer-name or host name) in its device status, unless we were told a name.
    if (target.name === undefined) {
      entry.session.onEvent("update_device_status", (event) => {
        const name = event.device_status.connection_name;
        if (typeof name === "string" && name.length > 0 && !idProblem(name)) entry.connectionName = name;
      });
    }
    this.#wire(entry);
    this.#entries.set(id, entry);
    this.#dialed++;
    return entry;
  }

  /** Entries of runtimes that registered (the ones `maxRuntimes` bounds). */
  #registeredCount(): number {
    return this.#entries.size - this.#dialed;
  }

  /** Closes every runtime socket with 1001 `Server shutting down` (the runtimes retry until a server is back). */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) entry.close();
  }

  dispose(): void {
    this.close();
  }

  #create(deviceId: string, connectionName: string): RuntimeEntry | undefined {
    if (this.#closed) return undefined;
    if (this.#registeredCount() >= this.options.maxRuntimes && !this.#evictOne()) return undefined;
    const entry = new RuntimeEntry(deviceId, connectionName, this.#sessionOptions);
    this.#wire(entry);
    this.#entries.set(deviceId, entry);
    return entry;
  }

  /** The session's events, as the server consumes them. */
  #wire(entry: RuntimeEntry): void {
    const { session } = entry;
    session.on("state", ({ from, to }) => {
      if (to.status === "open") this.events.online(entry);
      else if (from.status === "open" && (to.status === "offline" || to.status === "closed")) {
        this.events.offline(entry, to.status === "offline" ? to.lastClose : to.close);
      }
    });
    session.on("frame", ({ event, text }) => {
      entry.lastSeenAt = this.#clock.now();
      this.events.event(entry, event, text);
    });
    // A handler of the session threw (the session carried on): worth a line, but not a flood.
    session.on("error", (error) => this.options.faults.report("runtime session", `a handler of runtime ${entry.label} failed`, error.cause ?? error));
    let invalid = 0;
    session.on("invalid", ({ error }) => {
      entry.lastSeenAt = this.#clock.now();
      // The runtime's frames are all in the schemas; an invalid one is worth a line, but not a flood.
      if (++invalid <= 20 || invalid % 100 === 0) {
        this.options.logger.warn(`runtime ${entry.label} sent an invalid frame (#${invalid}): ${error.lines().slice(0, 3).join("; ")}`);
      }
    });
  }

  /** Drops the runtime that has been offline longest. */
  #evictOne(): boolean {
    let oldest: RuntimeEntry | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.online || entry.mode === "app_server") continue;
      if (!oldest || (entry.lastSeenAt ?? 0) < (oldest.lastSeenAt ?? 0)) oldest = entry;
    }
    if (!oldest) return false;
    this.#entries.delete(oldest.deviceId);
    oldest.close();
    this.events.forgotten(oldest);
    this.options.logger.info(`forgot offline runtime ${oldest.label} to make room (maxRuntimes ${this.options.maxRuntimes})`);
    return true;
  }

  #full(): Refusal {
    return {
      status: 503,
      error: "too_many_runtimes",
      message: `this server already has ${this.options.maxRuntimes} runtimes online (maxRuntimes)`,
    };
  }
}
