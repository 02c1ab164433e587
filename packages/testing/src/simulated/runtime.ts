// The runtime side of the protocol, as Letta Code 0.32.18 behaves with `letta remote --backend local`: register
// over HTTP, dial the wsUrl, ping, reconnect, keep event_seq and subscriptions per connection, answer commands.
import { createHash, randomUUID } from "node:crypto";
import { platform } from "node:os";
import { Emitter, Heartbeat, RUNTIME_CLOSE, exponentialBackoff, scopeKey, systemClock, type Clock, type Disposable } from "@byor/core";
import { decodeCommand, encodeEvent, type PermissionMode, type RuntimeCommand, type RuntimeEvent } from "@byor/protocol";
import WebSocket from "ws";
import type { Scenario, ScenarioTurn } from "../scenario.js";
import { Conversation, type EventBody, type Scope } from "./conversation.js";
import { handleDeviceCommand } from "./device-commands.js";
import { invalidInputReason, isRuntimeScope, legacyMessage, looseCommand, messageText } from "./inbound.js";
import { MemoryFs } from "./memory-fs.js";
import { APP_SERVER_INFO, LETTA_CODE_VERSION, SUPPORTED_COMMANDS, deviceStatus, openAiCompatibleProvider } from "./snapshots.js";

/** The close reason that makes the runtime exit (1000 with any other reason makes it reconnect). */
export const REPLACED_REASON = RUNTIME_CLOSE.replaced.reason;
const MAX_PAYLOAD = 100 * 1024 * 1024;
const RECONNECT_WINDOW_MS = 5 * 60_000;
const FIRST_REGISTER_WINDOW_MS = 120_000;
const PERMISSION_MODES: ReadonlySet<string> = new Set(["unrestricted", "standard", "acceptEdits", "strict"]);

/** What the simulated runtime plays for each input: a scenario (turns in order), or a function of the input. */
export type TurnSource =
  | Scenario
  | readonly ScenarioTurn[]
  | ((input: { text: string; agentId: string; conversationId: string; index: number }) => ScenarioTurn);

export interface SimulatedRuntimeOptions {
  /** The server's base URL, like LETTA_BASE_URL: `POST {baseUrl}/v1/environments/register`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on register and on the WebSocket upgrade (LETTA_API_KEY). */
  token: string;
  deviceId?: string;
  /** `--env-name`; default "simulated-runtime". */
  connectionName?: string;
  /** JSON ping interval (30 000 ms like the real runtime); the socket is dropped after three unanswered pings. */
  pingIntervalMs?: number;
  /**
   * Turns to play, in order, across conversations. When they run out (or without a scenario), each turn answers
   * "pong" like the real runtime's deterministic executor.
   */
  scenario?: TurnSource;
  /** Timers and time (default: the platform's, looked up on each call so fake timers apply). */
  clock?: Clock;
  /** Permission mode of new conversations; "unrestricted" like the real runtime in remote mode. */
  permissionMode?: PermissionMode;
  /** Working directory of the in-memory file tree (default "/workspace"). */
  cwd?: string;
  /** Initial files, path (absolute or relative to cwd) → content. */
  files?: Record<string, string>;
  /** Agents that exist besides those created by runtime_start. Default: any agent id exists. */
  agents?: readonly string[];
  /** Output of an allowed tool call (default: the scripted `result`, else "(Command completed with no output)"). */
  runTool?: (call: { name: string; input: Record<string, unknown>; result: string | undefined }) => string;
  /** Record every frame in `frames` (default true; turn off for load tests). */
  record?: boolean;
  /** Validate every frame sent with @byor/protocol before sending (default true). */
  validate?: boolean;
  /** Offer permessage-deflate on the upgrade, as the real runtime does (default true). */
  perMessageDeflate?: boolean;
  /** Answer a command the simulator does not handle; return true if you did. */
  onCommand?: (command: RuntimeCommand, reply: (frame: RuntimeEvent) => void) => boolean;
}

export interface FrameRecord {
  direction: "sent" | "received";
  /** The connectionId in use (undefined before the first register). */
  connectionId: string | undefined;
  /** Counts sockets opened by this runtime, from 0. */
  socket: number;
  at: number;
  text: string;
  /** The parsed frame, when it was JSON. */
  frame: Record<string, unknown> | undefined;
}

export type StopReason = "stopped" | "replaced" | "register_failed";

export interface SimulatedRuntimeEvents {
  register: { connectionId: string; wsUrl: string };
  open: { connectionId: string; socket: number };
  close: { code: number; reason: string; socket: number };
  sent: FrameRecord;
  received: FrameRecord;
  stopped: { reason: StopReason; error?: Error };
}

export type SimulatedRuntimeState = "registering" | "connecting" | "open" | "waiting" | "stopped";

export interface SimulatedRuntime {
  readonly deviceId: string;
  readonly connectionName: string;
  /** The current connectionId (changes after a 1008 close or a 5-minute outage). */
  readonly connectionId: string | undefined;
  readonly state: SimulatedRuntimeState;
  /** Every frame both ways (when recording). */
  readonly frames: readonly FrameRecord[];
  /** Parsed frames the runtime sent / received. */
  readonly sent: readonly Record<string, unknown>[];
  readonly received: readonly Record<string, unknown>[];
  /** Registrations made (1 + one per re-register). */
  readonly registrations: number;
  /** Resolves when the runtime stops for good. */
  readonly stopped: Promise<{ reason: StopReason; error?: Error }>;
  on<K extends keyof SimulatedRuntimeEvents>(name: K, handler: (value: SimulatedRuntimeEvents[K]) => void): Disposable;
  /** Async iterator of one event (ends when the signal aborts or the runtime stops). */
  events<K extends keyof SimulatedRuntimeEvents>(name: K, signal?: AbortSignal): AsyncIterableIterator<SimulatedRuntimeEvents[K]>;
  /** Resolves with the first frame sent from now on (or already sent, with `{ past: true }`) that matches. */
  waitFor(match: (frame: Record<string, unknown>) => boolean, options?: { timeoutMs?: number; past?: boolean }): Promise<Record<string, unknown>>;
  /** Drops the socket (no close frame: the server sees 1006); the runtime reconnects like the real one. */
  disconnect(): void;
  /** Stops the runtime (close without status code, 1005, like SIGTERM) and cancels its timers. */
  stop(): Promise<void>;
  /** The in-memory file tree behind the file commands. */
  readonly files: MemoryFs;
}

interface Link {
  connectionId: string;
  wsUrl: string;
  eventSeq: number;
  subscriptions: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();

class SimulatedRuntimeImpl implements SimulatedRuntime {
  readonly deviceId: string;
  readonly connectionName: string;
  readonly files: MemoryFs;
  readonly frames: FrameRecord[] = [];
  registrations = 0;
  state: SimulatedRuntimeState = "registering";
  readonly stopped: Promise<{ reason: StopReason; error?: Error }>;

  readonly #options: SimulatedRuntimeOptions;
  readonly #clock: Clock;
  readonly #emitter = new Emitter<SimulatedRuntimeEvents>();
  readonly #backoff = exponentialBackoff({ baseMs: 1000, capMs: 30_000, random: () => 1 });
  readonly #conversations = new Map<string, Conversation>();
  readonly #agents = new Map<string, { name: string; model: string; createdAt: string }>();
  readonly #timers = new Set<unknown>();
  readonly #record: boolean;
  #link: Link | undefined;
  #ws: WebSocket | undefined;
  #socketCount = 0;
  #heartbeat: Heartbeat | undefined;
  /**
   * The runtime keeps two "last device status sent" caches per socket and scope: one for state replays (sync,
   * runtime_start), one for everything else. The background warm-up after a sync sends the status again when it
   * differs from the second one, so the first sync on a new socket ends with an extra update_device_status.
   */
  #replayed = new Map<string, string>();
  #sentStatus = new Map<string, string>();
  #attempt = 0;
  #failingSince: number | undefined;
  #stopping = false;
  #resolveStopped!: (value: { reason: StopReason; error?: Error }) => void;
  #firstOpen: { resolve: () => void; reject: (err: Error) => void } | undefined;
  #turnIndex = 0;
  #toolCalls = 0;
  #runs = 0;
  #conversationCounter = 0;
  #providerBaseUrl: string | undefined;

  constructor(options: SimulatedRuntimeOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#record = options.record ?? true;
    this.deviceId = options.deviceId ?? randomUUID();
    this.connectionName = options.connectionName ?? "simulated-runtime";
    this.files = new MemoryFs(options.cwd ?? "/workspace", options.files);
    this.stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
  }

  get connectionId(): string | undefined {
    return this.#link?.connectionId;
  }

  get sent(): Record<string, unknown>[] {
    return this.frames.filter((f) => f.direction === "sent" && f.frame).map((f) => f.frame!);
  }

  get received(): Record<string, unknown>[] {
    return this.frames.filter((f) => f.direction === "received" && f.frame).map((f) => f.frame!);
  }

  on<K extends keyof SimulatedRuntimeEvents>(name: K, handler: (value: SimulatedRuntimeEvents[K]) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  events<K extends keyof SimulatedRuntimeEvents>(name: K, signal?: AbortSignal): AsyncIterableIterator<SimulatedRuntimeEvents[K]> {
    return this.#emitter.stream(name, signal);
  }

  waitFor(match: (frame: Record<string, unknown>) => boolean, { timeoutMs = 10_000, past = false } = {}): Promise<Record<string, unknown>> {
    if (past) {
      const found = this.sent.find(match);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`simulated runtime: no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = this.on("sent", (record) => {
        if (record.frame && match(record.frame)) {
          clearTimeout(timer);
          sub.dispose();
          resolve(record.frame);
        }
      });
    });
  }

  // ---- lifecycle ----

  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#firstOpen = { resolve, reject };
      void this.#register(true);
    });
  }

  disconnect(): void {
    this.#ws?.terminate();
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.#stopping = true;
    const ws = this.#ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
      ws.close();
      const timer = setTimeout(() => ws.terminate(), 2000);
      await closed;
      clearTimeout(timer);
    }
    this.#finish("stopped");
  }

  #finish(reason: StopReason, error?: Error): void {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.#stopping = true;
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers.clear();
    this.#heartbeat?.dispose();
    for (const c of this.#conversations.values()) c.teardown();
    if (this.#ws && this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate();
    this.#firstOpen?.reject(error ?? new Error(`simulated runtime stopped (${reason})`));
    this.#firstOpen = undefined;
    this.#emitter.emit("stopped", error ? { reason, error } : { reason });
    this.#resolveStopped(error ? { reason, error } : { reason });
    this.#emitter.close();
  }

  #later(ms: number, fn: () => void): void {
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, ms);
    this.#timers.add(handle);
  }

  // ---- register ----

  #registerBody() {
    return {
      deviceId: this.deviceId,
      listenerInstanceId: `server-${createHash("sha256").update(this.connectionName).digest("hex").slice(0, 16)}`,
      connectionName: this.connectionName,
      metadata: {
        lettaCodeVersion: LETTA_CODE_VERSION,
        os: platform(),
        nodeVersion: process.version,
        environmentMessageProtocol: "v2-input",
        supportsPairedListenerGenerations: true,
        supported_commands: SUPPORTED_COMMANDS,
        self_update: {
          supported: false,
          writable: false,
          reason: "Self-update is disabled for development/source checkouts.",
          manual_command: "npm install -g @letta-ai/letta-code@latest",
        },
      },
    };
  }

  /** Registers, retrying network errors, 429 and 5xx with backoff plus jitter; other failures are fatal. */
  async #register(initial: boolean, attempt = 0, since = this.#clock.now()): Promise<void> {
    if (this.#stopping) return;
    this.state = "registering";
    let status = 0;
    let retryAfterMs = 0;
    let body: unknown;
    try {
      const res = await fetch(`${this.#options.baseUrl.replace(/\/+$/, "")}/v1/environments/register`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.#options.token}`, "x-letta-source": "letta-code" },
        body: JSON.stringify(this.#registerBody()),
      });
      status = res.status;
      const retryAfter = Number(res.headers.get("retry-after"));
      if (retryAfter > 0) retryAfterMs = retryAfter * 1000;
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (status >= 200 && status < 300) {
        const b = body as { connectionId?: unknown; wsUrl?: unknown } | undefined;
        if (typeof b?.connectionId !== "string" || typeof b.wsUrl !== "string") {
          this.#finish("register_failed", new Error("register answered without a string connectionId and wsUrl"));
          return;
        }
        if (this.#stopping) return;
        this.registrations++;
        this.#link = { connectionId: b.connectionId, wsUrl: b.wsUrl, eventSeq: 0, subscriptions: new Set() };
        this.#attempt = 0;
        this.#failingSince = undefined;
        this.#emitter.emit("register", { connectionId: b.connectionId, wsUrl: b.wsUrl });
        this.#connect();
        return;
      }
    } catch {
      status = 0;
    }
    if (this.#stopping) return;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || (initial && this.#clock.now() - since >= FIRST_REGISTER_WINDOW_MS)) {
      const message = (body as { message?: unknown } | undefined)?.message;
      this.#finish("register_failed", new Error(`register failed: HTTP ${status}${typeof message === "string" ? `: ${message}` : ""}`));
      return;
    }
    const base = this.#backoff.retryDelay(attempt + 1);
    const jitter = Math.random() * Math.min(1000, base * 0.25);
    this.#later(Math.max(base + jitter, retryAfterMs), () => void this.#register(initial, attempt + 1, since));
  }

  // ---- socket ----

  #connect(): void {
    const link = this.#link;
    if (!link || this.#stopping) return;
    this.state = "connecting";
    const url = new URL(link.wsUrl);
    url.searchParams.set("deviceId", this.deviceId);
    url.searchParams.set("connectionName", this.connectionName);
    const socket = this.#socketCount++;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.#options.token}` },
      maxPayload: MAX_PAYLOAD,
      perMessageDeflate: this.#options.perMessageDeflate ?? true,
    });
    this.#ws = ws;
    let opened = false;
    ws.on("open", () => {
      opened = true;
      this.#opened(ws, link, socket);
    });
    ws.on("message", (data, isBinary) => this.#onMessage(ws, data as Buffer, isBinary, socket));
    ws.on("error", () => {
      /* a close follows */
    });
    ws.on("close", (code, reason) => {
      if (this.#ws === ws) this.#ws = undefined;
      if (opened) this.#closed(link, code, reason.toString(), socket);
      else this.#connectFailed(link);
    });
  }

  #opened(ws: WebSocket, link: Link, socket: number): void {
    if (this.#stopping) return;
    this.state = "open";
    this.#attempt = 0;
    this.#failingSince = undefined;
    this.#replayed = new Map();
    this.#sentStatus = new Map();
    this.#heartbeat?.dispose();
    this.#heartbeat = new Heartbeat({
      intervalMs: this.#options.pingIntervalMs ?? 30_000,
      maxMisses: 3,
      clock: this.#clock,
      onTick: () => this.#sendText(ws, '{"type":"ping"}', { type: "ping" }, socket),
      onDead: () => ws.terminate(),
    });
    this.#heartbeat.start();
    // The first tick must not count as a miss: the runtime counts unanswered pings, and none was sent yet.
    this.#heartbeat.touch();
    this.#emitter.emit("open", { connectionId: link.connectionId, socket });
    this.#firstOpen?.resolve();
    this.#firstOpen = undefined;
    // Pending approvals survive a reconnect: the runtime pushes them, with the state, to the new socket.
    for (const conversation of this.#conversations.values()) {
      if (!conversation.pending.length || !link.subscriptions.has(scopeKey(conversation.scope))) continue;
      const device = conversation.deviceBody();
      this.#replayed.set(scopeKey(conversation.scope), JSON.stringify(device.device_status));
      this.#emitScoped(conversation.scope, device);
      this.#emitScoped(conversation.scope, conversation.loopBody());
      for (const request of conversation.pending) this.#emitScoped(conversation.scope, conversation.controlRequestBody(request));
    }
  }

  #closed(link: Link, code: number, reason: string, socket: number): void {
    this.#heartbeat?.dispose();
    this.#heartbeat = undefined;
    this.#emitter.emit("close", { code, reason, socket });
    if (this.#stopping) return;
    if (code === 1000 && reason === REPLACED_REASON) {
      this.#finish("replaced");
      return;
    }
    if (code === 1008) {
      // "Environment gone": tear everything down, register again (no delay), new connectionId, seq from 1.
      for (const c of this.#conversations.values()) c.teardown();
      this.#link = undefined;
      void this.#register(false);
      return;
    }
    // Any other close: reconnect at once, same wsUrl and connectionId (event_seq and subscriptions kept).
    if (this.#link === link) this.#connect();
  }

  #connectFailed(link: Link): void {
    if (this.#stopping || this.#link !== link) return;
    const now = this.#clock.now();
    const since = (this.#failingSince ??= now);
    if (now - since >= RECONNECT_WINDOW_MS) {
      // "Computer connection expired, re-registering…"
      this.#link = undefined;
      void this.#register(false);
      return;
    }
    this.state = "waiting";
    this.#attempt++;
    this.#later(this.#backoff.retryDelay(this.#attempt), () => this.#connect());
  }

  // ---- sending ----

  #log(direction: "sent" | "received", text: string, frame: Record<string, unknown> | undefined, socket: number): FrameRecord {
    const record: FrameRecord = { direction, connectionId: this.#link?.connectionId, socket, at: this.#clock.now(), text, frame };
    if (this.#record) this.frames.push(record);
    return record;
  }

  #sendText(ws: WebSocket, text: string, frame: Record<string, unknown>, socket: number): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(text);
    this.#emitter.emit("sent", this.#log("sent", text, frame, socket));
  }

  #sendFrame(frame: Record<string, unknown>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    const text = this.#options.validate === false ? JSON.stringify(frame) : encodeEvent(frame as unknown as RuntimeEvent);
    this.#sendText(ws, text, frame, this.#socketCount - 1);
    return true;
  }

  /** Enveloped and scoped: dropped (no event_seq used) when no socket is open or the scope was never named. */
  #emitScoped(scope: Scope, body: EventBody, replay = false): void {
    if (body.type === "update_device_status" && !replay) this.#sentStatus.set(scopeKey(scope), JSON.stringify(body.device_status));
    const link = this.#link;
    const ws = this.#ws;
    if (!link || !ws || ws.readyState !== WebSocket.OPEN) return;
    if (!link.subscriptions.has(scopeKey(scope))) return;
    const seq = link.eventSeq + 1;
    const frame = {
      ...body,
      runtime: { agent_id: scope.agent_id, conversation_id: scope.conversation_id },
      event_seq: seq,
      emitted_at: iso(this.#clock.now()),
      idempotency_key: `${body.type}:${seq}:${randomUUID()}`,
    };
    if (this.#sendFrame(frame)) link.eventSeq = seq;
  }

  #direct(frame: RuntimeEvent): void {
    this.#sendFrame(frame as unknown as Record<string, unknown>);
  }

  // ---- conversations ----

  #conversation(scope: Scope): Conversation {
    const key = scopeKey(scope);
    let conversation = this.#conversations.get(key);
    if (!conversation) {
      conversation = new Conversation({ agent_id: scope.agent_id, conversation_id: scope.conversation_id }, this.#options.permissionMode ?? "unrestricted", {
        now: () => this.#clock.now(),
        pause: (ms, signal) => this.#pause(ms, signal),
        emit: (s, body) => this.#emitScoped(s, body),
        direct: (frame) => this.#direct(frame),
        deviceStatus: (c) =>
          deviceStatus({
            connectionId: this.#link?.connectionId ?? null,
            connectionName: this.connectionName,
            online: this.#ws?.readyState === WebSocket.OPEN,
            processing: c.busy,
            mode: c.mode,
            cwd: this.files.cwd,
            agentId: c.scope.agent_id,
            pending: c.pending.map(({ request_id, request }) => ({ request_id, request })),
            home: "/home/simulated",
          }),
        nextTurn: (c, text) => this.#nextTurn(c, text),
        nextToolCallId: () => `call_${++this.#toolCalls}`,
        nextRunId: () => `local-run-${++this.#runs}`,
        agentExists: (agentId) => this.#options.agents === undefined || this.#agents.has(agentId) || this.#options.agents.includes(agentId),
        runTool: (call) => this.#options.runTool?.(call) ?? (call.result || "(Command completed with no output)"),
      });
      this.#conversations.set(key, conversation);
    }
    return conversation;
  }

  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      if (ms <= 0) {
        queueMicrotask(() => (signal.aborted ? reject(signal.reason) : resolve()));
        return;
      }
      const handle = this.#clock.setTimeout(() => {
        this.#timers.delete(handle);
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) reject(signal.reason);
        else resolve();
      }, ms);
      this.#timers.add(handle);
      const onAbort = () => {
        this.#clock.clearTimeout(handle);
        this.#timers.delete(handle);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #nextTurn(conversation: Conversation, text: string): ScenarioTurn {
    const source = this.#options.scenario;
    const index = this.#turnIndex++;
    const pong: ScenarioTurn = { text: "pong", usage: false };
    if (!source) return pong;
    if (typeof source === "function") return source({ text, agentId: conversation.scope.agent_id, conversationId: conversation.scope.conversation_id, index });
    const turns = Array.isArray(source) ? (source as readonly ScenarioTurn[]) : (source as Scenario).turns;
    return turns[index] ?? pong;
  }

  /** The state replay of `sync` (and runtime_start): approvals, device status unless unchanged, loop, queue, subagents. */
  #replay(conversation: Conversation, force: boolean): void {
    const scope = conversation.scope;
    for (const request of conversation.pending) this.#emitScoped(scope, conversation.controlRequestBody(request));
    const device = conversation.deviceBody();
    const key = scopeKey(scope);
    const text = JSON.stringify(device.device_status);
    if (force || this.#replayed.get(key) !== text) {
      this.#replayed.set(key, text);
      this.#emitScoped(scope, device, true);
    }
    this.#emitScoped(scope, conversation.loopBody());
    this.#emitScoped(scope, conversation.queueBody());
    this.#emitScoped(scope, { type: "update_subagent_state", subagents: [] });
  }

  /** The background warm-up after a sync or runtime_start: the device status again, if it changed. */
  #warmUp(conversation: Conversation): void {
    // The warm-up loads the agent first; for an agent the local backend does not hold it stops there.
    const agentId = conversation.scope.agent_id;
    if (!this.#agents.has(agentId) && !this.#options.agents?.includes(agentId)) return;
    const device = conversation.deviceBody();
    const key = scopeKey(conversation.scope);
    if (this.#sentStatus.get(key) !== JSON.stringify(device.device_status)) this.#emitScoped(conversation.scope, device);
  }

  // ---- inbound ----

  #onMessage(ws: WebSocket, data: Buffer, _isBinary: boolean, socket: number): void {
    if (ws !== this.#ws) return;
    const text = data.toString("utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const frame = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    this.#emitter.emit("received", this.#log("received", text, frame, socket));
    if (!frame) return;
    // Lifecycle frames first: any JSON object typed "pong" answers the heartbeat.
    if (frame.type === "pong") {
      this.#heartbeat?.touch();
      return;
    }
    if (frame.type === "listener_ready") return;
    const legacy = legacyMessage(frame);
    if (legacy) {
      const scope = { agent_id: legacy.agentId, conversation_id: legacy.conversationId };
      this.#subscribe(scope);
      const { text: content, clientMessageId } = messageText(legacy.messages);
      this.#conversation(scope).input({ runtime: scope, clientMessageId: clientMessageId ?? `cm-submit-${randomUUID()}`, text: content, legacy: true });
      return;
    }
    const decoded = decodeCommand(frame);
    const loose = decoded.ok ? undefined : looseCommand(frame);
    if (!decoded.ok && !loose) {
      const invalid = invalidInputReason(frame);
      if (!invalid || invalid.runtime.agent_id === null) return; // dropped without a reply, as the runtime does
      const scope = { agent_id: invalid.runtime.agent_id, conversation_id: invalid.runtime.conversation_id };
      this.#subscribe(scope);
      this.#loopError(scope, invalid.reason);
      return;
    }
    const command = decoded.ok ? decoded.message : (loose as unknown as RuntimeCommand);
    const runtime = (command as { runtime?: unknown }).runtime;
    if (isRuntimeScope(runtime) && runtime.agent_id !== null) this.#subscribe({ agent_id: runtime.agent_id, conversation_id: runtime.conversation_id });
    this.#dispatch(command);
  }

  #subscribe(scope: Scope): void {
    this.#link?.subscriptions.add(scopeKey(scope));
  }

  /** A non-terminal loop_error for a scope: how the runtime refuses a command it parsed but cannot run. */
  #loopError(scope: Scope, message: string): void {
    this.#emitScoped(scope, {
      type: "stream_delta",
      delta: { id: `lifecycle-${randomUUID()}`, date: iso(this.#clock.now()), message_type: "loop_error", message, stop_reason: "error", is_terminal: false },
    });
  }

  #dispatch(command: RuntimeCommand): void {
    switch (command.type) {
      case "sync": {
        const { runtime } = command;
        const conversation =
          runtime.agent_id !== null && runtime.agent_id !== undefined
            ? this.#conversation({ agent_id: runtime.agent_id, conversation_id: runtime.conversation_id })
            : undefined;
        if (conversation) this.#replay(conversation, command.force_device_status === true);
        if (command.request_id) this.#direct({ type: "sync_response", request_id: command.request_id, runtime, success: true } as unknown as RuntimeEvent);
        if (conversation) this.#warmUp(conversation);
        return;
      }
      case "runtime_start":
        this.#runtimeStart(command);
        return;
      case "input":
        this.#input(command);
        return;
      case "abort_message": {
        const { runtime } = command;
        if (runtime.agent_id === null || runtime.agent_id === undefined) return;
        this.#conversation({ agent_id: runtime.agent_id, conversation_id: runtime.conversation_id }).abort(command.request_id, runtime);
        return;
      }
      case "change_device_state":
        this.#changeDeviceState(command);
        return;
      case "connect_provider": {
        if (command.provider_id === "openai-compatible") this.#providerBaseUrl = command.fields.baseUrl;
        this.#direct({
          type: "connect_provider_response",
          request_id: command.request_id,
          success: true,
          target: command.target,
          providers: [openAiCompatibleProvider(this.#providerBaseUrl)],
          models_may_have_changed: true,
        } as unknown as RuntimeEvent);
        return;
      }
      case "app_server_info":
        this.#direct({ type: "app_server_info_response", request_id: command.request_id, ...APP_SERVER_INFO } as unknown as RuntimeEvent);
        return;
      default: {
        const reply = (frame: RuntimeEvent) => this.#direct(frame);
        if (handleDeviceCommand(command, this.files, reply)) return;
        this.#options.onCommand?.(command, reply);
      }
    }
  }

  #runtimeStart(command: Extract<RuntimeCommand, { type: "runtime_start" }>): void {
    const fail = (error: string) =>
      this.#direct({
        type: "runtime_start_response",
        request_id: command.request_id,
        success: false,
        runtime: null,
        agent: null,
        conversation: null,
        created: { agent: false, conversation: false },
        error,
      } as unknown as RuntimeEvent);
    if (command.agent_id === "") return fail("runtime_start agent_id must be a non-empty string");
    if (command.conversation_id === "") return fail("runtime_start conversation_id must be a non-empty string");
    const hasAgentId = typeof command.agent_id === "string" && command.agent_id.length > 0;
    const hasCreateAgent = command.create_agent !== undefined;
    const hasConversationId = typeof command.conversation_id === "string" && command.conversation_id.length > 0;
    const hasCreateConversation = command.create_conversation !== undefined;
    if (hasAgentId && hasCreateAgent) return fail("runtime_start agent_id cannot be combined with create_agent");
    if (!hasAgentId && !hasCreateAgent && !hasConversationId && !hasCreateConversation) return fail("runtime_start requires an agent or conversation");
    if (hasConversationId && hasCreateConversation) return fail("runtime_start conversation_id cannot be combined with create_conversation");
    if (!hasAgentId && !hasCreateAgent) return fail("runtime_start requires an agent_id or create_agent (conversation lookup is not simulated)");

    const now = iso(this.#clock.now());
    let agentId: string;
    if (hasCreateAgent) {
      const body = (command.create_agent?.body ?? {}) as { name?: unknown; model?: unknown };
      agentId = `agent-local-${randomUUID()}`;
      this.#agents.set(agentId, {
        name: typeof body.name === "string" ? body.name : "Letta Code",
        model: typeof body.model === "string" ? body.model : "openai/gpt-5.5",
        createdAt: now,
      });
    } else {
      agentId = command.agent_id!;
      if (!this.#agents.has(agentId) && this.#options.agents !== undefined && !this.#options.agents.includes(agentId))
        return fail(`Agent ${agentId} not found`);
      if (!this.#agents.has(agentId)) this.#agents.set(agentId, { name: agentId, model: "openai/gpt-5.5", createdAt: now });
    }
    const conversationId = hasConversationId ? command.conversation_id! : `local-conv-${++this.#conversationCounter}`;
    const agent = this.#agents.get(agentId)!;
    const scope = { agent_id: agentId, conversation_id: conversationId };
    this.#subscribe(scope);
    const conversation = this.#conversation(scope);
    if (command.mode && PERMISSION_MODES.has(command.mode)) conversation.mode = command.mode;
    const respond = () =>
      this.#direct({
        type: "runtime_start_response",
        request_id: command.request_id,
        success: true,
        runtime: scope,
        agent: {
          id: agentId,
          name: agent.name,
          description: null,
          system: "",
          tools: [],
          tags: ["git-memory-enabled"],
          model: agent.model,
          model_settings: {},
          message_ids: [],
          in_context_message_ids: [],
          last_run_completion: agent.createdAt,
        },
        conversation: {
          id: conversationId,
          agent_id: agentId,
          archived: false,
          archived_at: null,
          created_at: now,
          updated_at: now,
          last_message_at: null,
          summary: null,
          in_context_message_ids: [],
        },
        created: { agent: hasCreateAgent, conversation: !hasConversationId },
      } as unknown as RuntimeEvent);
    const replay = () => this.#replay(conversation, command.force_device_status !== false);
    if (command.wait_for_replay) {
      replay();
      respond();
    } else {
      respond();
      replay();
    }
    this.#warmUp(conversation);
  }

  #input(command: Extract<RuntimeCommand, { type: "input" }>): void {
    const { runtime, payload } = command;
    if (runtime.agent_id === null || runtime.agent_id === undefined) return;
    const conversation = this.#conversation({ agent_id: runtime.agent_id, conversation_id: runtime.conversation_id });
    const requestId = command.request_id;
    if (payload.kind === "create_message") {
      const { text, clientMessageId } = messageText(payload.messages as unknown[]);
      conversation.input({ ...(requestId ? { requestId } : {}), runtime, clientMessageId: clientMessageId ?? `cm-submit-${randomUUID()}`, text });
      return;
    }
    if (payload.kind === "approval_response") {
      const p = payload as { request_id: string; error?: string; decision?: { behavior: "allow" | "deny"; message?: string } };
      const decision = typeof p.error === "string" ? { behavior: "deny" as const, message: p.error } : p.decision!;
      conversation.approve(requestId, p.request_id, decision, runtime);
      return;
    }
    if (requestId) {
      this.#direct({
        type: "input_accepted",
        request_id: requestId,
        runtime,
        accepted: false,
        error: "Teleport is not supported by the simulated runtime",
      } as unknown as RuntimeEvent);
    }
  }

  #changeDeviceState(command: Extract<RuntimeCommand, { type: "change_device_state" }>): void {
    const payload = command.payload as { mode?: string; cwd?: string; agent_id?: string | null; conversation_id?: string | null };
    // Older names the runtime still accepts.
    const mode =
      payload.mode === "default" ? "standard" : payload.mode === "bypassPermissions" || payload.mode === "fullAccess" ? "unrestricted" : payload.mode;
    const agentId = payload.agent_id ?? command.runtime.agent_id;
    const conversationId = payload.conversation_id ?? command.runtime.conversation_id;
    if (!agentId) return;
    // The scope named by the payload is not subscribed by this command (only `runtime` is): its events may go nowhere.
    const scope = { agent_id: agentId, conversation_id: conversationId };
    const conversation = this.#conversation(scope);
    const loopError = (message: string) => this.#loopError(scope, message);
    if (mode !== undefined) {
      if (!PERMISSION_MODES.has(mode)) return loopError(`Unsupported permission mode: ${mode}`);
      conversation.mode = mode as PermissionMode;
    }
    if (payload.cwd !== undefined && !this.files.exists(payload.cwd)) {
      return loopError(`ENOENT: no such file or directory, stat '${payload.cwd}'`);
    }
    conversation.changed();
  }
}

/**
 * Starts a simulated Letta Code runtime: it registers with `baseUrl`, opens its WebSocket and resolves once the
 * socket is open. Rejects if registration fails for good (a 4xx other than 429, or 2 minutes of failures).
 */
export async function createSimulatedRuntime(options: SimulatedRuntimeOptions): Promise<SimulatedRuntime> {
  const runtime = new SimulatedRuntimeImpl(options);
  await runtime.start();
  return runtime;
}
