import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";

const bin = resolve(import.meta.dirname, "../dist/bin.js");

/** Starts `byor serve`, waits for its banner, and gives a way to stop it with a signal. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, "serve", ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner: ${out}${err}`)), 10_000);
    child.stdout.on("data", () => out.includes("Console:") && (clearTimeout(timer), ok()));
    void exited.then(() => fail(new Error(`exited: ${out}${err}`)));
  });
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return {
    port,
    out: () => out,
    err: () => err,
    async stop(signal: NodeJS.Signals) {
      child.kill(signal);
      return exited;
    },
  };
}

describe("byor serve", () => {
  it("binds 127.0.0.1, prints a generated token once inside the exact letta remote line, and stops cleanly on SIGTERM", async () => {
    const s = await serve(["--port", "0", "--env-name", "my-laptop"]);
    const token = /Token \(generated[^:]*: (\S+)/.exec(s.out())![1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.out()).toContain(
      `  LETTA_BASE_URL=http://127.0.0.1:${s.port} IGNORE_SELF_HOSTED_LISTENER_ERROR=1 LETTA_API_KEY=${token} letta remote --env-name my-laptop --backend local\n`,
    );
    // The console URL carries the token in its fragment (never sent to the server); the console is served at /.
    expect(s.out()).toContain(`Console: http://127.0.0.1:${s.port}/#token=${token}\n`);
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
    expect(s.err()).toMatch(/SIGTERM: shutting down/);
    expect(s.err()).toMatch(/stopped/);
    expect(s.err()).not.toContain(token);
  });

  it("takes the token from BYOR_TOKEN and prints a reference to it, not the secret; SIGINT stops it too", async () => {
    const s = await serve(["--port", "0"], { BYOR_TOKEN: "from-the-environment-123" });
    expect(s.out()).toContain('LETTA_API_KEY="$BYOR_TOKEN" letta remote');
    expect(s.out()).not.toContain("from-the-environment-123");
    expect(s.out()).toContain(`Console: http://127.0.0.1:${s.port}/ (it asks for the token: the value of BYOR_TOKEN)`);
    const res = await fetch(`http://127.0.0.1:${s.port}/byor/v1/runtimes`, { headers: { authorization: "Bearer from-the-environment-123" } });
    expect(await res.json()).toEqual({ runtimes: [] });
    expect(await s.stop("SIGINT")).toBe(0);
  });

  it("fails clearly when the port is taken, and on bad options", async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    const { port } = blocker.address() as { port: number };
    const taken = spawnSync(process.execPath, [bin, "serve", "--port", String(port)], { encoding: "utf8" });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/already in use/);
    await new Promise((ok) => blocker.close(ok));

    const bad = spawnSync(process.execPath, [bin, "serve", "--port", "http"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port must be an integer/);
    const noKey = spawnSync(process.execPath, [bin, "serve", "--port", "0", "--tls-key", "/nonexistent/key.pem", "--tls-cert", "/nonexistent/cert.pem"], { encoding: "utf8" });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/^byor serve: cannot read --tls-key \/nonexistent\/key\.pem: ENOENT/);
    const spacedToken = spawnSync(process.execPath, [bin, "serve", "--port", "0"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", BYOR_TOKEN: "two words" } });
    expect(spacedToken.status).toBe(2);
    expect(spacedToken.stderr).toMatch(/^byor serve: .*token must not contain whitespace/);
    const help = spawnSync(process.execPath, [bin, "serve", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--host H/);
  });
});
