// A minimal BYOR server for tests: register → {connectionId, wsUrl}, accept the runtime's socket, answer its pings,
// record every frame both ways, and let the test send commands and wait for frames.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { waitUntil } from "./wait.js";

export interface RegisterRecord {
  body: Record<string, unknown>;
  headers: IncomingMessage["headers"];
  connectionId: string;
  at: number;
}

export interface LoggedFrame {
  dir: "in" | "out";
  connectionId: string;
  socket: number;
  text: string;
  json: Record<string, unknown> | undefined;
  at: number;
}

export interface ServerSocket {
  readonly index: number;
  readonly connectionId: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly ws: WebSocket;
  readonly frames: LoggedFrame[];
  /** Date.now() when the server accepted the socket. */
  readonly openedAt: number;
  /** How it closed, and when (Date.now()). */
  closed: { code: number; reason: string; at: number } | undefined;
  send(frame: unknown): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export interface LoggingServerOptions {
  /** Expected bearer token; other tokens get 401 at register and at the upgrade. */
  token?: string;
  /** Answer `{"type":"ping"}` with `{"type":"pong"}` (default true). */
  autoPong?: boolean;
  connectionIdPrefix?: string;
  /** Status for a register call; 200 (default) answers with a new connection. */
  registerStatus?: (n: number) => number;
  /** Record frames (default true); off for load tests. */
  record?: boolean;
  /** HTTP status for the n-th upgrade attempt (1-based); anything but 101 refuses it. Default 101. */
  upgradeStatus?: (n: number) => number;
}

export interface LoggingServer {
  readonly url: string;
  readonly port: number;
  readonly registrations: RegisterRecord[];
  readonly sockets: ServerSocket[];
  readonly frames: LoggedFrame[];
  /** Open sockets right now. */
  readonly openCount: number;
  /** Upgrade attempts seen (accepted or refused), with their times. */
  readonly upgradeAttempts: number[];
  autoPong: boolean;
  /** The next socket to open (or the one already opened at that index). */
  socket(index: number, timeoutMs?: number): Promise<ServerSocket>;
  /** Resolves with the first inbound frame (from index `from` of `frames`) matching `match`. */
  waitFor(match: (frame: LoggedFrame) => boolean, options?: { timeoutMs?: number; from?: number }): Promise<LoggedFrame>;
  /** Inbound JSON frames, optionally from an index of `frames`. */
  received(from?: number): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function createLoggingServer(options: LoggingServerOptions = {}): Promise<LoggingServer> {
  const prefix = options.connectionIdPrefix ?? "conn-test-";
  const record = options.record ?? true;
  const registrations: RegisterRecord[] = [];
  const sockets: ServerSocket[] = [];
  const frames: LoggedFrame[] = [];
  const frameWaiters = new Set<() => void>();
  const socketWaiters = new Set<() => void>();
  let openCount = 0;
  const upgradeAttempts: number[] = [];
  let port = 0;
  const authorized = (req: IncomingMessage) => options.token === undefined || req.headers.authorization === `Bearer ${options.token}`;
  const notify = (set: Set<() => void>) => {
    for (const fn of [...set]) fn();
  };

  const http: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method === "POST" && url.pathname === "/v1/environments/register") {
        const n = registrations.length + 1;
        const status = options.registerStatus?.(n) ?? 200;
        if (!authorized(req)) {
          res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Unauthorized"}');
          return;
        }
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>;
        } catch {
          /* recorded as empty */
        }
        const connectionId = `${prefix}${n}`;
        registrations.push({ body, headers: req.headers, connectionId, at: Date.now() });
        if (status !== 200) {
          res.writeHead(status, { "content-type": "application/json" }).end('{"message":"scripted failure"}');
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ connectionId, wsUrl: `ws://127.0.0.1:${port}/ws/${connectionId}` }));
        return;
      }
      const status = url.pathname.match(/^\/v1\/agents\/([^/]+)\/runtime-status$/);
      if (req.method === "GET" && status) {
        const ids = (url.searchParams.get("conversation_ids") ?? "").split(",").filter(Boolean);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ statuses: ids.map((id) => ({ conversation_id: id, state: "IDLE", has_conflicting_listeners: false, active_harness: null })) }),
        );
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not found"}');
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  let upgrades = 0;
  http.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    upgradeAttempts.push(Date.now());
    const status = options.upgradeStatus?.(++upgrades) ?? 101;
    if (status !== 101) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const match = url.pathname.match(/^\/ws\/(.+)$/);
    if (!match || !authorized(req)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    const connectionId = decodeURIComponent(match[1]!);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const index = sockets.length;
      const own: LoggedFrame[] = [];
      const log = (dir: "in" | "out", text: string) => {
        if (!record) return;
        let json: Record<string, unknown> | undefined;
        try {
          const v = JSON.parse(text) as unknown;
          if (v && typeof v === "object" && !Array.isArray(v)) json = v as Record<string, unknown>;
        } catch {
          /* not JSON */
        }
        const frame: LoggedFrame = { dir, connectionId, socket: index, text, json, at: Date.now() };
        frames.push(frame);
        own.push(frame);
        notify(frameWaiters);
      };
      const entry: ServerSocket = {
        index,
        connectionId,
        query: url.searchParams,
        headers: req.headers,
        ws,
        frames: own,
        openedAt: Date.now(),
        closed: undefined,
        send(frame) {
          const text = typeof frame === "string" ? frame : JSON.stringify(frame);
          log("out", text);
          ws.send(text);
        },
        close(code, reason) {
          ws.close(code, reason);
        },
        terminate() {
          ws.terminate();
        },
      };
      openCount++;
      ws.on("message", (data, isBinary) => {
        const text = isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString();
        log("in", text);
        if (server.autoPong && text === '{"type":"ping"}') entry.send({ type: "pong" });
      });
      // A peer that resets the connection (a runtime terminating its socket) raises ECONNRESET here; the close
      // event follows with 1006, which is what the tests look at.
      ws.on("error", () => undefined);
      ws.on("close", (code, reason) => {
        openCount--;
        entry.closed = { code, reason: reason.toString(), at: Date.now() };
        notify(frameWaiters);
      });
      sockets.push(entry);
      notify(socketWaiters);
    });
  });

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  port = (http.address() as AddressInfo).port;

  const wait = <T>(set: Set<() => void>, check: () => T | undefined, timeoutMs: number, what: string) => waitUntil(set, check, timeoutMs, () => what);

  const server: LoggingServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    registrations,
    sockets,
    frames,
    autoPong: options.autoPong ?? true,
    get openCount() {
      return openCount;
    },
    upgradeAttempts,
    socket(index, timeoutMs = 10_000) {
      return wait(socketWaiters, () => sockets[index], timeoutMs, `socket #${index}`);
    },
    waitFor(match, { timeoutMs = 10_000, from = 0 } = {}) {
      return wait(frameWaiters, () => frames.slice(from).find((f) => f.dir === "in" && match(f)), timeoutMs, "a matching frame");
    },
    received(from = 0) {
      return frames
        .slice(from)
        .filter((f) => f.dir === "in" && f.json)
        .map((f) => f.json!);
    },
    close() {
      for (const s of sockets) s.ws.terminate();
      return new Promise<void>((resolve) => {
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
  return server;
}
