// Runs the built `byor serve` (packages/cli/dist) as a child process, as a user would: for the tests of the CLI, the
// node-server's interop with the real runtime, and the console in Chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "packages/cli/dist/bin.js");

export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT`, as the banner printed it. */
  url: string;
  port: number;
  /** The console URL the banner printed (with the token in its fragment when it was generated or given). */
  consoleUrl: string;
  stdout(): string;
  stderr(): string;
  /** Lines of stderr (the server's log) that contain `text`. */
  logLines(text: string): string[];
  /** Sends the signal (SIGTERM by default) unless it exited, and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `byor serve <args>` with only PATH and `env` in its environment; resolves once the whole banner is printed (its
 * last line names the console). Pass `--port 0` to let the system pick a port (read back from the banner).
 */
export async function startServe(args: string[], env: Record<string, string> = {}, { timeoutMs = 30_000 } = {}): Promise<ServeProcess> {
  // byor serve keeps its state under the user's config directory by default: tests never touch the real one (a run
  // that needs its state again passes --data-dir).
  const isolated =
    args.includes("--data-dir") || env.BYOR_DATA_DIR !== undefined || env.XDG_CONFIG_HOME !== undefined
      ? {}
      : { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "byor-serve-config-")) };
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    env: { PATH: process.env.PATH ?? "", ...isolated, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`byor serve did not start within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
    child.stdout!.on("data", () => {
      if (/Console: \S+/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`byor serve exited with ${code}:\n${out}\n${err}`));
    });
  });
  const url = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  return {
    child,
    url,
    port: Number(new URL(url).port),
    consoleUrl: /Console: (\S+)/.exec(out)![1]!,
    stdout: () => out,
    stderr: () => err,
    logLines: (text) => err.split("\n").filter((line) => line.includes(text)),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
