import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { refusedStatus, sleep, until } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>>;
beforeEach(async () => {
  ctx = await startServer();
});
afterEach(() => ctx.server.close());

describe("runtime socket", () => {
  it("answers the runtime's ping with a JSON pong", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const socket = await runtime.connect();
    runtime.ping();
    expect(await socket.next((f) => f.type === "pong")).toEqual({ type: "pong" });
  });

  it("decodes binary frames as UTF-8 text (the runtime processes them too)", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const socket = await runtime.connect();
    socket.ws.send(Buffer.from('{"type":"ping"}', "utf8"), { binary: true });
    await socket.next((f) => f.type === "pong");
  });

  it("negotiates permessage-deflate as the runtime offers it", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const socket = await runtime.connect();
    expect(socket.ws.extensions).toMatch(/permessage-deflate/);
  });

  it("tracks device, connection name and status; a reconnect is the same runtime, not a second one", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN, undefined, "laptop");
    await runtime.connect();
    const [first] = ctx.server.runtimes();
    expect(first).toMatchObject({ deviceId: runtime.deviceId, connectionName: "laptop", online: true, connectionId: runtime.registration!.connectionId });
    await runtime.socket!.close(1011);
    await until(() => ctx.server.runtimes()[0]!.online === false, { what: "offline" });
    await runtime.connect();
    await until(() => ctx.server.runtimes()[0]!.online, { what: "online again" });
    expect(ctx.server.runtimes()).toHaveLength(1);
    expect(ctx.logger.lines.filter((l) => l.includes("registered as"))).toHaveLength(1);
  });

  it("a socket that replaces a half-open one is never closed with `Replaced by new connection` (that makes the runtime exit)", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const old = await runtime.connect();
    await runtime.connect();
    const close = await old.closed;
    expect(close.reason).not.toBe("Replaced by new connection");
    expect(close.code).not.toBe(1008);
    runtime.ping();
    await runtime.socket!.next((f) => f.type === "pong");
    expect(ctx.server.runtimes()).toHaveLength(1);
  });

  it("after a server restart, a runtime reconnecting without registering is taken back under its connectionId", async () => {
    const runtime = new FakeRuntime(ctx.base, TOKEN, undefined, "laptop");
    await runtime.connect();
    const { connectionId } = runtime.registration!;
    const port = ctx.server.port;
    await ctx.server.close();
    ctx = await startServer({ port });
    await runtime.connect(); // same wsUrl, no register call
    expect(ctx.server.runtimes()).toMatchObject([{ deviceId: runtime.deviceId, connectionName: "laptop", connectionId, online: true, registeredAt: null }]);
  });

  it("refuses a second runtime of an online device (another --env-name) with 409, at register and at the upgrade", async () => {
    const first = new FakeRuntime(ctx.base, TOKEN, undefined, "one");
    await first.connect();
    const second = new FakeRuntime(ctx.base, TOKEN, first.deviceId, "two");
    const res = await second.register();
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/one runtime per device/);
    const url = `${first.registration!.wsUrl}&deviceId=${first.deviceId}&connectionName=two`;
    expect((await refusedStatus(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(409);
    await sleep(20);
    expect(first.socket!.ws.readyState).toBe(first.socket!.ws.OPEN);
  });

  it("keeps at most maxRuntimes: the longest-offline one makes room, and none is dropped while online", async () => {
    await ctx.server.close();
    ctx = await startServer({ maxRuntimes: 1 });
    const a = new FakeRuntime(ctx.base, TOKEN, undefined, "a");
    await a.connect();
    const b = new FakeRuntime(ctx.base, TOKEN, undefined, "b");
    const full = await b.register();
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("5");
    await a.socket!.close();
    await until(() => !ctx.server.runtimes()[0]!.online, { what: "a offline" });
    expect((await b.register()).status).toBe(200);
    expect(ctx.server.runtimes().map((r) => r.connectionName)).toEqual(["b"]);
  });

  it("needs ?deviceId", async () => {
    const url = `${ctx.base.replace("http", "ws")}/v1/environments/socket`;
    expect((await refusedStatus(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
  });
});
