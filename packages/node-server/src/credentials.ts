import { createHash } from "node:crypto";
import { generateToken, tokensEqual } from "./auth.js";
import { StateFileError, type StateDir } from "./state-dir.js";

/** Where a token came from: an option, the environment, the state directory, or generated at this start. */
export type TokenOrigin = "option" | "env" | "state" | "generated";

/** The two kinds of credentials: runtimes register and connect with one, apps (the owner) open the client endpoint with the other. */
export type CredentialKind = "runtime" | "app";

/** The file in the state directory holding the generated tokens. */
export const CREDENTIALS_FILE = "credentials.json";

interface Previous {
  token: string;
  /** ms since the epoch. */
  expires: number;
}

/** A short, non-secret name of a token, to tell apart the sockets it opened (the hash's first 16 hex digits). */
export const tokenId = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex").slice(0, 16);

/**
 * One credential: its current token, and the ones it replaced, each accepted until its grace period ends.
 */
export class Credential {
  #token: string;
  #previous: Previous[] = [];

  constructor(
    token: string,
    readonly origin: TokenOrigin,
    previous: readonly Previous[] = [],
  ) {
    this.#token = token;
    this.#previous = [...previous];
  }

  get token(): string {
    return this.#token;
  }

  /** Tokens still in their grace period, with when it ends. */
  get previous(): readonly Readonly<Previous>[] {
    return this.#previous;
  }

  /** The id of the token `given` is (current or in its grace period), or undefined. Constant-time per token. */
  accepts(given: string, now: number): string | undefined {
    let match: string | undefined;
    if (tokensEqual(given, this.#token)) match = this.#token;
    for (const p of this.#previous) if (p.expires > now && tokensEqual(given, p.token)) match = p.token;
    return match === undefined ? undefined : tokenId(match);
  }

  /** Whether a token id (from `accepts`) is still accepted. */
  valid(id: string, now: number): boolean {
    return tokenId(this.#token) === id || this.#previous.some((p) => p.expires > now && tokenId(p.token) === id);
  }

  /** A new current token; the old one is accepted `graceMs` longer. Expired ones are dropped. */
  rotate(next: string, graceMs: number, now: number): void {
    this.#previous = this.#previous.filter((p) => p.expires > now);
    if (graceMs > 0) this.#previous.push({ token: this.#token, expires: now + graceMs });
    this.#token = next;
  }

  /** Every token a log line must never show. */
  secrets(): string[] {
    return [this.#token, ...this.#previous.map((p) => p.token)];
  }
}

export interface CredentialSources {
  /** The `token` option (the owner's app token). */
  token: string | undefined;
  /** The `runtimeToken` option. */
  runtimeToken: string | undefined;
  env: Record<string, string | undefined>;
  state: StateDir | undefined;
  now: number;
}

export interface Credentials {
  app: Credential;
  /** The same object as `app` when one token serves both (a `token` given, and no runtime token). */
  runtime: Credential;
}

const checked = (value: string | undefined, what: string): string | undefined => {
  if (value === undefined) return undefined;
  if (value.length === 0) throw new TypeError(`${what} must not be empty`);
  if (/\s/.test(value)) throw new TypeError(`${what} must not contain whitespace`);
  return value;
};

/**
 * The credentials a server starts with. Each kind: its option, else its environment variable (BYOR_TOKEN,
 * BYOR_RUNTIME_TOKEN), else the state directory's, else a new one. For compatibility, an app token given explicitly
 * (option or BYOR_TOKEN) with no runtime token given serves runtimes too, as the one token used to.
 */
export function resolveCredentials(sources: CredentialSources): Credentials {
  const env = (name: string) => sources.env[name]?.trim() || undefined;
  const appGiven = checked(sources.token, "token") ?? checked(env("BYOR_TOKEN"), "BYOR_TOKEN's token");
  const runtimeGiven = checked(sources.runtimeToken, "runtimeToken") ?? checked(env("BYOR_RUNTIME_TOKEN"), "BYOR_RUNTIME_TOKEN's token");
  const appOrigin: TokenOrigin = sources.token !== undefined ? "option" : "env";
  const runtimeOrigin: TokenOrigin = sources.runtimeToken !== undefined ? "option" : "env";
  if (appGiven !== undefined && runtimeGiven !== undefined && appGiven === runtimeGiven) {
    throw new TypeError("the runtime token and the app token must differ: an app must never be able to register a runtime");
  }
  const stored: StoredCredentials = sources.state ? readStored(sources.state) : { version: 1 };
  const fromState = (kind: CredentialKind): Credential => {
    const entry = stored[kind];
    const previous = (entry?.previous ?? []).filter((p) => p.expires > sources.now);
    return entry ? new Credential(entry.token, "state", previous) : new Credential(generateToken(), "generated");
  };
  const app = appGiven !== undefined ? new Credential(appGiven, appOrigin) : fromState("app");
  if (runtimeGiven !== undefined) return { app, runtime: new Credential(runtimeGiven, runtimeOrigin) };
  if (appGiven !== undefined) return { app, runtime: app };
  const runtime = fromState("runtime");
  // Two generated tokens cannot collide; a hand-edited state file could make them one.
  if (tokensEqual(runtime.token, app.token))
    throw new StateFileError(`${sources.state!.path}/${CREDENTIALS_FILE}: the runtime and app tokens are the same; delete the file to get new ones`);
  return { app, runtime };
}

/** Whether the state directory keeps this credential (it was generated or read there, not given). */
export const kept = (credential: Credential): boolean => credential.origin === "state" || credential.origin === "generated";

/** Writes the kept credentials, leaving the file's entry of a kind given explicitly as it was. */
export function saveCredentials(state: StateDir, credentials: Credentials): void {
  const stored = readStored(state);
  const shared = credentials.app === credentials.runtime;
  const file: StoredCredentials = { version: 1 };
  for (const kind of ["runtime", "app"] as const) {
    const credential = credentials[kind];
    if (kept(credential) && !(shared && kind === "runtime")) file[kind] = { token: credential.token, previous: [...credential.previous] };
    else if (stored[kind]) file[kind] = stored[kind];
  }
  state.write(CREDENTIALS_FILE, {
    version: file.version,
    ...(file.runtime && { runtime: { token: file.runtime.token, previous: file.runtime.previous.map(isoPrevious) } }),
    ...(file.app && { app: { token: file.app.token, previous: file.app.previous.map(isoPrevious) } }),
  });
}

interface StoredCredentials {
  version: 1;
  runtime?: { token: string; previous: Previous[] };
  app?: { token: string; previous: Previous[] };
}

const isoPrevious = (p: Previous) => ({ token: p.token, expires: new Date(p.expires).toISOString() });

function readStored(state: StateDir): StoredCredentials {
  const json = state.read(CREDENTIALS_FILE) as Record<string, unknown> | undefined;
  const file = `${state.path}/${CREDENTIALS_FILE}`;
  if (json === undefined) return { version: 1 };
  if (typeof json !== "object" || json === null || json.version !== 1) throw new StateFileError(`${file}: expected {"version": 1, ...}; fix or delete it`);
  const out: StoredCredentials = { version: 1 };
  for (const kind of ["runtime", "app"] as const) {
    const entry = json[kind] as { token?: unknown; previous?: unknown } | undefined;
    if (entry === undefined) continue;
    if (typeof entry?.token !== "string" || entry.token.length < 16 || /\s/.test(entry.token))
      throw new StateFileError(`${file}: ${kind}.token must be a token (16 characters or more, no whitespace); fix or delete the file`);
    const previous: Previous[] = [];
    for (const p of Array.isArray(entry.previous) ? (entry.previous as { token?: unknown; expires?: unknown }[]) : []) {
      const expires = typeof p?.expires === "string" ? Date.parse(p.expires) : NaN;
      if (typeof p?.token !== "string" || Number.isNaN(expires))
        throw new StateFileError(`${file}: ${kind}.previous holds an entry without a token and an ISO expiry; fix or delete the file`);
      previous.push({ token: p.token, expires });
    }
    out[kind] = { token: entry.token, previous };
  }
  return out;
}
