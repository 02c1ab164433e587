import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const bin = resolve(import.meta.dirname, "../../../cli/dist/bin.js");

export interface ServeProcess {
  child: ChildProcess;
  /** The port it listens on (as printed in its banner). */
  port: number;
  stdout(): string;
  stderr(): string;
  /** Lines of stderr (the server's log) that contain `text`. */
  logLines(text: string): string[];
  /** SIGTERM, then resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `byor serve --port P` (the built CLI) with BYOR_TOKEN; resolves once it prints that it is listening. Port 0
 * lets the system pick (no race with another process for a "free" port); a restart passes the port it got.
 */
export async function startServe(port: number, token: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, "serve", "--port", String(port), "--env-name", "interop", "--verbose"], {
    env: { PATH: process.env.PATH ?? "", BYOR_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`byor serve did not start: ${out}${err}`)), 30_000);
    const check = () => {
      if (out.includes("BYOR server listening")) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => fail(new Error(`byor serve exited with ${code}: ${out}${err}`)));
  });
  return {
    child,
    port: Number(/BYOR server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]),
    stdout: () => out,
    stderr: () => err,
    logLines: (text) => err.split("\n").filter((l) => l.includes(text)),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
