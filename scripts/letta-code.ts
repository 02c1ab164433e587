// Fetches the real Letta Code runtime (our interop peer and the authority for the wire types) into an ignored
// cache folder, reusing it when present. Never commit what this writes.
//   tsx scripts/letta-code.ts types     # the tarball + @letta-ai/letta-client, for the type-level tests
//   tsx scripts/letta-code.ts runtime   # also Node 22 and ws, to run letta.js
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const LETTA_CODE_VERSION = "0.32.18";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE_DIR = join(repoRoot, ".cache", `letta-code-${LETTA_CODE_VERSION}`);
export const PACKAGE_DIR = join(CACHE_DIR, "package");
export const TYPES_DIR = join(PACKAGE_DIR, "dist/types/types");

const npm = (args: string[], cwd = CACHE_DIR) => execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

const LOCK_DIR = `${CACHE_DIR}.lock`;
const LOCK_STALE_MS = 10 * 60_000;

/**
 * Runs `install` with the cache to itself: test files of several packages ask for the runtime at once, in parallel
 * workers, and two npm installs into one folder break each other. A directory is the lock (mkdir is atomic); one
 * left behind by a killed process is taken over after 10 minutes.
 */
function withCacheLock<T>(install: () => T): T {
  mkdirSync(dirname(LOCK_DIR), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS + 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(LOCK_DIR).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > LOCK_STALE_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // these functions are synchronous
    }
  }
  try {
    return install();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

const typesReady = () => existsSync(join(PACKAGE_DIR, "package.json")) && existsSync(join(CACHE_DIR, "node_modules/@letta-ai/letta-client/package.json"));
const runtimeReady = () =>
  typesReady() &&
  existsSync(join(CACHE_DIR, "node_modules/node/bin/node")) &&
  existsSync(join(CACHE_DIR, "node_modules/ws/package.json")) &&
  existsSync(join(PACKAGE_DIR, "node_modules/ws/package.json"));

/** Unpacks `@letta-ai/letta-code@0.32.18` and installs the client types its declarations import. */
export function ensureTypes(): string {
  if (!typesReady()) withCacheLock(installTypes);
  return TYPES_DIR;
}

/** Also installs Node 22 (the runtime needs it) and ws beside the package; returns how to start letta.js. */
export function ensureRuntime(): { node: string; letta: string } {
  if (!runtimeReady()) withCacheLock(installRuntime);
  return { node: join(CACHE_DIR, "node_modules/node/bin/node"), letta: join(PACKAGE_DIR, "letta.js") };
}

function installTypes(): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  // Its own package.json keeps npm from walking up into our pnpm workspace.
  const manifest = join(CACHE_DIR, "package.json");
  if (!existsSync(manifest)) writeFileSync(manifest, '{ "private": true, "description": "cache, not committed" }\n');
  if (!existsSync(join(PACKAGE_DIR, "package.json"))) {
    rmSync(PACKAGE_DIR, { recursive: true, force: true });
    const tgz = npm(["pack", `@letta-ai/letta-code@${LETTA_CODE_VERSION}`, "--silent"])
      .trim()
      .split("\n")
      .pop()!;
    execFileSync("tar", ["-xzf", tgz], { cwd: CACHE_DIR });
    rmSync(join(CACHE_DIR, tgz));
  }
  if (!existsSync(join(CACHE_DIR, "node_modules/@letta-ai/letta-client/package.json"))) {
    const range = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).dependencies["@letta-ai/letta-client"];
    npm(["install", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", `@letta-ai/letta-client@${range}`]);
  }
}

function installRuntime(): void {
  installTypes();
  const nodeBin = join(CACHE_DIR, "node_modules/node/bin/node");
  if (!existsSync(nodeBin) || !existsSync(join(CACHE_DIR, "node_modules/ws/package.json"))) {
    npm(["install", "--no-audit", "--no-fund", "--no-package-lock", "node@22", "ws@8"]);
  }
  // The runtime resolves `ws` from beside letta.js.
  if (!existsSync(join(PACKAGE_DIR, "node_modules/ws"))) {
    mkdirSync(join(PACKAGE_DIR, "node_modules"), { recursive: true });
    execFileSync("cp", ["-r", join(CACHE_DIR, "node_modules/ws"), join(PACKAGE_DIR, "node_modules/ws")]);
  }
}

/** A running `letta.js` child: what startLettaRemote and startLettaServer share. */
interface LettaProcess {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface SpawnOptions {
  /** LETTA_DEBUG=1 with LETTA_DEBUG_FILE in its HOME: its internal debug lines and warnings, read with debugLog(). */
  debugLog?: boolean;
  /** More variables, or overrides; an undefined value leaves that variable out. */
  env?: Record<string, string | undefined>;
}

const debugFileIn = (home: string) => join(home, "letta-debug.log");
const readDebugLog = (home: string) => (existsSync(debugFileIn(home)) ? readFileSync(debugFileIn(home), "utf8") : "");

/** Everything a child printed (stdout and stderr), across restarts; the oldest half dropped past 200 kB. */
function outputBuffer() {
  let text = "";
  let dropped = 0;
  return {
    keep(chunk: Buffer) {
      text += chunk.toString("utf8");
      if (text.length > 200_000) {
        dropped += text.length - 100_000;
        text = text.slice(-100_000);
      }
    },
    text: () => text,
    /** A position that stays valid after older text is dropped: text printed since it is `since(mark)`. */
    mark: () => dropped + text.length,
    since: (mark: number) => text.slice(Math.max(0, mark - dropped)),
  };
}

/**
 * Spawns `node22 letta.js <args>` in `home` (also its cwd) with an environment built from scratch: nothing LETTA_*
 * leaks in from the caller's; no telemetry, no auto-update, and the built-in deterministic model (every turn answers
 * "pong") unless `env` overrides LETTA_LOCAL_BACKEND_EXECUTOR.
 */
function spawnLetta(
  args: string[],
  home: string,
  output: ReturnType<typeof outputBuffer>,
  options: SpawnOptions,
  env: Record<string, string> = {},
): LettaProcess {
  const { node, letta } = ensureRuntime();
  const child = spawn(node, [letta, ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      LETTA_CODE_TELEM: "0",
      DO_NOT_TRACK: "1",
      DISABLE_AUTOUPDATER: "1",
      LETTA_LOCAL_BACKEND_EXECUTOR: "deterministic",
      ...env,
      ...(options.debugLog ? { LETTA_DEBUG: "1", LETTA_DEBUG_FILE: debugFileIn(home) } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", output.keep);
  child.stderr!.on("data", output.keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, pid: child.pid!, exited };
}

/** Kills it by pid (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
async function killLetta({ child, pid, exited }: LettaProcess): Promise<void> {
  const alive = () => child.exitCode === null && child.signalCode === null;
  if (!alive()) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      if (alive()) process.kill(pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error; // exited meanwhile
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface LettaRemote {
  child: ChildProcess;
  pid: number;
  /** The temporary HOME (agents, conversations, settings and the runtime's logs live under it). */
  home: string;
  /** Everything it printed so far (stdout and stderr; its TUI redraws included). */
  output(): string;
  /** Its debug log (with `debugLog: true`): warnings such as a failed approval-recovery ownership check land here. */
  debugLog(): string;
  /** Resolves with its exit code (or signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it by pid (SIGTERM, then SIGKILL after 5 s) and removes its HOME. */
  stop(): Promise<void>;
}

/**
 * Starts the real runtime, `letta remote --env-name <envName> --backend local`, against a server on this machine:
 * a fresh HOME, no telemetry, no auto-update, and the built-in deterministic model (every turn answers "pong"),
 * so nothing leaves 127.0.0.1. The environment is built from scratch: nothing LETTA_* leaks in from the caller's.
 */
export function startLettaRemote(
  options: SpawnOptions & {
    baseUrl: string;
    token: string;
    envName: string;
    /** `--debug`: every frame it sends and receives goes to its log under HOME/.letta/logs/remote/. */
    debug?: boolean;
  },
): LettaRemote {
  if (!/^https?:\/\/127\.0\.0\.1[:/]/.test(options.baseUrl)) throw new Error(`the runtime may only be pointed at 127.0.0.1, not ${options.baseUrl}`);
  const home = mkdtempSync(join(tmpdir(), "letta-home-"));
  const output = outputBuffer();
  const args = ["remote", "--env-name", options.envName, "--backend", "local", ...(options.debug ? ["--debug"] : [])];
  const proc = spawnLetta(args, home, output, options, {
    LETTA_BASE_URL: options.baseUrl,
    IGNORE_SELF_HOSTED_LISTENER_ERROR: "1",
    LETTA_API_KEY: options.token,
  });
  return {
    ...proc,
    home,
    output: output.text,
    debugLog: () => readDebugLog(home),
    async stop() {
      await killLetta(proc);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** How `letta server` authenticates WebSocket upgrades (`Authorization: Bearer <token>`). */
export type LettaServerAuth =
  /** Loopback without auth: no token, but an upgrade carrying an Origin header is refused (403). */
  | "none"
  | { mode: "none" }
  /** `--ws-auth capability-token --ws-token-file <HOME>/ws-token`: the bearer token must equal `token`. */
  | { mode: "capability-token"; token: string }
  /**
   * `--ws-auth signed-bearer-token --ws-shared-secret-file <HOME>/ws-secret`: an HS256 JWT with `exp` (and `nbf`, `iss`,
   * `aud` checked when present or configured). The runtime refuses to start with a secret under 32 bytes.
   */
  | { mode: "signed-bearer-token"; secret: string; issuer?: string; audience?: string; maxClockSkewSeconds?: number };

export interface LettaServer {
  /** `ws://127.0.0.1:<port>`, as the runtime printed it. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/ws`, where clients connect (the runtime also upgrades `/`). */
  readonly wsUrl: string;
  readonly port: number;
  /** The temporary HOME (agents, conversations, settings, the auth files): kept across restart(), removed by stop(). */
  readonly home: string;
  /** The current process (a new one after restart()). */
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the current process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed, across restarts: `Listening on …`, and `Rejecting app-server websocket client: …` lines. */
  output(): string;
  /** Its debug log (with `debugLog: true`). */
  debugLog(): string;
  /** Stops it (SIGTERM: it terminates its sockets) and starts it again on the same port and HOME (same agents). */
  restart(): Promise<void>;
  /** Kills it by pid (SIGTERM, then SIGKILL after 5 s) and removes its HOME. */
  stop(): Promise<void>;
}

/** Its first line once it listens; the whole line (a chunk may end mid-URL). */
const LISTENING = /Listening on (ws:\/\/\S+)\r?\n/;

/**
 * Starts the real runtime as an App Server, `letta server --listen ws://127.0.0.1:<port> --backend local`: clients
 * connect to it (`/ws`) and speak the v2 protocol directly, no broker. Same environment as startLettaRemote (fresh
 * HOME, no telemetry, deterministic model unless `env` says otherwise). `port` 0 (the default) lets the runtime pick
 * one; the port is read from the `Listening on ws://127.0.0.1:NNNN` line it prints. Resolves once it listens.
 */
export async function startLettaServer(
  options: SpawnOptions & {
    /** A free port on 127.0.0.1, or 0 (default): any. restart() reuses the port it got. */
    port?: number;
    /** Default "none". */
    auth?: LettaServerAuth;
    /** How long to wait for `Listening on`, per start. Default 60 s. */
    startTimeoutMs?: number;
  } = {},
): Promise<LettaServer> {
  const requested = options.port ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) throw new Error(`invalid port ${requested}`);
  const auth = options.auth ?? "none";
  const home = mkdtempSync(join(tmpdir(), "letta-server-home-"));
  const authArgs: string[] = [];
  if (auth !== "none" && auth.mode !== "none") {
    const file = join(home, auth.mode === "capability-token" ? "ws-token" : "ws-secret");
    writeFileSync(file, `${auth.mode === "capability-token" ? auth.token : auth.secret}\n`, { mode: 0o600 });
    if (auth.mode === "capability-token") authArgs.push("--ws-auth", "capability-token", "--ws-token-file", file);
    else {
      authArgs.push("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", file);
      if (auth.issuer !== undefined) authArgs.push("--ws-issuer", auth.issuer);
      if (auth.audience !== undefined) authArgs.push("--ws-audience", auth.audience);
      if (auth.maxClockSkewSeconds !== undefined) authArgs.push("--ws-max-clock-skew-seconds", String(auth.maxClockSkewSeconds));
    }
  }
  const output = outputBuffer();
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  /** Spawns it on `port` and waits for its `Listening on` line; a process that exits or stays silent is killed. */
  async function launch(port: number): Promise<{ proc: LettaProcess; url: string; port: number }> {
    const mark = output.mark();
    const proc = spawnLetta(["server", "--listen", `ws://127.0.0.1:${port}`, "--backend", "local", ...authArgs], home, output, options);
    const fail = async (why: string): Promise<never> => {
      await killLetta(proc);
      throw new Error(`letta server ${why}\n--- its output ---\n${output.since(mark).slice(-3000)}`);
    };
    const url = await new Promise<string | Error>((resolve) => {
      const check = () => {
        const found = LISTENING.exec(output.since(mark));
        if (found) done(found[1]!);
      };
      const timer = setTimeout(() => done(new Error(`did not listen within ${timeoutMs} ms`)), timeoutMs);
      const onExit = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) =>
        done(new Error(`exited (${signal ?? code}) before it listened`));
      const done = (result: string | Error) => {
        clearTimeout(timer);
        proc.child.stdout!.off("data", check);
        resolve(result);
      };
      proc.child.stdout!.on("data", check);
      void proc.exited.then(onExit);
      check();
    });
    if (url instanceof Error) return fail(url.message);
    // Only ever 127.0.0.1 (the guard startLettaRemote has): we asked for it, and check what it says it bound.
    const bound = /^ws:\/\/127\.0\.0\.1:(\d+)$/.exec(url);
    if (!bound) return fail(`listens on ${url}, not on 127.0.0.1`);
    return { proc, url, port: Number(bound[1]) };
  }

  let current: Awaited<ReturnType<typeof launch>>;
  try {
    current = await launch(requested);
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const { url, port } = current;
  return {
    url,
    wsUrl: `${url}/ws`,
    port,
    home,
    get child() {
      return current.proc.child;
    },
    get pid() {
      return current.proc.pid;
    },
    get exited() {
      return current.proc.exited;
    },
    output: output.text,
    debugLog: () => readDebugLog(home),
    async restart() {
      await killLetta(current.proc);
      current = await launch(port);
    },
    async stop() {
      await killLetta(current.proc);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? "types";
  if (what === "runtime") console.log(ensureRuntime());
  else console.log(ensureTypes(), readdirSync(TYPES_DIR).length, "files");
}
