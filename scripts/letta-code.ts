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

const npm = (args: string[], cwd = CACHE_DIR) =>
  execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

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

const typesReady = () =>
  existsSync(join(PACKAGE_DIR, "package.json")) && existsSync(join(CACHE_DIR, "node_modules/@letta-ai/letta-client/package.json"));
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
    const tgz = npm(["pack", `@letta-ai/letta-code@${LETTA_CODE_VERSION}`, "--silent"]).trim().split("\n").pop()!;
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
export function startLettaRemote(options: {
  baseUrl: string;
  token: string;
  envName: string;
  /** `--debug`: every frame it sends and receives goes to its log under HOME/.letta/logs/remote/. */
  debug?: boolean;
  /** LETTA_DEBUG=1 with LETTA_DEBUG_FILE in its HOME: its internal debug lines and warnings, read with debugLog(). */
  debugLog?: boolean;
  /** More variables, or overrides; an undefined value leaves that variable out. */
  env?: Record<string, string | undefined>;
}): LettaRemote {
  if (!/^https?:\/\/127\.0\.0\.1[:/]/.test(options.baseUrl)) throw new Error(`the runtime may only be pointed at 127.0.0.1, not ${options.baseUrl}`);
  const { node, letta } = ensureRuntime();
  const home = mkdtempSync(join(tmpdir(), "letta-home-"));
  const debugFile = join(home, "letta-debug.log");
  const args = [letta, "remote", "--env-name", options.envName, "--backend", "local", ...(options.debug ? ["--debug"] : [])];
  const child = spawn(node, args, {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      LETTA_BASE_URL: options.baseUrl,
      IGNORE_SELF_HOSTED_LISTENER_ERROR: "1",
      LETTA_API_KEY: options.token,
      LETTA_CODE_TELEM: "0",
      DO_NOT_TRACK: "1",
      DISABLE_AUTOUPDATER: "1",
      LETTA_LOCAL_BACKEND_EXECUTOR: "deterministic",
      ...(options.debugLog ? { LETTA_DEBUG: "1", LETTA_DEBUG_FILE: debugFile } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const pid = child.pid!;
  return {
    child,
    pid,
    home,
    output: () => output,
    debugLog: () => (existsSync(debugFile) ? readFileSync(debugFile, "utf8") : ""),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, "SIGTERM");
        const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(pid, "SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? "types";
  if (what === "runtime") console.log(ensureRuntime());
  else console.log(ensureTypes(), readdirSync(TYPES_DIR).length, "files");
}
