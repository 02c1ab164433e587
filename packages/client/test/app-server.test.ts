import { ByorError } from "@byor/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { appServerUrl, connectAppServer, signAppServerToken, type AppServerSession } from "../src/node.js";
import { startFakeAppServer, verifyJwt, type FakeAppServer } from "./helpers/fake-app-server.js";
import { sleep, until } from "../../node-server/test/helpers/sockets.js";

const SCOPE = { agent_id: "agent-1", conversation_id: "default" };
/** Quick redials for tests: 20–40 ms, no jitter surprises. */
const quick = { stableAfterMs: 10_000, retryDelay: () => 20, shouldRetry: (close: { code: number }) => close.code !== 4401 && close.code !== 4403 };

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});
const track = <T extends AppServerSession | FakeAppServer>(thing: T): T => {
  cleanups.push(() => ("stop" in thing ? thing.stop() : thing.close()));
  return thing;
};

describe("appServerUrl", () => {
  it("adds the runtime's /ws path, maps http(s) to ws(s), refuses credentials in the URL", () => {
    expect(appServerUrl("ws://127.0.0.1:4500")).toBe("ws://127.0.0.1:4500/ws");
    expect(appServerUrl("http://127.0.0.1:4500/")).toBe("ws://127.0.0.1:4500/ws");
    expect(appServerUrl("https://runtime.example/custom")).toBe("wss://runtime.example/custom");
    expect(() => appServerUrl("ws://user:pw@127.0.0.1:4500")).toThrow(/put credentials in `auth`/);
    expect(() => appServerUrl("ftp://127.0.0.1")).toThrow(/ws\(s\) or http\(s\)/);
    expect(() => appServerUrl("127.0.0.1:4500")).toThrow();
  });
});

describe("connectAppServer (Node, ws)", () => {
  it("connects, asks app_server_info, syncs a watched scope", async () => {
    const fake = track(await startFakeAppServer());
    const runtime = track(connectAppServer({ url: fake.url }));
    const info = await runtime.ready({ timeoutMs: 5_000 });
    expect(info).toMatchObject({ type: "app_server_info_response", protocol_version: 1 });
    await expect(runtime.session.watch(SCOPE)).resolves.toMatchObject({ type: "sync_response", success: true });
    expect(fake.received.map((c) => c.type)).toEqual(["app_server_info", "sync"]);
    expect(fake.authorizations).toEqual([undefined]);
  });

  it("comes back after the runtime restarts: redials, re-syncs the watched scope, asks info again", async () => {
    const fake = track(await startFakeAppServer());
    const runtime = track(connectAppServer({ url: fake.url, reconnect: quick }));
    await runtime.ready({ timeoutMs: 5_000 });
    await runtime.session.watch(SCOPE);
    const states: string[] = [];
    runtime.on("state", ({ to }) => states.push(to.status));
    await fake.stop();
    await until(() => runtime.state.status === "backing_off", { what: "backing off" });
    await sleep(100); // a few refused dials (ECONNREFUSED) while it is down
    await fake.start();
    await until(() => fake.received.filter((c) => c.type === "sync").length === 2, { what: "the re-sync" });
    expect(runtime.state.status).toBe("open");
    expect(fake.received.filter((c) => c.type === "app_server_info")).toHaveLength(2);
    expect(states.filter((s) => s === "connecting").length).toBeGreaterThanOrEqual(2);
    expect(runtime.session.state.status).toBe("open");
  });

  it("the runtime's protocol pings keep a quiet socket alive; a silent one is replaced", async () => {
    const fake = track(await startFakeAppServer());
    // Intervals long enough that a busy machine's timer lag (tens of ms) cannot pass for three silent ones.
    const runtime = track(connectAppServer({ url: fake.url, reconnect: quick, heartbeat: { intervalMs: 400, maxMisses: 3 } }));
    await runtime.ready({ timeoutMs: 5_000 });
    fake.mute = true; // no frames from now on: only pings show life
    for (let i = 0; i < 40; i++) {
      fake.pingAll();
      await sleep(50);
    }
    expect(fake.connections).toBe(1);
    expect(runtime.state.status).toBe("open");
    // No pings: three silent intervals, then a new socket.
    await until(() => fake.connections === 2, { what: "a new connection after the watchdog", timeoutMs: 6_000 });
    // The server counts the socket at its upgrade; the session is open on it once the client has seen it open too.
    await until(() => runtime.session.state.status === "open", { what: "the session open on the new socket", timeoutMs: 2_000 });
    expect(fake.connections).toBe(2);
  });

  it("capability token: presents it as a bearer token; a wrong one ends the session with the runtime's reason", async () => {
    const fake = track(await startFakeAppServer({ auth: { token: "right-token" } }));
    const ok = track(connectAppServer({ url: fake.url, auth: { token: "right-token" } }));
    await ok.ready({ timeoutMs: 5_000 });
    expect(fake.authorizations).toEqual(["Bearer right-token"]);

    const wrong = track(connectAppServer({ url: fake.url, auth: { token: "wrong-token" }, reconnect: quick }));
    const error = await wrong.ready({ timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ByorError);
    expect(error).toMatchObject({ code: "unauthorized" });
    expect((error as Error).message).toMatch(/refused the token \(HTTP 401: invalid websocket bearer token\)/);
    expect(wrong.state).toMatchObject({ status: "closed", close: { code: 4401 } });
    await sleep(100);
    expect(fake.authorizations).toHaveLength(2); // no retry

    const none = track(connectAppServer({ url: fake.url, reconnect: quick }));
    await expect(none.ready({ timeoutMs: 5_000 })).rejects.toThrow(/wants a token \(HTTP 401: missing websocket bearer token\): pass `auth`/);
  });

  it("signed bearer token: mints an HS256 JWT per attempt that the runtime's check accepts", async () => {
    const auth = { secret: "s3cret-0123456789abcdef", issuer: "byor-tests", audience: "letta-app-server" };
    const fake = track(await startFakeAppServer({ auth }));
    const runtime = track(connectAppServer({ url: fake.url, auth: { ...auth, ttlSeconds: 60 }, reconnect: quick }));
    await runtime.ready({ timeoutMs: 5_000 });
    const token = fake.authorizations[0]!.slice("Bearer ".length);
    expect(verifyJwt(token, auth)).toBeNull();
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: "byor-tests", aud: "letta-app-server" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);

    // A fresh token for the next connection.
    await sleep(1_100);
    for (const socket of fake.sockets) socket.terminate();
    await until(() => fake.authorizations.length === 2 && runtime.state.status === "open", { what: "the redial" });
    expect(fake.authorizations[1]).not.toBe(fake.authorizations[0]);

    for (const [wrong, reason] of [
      [{ ...auth, secret: "another-secret-0123456789" }, "invalid websocket jwt"],
      [{ ...auth, audience: "someone-else" }, "websocket jwt audience mismatch"],
      [{ ...auth, now: Date.now() - 3_600_000 }, "expired websocket jwt"],
    ] as const) {
      const refused = track(connectAppServer({ url: fake.url, auth: wrong, reconnect: quick }));
      await expect(refused.ready({ timeoutMs: 5_000 })).rejects.toThrow(`HTTP 401: ${reason}`);
    }
  });

  it("an App Server without auth refuses an Origin header: the error says so", async () => {
    const fake = track(await startFakeAppServer());
    class WithOrigin extends (await import("ws")).default {
      constructor(url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) {
        super(url, protocols, { ...options, headers: { ...options?.headers, origin: "http://127.0.0.1:9999" } });
      }
    }
    const runtime = track(connectAppServer({ url: fake.url, WebSocket: WithOrigin as never, reconnect: quick }));
    await expect(runtime.ready({ timeoutMs: 5_000 })).rejects.toThrow(/HTTP 403.*Origin header/);
  });

  it("a wrong path is not retried", async () => {
    const fake = track(await startFakeAppServer());
    const runtime = track(connectAppServer({ url: `${fake.url}/nope`, reconnect: quick }));
    await expect(runtime.ready({ timeoutMs: 5_000 })).rejects.toThrow(/no App Server socket at .*\/nope \(HTTP 404: Not Found\): its path is \/ws/);
  });

  it("an unreachable runtime keeps being retried; ready() times out with the reason", async () => {
    const fake = await startFakeAppServer();
    await fake.stop();
    const runtime = track(connectAppServer({ url: fake.url, reconnect: quick }));
    await expect(runtime.ready({ timeoutMs: 300 })).rejects.toThrow(/no App Server connection within 300 ms; last: 1006 .*ECONNREFUSED/);
    expect(runtime.state.status).not.toBe("closed");
  });
});

describe("signAppServerToken", () => {
  it("refuses an empty secret and a non-positive lifetime", async () => {
    await expect(signAppServerToken({ secret: "" })).rejects.toThrow(/secret is empty/);
    await expect(signAppServerToken({ secret: "x", ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds must be positive/);
  });

  it("signs what node:crypto verifies, with a string or byte secret", async () => {
    const now = Date.UTC(2026, 11, 3, 12);
    const a = await signAppServerToken({ secret: "k", now, subject: "app-1" });
    const b = await signAppServerToken({ secret: new TextEncoder().encode("k"), now, subject: "app-1" });
    expect(a).toBe(b);
    const [head, body] = a.split(".");
    expect(JSON.parse(Buffer.from(head!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    expect(JSON.parse(Buffer.from(body!, "base64url").toString())).toEqual({ iat: now / 1000, exp: now / 1000 + 300, sub: "app-1" });
  });
});
