import type { IncomingMessage, ServerResponse } from "node:http";
import { formatIssue, issuesOf, roleAllows, type Issue, type RegisterRequest } from "@byor/protocol";
import { HTTP_VALIDATORS } from "@byor/protocol/validators";
import type { AppAuthResult } from "./app-auth.js";
import type { TokenSource } from "./auth.js";
import { serveConsole, type ConsoleAssets } from "./console-assets.js";
import { idIssues, isRefusal, runtimeLabel, type FaultLog, type Hub, type RuntimeSummary } from "@byor/hub";
import { BodyError, readJson, sendError, sendJson } from "./http-json.js";
import type { Logger } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import { PATHS, RUNTIME_STATUS_PATH } from "./paths.js";
import { placeholderPage } from "./placeholder-page.js";
import { VERSION } from "./version.js";

export interface HttpContext {
  options: ResolvedOptions;
  logger: Logger;
  hub: Pick<Hub, "register">;
  /** Every runtime, this node's and (with a backplane) the other nodes'. */
  runtimes(): RuntimeSummary[];
  /** This node's metrics, rendered (with the `metrics` option). */
  metrics(): string;
  /** Counts a refused registration. */
  refused(error: string): void;
  /** `ws://host:port` (or wss) as the caller reached this server. */
  socketBase(req: IncomingMessage): string;
  /** The request line as it may be logged (token query values redacted by the logger). */
  describe(req: IncomingMessage): string;
  /** The built console, served at `/` (undefined: a placeholder page). */
  console?: ConsoleAssets | undefined;
  /** Where a request that made the server throw is logged. */
  faults: FaultLog;
  /** Whether the request presents the runtime token (current, or one in its grace period). */
  runtimeAuthorized(req: IncomingMessage, url: URL): boolean;
  /** Who an app is (the owner's token, a tokens-file token, the `authenticate` hook), or why not. */
  authenticateApp(req: IncomingMessage, url: URL, sources: readonly TokenSource[]): Promise<AppAuthResult>;
  /** Whether the peer's address is allowed (`allowedIps`); a refusal is counted and logged by it. */
  addressAllowed(req: IncomingMessage): boolean;
}

/** Dashboards may not be able to set a header (a link in a browser). */
const DASHBOARD_AUTH: readonly TokenSource[] = ["header", "query"];

const UNAUTHORIZED = "missing or wrong token: send `Authorization: Bearer <token>` (for the runtime: LETTA_API_KEY=<runtime token>)";
const NOT_ALLOWED = "this address may not reach this server (allowedIps)";

/**
 * The HTTP side: what the stock runtime calls in `--backend local` mode (health, register, runtime-status), the
 * runtimes list, the console (or a placeholder when it is not built), and JSON errors for everything else. Unknown requests are logged, so a
 * newer runtime calling something new shows up in the server's log.
 */
export function createRequestHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  // Fenced: whatever a request makes throw is logged (rate-limited) and answered 500, never reaches the process.
  const failed = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    try {
      ctx.faults.report("HTTP request", `${ctx.describe(req)} failed`, error);
      if (!res.headersSent) sendError(res, 500, "internal_error", "the server failed to answer this request");
      else res.destroy();
    } catch {
      res.destroy();
    }
  };
  return (req, res) => {
    try {
      if (ctx.options.logRequests) {
        const started = Date.now();
        res.once("finish", () => ctx.logger.info(`${ctx.describe(req)} → ${res.statusCode} (${Date.now() - started} ms)`));
      }
      handle(ctx, req, res).catch((error: unknown) => failed(req, res, error));
    } catch (error) {
      failed(req, res, error);
    }
  };
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  const method = req.method ?? "GET";
  const allow = (methods: string[]) => {
    if (methods.includes(method)) return true;
    res.setHeader("allow", methods.join(", "));
    sendError(res, 405, "method_not_allowed", `${method} is not allowed on ${path}; use ${methods.join(" or ")}`);
    return false;
  };

  if (!ctx.addressAllowed(req)) return sendError(res, 403, "forbidden", NOT_ALLOWED);
  switch (path) {
    case PATHS.health:
      if (allow(["GET", "HEAD"])) sendJson(res, 200, { version: VERSION, status: "ok" });
      return;
    case PATHS.register:
      if (allow(["POST"])) await register(ctx, req, res);
      return;
    case PATHS.runtimes:
      if (!allow(["GET"])) return;
      if (!(await observer(ctx, req, res, url))) return;
      return sendJson(res, 200, { runtimes: ctx.runtimes() });
    case PATHS.metrics:
      if (!ctx.options.metrics) break;
      if (!allow(["GET"])) return;
      if (!(await observer(ctx, req, res, url))) return;
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" });
      res.end(ctx.metrics());
      return;
    case PATHS.console:
      if (!allow(["GET", "HEAD"])) return;
      if (ctx.console && serveConsole(ctx.console, path, req, res)) return;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(method === "HEAD" ? undefined : placeholderPage());
      return;
    case PATHS.runtimeSocket:
    case PATHS.clientSocket:
      return sendError(res, 426, "upgrade_required", `${path} is a WebSocket endpoint`);
  }

  const status = RUNTIME_STATUS_PATH.exec(path);
  if (status) {
    if (!allow(["GET"])) return;
    if (!ctx.runtimeAuthorized(req, url)) return sendError(res, 401, "unauthorized", UNAUTHORIZED);
    return runtimeStatus(url, res);
  }

  // The console's own files (index.html, assets/…): only those read from its build at start.
  if (ctx.console && (method === "GET" || method === "HEAD") && serveConsole(ctx.console, path, req, res)) return;

  ctx.logger.warn(`unknown request ${ctx.describe(req)} → 404`);
  sendError(res, 404, "not_found", `${method} ${path} is not served by this BYOR server (it serves the runtime in --backend local mode)`);
}

async function register(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (!ctx.runtimeAuthorized(req, url)) {
    ctx.logger.warn(`refused a registration from ${req.socket.remoteAddress}: missing or wrong runtime token (401)`);
    return sendError(res, 401, "unauthorized", UNAUTHORIZED);
  }
  let body: unknown;
  try {
    body = await readJson(req, ctx.options.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyError) return sendError(res, error.status, error.code, error.message);
    throw error;
  }
  const validate = HTTP_VALIDATORS["register-request"];
  if (!validate(body)) {
    // The same issue shape as a byor.error's, and the same readable lines; bounded whatever the body.
    const { issues, moreIssues } = issuesOf(validate, body);
    return refuseRegistration(ctx, res, "the register body does not match the schema", issues, moreIssues);
  }
  const request = body as RegisterRequest;
  // The schema only says "string": an empty device id would register, then be refused at the socket.
  const badIds = idIssues(request);
  if (badIds.length) return refuseRegistration(ctx, res, "the register body has an id the server cannot use", badIds, 0);
  const outcome = ctx.hub.register(request);
  if (isRefusal(outcome)) {
    ctx.refused(outcome.error);
    ctx.logger.warn(`refused registration of ${runtimeLabel(request.connectionName, request.deviceId)}: ${outcome.message} (${outcome.status})`);
    return sendError(res, outcome.status, outcome.error, outcome.message);
  }
  const wsUrl = `${ctx.socketBase(req)}${PATHS.runtimeSocket}?connectionId=${encodeURIComponent(outcome.connectionId!)}`;
  ctx.logger.info(
    `runtime ${outcome.label} registered as ${outcome.connectionId} (letta-code ${request.metadata.lettaCodeVersion}, ${request.metadata.os}, node ${request.metadata.nodeVersion})`,
  );
  sendJson(res, 200, { connectionId: outcome.connectionId, wsUrl });
}

/** An app whose role may observe (the runtime list and metrics); anything else is answered 401, 403 or 500. */
async function observer(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const auth = await ctx.authenticateApp(req, url, DASHBOARD_AUTH);
  if (!auth.ok) {
    sendError(res, auth.status, auth.error, auth.status === 401 ? UNAUTHORIZED : auth.message);
    return false;
  }
  if (roleAllows(auth.principal.role, "observe")) return true;
  sendError(res, 403, "forbidden", `role ${auth.principal.role.name} does not grant observe, which ${url.pathname} needs`);
  return false;
}

function refuseRegistration(ctx: HttpContext, res: ServerResponse, message: string, issues: Issue[], moreIssues: number): void {
  const more = moreIssues > 0 ? ` and ${moreIssues} more` : "";
  ctx.logger.warn(`refused a registration: invalid body (${issues.map(formatIssue).join("; ")}${more})`);
  sendError(res, 400, "invalid_message", message, { issues, ...(moreIssues > 0 && { moreIssues }) });
}

/**
 * The runtime asks before recovering approvals left pending by an earlier process. This server runs no
 * conversations itself and does not arbitrate between runtimes, so each conversation is IDLE with no conflicting
 * listener: recovery goes ahead (with a 404 the runtime would skip it and leave those approvals stuck).
 */
function runtimeStatus(url: URL, res: ServerResponse): void {
  const ids = (url.searchParams.get("conversation_ids") ?? "").split(",").filter(Boolean);
  sendJson(res, 200, {
    statuses: ids.map((conversation_id) => ({ conversation_id, state: "IDLE", has_conflicting_listeners: false, active_harness: null })),
  });
}
