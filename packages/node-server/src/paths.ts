import { CLIENT_ENDPOINT } from "@byor/protocol";

/** Every path the server answers, in one place. `/v1/…` is what the stock runtime calls; `/byor/v1/…` is ours. */
export const PATHS = {
  /** GET: liveness, and the runtime's telemetry probe. */
  health: "/v1/health",
  /** POST: the runtime registers and gets its connectionId and wsUrl. */
  register: "/v1/environments/register",
  /** WebSocket: the runtime's socket (the wsUrl given at registration). */
  runtimeSocket: "/v1/environments/socket",
  /** WebSocket: the client endpoint for apps. */
  clientSocket: CLIENT_ENDPOINT.socketPath,
  /** GET: JSON list of runtimes, for dashboards and health checks. */
  runtimes: CLIENT_ENDPOINT.runtimesPath,
  /** GET: Prometheus metrics of this node (with the `metrics` option; behind the token). */
  metrics: "/byor/v1/metrics",
  /** GET: the web console (its assets live below it; a placeholder page when it is not built). */
  console: "/",
} as const;

/** `GET /v1/agents/{agent_id}/runtime-status`: asked before approval recovery (0.32.x, connectionIds with `conn-`). */
export const RUNTIME_STATUS_PATH = /^\/v1\/agents\/([^/]+)\/runtime-status$/;
