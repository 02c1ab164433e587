import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { CLIENT_ENDPOINT } from "@byor/protocol";

/** Prefix of the WebSocket subprotocol that carries the token, for browsers (they cannot set headers). */
export const TOKEN_SUBPROTOCOL_PREFIX = CLIENT_ENDPOINT.tokenSubprotocolPrefix;
/** The subprotocol the server selects when an app offers it next to its token one, so the token is not echoed. */
export const CLIENT_SUBPROTOCOL = CLIENT_ENDPOINT.subprotocol;

/** A fresh random token: 32 bytes, base64url (usable in a header, a query and a subprotocol). */
export const generateToken = (): string => randomBytes(32).toString("base64url");

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant-time comparison: both sides are hashed first, so neither length nor content leaks through timing. */
export const tokensEqual = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

export type TokenSource = "header" | "query" | "subprotocol";

/** The token a request presents and where it came from: `Authorization: Bearer`, `?token=`, or a subprotocol. */
export function presentedToken(req: IncomingMessage, url: URL, allow: readonly TokenSource[]): { token: string; source: TokenSource } | undefined {
  const header = req.headers.authorization;
  if (allow.includes("header") && header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1]) return { token: match[1].trim(), source: "header" };
  }
  if (allow.includes("subprotocol")) {
    const offered = offeredSubprotocols(req).find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
    if (offered) return { token: offered.slice(TOKEN_SUBPROTOCOL_PREFIX.length), source: "subprotocol" };
  }
  const query = allow.includes("query") ? url.searchParams.get("token") : null;
  if (query) return { token: query, source: "query" };
  return undefined;
}

export const offeredSubprotocols = (req: IncomingMessage): string[] =>
  (req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);

/**
 * Origin check for browser clients. Requests without an Origin (the runtime, Node apps, curl) pass: the token
 * protects them. A browser page passes if its origin is this server's own (the console) or in the allow-list.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[] | "*"): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed === "*") return true;
  if (allowed.includes(origin)) return true;
  try {
    const host = req.headers.host;
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
