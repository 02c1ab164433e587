import { HTTP_VALIDATORS } from "@byor/protocol/validators";
import type { Disposable } from "@byor/core";
import { storedRuntime, type Hub, type StoredRuntime } from "@byor/hub";
import type { Logger } from "./logger.js";
import { StateFileError, type StateDir } from "./state-dir.js";

/** The file in the state directory holding the runtimes this server knows. */
export const RUNTIMES_FILE = "runtimes.json";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (value: unknown): number | null => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : null);

/**
 * The runtimes that registered with this server, kept in the state directory so that after a restart they are
 * listed (offline, with their versions and registration time) until they reconnect. Written a moment after each
 * registration, connect, disconnect or eviction, every `checkMs` when only last-seen times moved, and at close.
 */
export class RuntimeStore {
  #written = "";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #check: ReturnType<typeof setInterval> | undefined;
  #subscription: Disposable | undefined;

  constructor(
    private readonly state: StateDir,
    private readonly hub: Hub,
    private readonly logger: Logger,
    private readonly options: { delayMs?: number; checkMs?: number } = {},
  ) {}

  /** Lists the runtimes of the last run (most recently seen first, up to the hub's room). Returns how many. */
  restore(): number {
    let json: unknown;
    try {
      json = this.state.read(RUNTIMES_FILE);
    } catch (error) {
      this.logger.warn(`${(error as StateFileError).message}; starting without the runtimes it listed`);
      return 0;
    }
    if (json === undefined) return 0;
    const list = (json as { version?: unknown; runtimes?: unknown }).runtimes;
    if ((json as { version?: unknown }).version !== 1 || !Array.isArray(list)) {
      this.logger.warn(`${this.state.path}/${RUNTIMES_FILE}: expected {"version": 1, "runtimes": [...]}; starting without the runtimes it listed`);
      return 0;
    }
    const records = list.map(parseRecord).filter((r): r is StoredRuntime => r !== undefined);
    if (records.length < list.length) this.logger.warn(`${this.state.path}/${RUNTIMES_FILE}: skipped ${list.length - records.length} unusable runtime records`);
    records.sort((a, b) => (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0));
    let restored = 0;
    for (const record of records) if (this.hub.restoreRuntime(record)) restored++;
    this.#written = this.#serialise();
    return restored;
  }

  /** Starts keeping the file current. */
  start(): void {
    this.#subscription = this.hub.onRuntimeChange(() => this.#schedule());
    this.#check = setInterval(() => this.flush(), this.options.checkMs ?? 60_000);
    this.#check.unref();
  }

  /** Writes the file now if anything changed since the last write. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const text = this.#serialise();
    if (text === this.#written) return;
    try {
      this.state.write(RUNTIMES_FILE, JSON.parse(text));
      this.#written = text;
    } catch (error) {
      this.logger.error(`cannot write ${this.state.path}/${RUNTIMES_FILE}: ${(error as Error).message}`);
    }
  }

  /** Writes what changed and stops. */
  close(): void {
    this.#subscription?.dispose();
    if (this.#check) clearInterval(this.#check);
    this.flush();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), this.options.delayMs ?? 500);
    this.#timer.unref();
  }

  #serialise(): string {
    const runtimes = this.hub
      .localRuntimes()
      .filter((entry) => entry.mode === "remote")
      .map((entry) => {
        const r = storedRuntime(entry);
        return {
          deviceId: r.deviceId,
          connectionName: r.connectionName,
          connectionId: r.connectionId,
          ...(r.listenerInstanceId !== undefined && { listenerInstanceId: r.listenerInstanceId }),
          ...(r.metadata !== undefined && { metadata: r.metadata }),
          registeredAt: iso(r.registeredAt),
          firstSeenAt: iso(r.firstSeenAt),
          lastSeenAt: iso(r.lastSeenAt),
        };
      });
    return JSON.stringify({ version: 1, runtimes });
  }
}

/** One record of the file, checked like a registration (it becomes the runtime's entry), or undefined. */
function parseRecord(value: unknown): StoredRuntime | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.deviceId !== "string" || typeof r.connectionName !== "string") return undefined;
  if (r.connectionId !== null && r.connectionId !== undefined && typeof r.connectionId !== "string") return undefined;
  if (r.listenerInstanceId !== undefined && typeof r.listenerInstanceId !== "string") return undefined;
  if (r.metadata !== undefined) {
    const body = {
      deviceId: r.deviceId,
      connectionName: r.connectionName,
      metadata: r.metadata,
      ...(r.listenerInstanceId !== undefined && { listenerInstanceId: r.listenerInstanceId }),
    };
    if (!HTTP_VALIDATORS["register-request"](body)) return undefined;
  }
  return {
    deviceId: r.deviceId,
    connectionName: r.connectionName,
    connectionId: (r.connectionId as string | null | undefined) ?? null,
    listenerInstanceId: r.listenerInstanceId as string | undefined,
    metadata: r.metadata as StoredRuntime["metadata"],
    registeredAt: ms(r.registeredAt),
    firstSeenAt: ms(r.firstSeenAt),
    lastSeenAt: ms(r.lastSeenAt),
  };
}
