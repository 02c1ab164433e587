import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { CLIENT_CLOSE, RUNTIME_CLOSE, type Disposable, type RuntimeSession, type Transport } from "@byor/core";
import { WebSocket, WebSocketServer } from "ws";
import { CLIENT_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, generateToken, isOriginAllowed, offeredSubprotocols, presentedToken, type TokenSource } from "./auth.js";
import { AppAuthenticator, type AppAuthResult } from "./app-auth.js";
import { openAuditLog, type AuditLog } from "./audit-log.js";
import { kept, resolveCredentials, saveCredentials, type CredentialKind, type Credentials, type TokenOrigin } from "./credentials.js";
import { RuntimeStore } from "./runtime-store.js";
import { StateDir } from "./state-dir.js";
import { TokensFile, sha256Hex, type TokensChange } from "./tokens-file.js";
import { loadConsole, type ConsoleAssets } from "./console-assets.js";
import { createRequestHandler } from "./http-routes.js";
import { redactingLogger, silentLogger, type Logger } from "./logger.js";
import { resolveOptions, type ByorServerOptions, type ResolvedOptions } from "./options.js";
import { PATHS } from "./paths.js";
import { Hub, idProblem, runtimeLabel, type FaultLog, type RuntimeMode, type RuntimeSummary } from "@byor/hub";
import { renderMetrics } from "./metrics.js";
import { connectionIdFor } from "./connection-id.js";
import { dialSpec } from "./dial.js";
import { refuseUpgrade } from "./upgrade-refusal.js";
import { deflateOptions } from "./deflate.js";
import { wsTransport, type WsTransportOptions } from "./ws-transport.js";

const RUNTIME_AUTH: readonly TokenSource[] = ["header"];
/** Apps: a header (Node), or for browsers (which cannot set headers) the subprotocol, or `?token=`. */
const APP_AUTH: readonly TokenSource[] = ["header", "subprotocol", "query"];
/** What an app hears when handling its frame made the server throw: the frame is dropped, the socket stays. */
const INTERNAL_ERROR = JSON.stringify({ type: "byor.error", code: "internal_error", message: "the server failed to handle this frame; it was dropped" });
/** A Host header usable in a URL: a DNS name or IPv4 address, or a bracketed IPv6 one, and an optional port. */
const VALID_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** How long `close()` waits for sockets to finish their close handshake before cutting them. */
const CLOSE_GRACE_MS = 3_000;
/** At most one line per this interval about refused addresses (a scanner would flood the log). */
const ADDRESS_LOG_MS = 10_000;
/** Close of an app whose token was revoked (the tokens file, a rotation's grace over): fatal, like a wrong token. */
const REVOKED = { code: CLIENT_CLOSE.unauthorized, reason: "Credentials revoked" };
/** Close of an app whose token now has another role: it reconnects (and resumes) with the new role. */
const CHANGED = { code: 1012, reason: "Credentials changed" };
/** Close of a runtime whose token's grace period is over: it reconnects, and is refused until given the new token. */
const RUNTIME_EXPIRED = { code: 1000, reason: "Token expired" };

type SocketKind = "runtime" | "app";

/** A runtime as an embedded app sees it: who it is, and its core session. */
export interface ServerRuntime {
  /** Its id on this server (the device id; `app-server-…` for a dialled runtime). */
  readonly id: string;
  readonly deviceId: string;
  readonly mode: RuntimeMode;
  readonly connectionName: string;
  readonly online: boolean;
  readonly session: RuntimeSession;
}

/** The permessage-deflate terms agreed at each runtime upgrade, until its socket is set up. */
const negotiated = new WeakMap<IncomingMessage, string>();

/**
 * The BYOR server: the HTTP endpoints and WebSocket the stock Letta Code runtime needs (`letta remote`), and the
 * client endpoint apps use to watch and drive those runtimes. Create it with `createByorServer`, or `new` + `listen`.
 */
export class ByorServer {
  readonly #options: ResolvedOptions;
  readonly #logger: Logger;
  readonly #http: Server;
  readonly #runtimeWss: WebSocketServer;
  readonly #appWss: WebSocketServer;
  readonly #hub: Hub;
  readonly #sockets = new Map<WebSocket, SocketInfo>();
  // Per socket the server keeps an entry here and nothing else: the listeners and the transport options below are
  // one per server (a closure per socket costs ~0.1 KiB with its context, and one made in the upgrade would keep
  // the upgrade request alive, ~1.3 KiB).
  readonly #socketError: (this: WebSocket, error: Error) => void;
  readonly #socketClosed: (this: WebSocket) => void;
  readonly #runtimeTransport: WsTransportOptions;
  readonly #appTransport: WsTransportOptions;
  #appCounter = 0;
  #closing: Promise<void> | undefined;
  readonly #console: ConsoleAssets | undefined;
  readonly #faults: FaultLog;
  readonly #state: StateDir | undefined;
  readonly #credentials: Credentials;
  readonly #tokensFile: TokensFile | undefined;
  readonly #appAuth: AppAuthenticator;
  readonly #audit: AuditLog | undefined;
  readonly #store: RuntimeStore | undefined;
  readonly #clock: () => number;
  /** Re-checks open sockets when a rotated token's grace period ends. */
  readonly #expiryTimers = new Set<ReturnType<typeof setTimeout>>();
  #addressLog = { at: -Infinity, skipped: 0 };

  constructor(options: ByorServerOptions = {}) {
    this.#options = resolveOptions(options);
    const opts = this.#options;
    // Token expiries are wall-clock times (kept in the state directory), not the sessions' clock.
    this.#clock = Date.now;
    this.#state = opts.dataDir ? new StateDir(opts.dataDir) : undefined;
    this.#credentials = resolveCredentials({
      token: options.token,
      runtimeToken: options.runtimeToken,
      env: options.env ?? process.env,
      state: this.#state,
      now: this.#clock(),
    });
    if (options.rotateToken) this.#rotateKept(opts.tokenGraceMs);
    this.#logger = redactingLogger(options.logger ?? silentLogger, () => this.#secrets());
    const sockets = this.#sockets;
    const logger = this.#logger;
    this.#socketError = function (this: WebSocket, error: Error) {
      const info = sockets.get(this);
      const maxPayload = info?.kind === "app" ? opts.maxAppPayload : opts.maxRuntimePayload;
      logger.warn(`${info?.kind ?? "socket"} ${info?.label ?? "?"}: ${describeSocketError(error, maxPayload)}`);
    };
    this.#socketClosed = function (this: WebSocket) {
      sockets.delete(this);
    };
    const transports = this.#transportOptions();
    this.#runtimeTransport = transports.runtime;
    this.#appTransport = transports.app;
    this.#hub = new Hub({
      ...(options.clock && { clock: options.clock }),
      ...(options.backplane && { backplane: options.backplane }),
      ids: { connectionId: connectionIdFor },
      logger: this.#logger,
      maxRuntimes: opts.maxRuntimes,
      ...(options.runtimeSession && { runtimeSession: options.runtimeSession }),
      ...(options.appSessions && { appSessions: options.appSessions }),
      ...(options.auditLog !== undefined && { audit: (record) => this.#audit?.write(record) }),
      auditClasses: opts.auditClasses,
    });
    this.#faults = this.#hub.faults;
    this.#tokensFile =
      options.tokensFile === undefined
        ? undefined
        : new TokensFile(
            options.tokensFile,
            opts.roles,
            (digest) => this.#tokenConflict(digest),
            this.#logger,
            (change) => this.#tokensChanged(change),
          );
    this.#appAuth = new AppAuthenticator({
      credentials: this.#credentials,
      tokensFile: () => this.#tokensFile,
      hook: options.authenticate,
      roles: opts.roles,
      failed: (what, error) => this.#faults.report("authenticate", what, error),
      now: this.#clock,
      hookTimeoutMs: opts.authenticateTimeoutMs,
    });
    this.#audit =
      options.auditLog === undefined
        ? undefined
        : openAuditLog(options.auditLog, (error) => this.#faults.report("audit log", "writing the audit log failed", error));
    if (this.#state) {
      this.#store = new RuntimeStore(this.#state, this.#hub, this.#logger);
      const restored = this.#store.restore();
      if (restored > 0) this.#logger.info(`listed ${restored} runtimes known before the restart (offline until they reconnect)`);
    }

    // permessage-deflate is negotiated when the peer offers it (the runtime does); small frames are not compressed.
    const deflate = deflateOptions(opts.perMessageDeflate);
    this.#runtimeWss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: opts.maxRuntimePayload, perMessageDeflate: deflate });
    // What the runtime's socket compresses with, for the log (`ws.extensions` names the extension, not its terms).
    this.#runtimeWss.on("headers", (headers, req) => {
      const line = headers.find((h) => h.toLowerCase().startsWith("sec-websocket-extensions:"));
      if (line) negotiated.set(req, line.slice(line.indexOf(":") + 1).trim());
    });
    this.#appWss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: opts.maxAppPayload,
      perMessageDeflate: deflate,
      // Only ours is ever selected, never a token one (that would echo the token). An offer of a token without ours
      // is refused at the upgrade (#upgrade): a browser fails a connection on which none of its offers is selected.
      handleProtocols: (offered) => (offered.has(CLIENT_SUBPROTOCOL) ? CLIENT_SUBPROTOCOL : false),
    });

    this.#console = loadConsole(opts.consoleDir);
    const handler = createRequestHandler({
      options: opts,
      logger: this.#logger,
      hub: this.#hub,
      runtimes: () => this.runtimes(),
      metrics: () => this.#renderMetrics(),
      refused: (error) => this.#hub.metrics.refusal(error),
      socketBase: (req) => this.#socketBase(req),
      describe: (req) => `${req.method ?? "GET"} ${req.url ?? "/"}`,
      console: this.#console,
      faults: this.#faults,
      runtimeAuthorized: (req, url) => this.#runtimeTokenId(req, url) !== undefined,
      authenticateApp: (req, url, sources) => this.#appAuth.authenticate(req, url, sources),
      addressAllowed: (req) => this.#addressAllowed(req, `${req.method ?? "GET"} ${req.url ?? "/"}`),
    });
    this.#http = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttpServer(handler);
    this.#http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Fenced: an upgrade that makes the server throw is answered 500 (a failed attempt: the runtime retries).
      try {
        this.#upgrade(req, socket, head);
      } catch (error) {
        this.#faults.report("WebSocket upgrade", `WebSocket upgrade ${req.url ?? "/"} failed`, error);
        refuseUpgrade(socket, 500, { error: "internal_error", message: "the server failed to handle this upgrade" });
      }
    });
    this.#http.on("clientError", (error, socket) => {
      this.#logger.warn(`bad HTTP request: ${error.message}`);
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
  }

  /** Whether the web console is served at `/` (false: a placeholder page, the console was not built). */
  get hasConsole(): boolean {
    return this.#console !== undefined;
  }

  /** The owner's app token: apps presenting it have the admin role (the console URL carries it). */
  get token(): string {
    return this.#credentials.app.token;
  }

  /** Where the app token came from: the `token` option, `BYOR_TOKEN`, the state directory, or generated now. */
  get tokenOrigin(): TokenOrigin {
    return this.#credentials.app.origin;
  }

  /** The token runtimes present (their LETTA_API_KEY). The app token too when one token serves both (see `token`). */
  get runtimeToken(): string {
    return this.#credentials.runtime.token;
  }

  /** Where the runtime token came from (the app token's origin when one token serves both). */
  get runtimeTokenOrigin(): TokenOrigin {
    return this.#credentials.runtime.origin;
  }

  /** The state directory (the `dataDir` option), if any. */
  get dataDir(): string | undefined {
    return this.#state?.path;
  }

  /**
   * Replaces a token with a new one (`token`, else a random one) and returns it; the old one is accepted for
   * `graceMs` more (default: the `tokenGraceMs` option), then refused, and the sockets it opened are closed. Kept in
   * the state directory when the token was. When one token serves runtimes and apps, both kinds rotate it.
   */
  rotateToken(kind: CredentialKind, options: { graceMs?: number; token?: string } = {}): string {
    const next = options.token ?? generateToken();
    if (next.length === 0 || /\s/.test(next)) throw new TypeError("the new token must be non-empty and contain no whitespace");
    const other = kind === "app" ? this.#credentials.runtime : this.#credentials.app;
    if (other !== this.#credentials[kind] && next === other.token) throw new TypeError("the runtime token and the app token must differ");
    const graceMs = options.graceMs ?? this.#options.tokenGraceMs;
    this.#credentials[kind].rotate(next, graceMs, this.#clock());
    this.#scheduleExpiry(graceMs);
    this.#saveCredentials();
    this.#revalidate(); // a grace of 0 ends the old token now
    return next;
  }

  /** Reads the tokens file again now (it is also re-read when it changes). Returns whether its tokens changed. */
  reloadTokensFile(): boolean {
    return this.#tokensFile?.reload() ?? false;
  }

  get host(): string {
    return this.#options.host;
  }

  /** The bound port (after `listen`). */
  get port(): number {
    const address = this.#http.address() as AddressInfo | null;
    return address?.port ?? this.#options.port;
  }

  /** `http://127.0.0.1:8284`: the base URL runtimes use as LETTA_BASE_URL (https with TLS). */
  get url(): string {
    if (this.#options.publicUrl) return this.#options.publicUrl;
    const host = this.#options.host.includes(":") ? `[${this.#options.host}]` : this.#options.host;
    return `${this.#options.tls ? "https" : "http"}://${host}:${this.port}`;
  }

  /** The runtimes this server knows, online or not (with a backplane: every node's). */
  runtimes(): RuntimeSummary[] {
    return this.#hub.runtimes();
  }

  /**
   * A runtime's session, in process: what an app embedded in the server uses instead of the client endpoint (the
   * seed page's "direct mode"): `watch`, `request`, `send`, `mirror`, `onEvent`, `events()`. Undefined for an id the
   * server does not know.
   */
  runtime(id: string): ServerRuntime | undefined {
    return this.#hub.runtime(id);
  }

  /**
   * Runs `handler` each time a runtime's socket opens (its first connection and every reconnect; App Server
   * runtimes included), after the server's own bookkeeping. A throwing handler is logged; the server carries on.
   */
  onRuntime(handler: (runtime: ServerRuntime) => void): Disposable {
    return this.#hub.onRuntime(handler);
  }

  /** The hub behind this server: runtimes, apps and what connects them, without HTTP or sockets. */
  get hub(): Hub {
    return this.#hub;
  }

  #renderMetrics(): string {
    return renderMetrics(this.#hub.metrics, { ...this.#hub.stats(), connections: this.connections });
  }

  /** Open WebSockets, by kind. */
  get connections(): { runtimes: number; apps: number } {
    let runtimes = 0;
    for (const { kind } of this.#sockets.values()) if (kind === "runtime") runtimes++;
    return { runtimes, apps: this.#sockets.size - runtimes };
  }

  /** Starts listening (after joining the backplane). Rejects if the port is taken or the backplane unreachable. */
  async listen(): Promise<this> {
    await this.#hub.start();
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#http.once("error", onError);
      this.#http.listen(this.#options.port, this.#options.host, () => {
        this.#http.off("error", onError);
        this.#http.on("error", (error) => this.#logger.error(`server error: ${error.message}`));
        // Written once the port is ours: a server that fails to start leaves no new state behind.
        this.#saveCredentials();
        this.#store?.start();
        this.#tokensFile?.watch(this.#options.tokensFilePollMs);
        for (const { expires } of [...this.#credentials.app.previous, ...this.#credentials.runtime.previous]) this.#scheduleExpiry(expires - this.#clock());
        if (this.#credentials.app === this.#credentials.runtime) {
          this.#logger.warn(
            "one token serves runtimes and apps (token or BYOR_TOKEN given, no runtime token): give runtimes their own with runtimeToken (--runtime-token, BYOR_RUNTIME_TOKEN)",
          );
        }
        for (const target of this.#options.dial) {
          this.#logger.info(`dialling the App Server runtime at ${target.url}`);
          this.#hub.dial(dialSpec(target));
        }
        resolve(this);
      });
    });
  }

  /**
   * Stops: no new connections; every runtime socket closed with 1001 `Server shutting down` (the runtimes retry
   * with backoff until a server is back), every app with 1001 after being told its runtimes went offline. Resolves
   * when every socket is closed (cut after a short grace) and the port is free.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#tokensFile?.close();
    for (const timer of this.#expiryTimers) clearTimeout(timer);
    this.#hub.close();
    this.#store?.close(); // after the hub: every runtime's last-seen time is final
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.#sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.#sockets.keys()) ws.terminate();
    this.#runtimeWss.close();
    this.#appWss.close();
    this.#http.closeAllConnections();
    await closed;
    await this.#audit?.close();
  }

  /** Every token a log line must never show. */
  #secrets(): string[] {
    const secrets = this.#credentials.app.secrets();
    if (this.#credentials.runtime !== this.#credentials.app) secrets.push(...this.#credentials.runtime.secrets());
    for (const entry of this.#tokensFile?.current.byDigest.values() ?? []) if (entry.token) secrets.push(entry.token);
    return secrets;
  }

  /** Rotates every token the state directory keeps (or generated at this start); `rotateToken` at start. */
  #rotateKept(graceMs: number): void {
    const kinds = (["app", "runtime"] as const).filter((kind) => kept(this.#credentials[kind]));
    if (kinds.length === 0)
      throw new TypeError("rotateToken: every token is given explicitly (token, runtimeToken or their variables); there is none to rotate");
    const now = this.#clock();
    for (const kind of kinds)
      if (kind === "app" || this.#credentials.runtime !== this.#credentials.app) this.#credentials[kind].rotate(generateToken(), graceMs, now);
  }

  #saveCredentials(): void {
    if (!this.#state || !(kept(this.#credentials.app) || kept(this.#credentials.runtime))) return;
    try {
      saveCredentials(this.#state, this.#credentials);
    } catch (error) {
      this.#logger.error(`cannot keep the tokens in ${this.#state.path}: ${(error as Error).message} (runtimes will need the new token after a restart)`);
    }
  }

  #scheduleExpiry(inMs: number): void {
    if (!(inMs >= 0) || this.#closing) return;
    const timer = setTimeout(() => {
      this.#expiryTimers.delete(timer);
      this.#revalidate();
    }, inMs + 5);
    timer.unref();
    this.#expiryTimers.add(timer);
  }

  /** Why a tokens-file token may not be used: it is the runtime token or the owner's. */
  #tokenConflict(digest: string): string | undefined {
    if (digest === sha256Hex(this.#credentials.app.token)) return "this is the owner's app token (token, BYOR_TOKEN); give it another token";
    if (digest === sha256Hex(this.#credentials.runtime.token)) return "this is the runtime token; app tokens must differ from it";
    return undefined;
  }

  #tokensChanged(_change: TokensChange): void {
    this.#revalidate();
  }

  /** Closes the sockets whose credentials no longer hold (revoked or expired), and those whose role changed. */
  #revalidate(): void {
    const now = this.#clock();
    for (const [ws, info] of this.#sockets) {
      const credential = info.credential;
      if (credential === undefined) continue;
      if (info.kind === "runtime") {
        if (this.#credentials.runtime.valid(credential, now)) continue;
        this.#logger.warn(`runtime ${info.label}: its token's grace period is over; closing its socket`);
        ws.close(RUNTIME_EXPIRED.code, RUNTIME_EXPIRED.reason);
        continue;
      }
      const verdict = this.#appAuth.check(credential);
      if (verdict === "valid") continue;
      this.#logger.warn(`app ${info.label}: its token was ${verdict === "revoked" ? "revoked" : "given another role"}; closing it`);
      const close = verdict === "revoked" ? REVOKED : CHANGED;
      ws.close(close.code, close.reason);
      info.credential = undefined; // closed once
    }
  }

  /** The id of the runtime token the request presents (current, or in its grace period), or undefined. */
  #runtimeTokenId(req: IncomingMessage, url: URL): string | undefined {
    const presented = presentedToken(req, url, RUNTIME_AUTH);
    return presented && this.#credentials.runtime.accepts(presented.token, this.#clock());
  }

  /** `allowedIps`: whether the peer may reach the server; refusals are counted, and logged at most every 10 s. */
  #addressAllowed(req: IncomingMessage, what: string): boolean {
    const list = this.#options.allowedIps;
    const address = req.socket.remoteAddress;
    if (!list || list.allows(address)) return true;
    this.#hub.metrics.refusal("forbidden");
    const now = Date.now();
    if (now - this.#addressLog.at < ADDRESS_LOG_MS) {
      this.#addressLog.skipped++;
    } else {
      const more = this.#addressLog.skipped > 0 ? ` (and ${this.#addressLog.skipped} more refusals since the last line)` : "";
      this.#logger.warn(`refused ${what} from ${address ?? "?"}: not in allowedIps (403)${more}`);
      this.#addressLog = { at: now, skipped: 0 };
    }
    return false;
  }

  #socketBase(req: IncomingMessage): string {
    if (this.#options.publicUrl) return this.#options.publicUrl.replace(/^http/, "ws");
    // The Host header goes into the wsUrl the runtime dials: only a plain host[:port], else the server's own address.
    const given = req.headers.host;
    const host = given !== undefined && VALID_HOST.test(given) && validPort(given) ? given : new URL(this.url).host;
    return `${this.#options.tls ? "wss" : "ws"}://${host}`;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", destroySocket);
    const url = new URL(req.url ?? "/", "http://localhost");
    const what = `${req.url ?? "/"} from ${req.socket.remoteAddress ?? "?"}`;
    const refuse = (status: number, error: string, message: string, log = true) => {
      this.#hub.metrics.refusal(error);
      if (log) this.#logger.warn(`refused WebSocket ${what}: ${message} (${status})`);
      refuseUpgrade(socket, status, { error, message }, status === 503 ? { "Retry-After": "5" } : {});
    };
    if (this.#closing) return refuse(503, "shutting_down", "the server is shutting down", false);
    if (!this.#addressAllowed(req, `WebSocket ${req.url ?? "/"}`))
      return refuseUpgrade(socket, 403, { error: "forbidden", message: "this address may not reach this server (allowedIps)" });
    const kind: SocketKind | undefined = url.pathname === PATHS.runtimeSocket ? "runtime" : url.pathname === PATHS.clientSocket ? "app" : undefined;
    if (!kind) return refuse(404, "not_found", `no WebSocket endpoint at ${url.pathname}`);
    if (!isOriginAllowed(req, this.#options.allowedOrigins)) return refuse(403, "forbidden", `origin ${req.headers.origin} is not allowed`);
    if (kind === "app") {
      // Fenced like the rest: the hook may be async; whatever fails on the way is answered 500.
      this.#authenticateApp(req, socket, head, url, refuse).catch((error: unknown) => {
        this.#faults.report("WebSocket upgrade", `WebSocket upgrade ${req.url ?? "/"} failed`, error);
        refuseUpgrade(socket, 500, { error: "internal_error", message: "the server failed to handle this upgrade" });
      });
      return;
    }
    const tokenId = this.#runtimeTokenId(req, url);
    if (tokenId === undefined) return refuse(401, "unauthorized", "missing or wrong runtime token");
    if (this.#full()) return refuse(503, "too_many_connections", `the server has ${this.#options.maxConnections} connections open (maxConnections)`);
    this.#upgradeRuntime(req, socket, head, url, refuse, tokenId);
  }

  #full(): boolean {
    return this.#sockets.size >= this.#options.maxConnections;
  }

  async #authenticateApp(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    refuse: (status: number, error: string, message: string, log?: boolean) => void,
  ): Promise<void> {
    const auth: AppAuthResult = await this.#appAuth.authenticate(req, url, APP_AUTH);
    if (socket.destroyed) return; // the peer gave up while the hook was deciding
    if (this.#closing) return refuse(503, "shutting_down", "the server is shutting down", false);
    if (!auth.ok) return refuse(auth.status, auth.error, auth.status === 401 ? "missing or wrong token" : auth.message);
    const offered = offeredSubprotocols(req);
    if (offered.some((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) && !offered.includes(CLIENT_SUBPROTOCOL)) {
      return refuse(
        400,
        "invalid_request",
        `offer the subprotocol ${CLIENT_SUBPROTOCOL} next to ${TOKEN_SUBPROTOCOL_PREFIX}<token>: the server selects it, so the token is never echoed`,
      );
    }
    if (this.#full()) return refuse(503, "too_many_connections", `the server has ${this.#options.maxConnections} connections open (maxConnections)`);
    this.#upgradeApp(req, socket, head, auth);
  }

  #upgradeRuntime(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    refuse: (status: number, error: string, message: string) => void,
    tokenId: string,
  ): void {
    const deviceId = url.searchParams.get("deviceId");
    if (!deviceId) return refuse(400, "invalid_request", "the runtime socket needs ?deviceId=");
    const problem = idProblem(deviceId) ?? idProblem(url.searchParams.get("connectionName") ?? deviceId);
    if (problem) return refuse(400, "invalid_request", `the runtime socket's deviceId and connectionName must be ${problem.expected}, not ${problem.found}`);
    if (url.searchParams.has("channel")) return refuse(400, "invalid_request", "split control/stream channels are not offered by this server");
    const connectionName = url.searchParams.get("connectionName") ?? deviceId;
    const refusal = this.#hub.admitRuntime(deviceId, connectionName);
    if (refusal) return refuse(refusal.status, refusal.error, refusal.message);
    const connectionId = url.searchParams.get("connectionId");
    this.#runtimeWss.handleUpgrade(req, socket, head, (ws) =>
      this.#fenced(ws, "runtime", () => this.#runtimeSocket(ws, deviceId, connectionName, connectionId, negotiated.get(req), tokenId)),
    );
  }

  /** A runtime's socket is up. Given what it needs of the upgrade request, not the request (see #sockets). */
  #runtimeSocket(ws: WebSocket, deviceId: string, connectionName: string, connectionId: string | null, compression: string | undefined, tokenId: string): void {
    const info = this.#track(ws, "runtime", runtimeLabel(connectionName, deviceId));
    info.credential = tokenId;
    const transport = wsTransport(ws, this.#runtimeTransport);
    info.transport = transport;
    this.#logger.info(`runtime ${info.label} socket: ${compression ?? "no compression"}`);
    const entry = this.#hub.attachRuntime(deviceId, connectionName, connectionId, transport);
    if (entry) info.label = entry.label;
  }

  #upgradeApp(req: IncomingMessage, socket: Duplex, head: Buffer, auth: Extract<AppAuthResult, { ok: true }>): void {
    const address = req.socket.remoteAddress ?? "?";
    this.#appWss.handleUpgrade(req, socket, head, (ws) => this.#fenced(ws, "app", () => this.#appSocket(ws, address, auth)));
  }

  /** An app's socket is up. */
  #appSocket(ws: WebSocket, address: string, auth: Extract<AppAuthResult, { ok: true }>): void {
    const info = this.#track(ws, "app", `#${++this.#appCounter} (${address}, ${auth.principal.name})`);
    info.credential = auth.credential;
    const transport = wsTransport(ws, this.#appTransport);
    info.transport = transport;
    this.#hub.acceptApp(transport, info.label, auth.principal);
  }

  /** The transport options of each kind of socket, shared: the callbacks find the socket's label in #sockets. */
  #transportOptions(): { runtime: WsTransportOptions; app: WsTransportOptions } {
    const opts = this.#options;
    const label = (ws: WebSocket) => this.#sockets.get(ws)?.label ?? "?";
    return {
      runtime: {
        maxBufferedBytes: opts.maxBufferedBytes,
        // Any close but 1008 and `Replaced by new connection` makes the runtime reconnect: it gets a fresh socket.
        overflowClose: RUNTIME_CLOSE.notReading,
        onOverflow: (bytes, ws) => this.#logger.warn(`runtime ${label(ws)} is not reading (${bytes} bytes waiting); closing its socket`),
        budget: opts.runtimeBudget,
        maxPayload: opts.maxRuntimePayload,
        rateLimitClose: RUNTIME_CLOSE.rateLimited,
        onRateLimited: (ws) => this.#logger.warn(`runtime ${label(ws)} went over its budget (runtimeBudget); closing its socket (1013)`),
        // The frame is dropped; the runtime is not told (it has no error frame), and never closed for it.
        onFault: (error, ws) => this.#faults.report("runtime frame", `handling a frame of runtime ${label(ws)} failed; dropped it`, error),
      },
      app: {
        maxBufferedBytes: opts.maxBufferedBytes,
        overflowClose: { code: CLIENT_CLOSE.slowConsumer, reason: "Slow consumer" },
        onOverflow: (bytes, ws) => this.#logger.warn(`app ${label(ws)} is not reading (${bytes} bytes waiting); closing it (4001)`),
        budget: opts.appBudget,
        maxPayload: opts.maxAppPayload,
        rateLimitClose: { code: CLIENT_CLOSE.rateLimited, reason: "Rate limit exceeded" },
        onRateLimited: (ws) => this.#logger.warn(`app ${label(ws)} went over its budget (appBudget); closing it (4008)`),
        onFault: (error, ws) => {
          this.#faults.report("app frame", `handling a frame of app ${label(ws)} failed; answered internal_error`, error);
          this.#sockets.get(ws)?.transport?.send(INTERNAL_ERROR);
        },
      },
    };
  }

  /** Runs the setup of an accepted socket; if it throws, the socket is closed with 1011 (never 1008: runtimes reconnect). */
  #fenced(ws: WebSocket, kind: SocketKind, setup: () => void): void {
    try {
      setup();
    } catch (error) {
      this.#faults.report("WebSocket upgrade", `setting up a ${kind} socket failed; closed it (1011)`, error);
      ws.close(CLIENT_CLOSE.internalError, "Internal error");
    }
  }

  #track(ws: WebSocket, kind: SocketKind, label: string): SocketInfo {
    const info: SocketInfo = { kind, label, transport: undefined, credential: undefined };
    this.#sockets.set(ws, info);
    ws.on("error", this.#socketError);
    ws.on("close", this.#socketClosed); // not `once` (a bound wrapper per socket): ws emits close once
    return info;
  }
}

/** What the server keeps per open socket. A runtime's label becomes its entry's once attached. */
interface SocketInfo {
  kind: SocketKind;
  label: string;
  transport: Transport | undefined;
  /** What its credentials were, to close it when they are revoked (a token id, or an app credential key). */
  credential: string | undefined;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** A Host's port, if any, is a port number. */
function validPort(host: string): boolean {
  const port = /:([0-9]+)$/.exec(host)?.[1];
  return port === undefined || Number(port) <= 65535;
}

/** A socket error as a log line; ws closes an oversized frame's socket with 1009 and reports it here. */
function describeSocketError(error: Error & { code?: string }, maxPayload: number): string {
  if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") return `sent a frame larger than ${maxPayload} bytes; closed with 1009`;
  return `socket error: ${error.message}`;
}

/** Creates a server and starts listening. */
export async function createByorServer(options: ByorServerOptions = {}): Promise<ByorServer> {
  return new ByorServer(options).listen();
}
