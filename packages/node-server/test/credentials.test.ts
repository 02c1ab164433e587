// Runtimes and apps have separate credentials: the runtime token only registers and connects a runtime, the app
// token never does, on HTTP and on both sockets.
import { afterEach, describe, expect, it } from "vitest";
import { ByorServer } from "../src/index.js";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { startServer } from "./helpers/server.js";
import { connect, refusedStatus } from "./helpers/sockets.js";

const APP_TOKEN = "app-token-0123456789abcdef";
const RUNTIME_TOKEN = "runtime-token-0123456789abcdef";

let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await ctx?.server.close();
  ctx = undefined;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("separate runtime and app credentials", () => {
  it("the runtime token registers and opens the runtime socket, and opens nothing an app uses", async () => {
    ctx = await startServer({ token: APP_TOKEN, runtimeToken: RUNTIME_TOKEN });
    expect(ctx.server.runtimeToken).toBe(RUNTIME_TOKEN);
    const runtime = new FakeRuntime(ctx.base, RUNTIME_TOKEN);
    expect((await runtime.register()).status).toBe(200);
    await runtime.connect();
    expect((await fetch(`${ctx.base}/v1/agents/a1/runtime-status?conversation_ids=c`, { headers: bearer(RUNTIME_TOKEN) })).status).toBe(200);

    // Every way an app presents a token, on the client endpoint; and the runtime list.
    expect((await refusedStatus(ctx.clientUrl, { headers: bearer(RUNTIME_TOKEN) })).status).toBe(401);
    expect((await refusedStatus(ctx.clientUrl, { protocols: ["byor.v1", `byor.token.${RUNTIME_TOKEN}`] })).status).toBe(401);
    expect((await refusedStatus(`${ctx.clientUrl}?token=${RUNTIME_TOKEN}`)).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: bearer(RUNTIME_TOKEN) })).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes?token=${RUNTIME_TOKEN}`)).status).toBe(401);
  });

  it("the app token opens the client endpoint and the list, and never registers or connects a runtime", async () => {
    ctx = await startServer({ token: APP_TOKEN, runtimeToken: RUNTIME_TOKEN, metrics: true });
    const app = await connect(ctx.clientUrl, { headers: bearer(APP_TOKEN) });
    await app.close();
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: bearer(APP_TOKEN) })).status).toBe(200);
    expect((await fetch(`${ctx.base}/byor/v1/metrics`, { headers: bearer(APP_TOKEN) })).status).toBe(200);

    const impostor = new FakeRuntime(ctx.base, APP_TOKEN);
    expect((await impostor.register()).status).toBe(401);
    const socketUrl = `${ctx.base.replace(/^http/, "ws")}/v1/environments/socket?deviceId=${impostor.deviceId}&connectionName=x`;
    expect((await refusedStatus(socketUrl, { headers: bearer(APP_TOKEN) })).status).toBe(401);
    expect((await fetch(`${ctx.base}/v1/agents/a1/runtime-status?conversation_ids=c`, { headers: bearer(APP_TOKEN) })).status).toBe(401);
    expect(ctx.server.runtimes()).toEqual([]);
  });

  it("takes them from BYOR_TOKEN and BYOR_RUNTIME_TOKEN, and refuses one token for both", async () => {
    ctx = await startServer({ token: undefined, env: { BYOR_TOKEN: APP_TOKEN, BYOR_RUNTIME_TOKEN: RUNTIME_TOKEN } });
    expect([ctx.server.token, ctx.server.tokenOrigin, ctx.server.runtimeToken, ctx.server.runtimeTokenOrigin]).toEqual([
      APP_TOKEN,
      "env",
      RUNTIME_TOKEN,
      "env",
    ]);
    expect(() => new ByorServer({ token: APP_TOKEN, runtimeToken: APP_TOKEN })).toThrow(/runtime token and the app token must differ/);
    expect(() => new ByorServer({ runtimeToken: "two words" })).toThrow(/runtimeToken must not contain whitespace/);
  });

  it("with nothing given, both are generated and differ", async () => {
    ctx = await startServer({ token: undefined, env: {} });
    expect(ctx.server.tokenOrigin).toBe("generated");
    expect(ctx.server.runtimeTokenOrigin).toBe("generated");
    expect(ctx.server.runtimeToken).not.toBe(ctx.server.token);
    const runtime = new FakeRuntime(ctx.base, ctx.server.runtimeToken);
    await runtime.connect();
    expect((await new FakeRuntime(ctx.base, ctx.server.token).register()).status).toBe(401);
  });

  it("a token given alone still serves both, as before, and the server says how to separate them", async () => {
    ctx = await startServer({ token: APP_TOKEN, env: {} });
    expect(ctx.server.runtimeToken).toBe(APP_TOKEN);
    await new FakeRuntime(ctx.base, APP_TOKEN).connect();
    expect(ctx.logger.lines.some((l) => l.startsWith("warn one token serves runtimes and apps") && l.includes("runtimeToken"))).toBe(true);
    expect(ctx.logger.lines.join("\n")).not.toContain(APP_TOKEN);
  });
});
