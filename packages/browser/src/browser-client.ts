import {
  ClientSession,
  ConnectRefused,
  DisposableStore,
  Emitter,
  CLIENT_CLOSE,
  exponentialBackoff,
  systemClock,
  type AbortSignalLike,
  type ClientSessionOptions,
  type Clock,
  type CloseInfo,
  type Disposable,
  type ReconnectPolicy,
  type SessionState,
  type Transport,
} from "@byor/core";
import { ByorError } from "@byor/protocol";
import {
  baseUrl,
  checkToken,
  dialTarget,
  isLoopback,
  openSocket,
  runtimesEndpoint,
  UpgradeFailed,
  type FetchLike,
  type TokenPlacement,
  type TokenSource,
  type WebSocketConstructorLike,
} from "@byor/client";
import { browserPage, type PageEvent, type PageSignals } from "./page.js";
import { globals } from "./platform.js";
import type { ConnectionStatus } from "./status.js";

export type { TokenSource };

export interface BrowserClientOptions extends Omit<ClientSessionOptions, "connect"> {
  /** The BYOR server's base URL (http, https, ws or wss; a path prefix is kept). Default: the page's origin. */
  url?: string;
  token: TokenSource;
  /** How the token travels (default `"subprotocol"`, which keeps it out of URLs; see TokenPlacement). */
  tokenIn?: TokenPlacement;
  /** Default: `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructorLike;
  /**
   * Used after an upgrade fails, to ask `GET /byor/v1/runtimes` whether the token is the reason (a page cannot
   * see the upgrade's 401). Default: `globalThis.fetch`; `false` never asks (then a wrong token just retries).
   */
  fetch?: FetchLike | false;
  /** The page's visibility, network and back/forward-cache signals. Default: the real page (`browserPage()`). */
  page?: PageSignals;
  /** Do not redial while the page is hidden (default true). An open connection is kept either way. */
  pauseWhenHidden?: boolean;
  /** When and how soon to redial (default `exponentialBackoff()`: full jitter, 1 s doubling up to 30 s). */
  reconnect?: ReconnectPolicy;
  /** An upgrade that neither opens nor fails within this long counts as failed (default 10 000 ms). */
  connectTimeoutMs?: number;
  /**
   * When the page becomes visible or online again with a connection open, a byor.ping checks it: no frame back
   * within this long and the socket is taken for dead and replaced, resuming the session (default 5 000 ms, 0 off).
   */
  wakeCheckMs?: number;
}

/** How the client closes a socket itself while wanting the session back (the server parks it: any code but 1000). */
export const BROWSER_CLOSE = {
  /** The page is going into the back/forward cache: an open socket would keep it out. */
  pageHidden: { code: CLIENT_CLOSE.pageHidden, reason: "Page entering the back/forward cache" },
  /** The connection did not answer after the page woke up. */
  wakeTimeout: { code: CLIENT_CLOSE.heartbeatTimeout, reason: "No answer after wake" },
} as const;

/**
 * A ClientSession over the browser's WebSocket, connected to a BYOR server's client endpoint.
 *
 * All protocol work (hello, resume from the seq/ack cursor, re-subscribe and re-sync after a reset, heartbeats,
 * requests, and with `views` the mirror and assembled conversations) is the session's: use `client.session`.
 * The client dials: it gets a token for each attempt, holds redials while the page is hidden or offline (the
 * session waits out the jittered backoff before that), redials at once on `visibilitychange` / `online` /
 * `pageshow` (cutting a backoff wait or a pause short), closes the socket when the page enters the back/forward cache, and turns a refused
 * token into a clear error.
 */
export class BrowserClient implements Disposable {
  readonly session: ClientSession;
  readonly #options: BrowserClientOptions;
  readonly #base: string;
  readonly #clock: Clock;
  readonly #page: PageSignals;
  readonly #emitter = new Emitter<{ status: ConnectionStatus }>();
  readonly #store = new DisposableStore();
  #status: ConnectionStatus = { phase: "idle" };
  /** Ends the current pause (hidden, offline) early. */
  #wake: (() => void) | undefined;
  /** reconnectNow() was called: dial even if hidden or offline. */
  #forced = false;
  #lastClose: CloseInfo | undefined;
  #lastError: string | undefined;
  /** The server refused the token: no more attempts. */
  #fatal: ByorError | undefined;

  constructor(options: BrowserClientOptions) {
    this.#options = options;
    this.#base = baseUrl(options.url);
    this.#clock = options.clock ?? systemClock;
    this.#page = options.page ?? browserPage();
    const policy = options.reconnect ?? exponentialBackoff();
    this.session = new ClientSession({
      ...options,
      clock: this.#clock,
      reconnect: {
        stableAfterMs: policy.stableAfterMs,
        retryDelay: (attempt) => policy.retryDelay(attempt),
        shouldRetry: (close, attempt) => this.#fatal === undefined && policy.shouldRetry(close, attempt),
      },
      connect: (signal) => this.#dial(signal),
    });
    this.#store.add(this.session.on("state", ({ to }) => this.#onState(to)));
  }

  /** The base URL of the server, as an http(s) URL. */
  get url(): string {
    return this.#base;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Every status change (connecting, live, waiting, paused, closed). */
  on(name: "status", handler: (status: ConnectionStatus) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /** Starts watching the page and connecting (no-op unless idle). */
  start(): this {
    if (this.#status.phase !== "idle") return this;
    this.#store.add(this.#page.watch((event) => this.#onPage(event)));
    this.session.start();
    return this;
  }

  /** Skips the rest of a backoff wait or a pause (hidden, offline) and dials now. */
  reconnectNow(): void {
    if (this.#wake) {
      this.#forced = true;
      this.#wake();
    } else if (this.session.state.status === "backing_off") {
      this.#forced = true;
      this.session.reconnectNow();
    }
  }

  /** Closes for good (1000: the server ends the session). */
  close(): void {
    this.session.close();
    this.#store.dispose();
  }

  dispose(): void {
    this.close();
  }

  // ── dialling ──────────────────────────────────────────────────────────────────────────────────────────────

  async #dial(signal: AbortSignalLike): Promise<Transport> {
    const state = this.session.state;
    const attempt = state.status === "connecting" ? state.attempt : 0;
    if (attempt > 0) {
      // The backoff wait is the session's (state backing_off); a hidden or offline page holds the redial here.
      for (let reason = this.#blocked(); reason; reason = this.#blocked()) {
        this.#setStatus({ phase: "paused", reason, attempt, ...this.#why() });
        await this.#pause(signal);
      }
    }
    this.#forced = false;
    this.#setStatus({ phase: "connecting", attempt });
    const source = this.#options.token;
    let token: string;
    try {
      token = typeof source === "function" ? await source() : source;
    } catch (error) {
      this.#lastError = `the token provider failed: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
    if (signal.aborted) throw signal.reason;
    let target: { url: string; protocols: string[] };
    try {
      target = dialTarget(this.#base, token, this.#options.tokenIn ?? "subprotocol");
    } catch (error) {
      this.#fatal = error as ByorError;
      throw new ConnectRefused(this.#fatal.code, this.#fatal.message, { code: CLIENT_CLOSE.unauthorized, reason: this.#fatal.message });
    }
    const WebSocket = this.#options.WebSocket ?? globals().WebSocket;
    if (!WebSocket) throw new ByorError("invalid_state", "no WebSocket: pass the `WebSocket` option");
    try {
      return await openSocket({ WebSocket, ...target, timeoutMs: this.#options.connectTimeoutMs ?? 10_000, signal, clock: this.#clock });
    } catch (error) {
      if (!(error instanceof UpgradeFailed)) throw error;
      const refusal = await this.#explain(error, token);
      if (signal.aborted) throw signal.reason;
      if (refusal) throw new ConnectRefused(this.#fatal!.code, this.#fatal!.message, refusal);
      throw error;
    }
  }

  /** Why the upgrade failed, as far as a page can tell; a CloseInfo when retrying cannot help. */
  async #explain(error: UpgradeFailed, token: string): Promise<CloseInfo | undefined> {
    this.#lastError = error.message;
    const fetch = this.#options.fetch === false ? undefined : (this.#options.fetch ?? globals().fetch?.bind(globalThis));
    if (!fetch || error.timedOut) return undefined;
    const check = await checkToken(fetch, runtimesEndpoint(this.#base), token);
    switch (check.verdict) {
      case "refused": {
        const wrongToken = check.status === 401;
        this.#fatal = new ByorError(
          "unauthorized",
          wrongToken
            ? `the server refused the token (HTTP 401 from /byor/v1/runtimes): check it (byor serve prints a console URL that carries it)`
            : `the server refused this page (HTTP 403 from /byor/v1/runtimes)`,
        );
        return { code: wrongToken ? CLIENT_CLOSE.unauthorized : CLIENT_CLOSE.forbidden, reason: wrongToken ? "Unauthorized" : "Forbidden" };
      }
      case "accepted":
        this.#lastError = `${error.message}; the token is valid, so the server refused the socket for another reason (too many connections, this page's Origin not allowed, or a proxy without WebSocket support)`;
        return undefined;
      case "other":
        this.#lastError = `${error.message}; GET /byor/v1/runtimes answered HTTP ${check.status}`;
        return undefined;
      case "unreachable":
        this.#lastError = `${error.message}; the server is unreachable`;
        return undefined;
    }
  }

  /** Waits until woken (a page event, reconnectNow); rejects when the session closes meanwhile. */
  #pause(signal: AbortSignalLike): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const finish = () => {
        signal.removeEventListener("abort", onAbort);
        if (this.#wake === wake) this.#wake = undefined;
      };
      const wake = () => {
        finish();
        resolve();
      };
      const onAbort = () => {
        finish();
        reject(signal.reason);
      };
      this.#wake = wake;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** What holds a redial back, if anything. */
  #blocked(): "hidden" | "offline" | undefined {
    if (this.#forced) return undefined;
    if (!this.#page.online() && !isLoopback(this.#base)) return "offline";
    if ((this.#options.pauseWhenHidden ?? true) && !this.#page.visible()) return "hidden";
    return undefined;
  }

  #why(): { lastClose?: CloseInfo; lastError?: string } {
    return {
      ...(this.#lastClose ? { lastClose: this.#lastClose } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  // ── page and session events ───────────────────────────────────────────────────────────────────────────────

  #onPage(event: PageEvent): void {
    switch (event) {
      case "visible":
      case "online":
      case "pageshow":
        if (this.#wake) this.#wake();
        else if (this.session.state.status === "backing_off") this.session.reconnectNow();
        // After a sleep or a network change a socket can be dead without knowing it: ask, replace it if silent.
        else if (this.#status.phase === "live" && (this.#options.wakeCheckMs ?? 5_000) > 0) {
          this.session.probe(this.#options.wakeCheckMs ?? 5_000, BROWSER_CLOSE.wakeTimeout);
        }
        return;
      case "pagehide":
        this.session.drop(BROWSER_CLOSE.pageHidden);
        return;
      case "hidden":
      case "offline":
        return; // an open socket is kept; redials wait (see #blocked)
    }
  }

  #onState(state: SessionState): void {
    switch (state.status) {
      case "open":
        this.#lastError = undefined;
        this.#lastClose = undefined;
        this.#setStatus({ phase: "live", resumed: state.resumed, since: state.since });
        return;
      case "backing_off":
        this.#lastClose = state.lastClose;
        this.#setStatus({ phase: "waiting", attempt: state.attempt, retryAt: this.#clock.now() + state.delayMs, ...this.#why() });
        return;
      case "closed": {
        this.#store.dispose();
        const byApp = state.close === undefined || state.close.code === CLIENT_CLOSE.normal;
        const error = this.#fatal ?? (byApp ? undefined : new ByorError("connection_closed", `gave up reconnecting: ${state.reason}`));
        this.#setStatus({ phase: "closed", ...(state.close ? { close: state.close } : {}), ...(error ? { error } : {}) });
        return;
      }
      default:
        return;
    }
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.#emitter.emit("status", status);
  }
}

/** `new BrowserClient(options).start()`. */
export const connectBrowserClient = (options: BrowserClientOptions): BrowserClient => new BrowserClient(options).start();
