import type { IncomingMessage } from "node:http";
import { BUILTIN_ROLES, defineRoles, type Role, type RoleDefinition } from "@byor/protocol";
import type { Principal } from "@byor/hub";
import { presentedToken, type TokenSource } from "./auth.js";
import type { Credentials } from "./credentials.js";
import { sha256Hex, type TokensFile, type TokensFileEntry } from "./tokens-file.js";

/** What an `authenticate` hook returns for a request it accepts: who it is and the name of its role. */
export interface AuthenticatedApp {
  name: string;
  /** A built-in role (viewer, operator, admin) or one of the server's `roles`. */
  role: string;
}

/**
 * Decides who an app is from its upgrade (or HTTP) request, when it presents none of the server's tokens: a JWT, a
 * session cookie, a header set by a proxy... Return the app, or null/undefined to refuse it (401). May be async.
 * An exception refuses it too (500), and is logged.
 */
export type AuthenticateHook = (request: IncomingMessage) => AuthenticatedApp | null | undefined | Promise<AuthenticatedApp | null | undefined>;

export type AppAuthResult = { ok: true; principal: Principal; credential: string } | { ok: false; status: 401 | 500; error: string; message: string };

/** The principal of the server's own app token (`token`, BYOR_TOKEN or the state directory's). */
export const OWNER: Principal = Object.freeze({ name: "owner", role: BUILTIN_ROLES.admin });

const UNAUTHORIZED: AppAuthResult = {
  ok: false,
  status: 401,
  error: "unauthorized",
  message: "missing or wrong token: send `Authorization: Bearer <token>` (a browser: the byor.token.<token> subprotocol)",
};
const HOOK_FAILED: AppAuthResult = { ok: false, status: 500, error: "internal_error", message: "the server failed to authenticate this request" };
const PRINTABLE_NAME = /^[^\u0000-\u001f\u007f]{1,128}$/;

/** Whether a socket's credentials still hold: `changed` (another role now) and `revoked` close it. */
export type CredentialCheck = "valid" | "changed" | "revoked";

/**
 * Who an app is: the owner's token, a token of the tokens file, else the `authenticate` hook. The runtime token is
 * never accepted here. Each accepted socket gets a credential key, to close it when its token is revoked.
 */
export class AppAuthenticator {
  readonly #roles: Readonly<Record<string, Role>>;

  constructor(
    private readonly options: {
      credentials: Credentials;
      tokensFile: () => TokensFile | undefined;
      hook: AuthenticateHook | undefined;
      roles: Readonly<Record<string, RoleDefinition>>;
      /** Reports a hook that threw or answered nonsense. */
      failed: (what: string, error: unknown) => void;
      now: () => number;
      /** How long the hook may take before the request is refused (500). */
      hookTimeoutMs: number;
    },
  ) {
    this.#roles = defineRoles(options.roles);
  }

  async authenticate(req: IncomingMessage, url: URL, sources: readonly TokenSource[]): Promise<AppAuthResult> {
    const presented = presentedToken(req, url, sources);
    if (presented) {
      const owner = this.options.credentials.app.accepts(presented.token, this.options.now());
      if (owner !== undefined) return { ok: true, principal: OWNER, credential: `owner:${owner}` };
      const entry = this.options.tokensFile()?.current.byDigest.get(sha256Hex(presented.token));
      if (entry) return { ok: true, principal: entry.principal, credential: fileKey(entry) };
    }
    const hook = this.options.hook;
    if (!hook) return UNAUTHORIZED;
    let answer: AuthenticatedApp | null | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.options.hookTimeoutMs} ms`)), this.options.hookTimeoutMs);
      });
      answer = await Promise.race([Promise.resolve().then(() => hook(req)), late]);
    } catch (error) {
      this.options.failed("the authenticate hook threw or timed out", error);
      return HOOK_FAILED;
    } finally {
      clearTimeout(timer);
    }
    if (answer === null || answer === undefined || (answer as unknown) === false) return UNAUTHORIZED;
    const { name, role } = answer as Partial<AuthenticatedApp>;
    if (typeof name !== "string" || !PRINTABLE_NAME.test(name)) {
      this.options.failed("the authenticate hook answered without a usable name", new TypeError("name must be 1-128 printable characters"));
      return HOOK_FAILED;
    }
    if (typeof role !== "string" || !Object.hasOwn(this.#roles, role)) {
      this.options.failed(
        `the authenticate hook answered an unknown role for ${name}`,
        new TypeError(`role ${JSON.stringify(role)} is not one of ${Object.keys(this.#roles).join(", ")}`),
      );
      return HOOK_FAILED;
    }
    return { ok: true, principal: Object.freeze({ name, role: this.#roles[role]! }), credential: "hook" };
  }

  /** Whether the credentials an app socket was accepted with still hold. */
  check(credential: string): CredentialCheck {
    if (credential.startsWith("owner:")) return this.options.credentials.app.valid(credential.slice(6), this.options.now()) ? "valid" : "revoked";
    if (credential.startsWith("file:")) {
      const entry = this.options.tokensFile()?.current.byDigest.get(credential.split(":")[1] ?? "");
      if (!entry) return "revoked";
      return fileKey(entry) === credential ? "valid" : "changed";
    }
    return "valid";
  }
}

/** A tokens-file socket's key: its token, name and role (names and classes hold no `:`); another role is "changed". */
const fileKey = (entry: TokensFileEntry) => `file:${entry.digest}:${entry.name}:${entry.principal.role.name}:${entry.principal.role.classes.join(",")}`;
