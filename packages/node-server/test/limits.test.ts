import type { RuntimeEvent } from "@byor/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { realFrame } from "./helpers/fixtures.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { connect, until, type Json } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(() => ctx?.server.close());

describe("maxPayload", () => {
  it("closes an app that sends an oversized frame with 1009, and keeps serving the others", async () => {
    ctx = await startServer({ maxAppPayload: 64 * 1024 });
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    await runtime.connect();
    const big = await ctx.app();
    const small = await ctx.app();
    small.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope: { agent_id: "a", conversation_id: "c" }, request_id: "s" });
    await small.next((f) => f.type === "byor.subscribed");

    big.send({ type: "byor.list_runtimes", request_id: "x".repeat(100 * 1024) });
    const close = await big.closed;
    expect(close.code).toBe(1009);
    await until(() => ctx!.logger.lines.some((l) => l.includes("sent a frame larger than 65536 bytes; closed with 1009")), { what: "log line" });

    // The other app and the runtime are untouched.
    small.send({ type: "byor.list_runtimes", request_id: "after" });
    expect(await small.next((f) => f.type === "byor.runtimes")).toMatchObject({ request_id: "after", runtimes: [{ online: true }] });
    runtime.emit(runtime.snapshots({ agent_id: "a", conversation_id: "c" })[1]!);
    await until(() => small.ofType("byor.event").filter((f) => (f.event as Json).type === "update_loop_status").length === 2, { what: "relay" });
    // And new apps are still welcome.
    const fresh = await ctx.app();
    fresh.send({ type: "byor.list_runtimes" });
    await fresh.next((f) => f.type === "byor.runtimes");
  });

  it("closes a runtime that sends an oversized frame with 1009 (it reconnects), and keeps serving", async () => {
    ctx = await startServer({ maxRuntimePayload: 64 * 1024 });
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const socket = await runtime.connect();
    socket.send(`{"type":"ping","pad":"${"x".repeat(100 * 1024)}"}`);
    expect((await socket.closed).code).toBe(1009);
    await runtime.connect();
    runtime.ping();
    await runtime.socket!.next((f) => f.type === "pong");
  });
});

describe("slow readers", () => {
  it("closes an app whose socket buffer passes maxBufferedBytes (4001, Slow consumer), and the rest carry on", async () => {
    ctx = await startServer({ maxBufferedBytes: 256 * 1024 });
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    await runtime.connect();
    const scope = { agent_id: "a", conversation_id: "c" };
    // Uncompressed, so the bytes waiting are the bytes sent.
    const slow = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` }, perMessageDeflate: false });
    const fast = await ctx.app();
    for (const app of [slow, fast]) {
      app.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "s" });
      await app.next((f) => f.type === "byor.subscribed");
    }
    // The slow app stops reading: its TCP window fills, then the server's buffer for it grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const delta = realFrame("03c-turn-deterministic-executor", "stream_delta");
    const big = { ...delta, runtime: scope, delta: { ...delta.delta, content: [{ type: "text", text: "x".repeat(200 * 1024) }] } } as RuntimeEvent;
    // Paced by the fast app, so only the slow one falls behind: the buffer limit applies to every socket, and the
    // fast app reads in this same process (under CI load it must not look slow itself).
    const before = fast.ofType("byor.event").length;
    for (let i = 1; i <= 100; i++) {
      runtime.emit(big);
      await until(() => fast.ofType("byor.event").length >= before + i, { what: `fast app gets frame ${i}`, timeoutMs: 20_000 });
    }
    await until(() => ctx!.logger.lines.some((l) => l.includes("is not reading")), { what: "overflow", timeoutMs: 20_000 });
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closed).code).toBe(4001);
    expect(fast.ofType("byor.event").length).toBeGreaterThanOrEqual(before + 100);
  }, 120_000);
});
