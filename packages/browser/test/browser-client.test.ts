import { AppSessions, exponentialBackoff } from "@byor/core";
import { isByorError } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BROWSER_CLOSE, BrowserClient, type BrowserClientOptions, type ConnectionStatus } from "../src/index.js";
import { FakePage, FakeServer, loopEvent, RUNTIME, SCOPE, TOKEN } from "./helpers/fake-server.js";

/**
 * Runs microtasks and the session's 0 ms redial timer (fake timers clamp 0 to 1 ms, like Node), so it moves the
 * clock by a few ms: timing assertions below leave room for that.
 */
const flush = async () => {
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 30; i++) await Promise.resolve();
    await vi.advanceTimersByTimeAsync(1);
  }
};

/** A client on a fake server and page. Backoff: attempt n waits 0.5 × min(8 s, 1 s × 2^(n−1)). */
function setup(options: Partial<BrowserClientOptions> = {}, server = new FakeServer()) {
  const page = new FakePage();
  const statuses: ConnectionStatus[] = [];
  const client = new BrowserClient({
    url: "http://127.0.0.1:8284",
    token: TOKEN,
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    page,
    reconnect: exponentialBackoff({ random: () => 0.5, baseMs: 1000, capMs: 8000 }),
    heartbeat: { intervalMs: 25_000, maxMisses: 3 },
    ackDelayMs: 50,
    ...options,
  });
  client.on("status", (s) => statuses.push(s));
  const phases = () => statuses.map((s) => (s.phase === "live" && s.resumed ? "resumed" : s.phase));
  return { client, server, page, statuses, phases };
}

/** `setup()`, started and settled (live on the fake server unless it refuses). */
async function started(options: Partial<BrowserClientOptions> = {}, server = new FakeServer()) {
  const rig = setup(options, server);
  rig.client.start();
  await flush();
  return rig;
}

/** The server drops the current socket; the first backoff wait (500 ms) passes. */
async function dropAndWait(server: FakeServer): Promise<void> {
  server.current!.server.drop();
  await flush();
  await vi.advanceTimersByTimeAsync(500);
  await flush();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("connecting", () => {
  it("offers the token as a subprotocol, never in the URL, and goes live", async () => {
    const { client, server, phases } = setup();
    expect(client.status.phase).toBe("idle");
    client.start();
    await flush();
    expect(server.sockets).toHaveLength(1);
    const ws = server.sockets[0]!;
    expect(ws.url).toBe("ws://127.0.0.1:8284/byor/v1/client");
    expect(ws.protocols).toEqual(["byor.v1", `byor.token.${TOKEN}`]);
    expect(ws.binaryType).toBe("arraybuffer");
    expect(server.received[0]![0]).toEqual({ type: "byor.hello", seq_ack: true });
    expect(phases()).toEqual(["connecting", "live"]);
    expect(client.status).toMatchObject({ phase: "live", resumed: false });
    await expect(client.session.listRuntimes()).resolves.toMatchObject([{ id: RUNTIME, connection_name: "laptop" }]);
    client.close();
  });

  it("puts the token in ?token= when asked, offering only byor.v1", async () => {
    const { client, server } = await started({ tokenIn: "query", url: "https://byor.example.com/prefix" });
    const ws = server.sockets[0]!;
    expect(ws.url).toBe(`wss://byor.example.com/prefix/byor/v1/client?token=${TOKEN}`);
    expect(ws.protocols).toEqual(["byor.v1"]);
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("asks the token provider again on every attempt, so a rotated token is used", async () => {
    const server = new FakeServer();
    let current = "token-a";
    server.token = current;
    const provider = vi.fn(async () => current);
    const { client } = await started({ token: provider }, server);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(client.status.phase).toBe("live");
    // The server restarts with a new token, and the app's backend hands out the new one.
    current = server.token = "token-b";
    await dropAndWait(server);
    expect(provider).toHaveBeenCalledTimes(2);
    expect(server.sockets[1]!.protocols).toEqual(["byor.v1", "byor.token.token-b"]);
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("retries when the token provider fails, and says why", async () => {
    let fail = true;
    const { client, server } = setup({
      token: async () => {
        if (fail) throw new Error("session cookie expired");
        return TOKEN;
      },
    });
    client.start();
    await flush();
    expect(server.sockets).toHaveLength(0);
    expect(client.status).toMatchObject({ phase: "waiting", attempt: 1, lastError: "the token provider failed: session cookie expired" });
    fail = false;
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("gives up on an upgrade that hangs after connectTimeoutMs and backs off", async () => {
    const server = new FakeServer();
    server.hang = true;
    const { client } = await started({ connectTimeoutMs: 3000 }, server);
    expect(client.status.phase).toBe("connecting");
    await vi.advanceTimersByTimeAsync(2990);
    expect(client.status.phase).toBe("connecting");
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(client.status).toMatchObject({ phase: "waiting", attempt: 1, lastError: "no answer to the WebSocket upgrade within 3000 ms" });
    expect(server.sockets[0]!.closedWith).toHaveLength(1); // the hanging socket was closed
    server.hang = false;
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("decodes binary frames as UTF-8 text", async () => {
    const { client, server } = await started();
    const events: string[] = [];
    client.session.onEvent("update_loop_status", (e) => events.push(e.loop_status.status));
    const frame = JSON.stringify({ type: "byor.event", runtime_id: RUNTIME, seq: 1, event: loopEvent(1, "PROCESSING_API_RESPONSE") });
    server.current!.onmessage!({ data: new TextEncoder().encode(frame).buffer });
    expect(events).toEqual(["PROCESSING_API_RESPONSE"]);
    client.close();
  });
});

describe("a wrong token", () => {
  it("is told apart from an outage by GET /byor/v1/runtimes and ends the client with a clear error", async () => {
    const { client, server, statuses } = await started({ token: "wrong-token" });
    expect(server.fetches).toEqual([{ url: "http://127.0.0.1:8284/byor/v1/runtimes", authorization: "Bearer wrong-token" }]);
    const last = statuses.at(-1)!;
    expect(last.phase).toBe("closed");
    if (last.phase !== "closed") return;
    expect(isByorError(last.error, "unauthorized")).toBe(true);
    expect(last.error!.message).toMatch(/refused the token \(HTTP 401/);
    expect(last.close).toEqual({ code: 4401, reason: "Unauthorized" });
    expect(client.session.state).toMatchObject({ status: "closed", close: { code: 4401 } });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sockets).toHaveLength(1); // never dialled again
  });

  it("with a valid token, a refused upgrade is retried with jittered backoff and explained", async () => {
    const server = new FakeServer();
    server.refuseNext = 3;
    const { client, statuses } = await started({}, server);
    const waiting = statuses.filter((s) => s.phase === "waiting");
    expect(waiting[0]).toMatchObject({ attempt: 1, lastError: expect.stringContaining("the token is valid") });
    // The wait is the session's own backoff: its state says so, with the same delay.
    expect(client.session.state).toMatchObject({ status: "backing_off", attempt: 1, delayMs: 500 });
    // attempt 1 waits 500 ms, attempt 2 1000 ms, attempt 3 2000 ms (random 0.5 of 1 s, 2 s, 4 s)
    await vi.advanceTimersByTimeAsync(450);
    expect(server.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(server.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(950);
    expect(server.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(server.sockets).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1950);
    expect(server.sockets).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(server.sockets).toHaveLength(4);
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("an unreachable server is an outage, not a refusal", async () => {
    const server = new FakeServer();
    server.down = true;
    const { client } = await started({}, server);
    expect(client.status).toMatchObject({ phase: "waiting", lastError: expect.stringContaining("unreachable") });
    server.down = false;
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("a token a subprotocol cannot carry fails at once, before dialling", async () => {
    const { client, server } = await started({ token: "has spaces/and:colons" });
    expect(server.sockets).toHaveLength(0);
    expect(client.status).toMatchObject({ phase: "closed", error: { code: "unauthorized" } });
  });
});

describe("reconnecting and resuming", () => {
  it("resumes with the seq/ack cursor after a drop: frames sent meanwhile arrive once, in order", async () => {
    const { client, server, phases } = await started();
    await client.session.subscribe(RUNTIME, SCOPE);
    const seen: number[] = [];
    client.session.onEvent("update_loop_status", (e) => seen.push(e.event_seq));
    server.broadcast(loopEvent(1));
    server.broadcast(loopEvent(2));
    await flush();
    server.current!.server.drop(); // 1006: the server parks the session
    await flush();
    server.broadcast(loopEvent(3)); // numbered and buffered while parked
    server.broadcast(loopEvent(4));
    expect(client.status).toMatchObject({ phase: "waiting", attempt: 1, lastClose: { code: 1006 } });
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    const hello = server.received[1]![0]!;
    expect(hello).toMatchObject({ type: "byor.hello", seq_ack: true, resume: { session_id: client.session.sessionId, last_seq: 2 } });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(phases()).toEqual(["connecting", "live", "waiting", "connecting", "resumed"]);
    expect(server.subscribed).toHaveLength(1); // a resume keeps the subscription: no re-sync needed
    client.close();
  });

  it("re-subscribes (the server re-syncs from snapshots) when the server lost the session", async () => {
    const server = new FakeServer();
    const { client, phases } = await started({}, server);
    await client.session.subscribe(RUNTIME, SCOPE);
    const resets: string[] = [];
    client.session.on("reset", (r) => resets.push(r.reason));
    const socket = server.current!;
    server.sessions = new AppSessions(); // a restarted server: it knows no session
    socket.server.drop();
    await flush();
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(resets).toEqual(["unknown_session"]);
    expect(server.subscribed).toHaveLength(2);
    expect(phases().at(-1)).toBe("live");
    client.close();
  });

  it("reconnectNow() skips the rest of the backoff", async () => {
    const server = new FakeServer();
    server.refuseNext = 3;
    const { client } = await started({ reconnect: exponentialBackoff({ random: () => 0.99, baseMs: 10_000, capMs: 60_000 }) }, server);
    await vi.advanceTimersByTimeAsync(9_900);
    await flush();
    expect(server.sockets).toHaveLength(2); // attempt 2 now waits ~20 s
    expect(client.status).toMatchObject({ phase: "waiting", attempt: 2 });
    client.reconnectNow();
    await flush();
    expect(server.sockets).toHaveLength(3);
    client.close();
  });
});

describe("the page", () => {
  it("does not redial while hidden, and redials at once when visible again", async () => {
    const { client, server, page } = await started();
    page.emit("hidden");
    await dropAndWait(server);
    expect(client.status).toMatchObject({ phase: "paused", reason: "hidden", attempt: 1 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.sockets).toHaveLength(1);
    page.emit("visible");
    await flush();
    expect(server.sockets).toHaveLength(2);
    expect(client.status).toMatchObject({ phase: "live", resumed: true });
    client.close();
  });

  it("after a long pause the parked session has expired: a fresh session re-syncs", async () => {
    const { client, server, page } = await started();
    await client.session.subscribe(RUNTIME, SCOPE);
    const resets: string[] = [];
    client.session.on("reset", (r) => resets.push(r.reason));
    page.emit("hidden");
    server.current!.server.drop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(server.sockets).toHaveLength(1);
    page.emit("visible");
    await flush();
    expect(resets).toEqual(["expired"]);
    expect(server.subscribed).toHaveLength(2);
    expect(client.status).toMatchObject({ phase: "live", resumed: false });
    client.close();
  });

  it("keeps an open connection while hidden", async () => {
    const { client, server, page } = await started();
    page.emit("hidden");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("does not redial a remote server while offline; `online` ends the wait", async () => {
    const { client, server, page } = await started({ url: "https://byor.example.com" });
    page.emit("offline");
    await dropAndWait(server);
    expect(client.status).toMatchObject({ phase: "paused", reason: "offline" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1);
    page.emit("online");
    await flush();
    expect(server.sockets).toHaveLength(2);
    expect(client.status.phase).toBe("live");
    client.close();
  });

  it("still dials a loopback server while the browser says offline", async () => {
    const { client, server, page } = await started();
    page.emit("offline");
    await dropAndWait(server);
    expect(server.sockets).toHaveLength(2);
    client.close();
  });

  it("`visibilitychange`, `online` and `pageshow` cut a backoff wait short", async () => {
    const server = new FakeServer();
    const { client, page } = await started({ reconnect: exponentialBackoff({ random: () => 0.99, baseMs: 20_000 }) }, server);
    for (const [i, event] of (["visible", "online", "pageshow"] as const).entries()) {
      server.current!.server.drop();
      await flush();
      expect(client.status.phase).toBe("waiting");
      page.emit(event);
      await flush();
      expect(server.sockets).toHaveLength(i + 2);
      expect(client.status).toMatchObject({ phase: "live", resumed: true });
    }
    client.close();
  });

  it("closes the socket when the page enters the back/forward cache, and resumes on pageshow", async () => {
    const { client, server, page } = await started();
    const first = server.current!;
    page.isVisible = false;
    page.emit("pagehide");
    await flush();
    expect(first.closedWith).toEqual([{ code: BROWSER_CLOSE.pageHidden.code, reason: BROWSER_CLOSE.pageHidden.reason }]);
    expect(server.sessions.get(client.session.sessionId!)?.state.status).toBe("offline"); // parked, not ended
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.sockets).toHaveLength(1);
    page.isVisible = true;
    page.emit("pageshow");
    await flush();
    expect(server.sockets).toHaveLength(2);
    expect(client.status).toMatchObject({ phase: "live", resumed: true });
    client.close();
  });

  it("checks a live connection on wake-up and replaces it when it stays silent", async () => {
    const { client, server, page } = await started({ wakeCheckMs: 2000 });
    const first = server.current!;
    // The network died silently: nothing reaches the server and nothing comes back.
    first.send = () => {};
    page.emit("hidden");
    page.emit("visible");
    await vi.advanceTimersByTimeAsync(1999);
    expect(first.closedWith).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.closedWith).toEqual([{ code: 4000, reason: "No answer after wake" }]);
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(server.sockets).toHaveLength(2);
    expect(client.status).toMatchObject({ phase: "live" });
    client.close();
  });

  it("leaves a live connection alone when it answers the wake-up ping", async () => {
    const { client, server, page } = await started({ wakeCheckMs: 2000 });
    page.emit("visible");
    await flush();
    expect(server.received[0]!.at(-1)).toEqual({ type: "byor.ping" });
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.sockets).toHaveLength(1);
    expect(server.sockets[0]!.closedWith).toEqual([]);
    client.close();
  });
});

describe("closing", () => {
  it("close() ends the session with 1000 and stops watching the page", async () => {
    const { client, server, page, statuses } = await started();
    expect(page.watchers).toBe(1);
    client.close();
    await flush();
    expect(server.sockets[0]!.closedWith).toEqual([{ code: 1000, reason: "Client closed" }]);
    expect(statuses.at(-1)).toEqual({ phase: "closed", close: { code: 1000, reason: "Client closed" } });
    expect(page.watchers).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1);
  });

  it("close() during a backoff wait cancels it", async () => {
    const server = new FakeServer();
    server.refuseNext = 1;
    const { client } = await started({}, server);
    expect(client.status.phase).toBe("waiting");
    client.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(client.status).toEqual({ phase: "closed" });
  });

  it("reports a policy that gives up as a connection_closed error", async () => {
    const server = new FakeServer();
    server.refuseNext = 10;
    const { client } = setup({ reconnect: exponentialBackoff({ random: () => 0, maxAttempts: 2 }) }, server);
    client.start();
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(server.sockets).toHaveLength(3);
    expect(client.status).toMatchObject({ phase: "closed", error: { code: "connection_closed" }, close: { code: 1006 } });
  });
});
