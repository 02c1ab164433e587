import { CLIENT_CLOSE, ClientSession, ConnectRefused, type AbortSignalLike, type ClientSessionOptions, type Disposable, type Transport } from "@byor/core";
import { ByorError } from "@byor/protocol";
import { baseUrl, dialTarget, runtimesEndpoint, type TokenPlacement } from "./endpoint.js";
import type { WebSocketConstructorLike } from "./platform.js";
import { openSocket, UpgradeFailed } from "./socket-transport.js";
import { checkToken, type FetchLike } from "./token-check.js";
import { pickWebSocket, type DefaultWebSocket } from "./websocket-default.js";
import { whenOpen } from "./when-open.js";

/** The token, or where to get it: called before every connection attempt, so a rotated token is picked up. */
export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions extends Omit<ClientSessionOptions, "connect"> {
  /** The BYOR server's base URL (http, https, ws or wss; a path prefix is kept), e.g. `http://127.0.0.1:8284`. */
  url: string;
  token: TokenSource;
  /** How the token travels (default `"subprotocol"`, which keeps it out of URLs; see TokenPlacement). */
  tokenIn?: TokenPlacement;
  /** Default: the entry point's (`ws` under Node, the global WebSocket in browsers). */
  WebSocket?: WebSocketConstructorLike;
  /**
   * Where the WebSocket hides the upgrade's HTTP status (browsers), asks `GET /byor/v1/runtimes` whether the token
   * was the reason. Default: `globalThis.fetch`; `false` never asks.
   */
  fetch?: FetchLike | false;
  /** An upgrade that neither opens nor fails within this long counts as failed (default 10 000 ms). */
  connectTimeoutMs?: number;
}

const unauthorized = (how: string) =>
  new ConnectRefused("unauthorized", `the BYOR server refused the token (${how}): check it (byor serve prints it, or set BYOR_TOKEN)`, {
    code: CLIENT_CLOSE.unauthorized,
    reason: "Unauthorized",
  });

/**
 * An app's connection to a BYOR server's client endpoint (`/byor/v1/client`), redialled with jittered backoff. All
 * protocol work is the ClientSession's (`client.session`: subscribe, send, request, listRuntimes, events; with
 * `views`, mirrors and assembled conversations). A refused token ends it (close 4401) with a ByorError
 * `unauthorized` that says so, instead of retrying. Pages that want visibility and network awareness use
 * @byor/browser's connectBrowserClient.
 */
export class ByorClient implements Disposable {
  readonly session: ClientSession;
  /** Why the last attempt was refused, if it was. */
  #refusal: ByorError | undefined;

  constructor(defaults: DefaultWebSocket, options: ClientOptions) {
    const connect = dialler(defaults, options, (refusal) => (this.#refusal = refusal));
    this.session = new ClientSession({ ...options, connect });
  }

  /**
   * Resolves once the session is open (at once if it is); rejects when it closes first (with the refusal, e.g.
   * `unauthorized`, when that is why), on `timeoutMs`, or on abort.
   */
  ready(options: { signal?: AbortSignalLike; timeoutMs?: number } = {}): Promise<void> {
    return whenOpen(this.session, () => this.#refusal, options);
  }

  start(): this {
    this.session.start();
    return this;
  }

  /** Closes for good (1000: the server ends the session). */
  close(): void {
    this.session.close();
  }

  dispose(): void {
    this.close();
  }
}

function dialler(defaults: DefaultWebSocket, options: ClientOptions, refused: (error: ByorError) => void): (signal: AbortSignalLike) => Promise<Transport> {
  const WebSocket = pickWebSocket(options.WebSocket, defaults);
  const base = baseUrl(options.url);
  const refuse = (error: ConnectRefused) => {
    refused(error);
    return error;
  };
  return async (signal) => {
    const source = options.token;
    const token = typeof source === "function" ? await source() : source;
    if (signal.aborted) throw signal.reason;
    let target: { url: string; protocols: string[] };
    try {
      target = dialTarget(base, token, options.tokenIn ?? "subprotocol");
    } catch (error) {
      const why = error as ByorError;
      throw refuse(new ConnectRefused(why.code, why.message, { code: CLIENT_CLOSE.unauthorized, reason: "Unauthorized" }));
    }
    try {
      return await openSocket({
        WebSocket,
        ...target,
        timeoutMs: options.connectTimeoutMs ?? 10_000,
        ...(defaults.extras ? { extras: defaults.extras } : {}),
        signal,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    } catch (error) {
      if (!(error instanceof UpgradeFailed)) throw error;
      if (error.status === 401) throw refuse(unauthorized(`HTTP 401 on the upgrade`));
      if (error.status === 403) {
        const said = error.statusText ? `: ${error.statusText}` : "";
        throw refuse(
          new ConnectRefused("unauthorized", `the BYOR server refused this client (HTTP 403${said}): its Origin is not allowed`, {
            code: CLIENT_CLOSE.forbidden,
            reason: "Forbidden",
          }),
        );
      }
      if (error.status === undefined && !error.timedOut) {
        const fetch = options.fetch === false ? undefined : (options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch?.bind(globalThis));
        if (fetch) {
          const check = await checkToken(fetch, runtimesEndpoint(base), token);
          if (check.verdict === "refused" && check.status === 401) throw refuse(unauthorized("HTTP 401 from /byor/v1/runtimes"));
        }
      }
      throw error;
    }
  };
}
