// A stand-in for `letta server --listen` on a free 127.0.0.1 port, over real sockets (node's http + ws): the same
// upgrade checks as the real runtime (Authorization: Bearer, refusals as `HTTP/1.1 <status> <message>`, Origin
// refused without auth), app_server_info and sync answered, protocol pings on demand. The real runtime is
// exercised by the interop tests; this one lets a test cut, refuse and restart at will.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";

const INFO = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../../schema/events/app_server_info_response.examples.jsonl"), "utf8").split("\n")[0]!,
) as Record<string, unknown>;

export type FakeAuth = { token: string } | { secret: string; issuer?: string; audience?: string };

export interface FakeAppServer {
  url: string;
  port: number;
  /** Every command received, over all connections. */
  received: Record<string, unknown>[];
  /** Open sockets. */
  sockets: Set<WebSocket>;
  /** Upgrade requests' Authorization headers, in order. */
  authorizations: (string | undefined)[];
  connections: number;
  pingAll(): void;
  /** Stops answering (and pinging): the socket stays open but silent. */
  mute: boolean;
  stop(): Promise<void>;
  /** Listens again on the same port (after stop). */
  start(): Promise<void>;
}

const base64Url = (b: Buffer) => b.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The runtime's JWT check, re-stated for the test (HS256, exp required, iss/aud when configured). */
export function verifyJwt(token: string, auth: { secret: string; issuer?: string; audience?: string }): string | null {
  const [head, body, signature] = token.split(".");
  if (!head || !body || !signature) return "invalid websocket jwt";
  const expected = base64Url(createHmac("sha256", auth.secret).update(`${head}.${body}`).digest());
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return "invalid websocket jwt";
  const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
  if (header.alg !== "HS256") return "invalid websocket jwt";
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { exp?: number; iss?: string; aud?: string | string[] };
  if (!Number.isSafeInteger(claims.exp)) return "invalid websocket jwt";
  if (Math.floor(Date.now() / 1000) > claims.exp!) return "expired websocket jwt";
  if (auth.issuer !== undefined && claims.iss !== auth.issuer) return "websocket jwt issuer mismatch";
  if (auth.audience !== undefined && !(claims.aud === auth.audience || (Array.isArray(claims.aud) && claims.aud.includes(auth.audience))))
    return "websocket jwt audience mismatch";
  return null;
}

function refusalOf(authorization: string | undefined, auth: FakeAuth | undefined): string | null {
  if (!auth) return null;
  if (authorization === undefined) return "missing websocket bearer token";
  const [scheme, token] = authorization.split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) return "invalid authorization header";
  if ("token" in auth) {
    const digest = (s: string) => createHash("sha256").update(s).digest();
    return timingSafeEqual(digest(token), digest(auth.token)) ? null : "invalid websocket bearer token";
  }
  return verifyJwt(token, auth);
}

export async function startFakeAppServer(options: { auth?: FakeAuth; port?: number } = {}): Promise<FakeAppServer> {
  let http: Server;
  const wss = new WebSocketServer({ noServer: true });
  const tcp = new Set<Socket>();
  const fake: FakeAppServer = {
    url: "",
    port: options.port ?? 0,
    received: [],
    sockets: new Set(),
    authorizations: [],
    connections: 0,
    mute: false,
    pingAll() {
      for (const socket of fake.sockets) socket.ping();
    },
    async stop() {
      for (const socket of fake.sockets) socket.terminate();
      for (const socket of tcp) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
    async start() {
      http = createServer((_req, res) => res.writeHead(404).end());
      http.on("connection", (socket) => {
        tcp.add(socket);
        socket.on("close", () => tcp.delete(socket));
      });
      http.on("upgrade", (request, socket, head) => {
        fake.authorizations.push(request.headers.authorization);
        const refused = refusalOf(request.headers.authorization, options.auth);
        if (refused) return void socket.end(`HTTP/1.1 401 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        if (request.headers.origin !== undefined && !options.auth)
          return void socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        if (new URL(request.url ?? "/", "http://x").pathname !== "/ws")
          return void socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        wss.handleUpgrade(request, socket, head, (ws) => {
          fake.connections++;
          fake.sockets.add(ws);
          ws.on("close", () => fake.sockets.delete(ws));
          ws.on("message", (data) => {
            if (fake.mute) return;
            const command = JSON.parse(String(data)) as Record<string, unknown>;
            fake.received.push(command);
            if (command.type === "app_server_info") ws.send(JSON.stringify({ ...INFO, request_id: command.request_id }));
            if (command.type === "sync")
              ws.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
          });
        });
      });
      await new Promise<void>((resolve) => http.listen(fake.port, "127.0.0.1", resolve));
      fake.port = (http.address() as AddressInfo).port;
      fake.url = `ws://127.0.0.1:${fake.port}`;
    },
  };
  await fake.start();
  return fake;
}
