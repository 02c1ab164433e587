import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { connect, refusedStatus } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>>;
beforeEach(async () => {
  ctx = await startServer({ allowedOrigins: ["https://app.example.com"] });
});
afterEach(() => ctx.server.close());

const runtimeUrl = () => `${ctx.base.replace("http", "ws")}/v1/environments/socket?deviceId=d-1&connectionName=x`;

describe("runtime socket: token checked at the HTTP upgrade", () => {
  it("refuses a missing or wrong token with 401 (never an accepted socket closed with 1008)", async () => {
    expect((await refusedStatus(runtimeUrl())).status).toBe(401);
    expect((await refusedStatus(runtimeUrl(), { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    // The runtime only ever sends the header: a query token does not count on this path.
    expect((await refusedStatus(`${runtimeUrl()}&token=${TOKEN}`)).status).toBe(401);
    expect(ctx.server.runtimes()).toEqual([]);
    expect(ctx.server.connections).toEqual({ runtimes: 0, apps: 0 });
  });

  it("accepts the Bearer token", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    await runtime.connect();
    expect(ctx.server.runtimes()[0]).toMatchObject({ deviceId: runtime.deviceId, online: true });
    await runtime.socket!.close();
  });
});

describe("client endpoint: token checked at the HTTP upgrade", () => {
  it("refuses a missing or wrong token with 401", async () => {
    expect((await refusedStatus(ctx.clientUrl)).status).toBe(401);
    expect((await refusedStatus(ctx.clientUrl, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    expect((await refusedStatus(`${ctx.clientUrl}?token=nope`)).status).toBe(401);
    expect((await refusedStatus(ctx.clientUrl, { protocols: ["byor.v1", "byor.token.nope"] })).status).toBe(401);
    const { body } = await refusedStatus(ctx.clientUrl);
    expect(JSON.parse(body)).toMatchObject({ error: "unauthorized" });
  });

  it("accepts the token as a header, a subprotocol (selecting byor.v1, not echoing the token) or ?token=", async () => {
    const viaHeader = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    const viaProtocol = await connect(ctx.clientUrl, { protocols: ["byor.v1", `byor.token.${TOKEN}`] });
    expect(viaProtocol.ws.protocol).toBe("byor.v1");
    const viaQuery = await connect(`${ctx.clientUrl}?token=${TOKEN}`);
    for (const app of [viaHeader, viaProtocol, viaQuery]) {
      app.send({ type: "byor.list_runtimes", request_id: "l" });
      expect(await app.next((f) => f.type === "byor.runtimes")).toMatchObject({ request_id: "l", runtimes: [] });
      await app.close();
    }
  });

  it("never writes the token to the log, not even from a query string", async () => {
    const app = await connect(`${ctx.clientUrl}?token=${TOKEN}`);
    await app.close();
    await refusedStatus(`${ctx.clientUrl}?token=${TOKEN}x`);
    await fetch(`${ctx.base}/v1/whatever?token=${TOKEN}`);
    const log = ctx.logger.lines.join("\n");
    expect(log).toContain("token=***");
    expect(log).not.toContain(TOKEN);
  });
});

describe("Origin allow-list (browsers)", () => {
  const headers = { authorization: `Bearer ${TOKEN}` };

  it("refuses a page from another origin with 403, even with the right token", async () => {
    const refused = await refusedStatus(ctx.clientUrl, { headers, origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "forbidden" });
    expect((await refusedStatus(runtimeUrl(), { headers, origin: "https://evil.example" })).status).toBe(403);
  });

  it("accepts listed origins, this server's own pages, and clients that send no Origin", async () => {
    const listed = await connect(ctx.clientUrl, { headers, origin: "https://app.example.com" });
    const same = await connect(ctx.clientUrl, { headers, origin: ctx.base });
    const none = await connect(ctx.clientUrl, { headers });
    for (const app of [listed, same, none]) await app.close();
  });
});

describe("connection limit", () => {
  it("refuses sockets over maxConnections with 503 and serves again once one closes", async () => {
    await ctx.server.close();
    ctx = await startServer({ maxConnections: 2 });
    const a = await ctx.app();
    const b = await ctx.app();
    const refused = await refusedStatus(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(refused.status).toBe(503);
    await a.close();
    const c = await ctx.app();
    c.send({ type: "byor.list_runtimes" });
    await c.next((f) => f.type === "byor.runtimes");
    await b.close();
    await c.close();
  });
});

describe("unknown WebSocket paths", () => {
  it("are refused with 404", async () => {
    expect((await refusedStatus(`${ctx.base.replace("http", "ws")}/nope`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
