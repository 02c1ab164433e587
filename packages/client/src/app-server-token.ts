import { ByorError } from "@byor/protocol";
import { globals } from "./platform.js";

export interface AppServerTokenOptions {
  /** The shared secret the runtime reads from `--ws-shared-secret-file` (the file's content, trimmed). */
  secret: string | Uint8Array;
  /** `iss`: must equal the runtime's `--ws-issuer` when it sets one. */
  issuer?: string;
  /** `aud`: must equal (or contain) the runtime's `--ws-audience` when it sets one. */
  audience?: string | string[];
  /** `sub`, for the app's own bookkeeping (the runtime does not check it). */
  subject?: string;
  /** Lifetime from now (default 300 s): a token is minted for every connection attempt, so short is fine. */
  ttlSeconds?: number;
  /** Now, in ms since the epoch (default Date.now()). */
  now?: number;
}

const base64Url = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return globals().btoa!(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/**
 * Mints the signed bearer token (an HS256 JWT) that a runtime started with `--ws-auth signed-bearer-token` accepts:
 * `exp` (required by the runtime), `iat`, and `iss` / `aud` / `sub` when given. Uses WebCrypto (Node ≥ 20 and
 * secure browser contexts). Keep the secret on a server: a page that holds it can mint tokens for anyone.
 */
export async function signAppServerToken(options: AppServerTokenOptions): Promise<string> {
  const { TextEncoder, crypto } = globals();
  const subtle = crypto?.subtle;
  if (!subtle || !TextEncoder) throw new ByorError("invalid_state", "signing an App Server token needs WebCrypto (crypto.subtle), which this platform lacks");
  const encoder = new TextEncoder();
  const secret = typeof options.secret === "string" ? encoder.encode(options.secret) : options.secret;
  if (secret.length === 0) throw new ByorError("invalid_state", "the App Server shared secret is empty");
  const ttl = options.ttlSeconds ?? 300;
  if (!(ttl > 0)) throw new ByorError("invalid_state", `ttlSeconds must be positive, not ${ttl}`);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = { iat: now, exp: now + Math.ceil(ttl) };
  if (options.issuer !== undefined) claims.iss = options.issuer;
  if (options.audience !== undefined) claims.aud = options.audience;
  if (options.subject !== undefined) claims.sub = options.subject;
  const head = base64Url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = base64Url(encoder.encode(JSON.stringify(claims)));
  const key = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await subtle.sign("HMAC", key, encoder.encode(`${head}.${body}`)));
  return `${head}.${body}.${base64Url(signature)}`;
}
