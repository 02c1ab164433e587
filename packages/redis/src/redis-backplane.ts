import { randomBytes } from "node:crypto";
import {
  comparePositions,
  type Backplane,
  type BackplaneHandlers,
  type BusEvent,
  type HubMessage,
  type RuntimeRecord,
  type SessionStore,
  type SessionWrite,
  type TakenSession,
} from "@byor/hub";
import { Redis, type RedisOptions } from "ioredis";

export interface RedisBackplaneLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RedisBackplaneOptions {
  /** Default `redis://127.0.0.1:6379` (unless `redis` names a host, a path or sentinels). */
  url?: string;
  /**
   * More ioredis options (TLS, password, db, …), merged over the URL's. The backplane sets its own connection
   * behaviour (lazyConnect, offline queue off, retry strategy, resubscription) and ignores ioredis's `keyPrefix`.
   */
  redis?: RedisOptions;
  /** Unique among the nodes sharing the Redis. Default: random (`node-` and 8 hex digits). */
  nodeId?: string;
  /** Prefix of every key and channel. Default `byor:`. */
  keyPrefix?: string;
  /** A runtime record lives this long unless its owner refreshes it (every ttl/3). Default 15 000 ms. */
  runtimeTtlMs?: number;
  /** The event stream is trimmed to about this many entries (`XADD MAXLEN ~`). Default 10 000. */
  maxEvents?: number;
  /** How long `start()` waits for Redis before it rejects. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Default: warnings and errors to the console, info dropped. */
  logger?: RedisBackplaneLogger;
}

/** A {@link Backplane} whose `dispose()` can be awaited (it removes this node's records and closes the connections). */
export interface RedisBackplane extends Backplane {
  dispose(): Promise<void>;
}

const consoleLogger: RedisBackplaneLogger = {
  info() {},
  warn: (message) => console.warn(`[byor/redis] ${message}`),
  error: (message) => console.error(`[byor/redis] ${message}`),
};

/** Frames per stream entry at most (a longer burst is split over several entries). */
const MAX_FRAMES_PER_ENTRY = 64;
/** XREAD blocks this long per call; ioredis answers null this long (+ grace) after a silent connection. */
const BLOCK_MS = 5_000;
const READ_COUNT = 1_000;
/** The same warning at most once per this many ms (the rest are counted). */
const LOG_EVERY_MS = 10_000;

// Directory scripts: atomic, so that an index entry is only dropped when its record is really gone and a record is
// only removed (or refreshed) by its owner. They name keys outside KEYS: one Redis (or a primary), not Redis Cluster.
const LIST = `
local ids = redis.call('SMEMBERS', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then out[#out + 1] = v else redis.call('SREM', KEYS[1], id) end
end
return out`;
const owner = `
local function owner(v)
  local ok, rec = pcall(cjson.decode, v)
  if ok and type(rec) == 'table' and type(rec.node) == 'string' then return rec.node end
  return nil
end`;
/** KEYS: index, record; ARGV: id, json, ttl, owner. Writes unless the record now belongs to another node. */
const REFRESH = `${owner}
local v = redis.call('GET', KEYS[2])
if v and owner(v) ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
return 1`;
/**
 * KEYS: index, record; ARGV: id, json, ttl, owner, online ('1' | '0'). Writes, except an offline record over another
 * node's online one: a node that noticed late that its runtime left must not hide where the runtime went.
 */
const PUT = `${owner}
local v = redis.call('GET', KEYS[2])
if v and ARGV[5] == '0' and owner(v) ~= ARGV[4] then
  local ok, rec = pcall(cjson.decode, v)
  if ok and type(rec) == 'table' and type(rec.info) == 'table' and rec.info.online == true then return 0 end
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
return 1`;
/** KEYS: index, record; ARGV: id, node. Removes the record if that node owns it. */
const REMOVE = `${owner}
local v = redis.call('GET', KEYS[2])
if not v then redis.call('SREM', KEYS[1], ARGV[1]) return 0 end
if owner(v) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[1], ARGV[1])
return 1`;

// Session journals: a hash (owner node, last and acknowledged seq, state) and a sorted set of frames scored by seq
// (members "seq:text", unique). Only the owner writes; a resume on another node takes the session over first.
/** KEYS: meta, frames; ARGV: node, ackedSeq, state, ttl, then seq, text pairs. 0: another node owns it. */
const SESSION_WRITE = `
local owner = redis.call('HGET', KEYS[1], 'node')
if owner and owner ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
for i = 5, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    redis.call('ZADD', KEYS[2], seq, ARGV[i] .. ':' .. ARGV[i + 1])
    last = seq
  end
end
local acked = math.max(tonumber(redis.call('HGET', KEYS[1], 'acked') or '0'), tonumber(ARGV[2]))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', acked)
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'last', last, 'acked', acked, 'state', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;
/** KEYS: meta, frames; ARGV: node, afterSeq. nil: no session; {previous, 'overrun'}; {previous, last, acked, state, frames}. */
const SESSION_TAKE = `
local h = redis.call('HMGET', KEYS[1], 'node', 'last', 'acked', 'state')
if not h[1] then return nil end
redis.call('HSET', KEYS[1], 'node', ARGV[1])
local after = tonumber(ARGV[2])
if after < tonumber(h[3]) or after > tonumber(h[2]) then return {h[1], 'overrun'} end
return {h[1], h[2], h[3], h[4], redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf')}`;
/** KEYS: meta, frames; ARGV: node. Deletes the journal if that node owns it. */
const SESSION_DROP = `
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

interface Scripts {
  byorSessionWrite(meta: string, frames: string, ...args: (string | number)[]): Promise<number>;
  byorSessionTake(meta: string, frames: string, node: string, afterSeq: number): Promise<[string, string] | [string, string, string, string, string[]] | null>;
  byorSessionDrop(meta: string, frames: string, node: string): Promise<number>;
  byorList(index: string, recordPrefix: string): Promise<string[]>;
  byorRefresh(index: string, key: string, id: string, json: string, ttl: number, owner: string): Promise<number>;
  byorRemove(index: string, key: string, id: string, node: string): Promise<number>;
  byorPut(index: string, key: string, id: string, json: string, ttl: number, owner: string, online: "1" | "0"): Promise<number>;
}

type Role = "writer" | "reader" | "subscriber";

/**
 * A backplane on one Redis (5+): several `byor serve` nodes share their runtimes' directory (a key per runtime with a
 * TTL its owner refreshes, plus a set as index), their runtime frames (one Redis Stream read by every node) and their
 * messages (pub/sub, a channel per node and one for broadcasts). Three connections per node: commands, the blocking
 * stream reader, the subscriber.
 *
 * While Redis is unreachable the node reports `health(false)`, and what it publishes, sends or broadcasts is dropped
 * (never queued for later: a late command is worse than a failed one); reads answer from this node's own records. Once
 * Redis is back: `health(true)`, its records are written again and the stream is read on from the last entry seen.
 */
export function redisBackplane(options: RedisBackplaneOptions = {}): RedisBackplane {
  return new RedisBackplaneNode(options);
}

class RedisBackplaneNode implements RedisBackplane {
  readonly nodeId: string;
  readonly #log: RedisBackplaneLogger;
  readonly #ttl: number;
  readonly #maxEvents: number;
  readonly #connectTimeout: number;
  readonly #url: string;
  readonly #keys: {
    runtime: string;
    index: string;
    events: string;
    node: (id: string) => string;
    broadcast: string;
    session: (id: string) => [string, string];
  };
  readonly sessions: SessionStore;
  readonly #writer: Redis & Scripts;
  readonly #reader: Redis;
  readonly #subscriber: Redis;
  /** This node's records (id → JSON), written again on every refresh and after every reconnect. */
  readonly #owned = new Map<string, { json: string; node: string }>();
  readonly #up: Record<Role, boolean> = { writer: false, reader: false, subscriber: false };
  #handlers: BackplaneHandlers | undefined;
  #started = false;
  #healthy = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastId = "0-0";
  #loop: Promise<void> | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;
  /** Wakes the waits of the read loop (on `ready` and on dispose). */
  #wake: (() => void)[] = [];
  /** Ends the read in flight (its connection closed, or dispose). */
  #interrupt: (() => void)[] = [];
  #dropped = 0;
  /** Frames published this tick, as the stream entry's fields: runtimeId, text, runtimeId, text, … */
  #outgoing: string[] | undefined;
  readonly #logged = new Map<string, { at: number; suppressed: number }>();

  constructor(options: RedisBackplaneOptions) {
    this.nodeId = options.nodeId ?? `node-${randomBytes(4).toString("hex")}`;
    this.#log = options.logger ?? consoleLogger;
    this.#ttl = Math.max(30, options.runtimeTtlMs ?? 15_000);
    this.#maxEvents = Math.max(1, options.maxEvents ?? 10_000);
    this.#connectTimeout = options.connectTimeoutMs ?? 10_000;
    const prefix = options.keyPrefix ?? "byor:";
    this.#keys = {
      runtime: `${prefix}runtime:`,
      index: `${prefix}runtimes`,
      events: `${prefix}events`,
      node: (id) => `${prefix}node:${id}`,
      broadcast: `${prefix}broadcast`,
      session: (id) => [`${prefix}session:${id}`, `${prefix}session:${id}:frames`],
    };
    this.sessions = {
      write: (writes) => this.#writeSessions(writes),
      take: (sessionId, node, afterSeq) => this.#takeSession(sessionId, node, afterSeq),
      drop: (sessionId, node) => {
        if (!this.#writable("session drop")) return;
        this.#writer
          .byorSessionDrop(...this.#keys.session(sessionId), node)
          .catch((error: unknown) => this.#warn("session", `could not drop a session journal (it expires): ${describe(error)}`));
      },
    };
    const own = options.redis;
    const url = options.url ?? (own?.host || own?.path || own?.sentinels ? undefined : "redis://127.0.0.1:6379");
    this.#url = url ?? (own?.sentinels ? `sentinel master ${own.name ?? "?"}` : (own?.path ?? `${own?.host}:${own?.port ?? 6379}`));
    const connection = (role: Role, extra: RedisOptions): Redis => {
      const { keyPrefix: _ignored, ...user } = options.redis ?? {};
      const settings: RedisOptions = {
        ...user,
        ...extra,
        connectionName: `byor-${this.nodeId}-${role}`.replace(/\s/g, "_"),
        lazyConnect: true,
        // Drop, don't queue, while Redis is away (see the class comment); the read loop and the subscriber wait for
        // `ready` themselves.
        enableOfflineQueue: false,
        maxRetriesPerRequest: null,
        retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      };
      const redis = url ? new Redis(url, settings) : new Redis(settings);
      this.#watch(role, redis);
      return redis;
    };
    // A command lost with its connection fails after 5 s instead of hanging (reads fall back; writes are redone).
    this.#writer = connection("writer", { commandTimeout: 5_000, autoResendUnfulfilledCommands: false }) as Redis & Scripts;
    this.#writer.defineCommand("byorList", { numberOfKeys: 1, lua: LIST });
    this.#writer.defineCommand("byorRefresh", { numberOfKeys: 2, lua: REFRESH });
    this.#writer.defineCommand("byorRemove", { numberOfKeys: 2, lua: REMOVE });
    this.#writer.defineCommand("byorPut", { numberOfKeys: 2, lua: PUT });
    this.#writer.defineCommand("byorSessionWrite", { numberOfKeys: 2, lua: SESSION_WRITE });
    this.#writer.defineCommand("byorSessionTake", { numberOfKeys: 2, lua: SESSION_TAKE });
    this.#writer.defineCommand("byorSessionDrop", { numberOfKeys: 2, lua: SESSION_DROP });
    // An XREAD lost with its connection answers null after BLOCK_MS + grace; the loop then reads again.
    this.#reader = connection("reader", { blockingTimeout: BLOCK_MS, blockingTimeoutGrace: 1_000, autoResendUnfulfilledCommands: false });
    this.#subscriber = connection("subscriber", { autoResubscribe: false, autoResendUnfulfilledCommands: false });
    this.#subscriber.on("message", (channel: string, payload: string) => this.#onMessage(channel, payload));
  }

  async start(handlers: BackplaneHandlers): Promise<void> {
    if (this.#closed) throw new Error("this backplane is disposed");
    if (this.#started) throw new Error("this backplane is started already");
    this.#handlers = handlers;
    const connections = [this.#writer, this.#reader, this.#subscriber];
    try {
      await this.#withTimeout(
        Promise.all(connections.map((redis) => this.#ready(redis))),
        `could not reach Redis at ${this.#url} within ${this.#connectTimeout} ms`,
      );
      // Read from the stream's last entry now: every frame published after start() resolves is delivered.
      const last = await this.#writer.xrevrange(this.#keys.events, "+", "-", "COUNT", 1);
      this.#lastId = last[0]?.[0] ?? "0-0";
      await this.#subscriber.subscribe(this.#keys.node(this.nodeId), this.#keys.broadcast);
    } catch (error) {
      this.#handlers = undefined;
      await this.dispose();
      throw error;
    }
    this.#started = true;
    this.#up.writer = this.#up.reader = this.#up.subscriber = true;
    this.#healthy = true;
    this.#rewrite();
    this.#loop = this.#readLoop();
    this.#refresh = setInterval(() => this.#rewrite(), Math.max(10, Math.floor(this.#ttl / 3)));
    this.#refresh.unref?.();
  }

  putRuntime(record: RuntimeRecord): void {
    if (this.#closed) return;
    const id = record.info.id;
    const json = JSON.stringify(record);
    this.#owned.set(id, { json, node: record.node });
    if (!this.#started || !this.#up.writer) return; // written once Redis is back
    this.#writer
      .byorPut(this.#keys.index, this.#keys.runtime + id, id, json, this.#ttl, record.node, record.info.online ? "1" : "0")
      .then((written) => {
        // Another node holds it online now: this node's offline record is stale, stop refreshing it.
        if (written === 0 && this.#owned.get(id)?.json === json) this.#owned.delete(id);
      })
      .catch((error: unknown) => this.#warn("put", `could not write runtime ${id} (written again on the next refresh): ${describe(error)}`));
  }

  removeRuntime(runtimeId: string): void {
    if (this.#closed) return;
    this.#owned.delete(runtimeId);
    if (!this.#started || !this.#up.writer) return; // the record expires unless its owner refreshes it
    this.#writer
      .byorRemove(this.#keys.index, this.#keys.runtime + runtimeId, runtimeId, this.nodeId)
      .catch((error: unknown) => this.#warn("remove", `could not remove runtime ${runtimeId} (it expires): ${describe(error)}`));
  }

  async listRuntimes(): Promise<RuntimeRecord[]> {
    if (this.#started && this.#up.writer) {
      try {
        const values = await this.#writer.byorList(this.#keys.index, this.#keys.runtime);
        return values.flatMap((value) => parse<RuntimeRecord>(value) ?? []);
      } catch (error) {
        this.#warn("read", `could not read the runtime directory, answering with this node's runtimes: ${describe(error)}`);
      }
    }
    return [...this.#owned.values()].flatMap(({ json }) => parse<RuntimeRecord>(json) ?? []);
  }

  async getRuntime(runtimeId: string): Promise<RuntimeRecord | undefined> {
    if (this.#started && this.#up.writer) {
      try {
        const value = await this.#writer.get(this.#keys.runtime + runtimeId);
        return value === null ? undefined : parse<RuntimeRecord>(value);
      } catch (error) {
        this.#warn("read", `could not read the runtime directory, answering with this node's runtimes: ${describe(error)}`);
      }
    }
    const own = this.#owned.get(runtimeId);
    return own && parse<RuntimeRecord>(own.json);
  }

  publish(runtimeId: string, text: string): void {
    if (!this.#writable("frame")) return;
    // The frames of one tick (a runtime's burst, several runtimes at once) go out as one stream entry: one XADD per
    // tick instead of one per frame roughly halves a node's CPU per frame (docs/benchmarks.md).
    const batch = (this.#outgoing ??= []);
    batch.push(runtimeId, text);
    if (batch.length >= MAX_FRAMES_PER_ENTRY * 2) this.#flushFrames();
    else if (batch.length === 2) queueMicrotask(this.#flushLater);
  }

  readonly #flushLater = () => this.#flushFrames();

  #flushFrames(): void {
    const fields = this.#outgoing;
    this.#outgoing = undefined;
    if (!fields || fields.length === 0 || this.#closed) return;
    this.#writer
      .xadd(this.#keys.events, "MAXLEN", "~", this.#maxEvents, "*", ...fields)
      .catch((error: unknown) => this.#warn("publish", `${fields.length / 2} runtime frames were lost: ${describe(error)}`));
  }

  send(node: string, message: HubMessage): void {
    this.#post(this.#keys.node(node), message);
  }

  async readBus(after: string): Promise<BusEvent[] | "gone"> {
    const key = this.#keys.events;
    // Entries trimmed away after `after` cannot be caught up: Redis 7 says the newest one it deleted.
    const info = (await this.#writer.call("XINFO", "STREAM", key).catch(() => null)) as unknown[] | null;
    if (info) {
      const at = info.indexOf("max-deleted-entry-id");
      const deleted = at >= 0 ? String(info[at + 1]) : undefined;
      if (deleted !== undefined && deleted !== "0-0" && comparePositions(after, deleted) < 0) return "gone";
      if (deleted === undefined) {
        // Before Redis 7: only a position at or after the oldest entry is known to be complete.
        const first = info[info.indexOf("first-entry") + 1] as [string, string[]] | null;
        if (first && comparePositions(after, first[0]) < 0) return "gone";
      }
    }
    // From the entry `after` is in (its later frames count), then everything after it.
    const entry = after.split("-").slice(0, 2).join("-");
    const events: BusEvent[] = [];
    for (const [id, fields] of await this.#writer.xrange(key, entry, "+", "COUNT", this.#maxEvents)) {
      for (const event of framesOf(id, fields)) if (comparePositions(event.position, after) > 0) events.push(event);
    }
    return events;
  }

  async #writeSessions(writes: SessionWrite[]): Promise<boolean[]> {
    if (writes.length === 0) return [];
    if (!this.#writable("session journal")) throw new Error("Redis is unreachable");
    const pipeline = this.#writer.pipeline() as unknown as {
      byorSessionWrite(...args: (string | number)[]): void;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const write of writes) {
      const args: (string | number)[] = [...this.#keys.session(write.sessionId), write.node, write.ackedSeq, write.state, write.ttlMs];
      for (const frame of write.frames) args.push(frame.seq, frame.text);
      pipeline.byorSessionWrite(...args);
    }
    const results = (await pipeline.exec()) ?? [];
    return writes.map((_, i) => {
      const [error, value] = results[i] ?? [new Error("no reply")];
      if (error) throw error;
      return value === 1;
    });
  }

  async #takeSession(sessionId: string, node: string, afterSeq: number): Promise<TakenSession | "overrun" | undefined> {
    const reply = await this.#writer.byorSessionTake(...this.#keys.session(sessionId), node, afterSeq);
    if (reply === null) return undefined;
    if (reply.length === 2) return "overrun";
    const [previousNode, last, acked, state, members] = reply;
    // Each member is "seq:text".
    return { previousNode, lastSeq: Number(last), ackedSeq: Number(acked), state, texts: members.map((m) => m.slice(m.indexOf(":") + 1)) };
  }

  broadcast(message: HubMessage): void {
    this.#post(this.#keys.broadcast, message);
  }

  /** Stops the loops, removes this node's records (as their owner) and closes the connections. Never rejects. */
  dispose(): Promise<void> {
    this.#closing ??= this.#close(true);
    return this.#closing;
  }

  /** @internal Test hook: the node dies without a word (no record removed; they expire after the TTL). */
  _kill(): Promise<void> {
    this.#closing ??= this.#close(false);
    return this.#closing;
  }

  async #close(clean: boolean): Promise<void> {
    this.#closed = true;
    this.#handlers = undefined;
    if (this.#refresh) clearInterval(this.#refresh);
    this.#wakeAll();
    this.#interruptRead();
    if (clean && this.#started && this.#up.writer && this.#owned.size > 0) {
      await Promise.allSettled([...this.#owned.keys()].map((id) => this.#writer.byorRemove(this.#keys.index, this.#keys.runtime + id, id, this.nodeId)));
    }
    this.#owned.clear();
    // The reader is blocked in XREAD: close it at once (a QUIT would wait behind it).
    this.#reader.disconnect();
    await Promise.allSettled([clean ? this.#writer.quit() : this.#writer.disconnect(), clean ? this.#subscriber.quit() : this.#subscriber.disconnect()]);
    // A QUIT that could not be sent (Redis away) leaves the connection retrying: stop it.
    this.#writer.disconnect();
    this.#subscriber.disconnect();
    await this.#loop;
  }

  // --- connections and health ---

  #watch(role: Role, redis: Redis): void {
    redis.on("error", (error: unknown) => {
      if (!this.#closed) this.#warn(`error:${role}`, `Redis ${role} connection: ${describe(error)}`);
    });
    const down = () => {
      if (this.#closed || !this.#started) return;
      this.#up[role] = false;
      if (this.#healthy) {
        this.#healthy = false;
        this.#log.warn(`Redis at ${this.#url} is unreachable (${role} connection lost); reconnecting`);
        this.#health(false);
      }
    };
    redis.on("close", () => {
      if (role === "reader") this.#interruptRead();
      down();
    });
    redis.on("reconnecting", down);
    redis.on("end", () => {
      down();
      // Ends only when the retry strategy gives up or connecting failed outright: keep trying while the node lives.
      if (!this.#closed && this.#started) setTimeout(() => !this.#closed && redis.connect().catch(() => {}), 2_000).unref?.();
    });
    redis.on("ready", () => {
      this.#wakeAll();
      if (this.#closed || !this.#started) return;
      void this.#back(role, redis);
    });
  }

  async #back(role: Role, redis: Redis): Promise<void> {
    if (role === "subscriber") {
      try {
        await redis.subscribe(this.#keys.node(this.nodeId), this.#keys.broadcast);
      } catch (error) {
        // The connection dropped again (its next `ready` subscribes) or Redis refused: reconnect and retry.
        if (!this.#closed) {
          this.#warn("subscribe", `could not subscribe again: ${describe(error)}`);
          if (redis.status === "ready") redis.disconnect(true);
        }
        return;
      }
    }
    if (this.#closed || redis.status !== "ready") return;
    this.#up[role] = true;
    if (role === "writer") this.#rewrite(); // Redis may have lost them (restarted without persistence)
    if (!this.#healthy && this.#up.writer && this.#up.reader && this.#up.subscriber) {
      this.#healthy = true;
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#log.info(`Redis at ${this.#url} is back${dropped ? ` (${dropped} frames and messages were dropped meanwhile)` : ""}`);
      this.#health(true);
    }
  }

  #health(up: boolean): void {
    try {
      this.#handlers?.health?.(up);
    } catch (error) {
      this.#log.error(`the health handler threw: ${describe(error)}`);
    }
  }

  #ready(redis: Redis): Promise<void> {
    if (redis.status === "ready") return Promise.resolve();
    return new Promise((resolve) => {
      redis.once("ready", () => resolve());
      if (redis.status === "wait" || redis.status === "end") redis.connect().catch(() => {}); // retried by ioredis
    });
  }

  #withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), this.#connectTimeout);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  // --- directory ---

  /** Writes this node's records again (refresh, and after a reconnect): unless another node took one over. */
  #rewrite(): void {
    if (this.#closed || !this.#up.writer) return;
    for (const [id, { json, node }] of this.#owned) {
      this.#writer
        .byorRefresh(this.#keys.index, this.#keys.runtime + id, id, json, this.#ttl, node)
        .then((written) => {
          // Another node registered the runtime since: it is theirs now.
          if (written === 0 && this.#owned.get(id)?.json === json) this.#owned.delete(id);
        })
        .catch((error: unknown) => this.#warn("refresh", `could not refresh the runtime records: ${describe(error)}`));
    }
  }

  // --- bus ---

  async #readLoop(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      if (this.#reader.status !== "ready") {
        await this.#sleep(1_000); // woken by `ready`
        continue;
      }
      let reply: [string, [string, string[]][]][] | null;
      try {
        const read = this.#reader.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.#keys.events, this.#lastId);
        read.catch(() => {}); // abandoned when its connection closes (below)
        // A read whose connection closed never answers (ioredis drops it at the reconnect): read again at once.
        const interrupted = new Promise<null>((resolve) => (this.#interrupt = [() => resolve(null)]));
        reply = (await Promise.race([read, interrupted])) as typeof reply;
        failures = 0;
      } catch (error) {
        if (this.#closed) return;
        failures++;
        this.#warn("read", `could not read the event stream: ${describe(error)}`);
        await this.#sleep(Math.min(100 * 2 ** Math.min(failures, 5), 2_000));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          if (this.#closed) return;
          this.#lastId = id;
          for (const event of framesOf(id, fields)) {
            try {
              this.#handlers?.event(event);
            } catch (error) {
              this.#log.error(`the event handler threw: ${describe(error)}`);
            }
          }
        }
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake.push(done);
    });
  }

  #wakeAll(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const done of wake) done();
  }

  #interruptRead(): void {
    const interrupt = this.#interrupt;
    this.#interrupt = [];
    for (const done of interrupt) done();
  }

  // --- messages ---

  #post(channel: string, message: HubMessage): void {
    if (!this.#writable("message")) return;
    this.#writer
      .publish(channel, JSON.stringify({ from: this.nodeId, message }))
      .catch((error: unknown) => this.#warn("post", `a ${message.kind} message was lost: ${describe(error)}`));
  }

  #onMessage(channel: string, payload: string): void {
    if (this.#closed || (channel !== this.#keys.broadcast && channel !== this.#keys.node(this.nodeId))) return;
    const envelope = parse<{ from?: unknown; message?: unknown }>(payload);
    if (!envelope || typeof envelope.from !== "string" || typeof envelope.message !== "object" || envelope.message === null) {
      this.#warn("message", `ignored a malformed message on ${channel}`);
      return;
    }
    try {
      this.#handlers?.message(envelope.message as HubMessage, envelope.from);
    } catch (error) {
      this.#log.error(`the message handler threw: ${describe(error)}`);
    }
  }

  /** Whether a frame or message can go out now; while Redis is away it is dropped (and counted). */
  #writable(what: string): boolean {
    if (this.#closed) return false;
    if (!this.#started) {
      this.#warn("early", `a ${what} given before start() was dropped`);
      return false;
    }
    if (this.#up.writer && this.#writer.status === "ready") return true;
    this.#dropped++;
    this.#warn("dropped", `Redis is unreachable: a ${what} was dropped`);
    return false;
  }

  /** A warning, at most once per LOG_EVERY_MS for each kind (with the count of those it held back). */
  #warn(kind: string, message: string): void {
    const now = Date.now();
    const last = this.#logged.get(kind);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    this.#logged.set(kind, { at: now, suppressed: 0 });
    this.#log.warn(last?.suppressed ? `${message} (and ${last.suppressed} more like it)` : message);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const parse = <T>(text: string): T | undefined => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
};

/**
 * The frames of one stream entry: its fields are runtimeId, text pairs (named `runtimeId`/`text` by older nodes,
 * one frame an entry). The first frame's position is the entry id; the next ones add `-1`, `-2`, …
 */
function framesOf(id: string, fields: string[]): BusEvent[] {
  if (fields[0] === "runtimeId" && fields[2] === "text" && fields.length === 4) return [{ runtimeId: fields[1]!, text: fields[3]!, position: id }];
  const frames: BusEvent[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) frames.push({ runtimeId: fields[i]!, text: fields[i + 1]!, position: i === 0 ? id : `${id}-${i / 2}` });
  return frames;
}
