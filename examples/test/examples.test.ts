// Runs every example as its users would (a child process, `node --import tsx`, from the repo root) against real
// parts: a ByorServer with the simulated runtime, the real runtime in App Server mode (`letta server`) and as
// `letta remote` (both with the deterministic executor: every turn answers "pong"), and the built `byor` CLI.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { ByorServer } from "@byor/node-server";
import { createSimulatedRuntime, type SimulatedRuntime } from "@byor/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureRuntime, startLettaRemote, startLettaServer, type LettaRemote, type LettaServer } from "../../scripts/letta-code.js";

const root = resolve(import.meta.dirname, "../..");
const examples = join(root, "examples");
const TOKEN = "examples-test-token";

interface Run {
  /** Everything it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in its stdout, once printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts `node --import tsx examples/<file> …args` with only the given variables on top of PATH and HOME. */
function runExample(file: string, env: Record<string, string>, args: string[] = []): Run {
  const child = spawn(process.execPath, ["--import", "tsx", join("examples", file), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  running.push(child);
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = pattern.exec(stdout);
          if (found) finish(() => resolve(found));
        };
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`${file} did not print ${pattern} within ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`))),
          timeoutMs,
        );
        const finish = (then: () => void) => {
          clearTimeout(timer);
          child.stdout.off("data", check);
          then();
        };
        child.stdout.on("data", check);
        check();
      }),
    exited,
    kill: () => child.exitCode === null && child.kill("SIGKILL"),
  };
}

/** Waits for the program to exit; fails with what it printed when it does not within `timeoutMs`. */
async function exitOf(run: Run, timeoutMs = 45_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not exit within ${timeoutMs} ms\n--- stdout ---\n${run.stdout()}\n--- stderr ---\n${run.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const running: ReturnType<typeof spawn>[] = [];
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(cleanups.splice(0).map((cleanup) => Promise.resolve(cleanup()).catch(() => undefined)));
});

beforeAll(() => {
  ensureRuntime(); // downloads the real runtime on an empty cache
}, 180_000);

describe("examples", () => {
  it("node-client.ts: picks the online runtime behind a ByorServer, starts a conversation, prints the streamed answer", async () => {
    const server = await new ByorServer({ port: 0, token: TOKEN, console: false }).listen();
    cleanups.push(() => server.close());
    const runtime: SimulatedRuntime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: "examples-sim" });
    cleanups.unshift(() => runtime.stop());

    const run = runExample("node-client.ts", { BYOR_URL: server.url, BYOR_TOKEN: TOKEN }, ["hi", "there"]);
    const code = await exitOf(run);
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    const lines = run.stdout().split("\n");
    expect(lines[0]).toBe(`runtime: examples-sim (${runtime.deviceId})`);
    expect(lines[1]).toMatch(/^conversation: \S+ \/ \S+$/);
    expect(lines.slice(2)).toEqual(["> hi there", "pong", "(turn finished: end_turn)", ""]);

    // A wrong token: refused at the upgrade, and said so.
    const refused = runExample("node-client.ts", { BYOR_URL: server.url, BYOR_TOKEN: "wrong-token" });
    expect(await exitOf(refused)).toBe(1);
    expect(refused.stderr()).toContain("the BYOR server refused the token (HTTP 401 on the upgrade)");
  }, 30_000);

  it("node-client.ts: waits for the runtime it is told to use (the real `letta remote`), then talks to it", async () => {
    const server = await new ByorServer({ port: 0, token: TOKEN, console: false }).listen();
    cleanups.push(() => server.close());

    const run = runExample("node-client.ts", { BYOR_URL: server.url, BYOR_TOKEN: TOKEN, BYOR_RUNTIME: "examples-real" });
    await run.waitFor(/waiting for a runtime to come online…\n/);
    const letta: LettaRemote = startLettaRemote({ baseUrl: server.url, token: TOKEN, envName: "examples-real" });
    cleanups.unshift(() => letta.stop());
    const code = await exitOf(run);
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    expect(run.stdout()).toMatch(
      /^waiting for a runtime to come online…\nruntime: examples-real \(\S+\)\nconversation: agent-\S+ \/ \S+\n> Hello! What can you do\?\npong\n\(turn finished: end_turn\)\n$/,
    );
  }, 60_000);

  it('app-server-client.ts: the real runtime in App Server mode answers the message ("pong")', async () => {
    const letta: LettaServer = await startLettaServer();
    cleanups.push(() => letta.stop());

    const run = runExample("app-server-client.ts", { APP_SERVER_URL: letta.url }, ["hello"]);
    const code = await exitOf(run);
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    expect(run.stdout()).toBe("connected to Letta Code 0.32.18 (local backend)\npong\n");
  }, 60_000);

  describe("ci-validate/", () => {
    const byor = join(root, "packages/cli/dist/bin.js");
    const validate = (file: string) => spawnSync(process.execPath, [byor, "validate", file], { cwd: examples, encoding: "utf8" });

    it("the sample transcript (real frames) passes, through the package's npm script line too", () => {
      const direct = validate("ci-validate/transcript.jsonl");
      expect(direct.stderr).toBe("");
      expect(direct.stdout).toBe("11 frames in 1 file: 11 valid, 0 invalid\n");
      expect(direct.status).toBe(0);

      // The one-line script, as `npm run validate-transcripts` runs it: `byor` from node_modules/.bin.
      const script = JSON.parse(readFileSync(join(examples, "package.json"), "utf8")).scripts["validate-transcripts"] as string;
      expect(script).toBe("byor validate ci-validate/transcript.jsonl");
      const viaScript = spawnSync("sh", ["-c", script], {
        cwd: examples,
        encoding: "utf8",
        env: { ...process.env, PATH: `${join(examples, "node_modules/.bin")}${delimiter}${process.env.PATH}` },
      });
      expect(viaScript.stdout).toBe(direct.stdout);
      expect(viaScript.status).toBe(0);

      // The workflow snippet runs the same command.
      expect(readFileSync(join(examples, "ci-validate/.github-workflow.example.yml"), "utf8")).toContain("byor validate");
    });

    it("the broken transcript fails (exit 1) with one readable line per problem", () => {
      const r = validate("ci-validate/broken-transcript.jsonl");
      expect(r.status).toBe(1);
      expect(r.stdout.split("\n")).toEqual([
        'ci-validate/broken-transcript.jsonl:3: update_loop_status (invalid_message): /loop_status/status: expected one of "SENDING_API_REQUEST" | "WAITING_FOR_API_RESPONSE" | "RETRYING_API_REQUEST" | "PROCESSING_API_RESPONSE" | "EXECUTING_CLIENT_SIDE_TOOL" | "EXECUTING_COMMAND" | "WAITING_ON_APPROVAL" | "WAITING_ON_INPUT", found string "NAPPING"',
        'ci-validate/broken-transcript.jsonl:4: input (invalid_message): (frame): expected property "runtime", found it missing',
        "11 frames in 1 file: 9 valid, 2 invalid",
        "",
      ]);
    });
  });

  it("direct-mode.ts: the real `letta remote` connects to the example's server; it renders the turn and exits", async () => {
    const run = runExample("direct-mode.ts", { BYOR_PORT: "0", BYOR_TOKEN: TOKEN, EXAMPLE_ONE_TURN: "1" }, ["hi"]);
    // It prints the line that starts the runtime against it; the test runs that runtime.
    const [, baseUrl, token] = await run.waitFor(
      /LETTA_BASE_URL=(\S+) IGNORE_SELF_HOSTED_LISTENER_ERROR=1 LETTA_API_KEY=(\S+) letta remote --env-name direct-mode --backend local\n/,
    );
    expect(token).toBe(TOKEN);
    const letta: LettaRemote = startLettaRemote({ baseUrl: baseUrl!, token: TOKEN, envName: "examples-direct" });
    cleanups.push(() => letta.stop());

    const code = await exitOf(run);
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    const out = run.stdout();
    expect(out).toContain(`listening on ${baseUrl}; start the runtime with:\n`);
    expect(out).toMatch(/\[runtime\] examples-direct connected \(\S+\)\n/);
    expect(out).toContain("> hi\n");
    // Status lines rendered from the runtime's events, in order around the streamed answer; the turn ends it.
    expect(out).toMatch(
      /\[device\] idle, permission mode unrestricted\n[^]*> hi\n[^]*\[device\] busy, permission mode unrestricted\n[^]*\[loop\] PROCESSING_API_RESPONSE\n\[assistant\] pong\n\[loop\] WAITING_ON_INPUT\n[^]*\[turn\] finished: end_turn\n$/,
    );
  }, 60_000);
});
