// `byor serve`'s state and access flags, as a user runs it: a restart keeps the tokens and the runtimes (the runtime
// reconnects with no flag), --rotate-token with a grace, --tokens-file, --allow-ip, --audit-log. Every run has a
// data directory of its own under the system's temp dir.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startServe } from "../../../scripts/byor-serve.js";
import { FakeRuntime } from "../../node-server/test/helpers/fake-runtime.js";

const bin = resolve(import.meta.dirname, "../dist/bin.js");
const serve = (args: string[]) => startServe(args, {}, { timeoutMs: 10_000 });
const temp = () => mkdtempSync(join(tmpdir(), "byor-serve-access-"));
const tokensOf = (stdout: string) => ({ runtime: /LETTA_API_KEY=(\S+)/.exec(stdout)![1]!, app: /#token=([^&\s]+)/.exec(stdout)![1]! });
const runtimes = async (url: string, token: string) =>
  ((await (await fetch(`${url}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${token}` } })).json()) as { runtimes: Record<string, unknown>[] })
    .runtimes;

describe("byor serve --data-dir", () => {
  it("a restart keeps the tokens and the runtime list: the runtime reconnects with the token it has, no flag needed", async () => {
    const dataDir = join(temp(), "state");
    const first = await serve(["--port", "0", "--data-dir", dataDir]);
    const tokens = tokensOf(first.stdout());
    expect(first.stdout()).toContain(`Runtime token: new, kept in ${join(dataDir, "credentials.json")}`);
    const runtime = new FakeRuntime(first.url, tokens.runtime);
    await runtime.connect();
    const before = (await runtimes(first.url, tokens.app))[0]!;
    expect(before).toMatchObject({ online: true, lettaCodeVersion: "0.32.18", registeredAt: expect.any(String) });
    expect(await first.stop()).toBe(0);
    expect((await runtime.socket!.closed).code).toBe(1001);

    const second = await serve(["--port", String(first.port), "--data-dir", dataDir]);
    expect(tokensOf(second.stdout())).toEqual(tokens);
    expect(second.stdout()).toContain(`Runtime token: kept in ${join(dataDir, "credentials.json")}\nApp token (admin): kept in`);
    await runtime.connect();
    expect((await runtimes(second.url, tokens.app))[0]).toMatchObject({
      deviceId: runtime.deviceId,
      online: true,
      registeredAt: before.registeredAt,
      lettaCodeVersion: "0.32.18",
    });
    expect(await second.stop()).toBe(0);
    expect(second.stderr()).not.toContain(tokens.runtime);
  });

  it("--rotate-token: new tokens, the old ones accepted for --token-grace, then refused", async () => {
    const dataDir = join(temp(), "state");
    const first = await serve(["--port", "0", "--data-dir", dataDir]);
    const old = tokensOf(first.stdout());
    await first.stop();
    const rotated = await serve(["--port", "0", "--data-dir", dataDir, "--rotate-token", "--token-grace", "1s"]);
    const fresh = tokensOf(rotated.stdout());
    expect(fresh.runtime).not.toBe(old.runtime);
    expect(fresh.app).not.toBe(old.app);
    expect((await new FakeRuntime(rotated.url, old.runtime).register()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_300));
    expect((await new FakeRuntime(rotated.url, old.runtime).register()).status).toBe(401);
    expect((await new FakeRuntime(rotated.url, fresh.runtime).register()).status).toBe(200);
    await rotated.stop();
  });
});

describe("byor serve access flags", () => {
  it("--tokens-file, --allow-ip and --audit-log together", async () => {
    const dir = temp();
    const viewer = "a-viewer-token-0123456789";
    writeFileSync(join(dir, "tokens.json"), JSON.stringify({ tokens: [{ name: "vera", role: "viewer", token: viewer }] }));
    const audit = join(dir, "audit.jsonl");
    const s = await serve([
      "--port",
      "0",
      "--data-dir",
      join(dir, "state"),
      "--tokens-file",
      join(dir, "tokens.json"),
      "--allow-ip",
      "127.0.0.0/8",
      "--allow-ip",
      "::1",
      "--audit-log",
      audit,
    ]);
    const tokens = tokensOf(s.stdout());
    const runtime = new FakeRuntime(s.url, tokens.runtime);
    await runtime.connect();
    const app = new WebSocket(`${s.url.replace("http", "ws")}/byor/v1/client`, { headers: { authorization: `Bearer ${viewer}` } });
    const refused = new Promise<Record<string, unknown>>((ok) =>
      app.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        if (frame.type === "byor.error") ok(frame);
      }),
    );
    await new Promise((ok) => app.once("open", ok));
    app.send(JSON.stringify({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "terminal_spawn", terminal_id: "t1", cols: 80, rows: 24 } }));
    expect(await refused).toMatchObject({ code: "forbidden", frame_type: "byor.send" });
    app.close();
    expect(await s.stop()).toBe(0);
    expect(
      readFileSync(audit, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ).toEqual([
      expect.objectContaining({
        principal: "vera",
        role: "viewer",
        class: "terminal",
        command: "terminal_spawn",
        runtime_id: runtime.deviceId,
        allowed: false,
      }),
    ]);
  });

  it("bad access flags are usage errors (2) that say what is wrong", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, "serve", "--port", "0", "--data-dir", join(temp(), "state"), ...args], { encoding: "utf8" });
    const cases: [string[], RegExp][] = [
      [["--allow-ip", "nope"], /"nope" is not an IPv4 or IPv6 address or CIDR range/],
      [["--token-grace", "5m"], /--token-grace goes with --rotate-token/],
      [["--rotate-token", "--token-grace", "soon"], /--token-grace takes a duration such as 90s/],
      [["--tokens-file", "/nonexistent/tokens.json"], /cannot read the tokens file \/nonexistent\/tokens\.json/],
      [["--runtime-token", "same-token-0123456789", "--token", "same-token-0123456789"], /must differ/],
      [["--rotate-token", "--runtime-token", "r-token-0123456789", "--token", "a-token-0123456789"], /none to rotate/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect([args.join(" "), r.status]).toEqual([args.join(" "), 2]);
      expect(r.stderr).toMatch(message);
    }
  });
});
