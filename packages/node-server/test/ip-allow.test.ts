// The IP / CIDR allow-list: IPv4 and IPv6, IPv4-mapped IPv6 both ways, applied to runtimes and apps alike.
import { afterEach, describe, expect, it } from "vitest";
import { IpAllowList } from "../src/index.js";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { startServer, TOKEN } from "./helpers/server.js";
import { connect, refusedStatus } from "./helpers/sockets.js";

describe("IpAllowList", () => {
  it("matches addresses and ranges of both families", () => {
    const list = new IpAllowList(["10.0.0.0/8", "192.168.1.20", "fd00::/8", "::1"]);
    expect(["10.1.2.3", "192.168.1.20", "fd12:3456::1", "::1"].map((a) => list.allows(a))).toEqual([true, true, true, true]);
    expect(["11.0.0.1", "192.168.1.21", "fe80::1", "::2", "", "not-an-ip"].map((a) => list.allows(a))).toEqual([false, false, false, false, false, false]);
    expect(list.allows(undefined)).toBe(false);
  });

  it("an IPv4 peer on a dual-stack socket (::ffff:a.b.c.d) matches IPv4 rules, and mapped rules match IPv4 peers", () => {
    expect(new IpAllowList(["127.0.0.0/8"]).allows("::ffff:127.0.0.1")).toBe(true);
    expect(new IpAllowList(["127.0.0.0/8"]).allows("::ffff:10.0.0.1")).toBe(false);
    expect(new IpAllowList(["::ffff:10.0.0.0/120"]).allows("10.0.0.9")).toBe(true);
    expect(new IpAllowList(["::ffff:10.0.0.0/120"]).allows("10.0.1.9")).toBe(false);
  });

  it("refuses what is not an address or range, naming it", () => {
    for (const bad of ["10.0.0.0/33", "fd00::/129", "10.0.0", "example.com", "10.0.0.0/8/1", "10.0.0.0/", "::1/x"]) {
      expect(() => new IpAllowList([bad]), bad).toThrow(
        new RegExp(`"${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}" is not an IPv4 or IPv6 address or CIDR range`),
      );
    }
    expect(() => new IpAllowList([])).toThrow(/at least one/);
  });
});

describe("a server with allowedIps", () => {
  let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
  afterEach(async () => {
    await ctx?.server.close();
    ctx = undefined;
  });

  it("outside the list: 403 on HTTP, registration and both sockets, logged without flooding", async () => {
    ctx = await startServer({ allowedIps: ["10.0.0.0/8", "fd00::/8"] });
    expect((await fetch(`${ctx.base}/v1/health`)).status).toBe(403);
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    const registered = await runtime.register();
    expect([registered.status, await registered.json()]).toEqual([403, { error: "forbidden", message: "this address may not reach this server (allowedIps)" }]);
    expect((await refusedStatus(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
    const socket = `${ctx.base.replace(/^http/, "ws")}/v1/environments/socket?deviceId=${runtime.deviceId}`;
    expect((await refusedStatus(socket, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
    const lines = ctx.logger.lines.filter((l) => l.includes("not in allowedIps"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn refused GET \/v1\/health from 127\.0\.0\.1: not in allowedIps \(403\)$/);
  });

  it("inside the list (IPv4, or its mapped IPv6 form): everything works", async () => {
    for (const allowedIps of [["127.0.0.1/32"], ["::ffff:127.0.0.0/104"]]) {
      ctx = await startServer({ allowedIps });
      expect((await fetch(`${ctx.base}/v1/health`)).status).toBe(200);
      await new FakeRuntime(ctx.base, TOKEN).connect();
      const app = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
      await app.close();
      await ctx.server.close();
      ctx = undefined;
    }
  });
});
