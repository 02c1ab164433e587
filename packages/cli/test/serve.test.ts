import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startServe } from "../../../scripts/byor-serve.js";

const bin = resolve(import.meta.dirname, "../dist/bin.js");

/** `byor serve <args>` (the built CLI), once its banner is printed. */
const serve = (args: string[], env: Record<string, string> = {}) => startServe(args, env, { timeoutMs: 10_000 });
/** The environment of a directly spawned byor serve: a config directory of its own, never the user's. */
const isolated = () => ({ ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "byor-serve-test-")) });

describe("byor serve", () => {
  it("binds 127.0.0.1, prints the generated runtime token inside the exact letta remote line, and stops cleanly on SIGTERM", async () => {
    const config = mkdtempSync(join(tmpdir(), "byor-serve-test-"));
    const s = await serve(["--port", "0", "--env-name", "my-laptop"], { XDG_CONFIG_HOME: config });
    const runtimeToken = /LETTA_API_KEY=(\S+)/.exec(s.stdout())![1]!;
    const token = /#token=(\S+)/.exec(s.stdout())![1]!;
    expect(runtimeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(runtimeToken).not.toBe(token);
    expect(s.stdout()).toContain(
      `  LETTA_BASE_URL=http://127.0.0.1:${s.port} IGNORE_SELF_HOSTED_LISTENER_ERROR=1 LETTA_API_KEY=${runtimeToken} letta remote --env-name my-laptop --backend local\n`,
    );
    // Where they live, never the tokens themselves outside the two lines that need them.
    const credentials = join(config, "byor", "credentials.json");
    expect(s.stdout()).toContain(`Runtime token: new, kept in ${credentials}\nApp token (admin): new, kept in ${credentials}\n`);
    expect(s.stdout().split(token)).toHaveLength(2);
    // The console URL carries the app token in its fragment (never sent to the server); the console is served at /.
    expect(s.stdout()).toContain(`Console: http://127.0.0.1:${s.port}/#token=${token}\n`);
    const page = await fetch(`http://127.0.0.1:${s.port}/`);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain("<title>BYOR console</title>");
    const health = await fetch(`http://127.0.0.1:${s.port}/v1/health`);
    expect(health.status).toBe(200);
    // An app connected when the server stops is closed with 1001.
    const app = new WebSocket(`ws://127.0.0.1:${s.port}/byor/v1/client`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((ok) => app.once("open", ok));
    const closed = new Promise<number>((ok) => app.once("close", (code) => ok(code)));
    expect(await s.stop("SIGTERM")).toBe(0);
    expect(await closed).toBe(1001);
    expect(s.stderr()).toMatch(/SIGTERM: shutting down/);
    expect(s.stderr()).toMatch(/stopped/);
    expect(s.stderr()).not.toContain(token);
    expect(s.stderr()).not.toContain(runtimeToken);
  });

  it("takes the token from BYOR_TOKEN and prints a reference to it, not the secret; SIGINT stops it too", async () => {
    const s = await serve(["--port", "0"], { BYOR_TOKEN: "from-the-environment-123" });
    expect(s.stdout()).toContain('LETTA_API_KEY="$BYOR_TOKEN" letta remote');
    expect(s.stdout()).not.toContain("from-the-environment-123");
    expect(s.stdout()).toContain(`Console: http://127.0.0.1:${s.port}/ (it asks for the token: the value of BYOR_TOKEN)`);
    const res = await fetch(`http://127.0.0.1:${s.port}/byor/v1/runtimes`, { headers: { authorization: "Bearer from-the-environment-123" } });
    expect(await res.json()).toEqual({ runtimes: [] });
    expect(await s.stop("SIGINT")).toBe(0);
  });

  it("fails clearly when the port is taken, and on bad options", async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    const { port } = blocker.address() as { port: number };
    const taken = spawnSync(process.execPath, [bin, "serve", "--port", String(port)], { encoding: "utf8", env: isolated() });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/already in use/);
    await new Promise((ok) => blocker.close(ok));

    const bad = spawnSync(process.execPath, [bin, "serve", "--port", "http"], { encoding: "utf8", env: isolated() });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port must be an integer/);
    const noKey = spawnSync(process.execPath, [bin, "serve", "--port", "0", "--tls-key", "/nonexistent/key.pem", "--tls-cert", "/nonexistent/cert.pem"], {
      encoding: "utf8",
      env: isolated(),
    });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/^byor serve: cannot read --tls-key \/nonexistent\/key\.pem: ENOENT/);
    const spacedToken = spawnSync(process.execPath, [bin, "serve", "--port", "0"], { encoding: "utf8", env: { ...isolated(), BYOR_TOKEN: "two words" } });
    expect(spacedToken.status).toBe(2);
    expect(spacedToken.stderr).toMatch(/^byor serve: .*token must not contain whitespace/);
    const help = spawnSync(process.execPath, [bin, "serve", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--host H/);
  });
});
