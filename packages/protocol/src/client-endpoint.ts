/**
 * Where and how apps reach a BYOR server's client endpoint (PROTOCOL.md §2). Servers and app adapters both take
 * these from here, so the two sides cannot drift apart.
 */
export const CLIENT_ENDPOINT = {
  /** WebSocket path of the client endpoint. */
  socketPath: "/byor/v1/client",
  /** GET: JSON list of the runtimes, for dashboards and health checks. */
  runtimesPath: "/byor/v1/runtimes",
  /** The subprotocol a server selects when an app offers it beside its token one (so the token is not echoed). */
  subprotocol: "byor.v1",
  /** Prefix of the subprotocol that carries the token, for browsers (they cannot set headers). */
  tokenSubprotocolPrefix: "byor.token.",
} as const;
