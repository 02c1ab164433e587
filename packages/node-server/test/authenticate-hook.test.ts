// The `authenticate(request)` hook for embedding: it names apps that present none of the server's tokens (a JWT, a
// cookie...), async allowed; null refuses (401); an exception or a nonsense answer refuses with 500 and is logged.
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthenticatedApp } from "../src/index.js";
import { startServer, TOKEN } from "./helpers/server.js";
import { connect, refusedStatus, sleep } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await ctx?.server.close();
  ctx = undefined;
});

const USERS: Record<string, AuthenticatedApp> = {
  "cookie-vera": { name: "vera@example.com", role: "viewer" },
  "cookie-bot": { name: "build-bot", role: "tty" },
  "cookie-weird": { name: "someone", role: "superuser" },
};

describe("the authenticate hook", () => {
  it("names apps from their request (async), refuses the unknown with 401, and is not asked when a server token is presented", async () => {
    const asked: string[] = [];
    ctx = await startServer({
      roles: { tty: ["observe", "terminal"] },
      authenticate: async (req: IncomingMessage) => {
        const cookie = /session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1] ?? "";
        asked.push(cookie);
        await sleep(5);
        return USERS[cookie] ?? null;
      },
    });
    const vera = await connect(ctx.clientUrl, { headers: { cookie: "session=cookie-vera" } });
    vera.send({ type: "byor.hello" });
    expect((await vera.next((f) => f.type === "byor.welcome")).principal).toEqual({ name: "vera@example.com", role: "viewer", privileges: ["observe"] });
    const bot = await connect(ctx.clientUrl, { headers: { cookie: "session=cookie-bot" } });
    bot.send({ type: "byor.hello" });
    expect((await bot.next((f) => f.type === "byor.welcome")).principal).toEqual({ name: "build-bot", role: "tty", privileges: ["observe", "terminal"] });
    expect((await refusedStatus(ctx.clientUrl, { headers: { cookie: "session=nobody" } })).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { cookie: "session=cookie-vera" } })).status).toBe(200);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { cookie: "session=nobody" } })).status).toBe(401);
    const owner = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(asked).toEqual(["cookie-vera", "cookie-bot", "nobody", "cookie-vera", "nobody"]);
    await Promise.all([vera.close(), bot.close(), owner.close()]);
  });

  it("a hook that takes too long refuses with 500, logged", async () => {
    ctx = await startServer({ authenticateTimeoutMs: 100, authenticate: () => new Promise<AuthenticatedApp>(() => {}) });
    const started = Date.now();
    expect((await refusedStatus(ctx.clientUrl)).status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(ctx.logger.lines.some((l) => l.includes("the authenticate hook threw or timed out") && l.includes("no answer within 100 ms"))).toBe(true);
  });

  it("a hook that throws or answers an unknown role refuses with 500, logged; the server carries on", async () => {
    ctx = await startServer({
      authenticate: (req) => {
        if (req.headers["x-explode"]) throw new Error("the identity provider is down");
        return USERS[req.headers["x-user"] as string] ?? null;
      },
    });
    expect((await refusedStatus(ctx.clientUrl, { headers: { "x-explode": "1" } })).status).toBe(500);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { "x-explode": "1" } })).status).toBe(500);
    expect((await refusedStatus(ctx.clientUrl, { headers: { "x-user": "cookie-weird" } })).status).toBe(500);
    expect(ctx.logger.lines.some((l) => l.includes("the authenticate hook threw or timed out") && l.includes("the identity provider is down"))).toBe(true);
    const vera = await connect(ctx.clientUrl, { headers: { "x-user": "cookie-vera" } });
    await vera.close();
    expect((await fetch(`${ctx.base}/v1/health`)).status).toBe(200);
  });

  it("an unknown role answered by the hook is logged as such", async () => {
    ctx = await startServer({ authenticate: () => ({ name: "someone", role: "superuser" }) });
    expect((await refusedStatus(ctx.clientUrl)).status).toBe(500);
    expect(ctx.logger.lines.some((l) => l.includes("unknown role for someone") && l.includes('"superuser"'))).toBe(true);
  });
});
