import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The policy the console is served with. The build has no inline script or style, no eval and no data: URL; it
 * talks only to this server (its WebSocket is same-origin; `ws: wss:` for browsers whose 'self' leaves sockets out).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

interface Asset {
  body: Buffer;
  type: string;
  /** Content-hashed (under assets/): cacheable for good. */
  immutable: boolean;
}

/** The built console, read into memory once (a handful of files): URL path → file. Undefined when not built. */
export type ConsoleAssets = ReadonlyMap<string, Asset>;

/** Where the console build lives: `console/` beside the built module (copied there by the build), or, when running from
 * the sources, the package's `dist/console/`. */
export function defaultConsoleDir(): string | undefined {
  for (const candidate of ["./console/", "../dist/console/"]) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return undefined;
}

export function loadConsole(dir: string | undefined): ConsoleAssets | undefined {
  if (!dir || !existsSync(join(dir, "index.html"))) return undefined;
  const assets = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = join(dir, rel);
      if (statSync(full).isDirectory()) walk(rel);
      else assets.set(`/${rel}`, { body: readFileSync(full), type: TYPES[extname(name)] ?? "application/octet-stream", immutable: rel.startsWith("assets/") });
    }
  };
  walk("");
  assets.set("/", assets.get("/index.html")!);
  return assets;
}

/** Serves a console file (GET / HEAD); false when the path is not one. Only files read at start can be served. */
export function serveConsole(assets: ConsoleAssets, path: string, req: IncomingMessage, res: ServerResponse): boolean {
  const asset = assets.get(path);
  if (!asset) return false;
  res.writeHead(200, {
    "content-type": asset.type,
    "content-length": asset.body.length,
    "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "content-security-policy": CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  });
  res.end(req.method === "HEAD" ? undefined : asset.body);
  return true;
}
