// The state directory: generated tokens and known runtimes survive a restart (a runtime reconnects with the token it
// has; the list still shows what it registered), files 0600 in a 0700 directory, written atomically; token rotation
// with a grace period. Every test uses a directory of its own under the system's temp dir, never ~/.config.
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ByorServer, CREDENTIALS_FILE, RUNTIMES_FILE, StateFileError, defaultDataDir, type ByorServerOptions } from "../src/index.js";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { startServer } from "./helpers/server.js";
import { connect, refusedStatus, sleep, until } from "./helpers/sockets.js";

const unix = process.platform !== "win32";
let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await ctx?.server.close();
  ctx = undefined;
});

const freshDir = () => join(mkdtempSync(join(tmpdir(), "byor-state-")), "state");
/** A server keeping its state in `dataDir`, with no token given (so none from the environment either). */
const serve = (dataDir: string, options: ByorServerOptions = {}) => startServer({ token: undefined, env: {}, dataDir, ...options });
const listed = async (base: string, token: string) =>
  ((await (await fetch(`${base}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${token}` } })).json()) as { runtimes: Record<string, unknown>[] })
    .runtimes;

describe("defaultDataDir", () => {
  it("is $XDG_CONFIG_HOME/byor, else ~/.config/byor; %APPDATA%\\byor on Windows", () => {
    const home = () => "/home/ada";
    expect(defaultDataDir({ XDG_CONFIG_HOME: "/xdg" }, "linux", home)).toBe(join("/xdg", "byor"));
    expect(defaultDataDir({}, "linux", home)).toBe(join("/home/ada", ".config", "byor"));
    expect(defaultDataDir({}, "darwin", home)).toBe(join("/home/ada", ".config", "byor"));
    expect(defaultDataDir({ XDG_CONFIG_HOME: "relative/dir" }, "linux", home)).toBe(join("/home/ada", ".config", "byor"));
    expect(defaultDataDir({ APPDATA: "C:\\Users\\ada\\AppData\\Roaming" }, "win32", home)).toBe(join("C:\\Users\\ada\\AppData\\Roaming", "byor"));
  });
});

describe("a server with a data directory", () => {
  it("keeps its generated tokens and its runtimes across a restart: the runtime reconnects with the same token, the list keeps what it registered", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    const { runtimeToken, token, port } = ctx.server;
    expect([ctx.server.tokenOrigin, ctx.server.runtimeTokenOrigin]).toEqual(["generated", "generated"]);
    const runtime = new FakeRuntime(ctx.base, runtimeToken);
    await runtime.connect();
    const before = (await listed(ctx.base, token))[0]!;
    expect(before).toMatchObject({
      deviceId: runtime.deviceId,
      online: true,
      lettaCodeVersion: "0.32.18",
      registeredAt: expect.any(String),
      firstSeenAt: expect.any(String),
    });
    await ctx.server.close();
    await runtime.socket!.closed;
    if (unix) {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const file of [CREDENTIALS_FILE, RUNTIMES_FILE]) expect([file, statSync(join(dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
    }
    expect(JSON.parse(readFileSync(join(dataDir, CREDENTIALS_FILE), "utf8"))).toMatchObject({ version: 1, runtime: { token: runtimeToken }, app: { token } });

    ctx = await serve(dataDir, { port });
    expect([ctx.server.token, ctx.server.runtimeToken, ctx.server.tokenOrigin, ctx.server.runtimeTokenOrigin]).toEqual([token, runtimeToken, "state", "state"]);
    // Listed before it is back, offline, with what it registered.
    expect((await listed(ctx.base, token))[0]).toMatchObject({
      deviceId: runtime.deviceId,
      online: false,
      registeredAt: before.registeredAt,
      firstSeenAt: before.firstSeenAt,
      lettaCodeVersion: "0.32.18",
      connectionId: before.connectionId,
    });
    await runtime.connect(); // the same wsUrl and token it registered with, as the real runtime's reconnect
    const after = (await listed(ctx.base, token))[0]!;
    expect(after).toMatchObject({
      deviceId: runtime.deviceId,
      online: true,
      registeredAt: before.registeredAt,
      firstSeenAt: before.firstSeenAt,
      lettaCodeVersion: "0.32.18",
    });
    expect(readdirSync(dataDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(ctx.logger.lines).toContain("info listed 1 runtimes known before the restart (offline until they reconnect)");
  });

  it("an explicit token wins over the kept one, which stays in the file for the next start without it", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    const kept = ctx.server.token;
    await ctx.server.close();
    ctx = await serve(dataDir, { token: "explicit-app-token-0123456789", runtimeToken: "explicit-runtime-token-0123456789" });
    expect([ctx.server.token, ctx.server.tokenOrigin, ctx.server.runtimeTokenOrigin]).toEqual(["explicit-app-token-0123456789", "option", "option"]);
    expect((await refusedStatus(ctx.clientUrl, { headers: { authorization: `Bearer ${kept}` } })).status).toBe(401);
    await ctx.server.close();
    ctx = await serve(dataDir);
    expect(ctx.server.token).toBe(kept);
  });

  it("rotation: the old runtime token works for the grace period, then is refused and its socket closed; the new one is kept", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    const old = ctx.server.runtimeToken;
    const early = new FakeRuntime(ctx.base, old);
    const socket = await early.connect();
    const fresh = ctx.server.rotateToken("runtime", { graceMs: 400 });
    expect(fresh).not.toBe(old);
    expect(ctx.server.runtimeToken).toBe(fresh);
    expect((await new FakeRuntime(ctx.base, old).register()).status).toBe(200);
    expect((await new FakeRuntime(ctx.base, fresh).register()).status).toBe(200);
    const stored = JSON.parse(readFileSync(join(dataDir, CREDENTIALS_FILE), "utf8"));
    expect(stored.runtime).toEqual({ token: fresh, previous: [{ token: old, expires: expect.any(String) }] });
    expect(await socket.closed).toEqual({ code: 1000, reason: "Token expired" });
    expect((await new FakeRuntime(ctx.base, old).register()).status).toBe(401);
    expect((await new FakeRuntime(ctx.base, fresh).register()).status).toBe(200);
    expect(ctx.logger.lines.join("\n")).not.toContain(old);
    await ctx.server.close();
    ctx = await serve(dataDir);
    expect(ctx.server.runtimeToken).toBe(fresh);
  });

  it("rotation of the app token: an app of the old one keeps working for the grace, then is closed with 4401", async () => {
    ctx = await serve(freshDir());
    const old = ctx.server.token;
    const app = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${old}` } });
    ctx.server.rotateToken("app", { graceMs: 300 });
    const during = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${old}` } });
    expect(await app.closed).toEqual({ code: 4401, reason: "Credentials revoked" });
    await during.closed;
    expect((await refusedStatus(ctx.clientUrl, { headers: { authorization: `Bearer ${old}` } })).status).toBe(401);
    const now = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${ctx.server.token}` } });
    await now.close();
  });

  it("rotateToken at start replaces the kept tokens; the old ones work for tokenGraceMs after", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    const [oldApp, oldRuntime, port] = [ctx.server.token, ctx.server.runtimeToken, ctx.server.port];
    await ctx.server.close();
    ctx = await serve(dataDir, { rotateToken: true, tokenGraceMs: 500, port });
    expect(ctx.server.token).not.toBe(oldApp);
    expect(ctx.server.runtimeToken).not.toBe(oldRuntime);
    expect((await new FakeRuntime(ctx.base, oldRuntime).register()).status).toBe(200);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${oldApp}` } })).status).toBe(200);
    await sleep(600);
    expect((await new FakeRuntime(ctx.base, oldRuntime).register()).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${oldApp}` } })).status).toBe(401);
    expect(() => new ByorServer({ token: "a-given-app-token-012345", runtimeToken: "a-given-runtime-token-012345", rotateToken: true })).toThrow(
      /there is none to rotate/,
    );
  });

  it("a damaged credentials file stops the start, saying which and what to do; a damaged runtimes file is skipped with a warning", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    await ctx.server.close();
    ctx = undefined;
    writeFileSync(join(dataDir, RUNTIMES_FILE), "{ not json");
    ctx = await serve(dataDir);
    expect(ctx.logger.lines.some((l) => l.includes(`${RUNTIMES_FILE} is not valid JSON`) && l.includes("starting without the runtimes it listed"))).toBe(true);
    await ctx.server.close();
    ctx = undefined;
    writeFileSync(join(dataDir, CREDENTIALS_FILE), '{"version": 1, "app": {"token": 5}}');
    let thrown: unknown;
    try {
      new ByorServer({ env: {}, dataDir });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StateFileError);
    expect((thrown as Error).message).toMatch(/credentials\.json: app\.token must be a token .*fix or delete the file/);
  });

  it("writes runtimes.json soon after a change, not only at close", async () => {
    const dataDir = freshDir();
    ctx = await serve(dataDir);
    await new FakeRuntime(ctx.base, ctx.server.runtimeToken).connect();
    await until(
      () => {
        try {
          return (JSON.parse(readFileSync(join(dataDir, RUNTIMES_FILE), "utf8")) as { runtimes: unknown[] }).runtimes.length === 1;
        } catch {
          return false;
        }
      },
      { timeoutMs: 3_000, what: "runtimes.json to list the runtime" },
    );
  });
});
