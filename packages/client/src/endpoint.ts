import { ByorError, CLIENT_ENDPOINT } from "@byor/protocol";
import { globals } from "./platform.js";

/** Paths of a BYOR server, relative to its base URL (so a server mounted below a path prefix works). */
export const CLIENT_PATH = CLIENT_ENDPOINT.socketPath.slice(1);
export const RUNTIMES_PATH = CLIENT_ENDPOINT.runtimesPath.slice(1);
/** The subprotocol the server selects; the token rides in a second one, which the server never echoes. */
export const SUBPROTOCOL = CLIENT_ENDPOINT.subprotocol;
export const TOKEN_SUBPROTOCOL_PREFIX = CLIENT_ENDPOINT.tokenSubprotocolPrefix;

/**
 * How the token reaches the server without headers (a browser cannot set them on a WebSocket):
 * - `"subprotocol"` (default): `Sec-WebSocket-Protocol: byor.v1, byor.token.<token>`. Headers are not part of the
 *   URL, so the token stays out of access logs, proxies' URL logs, the Referer and the browser's history. The
 *   token must be an RFC 7230 token (letters, digits and `!#$%&'*+-.^_\`|~`; generated tokens are).
 * - `"query"`: `?token=<token>`. Works with any token and any proxy, but the URL (and so the token) may land in
 *   proxy and server logs (the BYOR server redacts it from its own) and in devtools' network log.
 */
export type TokenPlacement = "subprotocol" | "query";

const TCHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether a token can travel as a WebSocket subprotocol. */
export const isSubprotocolToken = (token: string): boolean => TCHARS.test(token);

/** The server's base URL as an http(s) URL ending in `/` (ws/wss become http/https); default: the page's origin. */
export function baseUrl(url?: string): string {
  const given = url ?? globals().location?.origin;
  if (!given) throw new ByorError("invalid_state", "no server URL: pass `url` (there is no page location to default to)");
  const base = new (globals().URL)(given, globals().location?.href);
  if (base.protocol === "ws:") base.protocol = "http:";
  else if (base.protocol === "wss:") base.protocol = "https:";
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new ByorError("invalid_state", `server URL must be http(s) or ws(s), not ${base.protocol}`);
  }
  base.search = "";
  base.hash = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return base.href;
}

/** `ws(s)://host/…/byor/v1/client` for a base URL. */
export function clientEndpoint(base: string): string {
  const url = new (globals().URL)(CLIENT_PATH, baseUrl(base));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** `http(s)://host/…/byor/v1/runtimes` for a base URL. */
export const runtimesEndpoint = (base: string): string => new (globals().URL)(RUNTIMES_PATH, baseUrl(base)).href;

/** Where and how to dial with a token: the URL and the subprotocols to offer. */
export function dialTarget(base: string, token: string, placement: TokenPlacement): { url: string; protocols: string[] } {
  const url = new (globals().URL)(clientEndpoint(base));
  if (placement === "query") {
    url.searchParams.set("token", token);
    return { url: url.href, protocols: [SUBPROTOCOL] };
  }
  if (!isSubprotocolToken(token)) {
    throw new ByorError(
      "unauthorized",
      'the token has characters a WebSocket subprotocol cannot carry: use a token of letters, digits and -._~ (or tokenIn: "query")',
    );
  }
  return { url: url.href, protocols: [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token] };
}

/** Loopback hosts stay reachable without a network, so "offline" does not pause dialling them. */
export function isLoopback(base: string): boolean {
  const { hostname } = new (globals().URL)(base);
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
