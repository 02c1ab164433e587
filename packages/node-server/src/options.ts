import { appServerUrl } from "@byor/client";
import type { AppConnectionOptions, Clock, RuntimeSessionOptions } from "@byor/core";
import type { DialTarget } from "./dial.js";
import type { Backplane } from "@byor/hub";
import { defaultConsoleDir } from "./console-assets.js";
import { generateToken } from "./auth.js";
import { DEFAULT_APP_BUDGET, DEFAULT_RUNTIME_BUDGET, resolveBudget, type ConnectionBudget, type ResolvedBudget } from "./budget.js";
import type { DeflateSettings } from "./deflate.js";
import type { Logger } from "./logger.js";

export interface ByorServerOptions {
  /** Interface to bind. Default `127.0.0.1`: nothing outside this machine can reach the server unless you say so. */
  host?: string;
  /** Default 8284; 0 picks a free port (see `server.port`). */
  port?: number;
  /** The shared secret of runtimes (their `LETTA_API_KEY`) and apps. Default: `BYOR_TOKEN`, else a random one. */
  token?: string;
  /** Serve HTTPS / WSS. PEM strings or buffers. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Browser origins allowed to open the client endpoint, e.g. `["https://app.example.com"]`, or `"*"`. Requests
   * without an Origin header (the runtime, Node apps) and pages served by this server itself are always allowed.
   */
  allowedOrigins?: readonly string[] | "*";
  /**
   * The base URL runtimes and apps reach this server at, when it differs from the request's Host (a proxy):
   * e.g. `https://byor.example.com`. The runtime's wsUrl is built from it.
   */
  publicUrl?: string;
  /** Open WebSockets (runtimes and apps together). Default 256; more are refused with 503 at the upgrade. */
  maxConnections?: number;
  /** Runtimes this server keeps (online or not). Default 64. */
  maxRuntimes?: number;
  /** Largest frame a runtime may send, in bytes. Default 64 MiB (a read_file of a large file is big). */
  maxRuntimePayload?: number;
  /** Largest frame an app may send, in bytes. Default 4 MiB. Larger: the socket is closed with 1009. */
  maxAppPayload?: number;
  /** Bytes a socket may have waiting to be written before the server closes it as a slow reader. Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Largest HTTP request body. Default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * What one runtime socket may send, averaged, with bursts of two seconds' worth (and always one frame of
   * `maxRuntimePayload`). Default 5,000 frames/s and 64 MiB/s. Over it the socket is closed with 1013
   * `Rate limit exceeded` (the runtime reconnects).
   */
  runtimeBudget?: ConnectionBudget;
  /**
   * What one app socket may send, likewise. Default 2,000 frames/s and 8 MiB/s. Over it the socket is closed with
   * 4008 `Rate limit exceeded` (a seq/ack session may resume).
   */
  appBudget?: ConnectionBudget;
  /**
   * permessage-deflate on both legs, negotiated when the peer offers it (the runtime does): no context takeover on
   * either side, frames under 1 KiB sent as they are, a 13-bit window and memLevel 5 (see `DeflateSettings`).
   * `false` turns compression off (a relay on a fast local network spends less CPU without it).
   */
  perMessageDeflate?: boolean | DeflateSettings;
  /** Where to log. Default: nothing. Every line is redacted (the token never appears). */
  logger?: Logger;
  /** Also log every HTTP request with its status (unknown requests are always logged). */
  logRequests?: boolean;
  /** Environment to read `BYOR_TOKEN` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * The web console served at `/`: a directory holding a built console (its index.html and assets), or `false` for
   * none (a placeholder page). Default: the console shipped in this package.
   */
  console?: string | false;
  /**
   * Runtimes in App Server mode (`letta server --listen`) to dial, each listed beside the runtimes that register
   * and driven the same way by apps and the console. Dialled from `listen()` until `close()`, with jittered backoff;
   * a refused token is logged and ends that runtime's dialling.
   */
  dial?: readonly DialTarget[];
  /**
   * Shares runtimes and apps with other nodes: `redisBackplane(...)` from @byor/redis (each node its own handle).
   * Default: this node alone, in memory. The server disposes it on close.
   */
  backplane?: Backplane;
  /**
   * Serve this node's metrics in the Prometheus text format at `GET /byor/v1/metrics`, behind the token like the
   * runtime list (default false: 404).
   */
  metrics?: boolean;
  /** Passed to each runtime's @byor/core RuntimeSession (heartbeat, request timeout, clock). */
  runtimeSession?: Omit<RuntimeSessionOptions, "mirror">;
  /** Passed to @byor/core AppSessions (replay buffer, parking, heartbeat). */
  appSessions?: AppConnectionOptions;
  clock?: Clock;
}

export type TokenOrigin = "option" | "env" | "generated";

export interface ResolvedOptions {
  host: string;
  port: number;
  token: string;
  tokenOrigin: TokenOrigin;
  tls: ByorServerOptions["tls"];
  allowedOrigins: readonly string[] | "*";
  publicUrl: string | undefined;
  maxConnections: number;
  maxRuntimes: number;
  maxRuntimePayload: number;
  maxAppPayload: number;
  maxBufferedBytes: number;
  maxBodyBytes: number;
  runtimeBudget: ResolvedBudget;
  appBudget: ResolvedBudget;
  perMessageDeflate: boolean | DeflateSettings;
  dial: readonly DialTarget[];
  metrics: boolean;
  logRequests: boolean;
  /** Where the console build is, if any. */
  consoleDir: string | undefined;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8284;
const MiB = 1024 * 1024;

export function resolveOptions(options: ByorServerOptions): ResolvedOptions {
  const env = options.env ?? process.env;
  const fromEnv = env.BYOR_TOKEN?.trim();
  const token = options.token ?? (fromEnv || undefined);
  if (token !== undefined && token.length === 0) throw new TypeError("token must not be empty");
  if (token !== undefined && /\s/.test(token)) throw new TypeError("token must not contain whitespace");
  return {
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    token: token ?? generateToken(),
    tokenOrigin: options.token !== undefined ? "option" : token !== undefined ? "env" : "generated",
    tls: options.tls,
    allowedOrigins: options.allowedOrigins ?? [],
    publicUrl: options.publicUrl?.replace(/\/+$/, ""),
    maxConnections: options.maxConnections ?? 256,
    maxRuntimes: options.maxRuntimes ?? 64,
    maxRuntimePayload: options.maxRuntimePayload ?? 64 * MiB,
    maxAppPayload: options.maxAppPayload ?? 4 * MiB,
    maxBufferedBytes: options.maxBufferedBytes ?? 16 * MiB,
    maxBodyBytes: options.maxBodyBytes ?? 256 * 1024,
    runtimeBudget: resolveBudget(options.runtimeBudget, DEFAULT_RUNTIME_BUDGET, "runtimeBudget"),
    appBudget: resolveBudget(options.appBudget, DEFAULT_APP_BUDGET, "appBudget"),
    perMessageDeflate: options.perMessageDeflate ?? true,
    dial: resolveDial(options.dial),
    metrics: options.metrics ?? false,
    logRequests: options.logRequests ?? false,
    consoleDir: options.console === false ? undefined : (options.console ?? defaultConsoleDir()),
  };
}

function resolveDial(targets: readonly DialTarget[] | undefined): readonly DialTarget[] {
  for (const target of targets ?? []) appServerUrl(target.url); // a malformed URL fails here, not at listen()
  return targets ?? [];
}
