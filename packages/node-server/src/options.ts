import { appServerUrl } from "@byor/client";
import type { AppConnectionOptions, Clock, RuntimeSessionOptions } from "@byor/core";
import type { DialTarget } from "./dial.js";
import type { Backplane } from "@byor/hub";
import { DEFAULT_AUDITED_CLASSES } from "@byor/hub";
import { PRIVILEGE_CLASSES, defineRoles, isPrivilegeClass, type PrivilegeClass, type RoleDefinition } from "@byor/protocol";
import type { AuthenticateHook } from "./app-auth.js";
import type { AuditLogTarget } from "./audit-log.js";
import { defaultConsoleDir } from "./console-assets.js";
import { IpAllowList } from "./ip-allow.js";
import { DEFAULT_APP_BUDGET, DEFAULT_RUNTIME_BUDGET, resolveBudget, type ConnectionBudget, type ResolvedBudget } from "./budget.js";
import type { DeflateSettings } from "./deflate.js";
import type { Logger } from "./logger.js";

export interface ByorServerOptions {
  /** Interface to bind. Default `127.0.0.1`: nothing outside this machine can reach the server unless you say so. */
  host?: string;
  /** Default 8284; 0 picks a free port (see `server.port`). */
  port?: number;
  /**
   * The owner's app token: apps presenting it act with the admin role. Default: `BYOR_TOKEN`, else the state
   * directory's (with `dataDir`), else a random one. Given (here or as BYOR_TOKEN) without a runtime token, it also
   * serves runtimes, as the one token used to (a warning is logged): give `runtimeToken` to separate them.
   */
  token?: string;
  /**
   * What runtimes present (their `LETTA_API_KEY`) to register and open their socket, and nothing else: it never opens
   * the client endpoint or the runtime list. Default: `BYOR_RUNTIME_TOKEN`, else the state directory's, else a
   * random one (unless `token` is given: see there). Must differ from `token`.
   */
  runtimeToken?: string;
  /**
   * Where the server keeps its state: the generated tokens (`credentials.json`) and the runtimes that registered
   * (`runtimes.json`), so that after a restart runtimes reconnect with the token they have and are listed with what
   * they registered. Created 0700, files 0600. Default: none, all in memory (`byor serve` defaults to the user's
   * config directory: see `defaultDataDir`).
   */
  dataDir?: string;
  /**
   * At start, replace the tokens the state directory keeps (or generated) with new ones; the old ones are accepted
   * for `tokenGraceMs` more. Explicit tokens (`token`, `runtimeToken`, their variables) are not rotated.
   */
  rotateToken?: boolean;
  /** How long a replaced token is still accepted after a rotation. Default one hour. */
  tokenGraceMs?: number;
  /**
   * A JSON file of named app tokens with roles (see docs/security.md), re-read when it changes: a bad edit keeps the
   * previous tokens and logs why; sockets whose token went away are closed (4401), those whose role changed are
   * closed to reconnect with it (1012).
   */
  tokensFile?: string;
  /** How often the tokens file is checked where file-change events are not delivered. Default 2000 ms. */
  tokensFilePollMs?: number;
  /** Custom roles: name → privilege classes (see @byor/protocol's PRIVILEGE_CLASSES), for the tokens file and `authenticate`. */
  roles?: Readonly<Record<string, RoleDefinition>>;
  /**
   * Authenticates apps that present none of the server's tokens (a JWT, a session cookie, ...): return
   * `{ name, role }` or null to refuse (401). Async allowed; an exception refuses with 500 and is logged.
   */
  authenticate?: AuthenticateHook;
  /** How long `authenticate` may take before the request is refused with 500. Default 10 000 ms. */
  authenticateTimeoutMs?: number;
  /**
   * Addresses and CIDR ranges (IPv4 and IPv6) allowed to reach the server at all, runtimes and apps alike; others
   * get 403. Default: every address (the bind address and the tokens protect the server).
   */
  allowedIps?: readonly string[];
  /**
   * The audit log: a JSON line per privileged command of an app (by default every class but observe; see
   * `auditClasses`) and per refused one: time, principal, role, class, runtime, command type, request id, allowed or
   * refused and why. Never a payload. A file path (appended, created 0600), a writable, or a function.
   */
  auditLog?: AuditLogTarget;
  /** Classes whose allowed commands the audit log records ("all", or a list). Refusals are always recorded. */
  auditClasses?: readonly PrivilegeClass[] | "all";
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

export interface ResolvedOptions {
  host: string;
  port: number;
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
  dataDir: string | undefined;
  tokenGraceMs: number;
  tokensFilePollMs: number;
  authenticateTimeoutMs: number;
  roles: Readonly<Record<string, RoleDefinition>>;
  allowedIps: IpAllowList | undefined;
  auditClasses: ReadonlySet<PrivilegeClass>;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8284;
const MiB = 1024 * 1024;

export function resolveOptions(options: ByorServerOptions): ResolvedOptions {
  defineRoles(options.roles ?? {}); // a bad custom role fails here, naming it
  return {
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
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
    dataDir: options.dataDir === undefined ? undefined : nonEmpty(options.dataDir, "dataDir"),
    tokenGraceMs: duration(options.tokenGraceMs, 60 * 60_000, "tokenGraceMs"),
    tokensFilePollMs: duration(options.tokensFilePollMs, 2_000, "tokensFilePollMs"),
    authenticateTimeoutMs: duration(options.authenticateTimeoutMs, 10_000, "authenticateTimeoutMs"),
    roles: options.roles ?? {},
    allowedIps: options.allowedIps === undefined ? undefined : new IpAllowList(options.allowedIps),
    auditClasses: resolveAuditClasses(options.auditClasses),
  };
}

const nonEmpty = (value: string, what: string) => {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${what} must be a non-empty path`);
  return value;
};

function duration(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a number of milliseconds ≥ 0, not ${value}`);
  return value;
}

function resolveAuditClasses(classes: ByorServerOptions["auditClasses"]): ReadonlySet<PrivilegeClass> {
  if (classes === undefined) return DEFAULT_AUDITED_CLASSES;
  if (classes === "all") return new Set(PRIVILEGE_CLASSES);
  const bad = classes.filter((c) => !isPrivilegeClass(c));
  if (bad.length)
    throw new TypeError(`auditClasses: ${bad.map((c) => JSON.stringify(c)).join(", ")} is not a privilege class (${PRIVILEGE_CLASSES.join(", ")})`);
  return new Set(classes);
}

function resolveDial(targets: readonly DialTarget[] | undefined): readonly DialTarget[] {
  for (const target of targets ?? []) appServerUrl(target.url); // a malformed URL fails here, not at listen()
  return targets ?? [];
}
