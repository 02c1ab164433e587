// A real redis-server for the tests of @byor/redis: found on PATH or installed with apt-get (as root), started on a free
// 127.0.0.1 port without persistence, stopped, restarted on the same port (data lost, as a Redis without persistence
// loses it), or killed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const which = (name: string): string | undefined => {
  const found = spawnSync("which", [name], { encoding: "utf8" });
  const path = found.status === 0 ? found.stdout.trim() : "";
  return path || undefined;
};

/**
 * The path of `redis-server`. Missing: installed with `apt-get install redis-server` when running as root (Debian; an
 * `apt-get update` first when the package lists are stale), else a clear error. Never a silent skip.
 */
export function ensureRedisServer(): string {
  const found = which("redis-server");
  if (found) return found;
  const root = process.getuid?.() === 0;
  if (root && which("apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () =>
      spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "redis-server"], { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    let result = install();
    if (result.status !== 0) {
      spawnSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "pipe"] });
      result = install();
    }
    const installed = which("redis-server");
    if (installed) return installed;
    throw new Error(`redis-server is missing and \`apt-get install redis-server\` failed (exit ${result.status}):\n${result.stderr ?? ""}`);
  }
  throw new Error(
    "redis-server is not on PATH (the @byor/redis tests need a real one): install it, e.g. `sudo apt-get install redis-server` " +
      "or `brew install redis`" +
      (root ? "" : " (apt-get runs by itself only as root)"),
  );
}

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** SIGTERM, and resolves once it exited (a no-op when it is not running). */
  stop(): Promise<void>;
  /** Stops it (unless stopped) and starts a new one on the same port: the data are gone. */
  restart(): Promise<void>;
  /** SIGKILL, and resolves once it exited. */
  kill(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

/** Resolves once something on the port answers PING with +PONG. */
const pings = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });

const live = new Set<ChildProcess>();
let exitHook = false;

/** A redis-server on a free 127.0.0.1 port (or `port`), no RDB, no AOF; resolves once it answers PING. */
export async function startRedisServer(options: { port?: number; timeoutMs?: number } = {}): Promise<RedisServer> {
  const bin = ensureRedisServer();
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), "byor-redis-"));
  if (!exitHook) {
    exitHook = true;
    // A test run that ends without stopping its servers must not leave them behind.
    process.once("exit", () => {
      for (const child of live) child.kill("SIGKILL");
    });
  }
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    let output = "";
    mkdirSync(dir, { recursive: true });
    const proc = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    live.add(proc);
    proc.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4_000)));
    proc.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4_000)));
    let gone = false;
    exited = new Promise<void>((resolve) =>
      proc.once("exit", () => {
        gone = true;
        live.delete(proc);
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (!(await pings(port))) {
      if (gone) throw new Error(`redis-server exited before it answered on 127.0.0.1:${port}:\n${output}`);
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`redis-server did not answer PING on 127.0.0.1:${port} within ${timeoutMs} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await signal("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await signal("SIGTERM");
      await launch();
    },
    kill: async () => {
      await signal("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
