import { AppServerSession, CLIENT_CLOSE, ConnectRefused, type AbortSignalLike, type AppServerSessionOptions, type Clock, type Transport } from "@byor/core";
import { ByorError } from "@byor/protocol";
import { signAppServerToken, type AppServerTokenOptions } from "./app-server-token.js";
import { globals, type WebSocketConstructorLike } from "./platform.js";
import { openSocket, UpgradeFailed } from "./socket-transport.js";
import { pickWebSocket, type DefaultWebSocket } from "./websocket-default.js";

/**
 * How the app proves itself to a runtime started with `--ws-auth` (both send `Authorization: Bearer …`):
 * - `{ token }`: `capability-token` (the content of `--ws-token-file`);
 * - `{ secret, issuer?, audience?, ttlSeconds? }`: `signed-bearer-token`; an HS256 JWT is minted for every attempt;
 * - a function: returns the bearer token to present, called before every attempt (your own minting or rotation).
 * Loopback listeners started without `--ws-auth` need none.
 */
export type AppServerAuth = { token: string } | AppServerTokenOptions | (() => string | Promise<string>);

export interface AppServerOptions extends Omit<AppServerSessionOptions, "connect"> {
  /** The runtime's listener: `ws://127.0.0.1:4500` (`/ws` is added when the URL has no path; http(s) work too). */
  url: string;
  auth?: AppServerAuth;
  /** Default: the entry point's (`ws` under Node, the global WebSocket in browsers). */
  WebSocket?: WebSocketConstructorLike;
  /** An upgrade that neither opens nor fails within this long counts as failed (default 10 000 ms). */
  connectTimeoutMs?: number;
  clock?: Clock;
}

/** The listener's WebSocket URL: ws(s), with the runtime's default path `/ws` when none is given. */
export function appServerUrl(url: string): string {
  let parsed;
  try {
    parsed = new (globals().URL)(url);
  } catch {
    throw new ByorError("invalid_state", `not a URL: ${JSON.stringify(url)} (expected e.g. ws://127.0.0.1:4500)`);
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:")
    throw new ByorError("invalid_state", `an App Server URL is ws(s) or http(s), not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new ByorError("invalid_state", "put credentials in `auth`, not in the App Server URL");
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/ws";
  return parsed.href;
}

async function bearer(auth: AppServerAuth): Promise<string> {
  if (typeof auth === "function") return auth();
  if ("token" in auth) return auth.token;
  return signAppServerToken(auth);
}

/** Turns an upgrade the runtime refused into an error that says why, and ends retrying where retrying cannot help. */
function refusal(error: UpgradeFailed, url: string, withAuth: boolean): Error {
  const said = error.statusText ? `: ${error.statusText}` : "";
  switch (error.status) {
    case 401:
      return new ConnectRefused(
        "unauthorized",
        withAuth
          ? `the App Server at ${url} refused the token (HTTP 401${said}): check the token or the shared secret, issuer and audience`
          : `the App Server at ${url} wants a token (HTTP 401${said}): pass \`auth\``,
        { code: CLIENT_CLOSE.unauthorized, reason: "Unauthorized" },
      );
    case 403:
      return new ConnectRefused(
        "unauthorized",
        `the App Server at ${url} refused the connection (HTTP 403${said}): without --ws-auth it refuses any upgrade that carries an Origin header, as browsers' always do; start it with --ws-auth, or reach it through \`byor serve --dial\``,
        { code: CLIENT_CLOSE.forbidden, reason: "Forbidden" },
      );
    case 404:
    case 426:
      return new ConnectRefused("invalid_state", `no App Server socket at ${url} (HTTP ${error.status}${said}): its path is /ws`, {
        code: CLIENT_CLOSE.forbidden,
        reason: "Not an App Server",
      });
    default:
      return error;
  }
}

/**
 * Connects to a runtime in App Server mode (`letta server --listen ws://127.0.0.1:4500`) and keeps connecting:
 * returns the started AppServerSession. `await runtime.ready()` for the first connection (it rejects with a clear
 * ByorError on a refused token); `runtime.session` is the RuntimeSession (watch, request, send, mirror, events).
 */
export function connectAppServerWith(defaults: DefaultWebSocket, options: AppServerOptions): AppServerSession {
  const WebSocket = pickWebSocket(options.WebSocket, defaults);
  const url = appServerUrl(options.url);
  const { auth } = options;
  if (auth && !options.WebSocket && !defaults.sendsHeaders) {
    throw new ByorError(
      "invalid_state",
      "this platform's WebSocket cannot send the Authorization header an App Server with --ws-auth needs (browsers cannot): connect from Node, or put the runtime behind `byor serve --dial` and use the client endpoint",
    );
  }
  const connect = async (signal: AbortSignalLike): Promise<Transport> => {
    const headers = auth ? { authorization: `Bearer ${await bearer(auth)}` } : undefined;
    if (signal.aborted) throw signal.reason;
    try {
      return await openSocket({
        WebSocket,
        url,
        protocols: [],
        ...(headers ? { headers } : {}),
        timeoutMs: options.connectTimeoutMs ?? 10_000,
        ...(defaults.extras ? { extras: defaults.extras } : {}),
        signal,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    } catch (error) {
      throw error instanceof UpgradeFailed ? refusal(error, url, auth !== undefined) : error;
    }
  };
  return new AppServerSession({ ...options, connect }).start();
}
