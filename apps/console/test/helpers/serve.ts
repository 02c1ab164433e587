// Runs the real `byor serve` (packages/cli's build) as a child process, as a user would.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../../../packages/cli/dist/bin.js");

export interface Served {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The console URL `byor serve` printed (with the token in its fragment). */
  consoleUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then waits for the process to exit (the port is free again). */
  stop(): Promise<void>;
}

export async function startServe(options: { token: string; port?: number }): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, "serve", "--host", "127.0.0.1", "--port", String(options.port ?? 0), "--token", options.token], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BYOR_TOKEN: "" },
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const deadline = Date.now() + 20_000;
  while (!/Console: \S+/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`byor serve did not start (exit ${child.exitCode}):\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  return {
    url,
    port: Number(new URL(url).port),
    consoleUrl: /Console: (\S+)/.exec(out)![1]!,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
