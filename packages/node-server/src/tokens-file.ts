import { createHash } from "node:crypto";
import { readFileSync, statSync, watch, type FSWatcher, type Stats } from "node:fs";
import { basename, dirname } from "node:path";
import { defineRoles, type Role, type RoleDefinition } from "@byor/protocol";
import type { Principal } from "@byor/hub";
import type { Logger } from "./logger.js";

/**
 * The tokens file: named app tokens with roles, e.g.
 *
 * ```json
 * {
 *   "roles": { "reviewer": ["observe", "files"] },
 *   "tokens": [
 *     { "name": "alice", "role": "operator", "token": "a-long-random-string" },
 *     { "name": "ci", "role": "viewer", "sha256": "<hex SHA-256 of the token>" }
 *   ]
 * }
 * ```
 *
 * A token is given as itself or as the SHA-256 of its UTF-8 bytes (hex), so the file need not hold it. Custom roles
 * here add to the server's `roles`.
 */
export interface TokensFileEntry {
  name: string;
  /** Hex SHA-256 of the token. */
  digest: string;
  principal: Principal;
  /** The token itself, when the file holds it (to keep it out of logs). */
  token: string | undefined;
}

export interface TokenSet {
  /** By hex SHA-256 of the token. */
  byDigest: ReadonlyMap<string, TokensFileEntry>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const HEX = /^[0-9a-f]{64}$/;
/** Names the server gives principals itself. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["owner", "unrestricted"]);
export const MIN_TOKEN_LENGTH = 16;

export const sha256Hex = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * Parses and checks a tokens file's text. Throws a TypeError naming the first problem (the entry and the field).
 * `conflict` says why a token digest may not be used (it is the runtime token, say), or undefined.
 */
export function parseTokensFile(
  text: string,
  serverRoles: Readonly<Record<string, RoleDefinition>>,
  conflict: (digest: string) => string | undefined = () => undefined,
): TokenSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new TypeError('expected an object: { "tokens": [...], "roles"?: {...} }');
  const { tokens, roles: fileRoles, ...rest } = json as { tokens?: unknown; roles?: unknown };
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length) throw new TypeError(`unknown key ${JSON.stringify(unknownKeys[0])} (expected "tokens" and "roles")`);
  if (fileRoles !== undefined && (typeof fileRoles !== "object" || fileRoles === null || Array.isArray(fileRoles)))
    throw new TypeError('"roles" must be an object: role name → list of privilege classes');
  const shared = Object.keys(fileRoles ?? {}).find((name) => Object.hasOwn(serverRoles, name));
  if (shared) throw new TypeError(`role "${shared}" is defined by the server already`);
  const roles: Readonly<Record<string, Role>> = defineRoles({ ...serverRoles, ...(fileRoles as Record<string, RoleDefinition> | undefined) });
  if (!Array.isArray(tokens)) throw new TypeError('"tokens" must be a list of { "name", "role", "token" or "sha256" }');
  const byDigest = new Map<string, TokensFileEntry>();
  const names = new Set<string>();
  tokens.forEach((raw: unknown, i) => {
    const at = `tokens[${i}]`;
    if (typeof raw !== "object" || raw === null) throw new TypeError(`${at} must be an object`);
    const { name, role, token, sha256, ...others } = raw as Record<string, unknown>;
    const extra = Object.keys(others);
    if (extra.length) throw new TypeError(`${at}: unknown key ${JSON.stringify(extra[0])} (expected name, role, token or sha256)`);
    if (typeof name !== "string" || !NAME.test(name))
      throw new TypeError(`${at}.name must be 1-64 letters, digits or . _ @ + - (starting with a letter or digit)`);
    const where = `${at} (${name})`;
    if (RESERVED_NAMES.has(name)) throw new TypeError(`${where}: the name "${name}" is reserved`);
    if (names.has(name)) throw new TypeError(`${where}: the name is used twice`);
    names.add(name);
    if (typeof role !== "string" || !Object.hasOwn(roles, role)) throw new TypeError(`${where}.role must be one of ${Object.keys(roles).join(", ")}`);
    if ((token === undefined) === (sha256 === undefined)) throw new TypeError(`${where}: give exactly one of "token" and "sha256"`);
    if (token !== undefined && (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH || token.length > 1024 || /[\s,]/.test(token))) {
      throw new TypeError(`${where}.token must be ${MIN_TOKEN_LENGTH} to 1024 characters without whitespace or commas`);
    }
    if (sha256 !== undefined && (typeof sha256 !== "string" || !HEX.test(sha256))) throw new TypeError(`${where}.sha256 must be 64 lowercase hex digits`);
    const digest = typeof token === "string" ? sha256Hex(token) : (sha256 as string);
    if (byDigest.has(digest)) throw new TypeError(`${where}: the same token as ${byDigest.get(digest)!.name}`);
    const why = conflict(digest);
    if (why) throw new TypeError(`${where}: ${why}`);
    byDigest.set(digest, { name, digest, principal: Object.freeze({ name, role: roles[role]! }), token: token as string | undefined });
  });
  return { byDigest };
}

/** What a reload changed, for the server to close the sockets of tokens that went away or changed role. */
export interface TokensChange {
  previous: TokenSet;
  current: TokenSet;
}

/**
 * The tokens file, kept current: reloaded when it changes (fs.watch on its directory, which survives editors that
 * replace the file, and a stat every `pollMs` where events are not delivered). A bad edit, or a missing file, keeps
 * the previous good set and logs why.
 */
export class TokensFile {
  #set: TokenSet;
  #text: string;
  #stat: string;
  #watcher: FSWatcher | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Reads the file now; throws a TypeError naming the file and the problem if it cannot be used. */
  constructor(
    readonly path: string,
    private readonly roles: Readonly<Record<string, RoleDefinition>>,
    private readonly conflict: (digest: string) => string | undefined,
    private readonly logger: Logger,
    private readonly onChange: (change: TokensChange) => void,
  ) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new TypeError(`cannot read the tokens file ${path}: ${(error as Error).message}`);
    }
    try {
      this.#set = parseTokensFile(text, roles, conflict);
    } catch (error) {
      throw new TypeError(`tokens file ${path}: ${(error as Error).message}`);
    }
    this.#text = text;
    this.#stat = statKey(path);
  }

  get current(): TokenSet {
    return this.#set;
  }

  /** Starts watching (and polling every `pollMs`). */
  watch(pollMs: number): void {
    if (this.#closed || this.#poll) return;
    const name = basename(this.path);
    try {
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file === null || file.toString() === name) this.#soon();
      });
      this.#watcher.on("error", () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // No watcher on this file system: the poll alone notices changes.
    }
    this.#poll = setInterval(() => {
      if (statKey(this.path) !== this.#stat) this.#soon();
    }, pollMs);
    this.#poll.unref();
  }

  /** Reads the file again now. Returns whether the set changed. */
  reload(): boolean {
    if (this.#closed) return false;
    this.#stat = statKey(this.path);
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      this.logger.warn(`tokens file ${this.path}: cannot read it (${(error as Error).message}); keeping the previous ${this.#set.byDigest.size} tokens`);
      return false;
    }
    if (text === this.#text) return false;
    let set: TokenSet;
    try {
      set = parseTokensFile(text, this.roles, this.conflict);
    } catch (error) {
      this.logger.warn(`tokens file ${this.path}: ${(error as Error).message}; keeping the previous ${this.#set.byDigest.size} tokens`);
      this.#text = text; // the same bad text is not reported again at every poll
      return false;
    }
    const previous = this.#set;
    this.#set = set;
    this.#text = text;
    this.logger.info(`tokens file ${this.path} reloaded: ${set.byDigest.size} tokens`);
    this.onChange({ previous, current: set });
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    if (this.#poll) clearInterval(this.#poll);
    if (this.#debounce) clearTimeout(this.#debounce);
  }

  /** Editors write in steps (truncate, write; or write a temporary and rename): read once they are done. */
  #soon(): void {
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      this.reload();
    }, 50);
    this.#debounce.unref();
  }
}

function statKey(path: string): string {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return "missing";
  }
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}
