import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { TOKEN, startServer } from "./helpers/server.js";
import type { Json } from "./helpers/sockets.js";

describe("graceful shutdown", () => {
  it("closes every socket with a proper code, tells apps their runtimes went offline first, and frees the port", async () => {
    const ctx = await startServer();
    const runtimes = [new FakeRuntime(ctx.base, TOKEN, undefined, "a"), new FakeRuntime(ctx.base, TOKEN, undefined, "b")];
    for (const r of runtimes) await r.connect();
    const apps = [await ctx.app(), await ctx.app()];
    for (const app of apps) {
      app.send({ type: "byor.hello", seq_ack: true });
      await app.next((f) => f.type === "byor.welcome");
    }
    const silent = await ctx.app(); // never said hello

    await ctx.server.close();

    for (const r of runtimes) expect(await r.socket!.closed).toEqual({ code: 1001, reason: "Server shutting down" });
    for (const app of [...apps, silent]) expect(await app.closed).toEqual({ code: 1001, reason: "Server shutting down" });
    for (const app of apps) {
      const offline = app
        .ofType("byor.runtime_status")
        .map((f) => f.runtime as Json)
        .filter((r) => r.online === false);
      expect(offline.map((r) => r.connection_name).sort()).toEqual(["a", "b"]);
    }
    expect(ctx.server.connections).toEqual({ runtimes: 0, apps: 0 });
    // The port is free again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(ctx.server.port, "127.0.0.1", resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it("refuses new sockets while shutting down and close() is idempotent", async () => {
    const ctx = await startServer();
    const closing = ctx.server.close();
    expect(ctx.server.close()).toBe(closing);
    await closing;
    await expect(ctx.app()).rejects.toThrow();
  });
});
