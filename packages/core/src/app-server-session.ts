import { ByorError, type EventTypeMap } from "@byor/protocol";
import { systemClock, type Clock } from "./clock.js";
import { CLIENT_CLOSE } from "./close-codes.js";
import { ConnectRefused } from "./connect-refused.js";
import type { Disposable } from "./disposable.js";
import { Emitter, errorEventReporter } from "./emitter.js";
import type { AbortSignalLike } from "./platform.js";
import { exponentialBackoff, type ReconnectPolicy } from "./reconnect.js";
import { RuntimeSession, type RuntimeSessionOptions } from "./runtime-session.js";
import { StateMachine, type SessionState, type StateChange } from "./states.js";
import type { CloseInfo, Transport } from "./transport.js";

/** What an App Server runtime says about itself (`app_server_info_response`). */
export type AppServerInfo = EventTypeMap["app_server_info_response"];

/** The App Server protocol version this SDK speaks (`protocol_version` in `app_server_info_response`). */
export const APP_SERVER_PROTOCOL_VERSION = 1;

export interface AppServerSessionOptions extends Omit<RuntimeSessionOptions, "clock"> {
  /**
   * Opens one socket to the runtime's listener (an adapter's job). Rejecting counts as a failed attempt (closed with
   * 1006, or with the `close` of a ConnectRefused: 4401/4403 end the session). The signal aborts on close().
   */
  connect: (signal: AbortSignalLike) => Promise<Transport>;
  clock?: Clock;
  /** Default: exponentialBackoff() (full jitter, 1 s doubling up to 30 s, no attempt budget). */
  reconnect?: ReconnectPolicy;
}

export interface AppServerSessionEvents {
  /** idle → connecting → open → backing_off → connecting … → closed. */
  state: StateChange;
  /** The runtime's `app_server_info_response`, asked for on every new socket. */
  info: AppServerInfo;
  /** A failed info request, a protocol version this SDK does not speak, or a throwing handler. */
  error: ByorError;
}

type Controller = { readonly signal: AbortSignalLike; abort(reason?: unknown): void };
const newController = (): Controller => new (globalThis as unknown as { AbortController: new () => Controller }).AbortController();
const CLOSED_BY_APP: CloseInfo = { code: CLIENT_CLOSE.normal, reason: "Client closed" };

/**
 * The app's side of one runtime in App Server mode (`letta server --listen`): the app dials the runtime. A
 * RuntimeSession does the protocol (sync of the watched scopes on every socket, requests with timeouts and
 * AbortSignal, the state mirror, typed events; the heartbeat counts the runtime's protocol pings through the
 * transport's `onActivity`); this class dials it, asks `app_server_info` on each socket, and redials with jittered
 * backoff whenever the socket is lost, until close() or a refusal that retrying cannot fix.
 */
export class AppServerSession implements Disposable {
  readonly session: RuntimeSession;
  readonly #options: AppServerSessionOptions;
  readonly #clock: Clock;
  readonly #policy: ReconnectPolicy;
  readonly #emitter: Emitter<AppServerSessionEvents> = new Emitter({ onHandlerError: errorEventReporter(() => this.#emitter) });
  readonly #machine = new StateMachine((change) => this.#emitter.emit("state", change));
  #info: AppServerInfo | undefined;
  #attempt = 0;
  #openedAt = 0;
  #timer: unknown;
  #connecting: Controller | undefined;
  /** Why the last attempt was refused (a wrong token): the error ready() rejects with when that ended it. */
  #refusal: ByorError | undefined;
  #lastClose: CloseInfo | undefined;

  constructor(options: AppServerSessionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#policy = options.reconnect ?? exponentialBackoff();
    this.session = new RuntimeSession({ ...options, clock: this.#clock });
    this.session.on("state", ({ to }) => {
      if (to.status === "offline") this.#lost(to.lastClose);
    });
  }

  get state(): SessionState {
    return this.#machine.state;
  }

  /** The last `app_server_info_response` (undefined until the first socket answered it). */
  get info(): AppServerInfo | undefined {
    return this.#info;
  }

  on<K extends keyof AppServerSessionEvents>(name: K, handler: (value: AppServerSessionEvents[K]) => void): Disposable {
    return this.#emitter.on(name, handler);
  }

  /** Starts dialling (no-op unless idle). */
  start(): this {
    if (this.state.status === "idle") this.#connect();
    return this;
  }

  /**
   * Resolves once a socket is open and its `app_server_info` answered (at once if it is already); rejects when the
   * session closes first (with the refusal, e.g. `unauthorized`, when that is why), on `timeoutMs`, or on abort.
   */
  ready(options: { signal?: AbortSignalLike; timeoutMs?: number } = {}): Promise<AppServerInfo> {
    if (this.state.status === "open" && this.#info) return Promise.resolve(this.#info);
    if (this.state.status === "closed") return Promise.reject(this.#closedError(this.state));
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(new ByorError("request_aborted", "ready() aborted", { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      const subs: Disposable[] = [];
      let timer: unknown;
      const finish = (error: unknown, info?: AppServerInfo) => {
        for (const sub of subs) sub.dispose();
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (info) resolve(info);
        else reject(error);
      };
      const onAbort = () => finish(new ByorError("request_aborted", "ready() aborted", { cause: signal?.reason }));
      subs.push(
        this.on("info", (info) => finish(undefined, info)),
        this.on("state", ({ to }) => {
          if (to.status === "closed") finish(this.#closedError(to));
        }),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = this.#clock.setTimeout(
          () => finish(new ByorError("request_timeout", `no App Server connection within ${timeoutMs} ms${this.#lastFailure()}`)),
          timeoutMs,
        );
      }
    });
  }

  /** Skips the rest of a backoff wait and dials now. */
  reconnectNow(): void {
    if (this.state.status !== "backing_off") return;
    this.#clock.clearTimeout(this.#timer);
    this.#connect();
  }

  /** Closes for good: the socket with 1000, pending requests and watches reject with `connection_closed`. */
  close(): void {
    this.#finish(undefined, "closed by the app");
  }

  dispose(): void {
    this.close();
  }

  #connect(): void {
    this.#timer = undefined;
    this.#machine.to({ status: "connecting", attempt: this.#attempt });
    const controller = newController();
    this.#connecting = controller;
    let pending: Promise<Transport>;
    try {
      pending = this.#options.connect(controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (transport) => {
        if (this.#connecting !== controller) {
          transport.close(CLOSED_BY_APP.code, CLOSED_BY_APP.reason);
          return;
        }
        this.#connecting = undefined;
        this.#open(transport);
      },
      (error: unknown) => {
        if (this.#connecting !== controller) return;
        this.#connecting = undefined;
        if (error instanceof ConnectRefused) this.#refusal = error;
        this.#retry(error instanceof ConnectRefused ? error.close : { code: 1006, reason: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  #open(transport: Transport): void {
    this.#refusal = undefined;
    this.#openedAt = this.#clock.now();
    this.#machine.to({ status: "open", since: this.#openedAt, resumed: false });
    this.session.attach(transport); // syncs every watched scope on the new socket
    if (this.state.status !== "open") return;
    this.session.request({ type: "app_server_info" }).then(
      (info) => {
        if (this.state.status !== "open") return;
        this.#info = info;
        if (info.protocol_version !== APP_SERVER_PROTOCOL_VERSION) {
          this.#emitter.emit(
            "error",
            new ByorError("invalid_message", `the runtime speaks App Server protocol ${info.protocol_version}; this SDK speaks ${APP_SERVER_PROTOCOL_VERSION}`),
          );
        }
        this.#emitter.emit("info", info);
      },
      (error: unknown) => {
        // A lost socket rejects it too; the next socket asks again.
        if (this.state.status === "open" && error instanceof ByorError && error.code !== "connection_closed") this.#emitter.emit("error", error);
      },
    );
  }

  /** The runtime session lost its socket (closed by either side, or its heartbeat died). */
  #lost(close: CloseInfo): void {
    if (this.state.status !== "open") return;
    if (this.#clock.now() - this.#openedAt >= this.#policy.stableAfterMs) this.#attempt = 0;
    this.#retry(close);
  }

  #retry(close: CloseInfo): void {
    if (this.state.status === "closed") return;
    this.#lastClose = close;
    const attempt = this.#attempt + 1;
    if (!this.#policy.shouldRetry(close, attempt)) {
      this.#finish(close, this.#refusal?.message ?? `not reconnecting after ${close.code}${close.reason ? ` ${close.reason}` : ""}`);
      return;
    }
    this.#attempt = attempt;
    const delayMs = this.#policy.retryDelay(attempt);
    this.#machine.to({ status: "backing_off", attempt, delayMs, lastClose: close });
    if (this.state.status !== "backing_off") return;
    this.#timer = this.#clock.setTimeout(() => this.#connect(), delayMs);
  }

  #finish(close: CloseInfo | undefined, reason: string): void {
    if (this.state.status === "closed") return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connecting?.abort(new ByorError("connection_closed", "App Server session closed"));
    this.#connecting = undefined;
    this.session.close();
    this.#machine.to({ status: "closed", close, reason });
    this.#emitter.close();
  }

  #closedError(state: Extract<SessionState, { status: "closed" }>): ByorError {
    return this.#refusal ?? new ByorError("connection_closed", `App Server session closed (${state.reason})${this.#lastFailure()}`);
  }

  #lastFailure(): string {
    const close = this.#lastClose;
    return close ? `; last: ${close.code}${close.reason ? ` ${close.reason}` : ""}` : "";
  }
}
