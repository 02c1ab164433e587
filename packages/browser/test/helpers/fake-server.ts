// A fake browser WebSocket wired to an in-process BYOR client endpoint: @byor/core's AppSessions (hello, welcome,
// seq/ack, resume, reset) behind the same upgrade checks as @byor/node-server (token by subprotocol or ?token=,
// refused upgrades look like close 1006 to the page, as in a real browser).
import { AppSessions, toDisposable, type AppConnection, type CloseInfo, type Disposable, type Transport } from "@byor/core";
import type { RuntimeEvent } from "@byor/protocol";
import type { FetchLike, PageEvent, PageSignals, WebSocketLike } from "../../src/index.js";

export const TOKEN = "good-token_1";
export const RUNTIME = "dev-1";
export const SCOPE = { agent_id: "agent-1", conversation_id: "default" };

type Json = Record<string, unknown> & { type: string };

/** A valid enveloped runtime event, distinct per n. */
export const loopEvent = (n: number, status = "WAITING_ON_INPUT"): RuntimeEvent =>
  ({
    type: "update_loop_status",
    loop_status: { status, active_run_ids: [], executing_tool_call_ids: [] },
    runtime: SCOPE,
    event_seq: n,
    emitted_at: "2026-11-27T14:54:50.108Z",
    idempotency_key: `update_loop_status:${n}:key-${n}`,
  }) as RuntimeEvent;

const RUNTIME_INFO = {
  id: RUNTIME,
  connection_name: "laptop",
  connection_id: "conn-1",
  online: true,
  connected_at: "2026-11-27T14:00:00.000Z",
  last_seen_at: "2026-11-27T14:00:00.000Z",
};

export class FakeServer {
  token = TOKEN;
  /** Refuse this many upgrades (as 503 would: close 1006 before open), whatever the token. */
  refuseNext = 0;
  /** Never answer upgrades (a black-holed network). */
  hang = false;
  down = false;
  sessions: AppSessions;
  /** Every socket dialled, in order. */
  readonly sockets: FakeWebSocket[] = [];
  /** Every app frame received, per socket index. */
  readonly received: Json[][] = [];
  readonly connections: AppConnection[] = [];
  readonly subscribed: Json[] = [];
  readonly fetches: { url: string; authorization: string | undefined }[] = [];

  constructor(options: ConstructorParameters<typeof AppSessions>[0] = {}) {
    this.sessions = new AppSessions({ parkMs: 60_000, ...options });
  }

  /** The WebSocket constructor to inject. */
  get WebSocket() {
    const server = this;
    return class extends FakeWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols);
      }
    };
  }

  /** The fetch to inject: answers GET /byor/v1/runtimes like node-server (401 on a wrong token). */
  readonly fetch: FetchLike = async (url, init) => {
    this.fetches.push({ url, authorization: init.headers.authorization });
    if (this.down) throw new TypeError("Failed to fetch");
    return { status: init.headers.authorization === `Bearer ${this.token}` ? 200 : 401 };
  };

  /** The live socket (last one open). */
  get current(): FakeWebSocket | undefined {
    return [...this.sockets].reverse().find((s) => s.readyState === 1);
  }

  /** Relays a runtime event to every welcomed app session (numbered when it asked for seq/ack). */
  broadcast(event: RuntimeEvent): void {
    for (const conn of this.connections) conn.deliver({ type: "byor.event", runtime_id: RUNTIME, event });
  }

  /** @internal The upgrade: token check, then an AppConnection on the server side. */
  handshake(ws: FakeWebSocket): void {
    if (this.hang) return;
    const protocols = typeof ws.protocols === "string" ? [ws.protocols] : (ws.protocols ?? []);
    const fromProtocol = protocols.find((p) => p.startsWith("byor.token."))?.slice("byor.token.".length);
    const fromQuery = new URL(ws.url).searchParams.get("token") ?? undefined;
    const ok = !this.down && (fromProtocol ?? fromQuery) === this.token && this.refuseNext === 0;
    if (this.refuseNext > 0) this.refuseNext--;
    if (!ok) {
      ws.fail();
      return;
    }
    const index = this.sockets.indexOf(ws);
    this.received[index] = [];
    ws.server.onMessage((text) => this.received[index]!.push(JSON.parse(text) as Json));
    const conn = this.sessions.accept(ws.server);
    conn.on("frame", (frame) => this.#handle(conn, frame as Json));
    ws.open();
  }

  #handle(conn: AppConnection, frame: Json): void {
    if (!this.connections.includes(conn)) this.connections.push(conn);
    switch (frame.type) {
      case "byor.list_runtimes":
        conn.reply({ type: "byor.runtimes", request_id: frame.request_id as string, runtimes: [RUNTIME_INFO] });
        return;
      case "byor.subscribe":
        this.subscribed.push(frame);
        conn.reply({ type: "byor.subscribed", runtime_id: RUNTIME, scope: SCOPE, success: true, request_id: frame.request_id as string });
        return;
      default:
        return;
    }
  }
}

/** Drives the browser-facing side; `server` is the server end as a core Transport. */
export class FakeWebSocket implements WebSocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = "blob";
  readonly url: string;
  readonly protocols: string | string[] | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  /** close() calls from the page. */
  readonly closedWith: CloseInfo[] = [];
  readonly server: Transport & { drop(): void };
  readonly #fakeServer: FakeServer;
  #serverMessage = new Set<(text: string) => void>();
  #serverClose = new Set<(close: CloseInfo) => void>();

  constructor(server: FakeServer, url: string, protocols?: string | string[]) {
    this.#fakeServer = server;
    this.url = url;
    this.protocols = protocols;
    server.sockets.push(this);
    const self = this;
    this.server = {
      send(text) {
        if (self.readyState !== 1) return;
        queueMicrotask(() => self.readyState === 1 && self.onmessage?.({ data: text }));
      },
      close(code, reason) {
        self.#closeBoth({ code, reason });
      },
      drop() {
        self.#closeBoth({ code: 1006, reason: "" });
      },
      onMessage(listener): Disposable {
        self.#serverMessage.add(listener);
        return toDisposable(() => self.#serverMessage.delete(listener));
      },
      onClose(listener): Disposable {
        self.#serverClose.add(listener);
        return toDisposable(() => self.#serverClose.delete(listener));
      },
    };
    queueMicrotask(() => server.handshake(this));
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError: still connecting");
    queueMicrotask(() => {
      for (const listener of this.#serverMessage) listener(data);
    });
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new Error(`InvalidAccessError: close code ${code}`);
    this.closedWith.push({ code: code ?? 1005, reason: reason ?? "" });
    if (this.readyState === 0) {
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code: 1006, reason: "" }));
      return;
    }
    this.#closeBoth({ code: code ?? 1005, reason: reason ?? "" });
  }

  /** @internal */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** @internal A refused upgrade, as a browser reports it. */
  fail(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: "" });
  }

  #closeBoth(close: CloseInfo): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => {
      this.onclose?.(close);
      for (const listener of [...this.#serverClose]) listener(close);
    });
  }

  get fakeServer(): FakeServer {
    return this.#fakeServer;
  }
}

/** A page whose visibility and network the test controls. */
export class FakePage implements PageSignals {
  isVisible = true;
  isOnline = true;
  readonly #listeners = new Set<(event: PageEvent) => void>();
  visible = () => this.isVisible;
  online = () => this.isOnline;
  watch(listener: (event: PageEvent) => void): Disposable {
    this.#listeners.add(listener);
    return toDisposable(() => this.#listeners.delete(listener));
  }
  get watchers(): number {
    return this.#listeners.size;
  }
  emit(event: PageEvent): void {
    if (event === "hidden") this.isVisible = false;
    if (event === "visible") this.isVisible = true;
    if (event === "offline") this.isOnline = false;
    if (event === "online") this.isOnline = true;
    for (const listener of [...this.#listeners]) listener(event);
  }
}
