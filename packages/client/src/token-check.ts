/**
 * What `GET /byor/v1/runtimes` with the token says about a failed WebSocket upgrade. A page never sees the HTTP
 * status of an upgrade (every refusal looks like close 1006), but it can see the status of a plain request that
 * checks the same token.
 */
export interface FetchResponseLike {
  readonly status: number;
}

/** What the token check needs of `fetch`. */
export type FetchLike = (
  url: string,
  init: { method: "GET"; headers: Record<string, string>; cache: "no-store"; credentials: "omit"; signal?: unknown },
) => Promise<FetchResponseLike>;

export type TokenCheck =
  | { verdict: "refused"; status: 401 | 403 }
  /** The token is good: the socket failed for another reason (server full, Origin not allowed, a proxy…). */
  | { verdict: "accepted"; status: number }
  /** Another status (e.g. 503 shutting down, 404 not a BYOR server). */
  | { verdict: "other"; status: number }
  /** No answer at all (server down, network, CORS). */
  | { verdict: "unreachable"; error: string };

export async function checkToken(fetch: FetchLike, url: string, token: string): Promise<TokenCheck> {
  try {
    const response = await fetch(url, {
      method: "GET",
      // The header keeps the token out of the URL; same-origin pages need no CORS for it.
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
      credentials: "omit",
    });
    const { status } = response;
    if (status === 401 || status === 403) return { verdict: "refused", status };
    if (status >= 200 && status < 300) return { verdict: "accepted", status };
    return { verdict: "other", status };
  } catch (error) {
    return { verdict: "unreachable", error: error instanceof Error ? error.message : String(error) };
  }
}
