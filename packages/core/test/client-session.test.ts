import { DecodeError, isByorError, type ByorError, type RuntimeEvent } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppSessions } from "../src/app-connection.js";
import { ClientSession, SEQ_GAP_CLOSE, type ClientSessionOptions } from "../src/client-session.js";
import { CLIENT_CLOSE } from "../src/close-codes.js";
import { ConnectRefused } from "../src/connect-refused.js";
import { createTransportPair, type MemoryTransport } from "../src/memory-transport.js";
import { exponentialBackoff } from "../src/reconnect.js";
import type { AbortSignalLike } from "../src/platform.js";
import type { SessionState } from "../src/states.js";
import type { Transport } from "../src/transport.js";
import { SESSION_VIEWS } from "../src/session-views.js";
import { SESSION_VALIDATION } from "../src/session-validation.js";

type Json = Record<string, unknown> & { type: string };

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

const SCOPE = { agent_id: "agent-1", conversation_id: "default" };
const RUNTIME = "dev-1";

/** A valid enveloped runtime event, distinct per n. */
const loop = (n: number, status = "WAITING_ON_INPUT") =>
  ({
    type: "update_loop_status",
    loop_status: { status, active_run_ids: [], executing_tool_call_ids: [] },
    runtime: SCOPE,
    event_seq: n,
    emitted_at: "2026-11-27T14:54:50.108Z",
    idempotency_key: `update_loop_status:${n}:key-${n}`,
  }) as const;

const relayed = (event: object, seq?: number) => ({ type: "byor.event", runtime_id: RUNTIME, ...(seq !== undefined ? { seq } : {}), event });

/** A ClientSession whose sockets lead to a scripted server: each connection's server end and what it received. */
function harness(options: Partial<ClientSessionOptions> = {}) {
  const servers: { end: MemoryTransport; got: Json[] }[] = [];
  const signals: AbortSignalLike[] = [];
  let refuse = 0;
  let hold: ((t: Transport) => void) | undefined;
  const session = new ClientSession({
    reconnect: exponentialBackoff({ random: () => 0.5, baseMs: 1000, capMs: 8000, stableAfterMs: 10_000 }),
    heartbeat: { intervalMs: 5000, maxMisses: 3 },
    ackEvery: 4,
    ackDelayMs: 100,
    requestTimeoutMs: 2000,
    views: SESSION_VIEWS,
    ...options,
    connect: async (signal) => {
      signals.push(signal);
      if (refuse > 0) {
        refuse--;
        throw new Error("ECONNREFUSED");
      }
      const [client, server] = createTransportPair();
      const got: Json[] = [];
      server.onMessage((text) => got.push(JSON.parse(text) as Json));
      servers.push({ end: server, got });
      if (hold) return new Promise<Transport>((resolve) => (hold = () => resolve(client)));
      return client;
    },
  });
  const states: SessionState[] = [];
  const events: RuntimeEvent[] = [];
  const resets: string[] = [];
  const errors: ByorError[] = [];
  session.on("state", (change) => states.push(change.to));
  session.on("event", ({ event }) => events.push(event));
  session.on("reset", ({ reason }) => resets.push(reason));
  session.on("error", (error) => errors.push(error));
  const server = () => servers.at(-1)!;
  const toApp = async (frame: object | string) => {
    server().end.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    await flush();
  };
  const welcome = (sessionId = "s-1", resumed = false, seqAck = true) =>
    toApp({ type: "byor.welcome", session_id: sessionId, resumed, seq_ack: seqAck, ...(seqAck ? { last_seq: 0 } : {}) });
  const sent = (type: string, i = servers.length - 1) => servers[i]!.got.filter((f) => f.type === type);
  return {
    session,
    servers,
    signals,
    states,
    events,
    resets,
    errors,
    server,
    toApp,
    welcome,
    sent,
    refuseNext: (n: number) => (refuse = n),
    holdNext: () => (hold = () => {}),
    release: () => hold?.({} as Transport),
  };
}

/** A harness whose session is started and welcomed (session s-1, seq/ack on). */
async function opened(options: Partial<ClientSessionOptions> = {}) {
  const h = harness(options);
  h.session.start();
  await flush();
  await h.welcome("s-1");
  return h;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ClientSession handshake and states", () => {
  it("connects, says hello with seq_ack and opens on the welcome", async () => {
    const h = harness();
    expect(h.session.state.status).toBe("idle");
    h.session.start();
    expect(h.session.state).toEqual({ status: "connecting", attempt: 0 });
    await flush();
    expect(h.server().got).toEqual([{ type: "byor.hello", seq_ack: true }]);
    await h.welcome("s-1");
    expect(h.session.state).toMatchObject({ status: "open", resumed: false });
    expect(h.session.sessionId).toBe("s-1");
    expect(h.session.lastSeq).toBe(0);
    h.session.start(); // no-op
    expect(h.servers).toHaveLength(1);
  });

  it("without seq/ack puts no seq_ack, no ack and no resume on the wire", async () => {
    const h = harness({ seqAck: false });
    h.session.start();
    await flush();
    expect(h.server().got).toEqual([{ type: "byor.hello" }]);
    await h.welcome("s-1", false, false);
    for (let n = 1; n <= 6; n++) await h.toApp(relayed(loop(n)));
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.events).toHaveLength(6);
    expect(h.sent("byor.ack")).toEqual([]);
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.servers).toHaveLength(2);
    expect(h.server().got[0]).toEqual({ type: "byor.hello" });
    await h.welcome("s-2", false, false);
    // A new session without seq/ack: continuity is not guaranteed, the app is told.
    expect(h.resets).toEqual(["not_resumed"]);
  });

  it("backs off with the policy's delay after a drop and counts attempts", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await h.welcome();
    h.server().end.drop();
    expect(h.session.state).toMatchObject({ status: "backing_off", attempt: 1, delayMs: 500, lastClose: { code: 1006 } });
    await vi.advanceTimersByTimeAsync(499);
    expect(h.servers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.session.state).toEqual({ status: "connecting", attempt: 1 });
    await flush();
    // The cursor exists before any event: a resume from 0.
    expect(h.server().got).toEqual([{ type: "byor.hello", seq_ack: true, resume: { session_id: "s-1", last_seq: 0 } }]);
    h.server().end.drop(); // dropped before the welcome
    expect(h.session.state).toMatchObject({ status: "backing_off", attempt: 2, delayMs: 1000 });
    h.refuseNext(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.state).toMatchObject({ status: "backing_off", attempt: 3, delayMs: 2000, lastClose: { code: 1006, reason: "ECONNREFUSED" } });
    await vi.advanceTimersByTimeAsync(2000);
    await h.welcome("s-1", true);
    expect(h.session.state).toMatchObject({ status: "open", resumed: true });
    expect(h.states.map((s) => s.status)).toEqual([
      "connecting",
      "open",
      "backing_off",
      "connecting",
      "backing_off",
      "connecting",
      "backing_off",
      "connecting",
      "open",
    ]);
  });

  it("resets its attempt counter after a connection stayed open stableAfterMs", async () => {
    const h = harness({ heartbeat: { intervalMs: 60_000, maxMisses: 3 } });
    h.session.start();
    await flush();
    await h.welcome();
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    await vi.advanceTimersByTimeAsync(9_999);
    h.server().end.drop(); // not stable yet: attempt 2
    expect(h.session.state).toMatchObject({ attempt: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    await h.welcome("s-1", true);
    await vi.advanceTimersByTimeAsync(10_000);
    h.server().end.drop(); // stable: back to attempt 1
    expect(h.session.state).toMatchObject({ status: "backing_off", attempt: 1, delayMs: 500 });
  });

  it("stops on a fatal close code and fails what is pending", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await h.welcome();
    const listing = h.session.listRuntimes();
    h.server().end.close(CLIENT_CLOSE.unauthorized, "Unauthorized");
    await flush();
    expect(h.session.state).toMatchObject({ status: "closed", close: { code: CLIENT_CLOSE.unauthorized } });
    await expect(listing).rejects.toMatchObject({ code: "connection_closed" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.servers).toHaveLength(1);
  });

  it("drop() closes the socket with the given close and the session resumes; probe() drops a silent socket only", async () => {
    const h = harness();
    h.session.drop({ code: 4010, reason: "hidden" }); // no socket: nothing
    h.session.start();
    await flush();
    await h.welcome();
    h.session.probe(1000, { code: 4000, reason: "No answer after wake" });
    h.session.probe(1000, { code: 4000, reason: "No answer after wake" }); // one at a time
    await flush();
    expect(h.sent("byor.ping")).toHaveLength(1);
    await h.toApp({ type: "byor.pong" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.state.status).toBe("open");
    h.session.probe(1000, { code: 4000, reason: "No answer after wake" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.state).toMatchObject({ status: "backing_off", lastClose: { code: 4000, reason: "No answer after wake" } });
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    expect(h.servers).toHaveLength(2);
    h.session.drop({ code: 4010, reason: "hidden" });
    expect(h.session.state).toMatchObject({ status: "backing_off", lastClose: { code: 4010, reason: "hidden" } });
  });

  it("reconnectNow() skips the rest of a backoff wait, and does nothing otherwise", async () => {
    const h = harness();
    h.session.reconnectNow(); // idle
    expect(h.session.state.status).toBe("idle");
    h.session.start();
    await flush();
    await h.welcome();
    h.session.reconnectNow(); // open
    expect(h.servers).toHaveLength(1);
    h.server().end.drop();
    await flush();
    expect(h.session.state).toMatchObject({ status: "backing_off", delayMs: 500 });
    h.session.reconnectNow();
    await flush();
    expect(h.servers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000); // the cancelled timer does not dial again
    expect(h.servers).toHaveLength(2);
  });

  it("a connect that throws ConnectRefused ends the attempt with its close: a fatal one stops the session", async () => {
    const session = new ClientSession({
      connect: async () => {
        throw new ConnectRefused("unauthorized", "wrong token", { code: CLIENT_CLOSE.unauthorized, reason: "Unauthorized" });
      },
    });
    const states: SessionState[] = [];
    session.on("state", ({ to }) => states.push(to));
    session.start();
    await flush();
    expect(session.state).toMatchObject({ status: "closed", close: { code: CLIENT_CLOSE.unauthorized, reason: "Unauthorized" } });
    expect(states.map((s) => s.status)).toEqual(["connecting", "closed"]);
  });

  it("close() closes the socket with 1000, fails pending calls and ends the event stream", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await h.welcome();
    const closes: number[] = [];
    h.server().end.onClose((c) => closes.push(c.code));
    const subscribing = h.session.subscribe(RUNTIME, SCOPE);
    const stream = h.session.events();
    const next = stream.next();
    h.session.close();
    await flush();
    expect(closes).toEqual([1000]);
    expect(h.session.state).toMatchObject({ status: "closed", close: { code: 1000 } });
    await expect(subscribing).rejects.toMatchObject({ code: "connection_closed" });
    await expect(next).resolves.toEqual({ value: undefined, done: true });
    await expect(h.session.subscribe(RUNTIME, SCOPE)).rejects.toMatchObject({ code: "connection_closed" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("close() while connecting aborts the attempt and closes a socket that arrives late", async () => {
    const h = harness();
    h.holdNext();
    h.session.start();
    await flush();
    h.session.close();
    expect(h.signals[0]!.aborted).toBe(true);
    expect(h.session.state).toMatchObject({ status: "closed", close: undefined });
    h.release();
    await flush();
    expect(h.servers[0]!.end.closed).toBe(true);
  });
});

describe("ClientSession principal", () => {
  const viewer = { name: "wall-screen", role: "viewer", privileges: ["observe"] };
  const operator = { name: "wall-screen", role: "operator", privileges: ["observe", "converse"] };
  const welcomeAs = (h: ReturnType<typeof harness>, principal: object | undefined, sessionId = "s-1", resumed = false) =>
    h.toApp({ type: "byor.welcome", session_id: sessionId, resumed, seq_ack: true, last_seq: 0, ...(principal ? { principal } : {}) });

  it("is undefined before the welcome and from a server without access control", async () => {
    const h = harness();
    expect(h.session.principal).toBeUndefined();
    h.session.start();
    await flush();
    await h.welcome("s-1");
    expect(h.session.state.status).toBe("open");
    expect(h.session.principal).toBeUndefined();
  });

  it("is the welcome's principal, as sent, already when the state turns open", async () => {
    const h = harness();
    const seen: unknown[] = [];
    h.session.on("state", ({ to }) => {
      if (to.status === "open") seen.push(h.session.principal);
    });
    h.session.start();
    await flush();
    await welcomeAs(h, viewer);
    expect(h.session.principal).toEqual(viewer);
    expect(seen).toEqual([viewer]);
  });

  it("stays while reconnecting, and follows each later welcome (a changed role, or none)", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await welcomeAs(h, viewer);
    // The server closes with 1012 when the token's role changed: the session reconnects and resumes.
    h.server().end.close(1012, "Role changed");
    await flush();
    expect(h.session.state.status).toBe("backing_off");
    expect(h.session.principal).toEqual(viewer);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.server().got[0]).toMatchObject({ type: "byor.hello", resume: { session_id: "s-1" } });
    await welcomeAs(h, operator, "s-1", true);
    expect(h.session.state).toMatchObject({ status: "open", resumed: true });
    expect(h.session.principal).toEqual(operator);
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(1000);
    await welcomeAs(h, undefined, "s-2");
    expect(h.session.principal).toBeUndefined();
  });

  it("a welcome whose principal is malformed is reported, not taken", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await welcomeAs(h, { name: "x", role: "viewer" });
    expect(h.session.state.status).toBe("connecting");
    expect(h.session.principal).toBeUndefined();
    expect(h.errors.map((e) => e.code)).toEqual(["invalid_message"]);
    expect(h.errors[0]!.message).toContain("privileges");
  });
});

describe("ClientSession seq/ack", () => {
  it("delivers each numbered frame once and in order, dropping duplicates", async () => {
    const h = await opened();
    await h.toApp(relayed(loop(1), 1));
    await h.toApp(relayed(loop(2), 2));
    await h.toApp(relayed(loop(2), 2)); // duplicate seq
    await h.toApp(relayed(loop(1), 1));
    await h.toApp(relayed(loop(3), 3));
    expect(h.events.map((e) => (e as { event_seq: number }).event_seq)).toEqual([1, 2, 3]);
    expect(h.session.lastSeq).toBe(3);
  });

  it("drops a relayed duplicate of a runtime event by its idempotency_key, and still counts its seq", async () => {
    const h = await opened();
    await h.toApp(relayed(loop(1), 1));
    await h.toApp(relayed(loop(1), 2)); // the broker relayed the same emission twice
    await h.toApp(relayed(loop(2), 3));
    expect(h.events).toHaveLength(2);
    expect(h.session.lastSeq).toBe(3);
  });

  it("acknowledges every ackEvery frames, or after ackDelayMs", async () => {
    const h = await opened();
    for (let n = 1; n <= 4; n++) await h.toApp(relayed(loop(n), n));
    expect(h.sent("byor.ack")).toEqual([{ type: "byor.ack", seq: 4 }]);
    await h.toApp(relayed(loop(5), 5));
    await vi.advanceTimersByTimeAsync(99);
    expect(h.sent("byor.ack")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent("byor.ack")).toEqual([
      { type: "byor.ack", seq: 4 },
      { type: "byor.ack", seq: 5 },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent("byor.ack")).toHaveLength(2);
  });

  it("on a gap closes with SEQ_GAP_CLOSE and resumes from its cursor", async () => {
    const h = await opened();
    await h.toApp(relayed(loop(1), 1));
    await h.toApp(relayed(loop(3), 3)); // 2 went missing
    expect(h.events).toHaveLength(1);
    expect(h.session.state).toMatchObject({ status: "backing_off", lastClose: SEQ_GAP_CLOSE });
    expect(h.servers[0]!.end.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.server().got[0]).toEqual({ type: "byor.hello", seq_ack: true, resume: { session_id: "s-1", last_seq: 1 } });
    await h.welcome("s-1", true);
    await h.toApp(relayed(loop(2), 2));
    await h.toApp(relayed(loop(3), 3));
    expect(h.events.map((e) => (e as { event_seq: number }).event_seq)).toEqual([1, 2, 3]);
    expect(h.session.state).toMatchObject({ status: "open", resumed: true });
    expect(h.resets).toEqual([]);
  });

  it("after byor.reset starts a new cursor, tells the app and subscribes again", async () => {
    const h = await opened();
    const first = h.session.subscribe(RUNTIME, SCOPE);
    await flush();
    const [sub] = h.sent("byor.subscribe");
    expect(sub).toMatchObject({ runtime_id: RUNTIME, scope: SCOPE, request_id: expect.any(String) });
    await h.toApp({ type: "byor.subscribed", request_id: sub!.request_id, runtime_id: RUNTIME, scope: SCOPE, success: true });
    await expect(first).resolves.toBeUndefined();
    for (let n = 1; n <= 2; n++) await h.toApp(relayed(loop(n), n));
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(h.server().got[0]).toMatchObject({ resume: { session_id: "s-1", last_seq: 2 } });
    await h.toApp({ type: "byor.reset", session_id: "s-2", reason: "expired" });
    await h.welcome("s-2", false);
    expect(h.resets).toEqual(["expired"]);
    expect(h.session.state).toMatchObject({ status: "open", resumed: false });
    expect(h.session.sessionId).toBe("s-2");
    expect(h.session.lastSeq).toBe(0);
    expect(h.sent("byor.subscribe")).toEqual([{ type: "byor.subscribe", runtime_id: RUNTIME, scope: SCOPE, request_id: expect.any(String) }]);
    await h.toApp(relayed(loop(3), 1));
    expect(h.events).toHaveLength(3);
  });

  it("does not subscribe again after a resume once the server confirmed, but re-asks unconfirmed ones", async () => {
    const h = await opened();
    const a = h.session.subscribe(RUNTIME, SCOPE);
    const other = { agent_id: "agent-2", conversation_id: "c-2" };
    const b = h.session.subscribe(RUNTIME, other);
    await flush();
    const [subA] = h.sent("byor.subscribe");
    await h.toApp({ type: "byor.subscribed", request_id: subA!.request_id, runtime_id: RUNTIME, scope: SCOPE, success: true });
    await a;
    h.server().end.drop(); // b's answer was lost with the socket
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    const again = h.sent("byor.subscribe");
    expect(again.map((f) => f.scope)).toEqual([other]);
    await h.toApp({ type: "byor.subscribed", request_id: again[0]!.request_id, runtime_id: RUNTIME, scope: other, success: true });
    await expect(b).resolves.toBeUndefined();
  });

  it("keeps a runtime request across a resume (its response is replayed) and fails it on a fresh session", async () => {
    const h = await opened();
    const listing = h.session.request(RUNTIME, { type: "agent_list" });
    await flush();
    const [send] = h.sent("byor.send");
    const requestId = (send!.command as { request_id: string }).request_id;
    expect(send).toEqual({ type: "byor.send", runtime_id: RUNTIME, command: { type: "agent_list", request_id: requestId } });
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    await h.toApp(relayed({ type: "agent_list_response", request_id: requestId, success: true, agents: [] }, 1));
    await expect(listing).resolves.toMatchObject({ type: "agent_list_response", request_id: requestId });

    const lost = h.session.request(RUNTIME, { type: "agent_list" });
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(1000);
    await h.toApp({ type: "byor.reset", session_id: "s-9", reason: "buffer_overrun" });
    await h.welcome("s-9", false);
    await expect(lost).rejects.toMatchObject({ code: "connection_closed" });
  });
});

describe("ClientSession calls", () => {
  it("sends subscribe calls made before the welcome once it arrives", async () => {
    const h = harness();
    const subscribed = h.session.subscribe(RUNTIME, { ...SCOPE, acting_user_id: "u" } as never);
    h.session.start();
    await flush();
    expect(h.sent("byor.subscribe")).toEqual([]);
    await h.welcome();
    const [sub] = h.sent("byor.subscribe");
    expect(sub!.scope).toEqual(SCOPE);
    await h.toApp({ type: "byor.subscribed", request_id: sub!.request_id, runtime_id: RUNTIME, scope: SCOPE, success: true });
    await expect(subscribed).resolves.toBeUndefined();
  });

  it("rejects an invalid scope at once", async () => {
    const h = await opened();
    await expect(h.session.subscribe(RUNTIME, { agent_id: "a", conversation_id: "" })).rejects.toMatchObject({ code: "invalid_message" });
    await expect(h.session.subscribe("", SCOPE)).rejects.toMatchObject({ code: "invalid_message" });
  });

  it("forgets a subscription the server refused", async () => {
    const h = await opened();
    const refused = h.session.subscribe(RUNTIME, SCOPE);
    await flush();
    const [sub] = h.sent("byor.subscribe");
    await h.toApp({ type: "byor.subscribed", request_id: sub!.request_id, runtime_id: RUNTIME, scope: SCOPE, success: false, error: "runtime offline" });
    await expect(refused).rejects.toMatchObject({ code: "request_failed", message: expect.stringContaining("runtime offline") });
    const unknown = h.session.subscribe("dev-9", SCOPE);
    await flush();
    const second = h.sent("byor.subscribe")[1]!;
    await h.toApp({ type: "byor.error", code: "unknown_runtime", message: "no runtime dev-9", request_id: second.request_id, frame_type: "byor.subscribe" });
    await expect(unknown).rejects.toMatchObject({
      code: "request_failed",
      message: expect.stringContaining("unknown_runtime"),
      cause: { code: "unknown_runtime" },
    });
    // Neither is re-sent on a fresh session.
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.toApp({ type: "byor.reset", session_id: "s-2", reason: "unknown_session" });
    await h.welcome("s-2");
    expect(h.sent("byor.subscribe")).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it("times out a subscribe the server does not answer, and keeps it for the next session", async () => {
    const h = await opened();
    const slow = h.session.subscribe(RUNTIME, SCOPE);
    const failed = expect(slow).rejects.toMatchObject({ code: "request_timeout" });
    await vi.advanceTimersByTimeAsync(2000);
    await failed;
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    expect(h.sent("byor.subscribe")).toHaveLength(1);
  });

  it("a re-subscribe whose answer was lost with the socket is asked again on the resumed session", async () => {
    const h = await opened();
    const first = h.session.subscribe(RUNTIME, SCOPE);
    await flush();
    await h.toApp({ type: "byor.subscribed", runtime_id: RUNTIME, scope: SCOPE, success: true, request_id: h.sent("byor.subscribe")[0]!.request_id });
    await first;
    const again = h.session.subscribe(RUNTIME, SCOPE);
    await flush();
    expect(h.sent("byor.subscribe")).toHaveLength(2);
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    const [resent] = h.sent("byor.subscribe");
    expect(resent).toMatchObject({ runtime_id: RUNTIME, scope: SCOPE });
    await h.toApp({ type: "byor.subscribed", runtime_id: RUNTIME, scope: SCOPE, success: true, request_id: resent!.request_id });
    await expect(again).resolves.toBeUndefined();
  });

  it("a subscribe made while disconnected times out from the call", async () => {
    const h = await opened();
    h.refuseNext(100);
    h.server().end.drop();
    await flush();
    const offline = h.session.subscribe(RUNTIME, SCOPE);
    const failed = expect(offline).rejects.toMatchObject({ code: "request_timeout" });
    await vi.advanceTimersByTimeAsync(2000);
    await failed;
  });

  it("an unsubscribe made while disconnected reaches a resumed session, and is dropped for a fresh one", async () => {
    const h = await opened();
    const sub = h.session.subscribe(RUNTIME, SCOPE);
    await flush();
    await h.toApp({ type: "byor.subscribed", runtime_id: RUNTIME, scope: SCOPE, success: true, request_id: h.sent("byor.subscribe")[0]!.request_id });
    await sub;
    h.server().end.drop();
    await flush();
    h.session.unsubscribe(RUNTIME, SCOPE);
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    expect(h.sent("byor.unsubscribe")).toEqual([{ type: "byor.unsubscribe", runtime_id: RUNTIME, scope: SCOPE }]);
    expect(h.sent("byor.subscribe")).toEqual([]);

    h.server().end.drop();
    await flush();
    const other = { agent_id: "agent-2", conversation_id: "default" };
    const aborted = expect(h.session.subscribe(RUNTIME, other)).rejects.toMatchObject({ code: "request_aborted" });
    h.session.unsubscribe(RUNTIME, other);
    await aborted;
    await vi.advanceTimersByTimeAsync(1000); // the second attempt in a row waits longer
    expect(h.servers).toHaveLength(3);
    await h.welcome("s-2", false);
    expect(h.sent("byor.unsubscribe")).toEqual([]);
  });

  it("unsubscribe sends byor.unsubscribe and aborts a waiting subscribe", async () => {
    const h = await opened();
    const waiting = h.session.subscribe(RUNTIME, SCOPE);
    h.session.unsubscribe(RUNTIME, SCOPE);
    await expect(waiting).rejects.toMatchObject({ code: "request_aborted" });
    await flush();
    expect(h.sent("byor.unsubscribe")).toEqual([{ type: "byor.unsubscribe", runtime_id: RUNTIME, scope: SCOPE }]);
    h.session.unsubscribe(RUNTIME, SCOPE); // not subscribed: nothing
    await flush();
    expect(h.sent("byor.unsubscribe")).toHaveLength(1);
  });

  it("send() needs an open session; with validation.command it refuses an invalid command before it leaves", async () => {
    const h = harness({ validation: SESSION_VALIDATION });
    expect(() => h.session.send(RUNTIME, { type: "sync", runtime: SCOPE })).toThrow(expect.objectContaining({ code: "not_connected" }));
    h.session.start();
    await flush();
    await h.welcome();
    expect(() => h.session.send(RUNTIME, { type: "sync", runtime: { agent_id: "", conversation_id: "x" } } as never)).toThrow(
      expect.objectContaining({ code: "invalid_message" }),
    );
    h.session.send(RUNTIME, { type: "sync", runtime: SCOPE, request_id: "r-1" });
    await flush();
    expect(h.sent("byor.send")).toEqual([{ type: "byor.send", runtime_id: RUNTIME, command: { type: "sync", runtime: SCOPE, request_id: "r-1" } }]);
  });

  it("send() without validation leaves the check to the server, whose refusal is an error event with the command's issues", async () => {
    const h = await opened();
    const bad = { type: "sync", runtime: { agent_id: "", conversation_id: "x" } };
    h.session.send(RUNTIME, bad as never);
    await flush();
    expect(h.sent("byor.send").map((f) => f.command)).toEqual([bad]);
    const issue = { pointer: "/command/runtime/agent_id", keyword: "minLength", expected: "a non-empty string", found: 'string ""' };
    await h.toApp({ type: "byor.error", code: "invalid_message", message: "invalid sync command: …", frame_type: "byor.send", issues: [issue] });
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(DecodeError);
    expect(h.errors[0]).toMatchObject({ code: "invalid_message", direction: "command", issues: [{ ...issue, pointer: "/runtime/agent_id" }] });
    expect((h.errors[0] as DecodeError).lines()).toEqual(['/runtime/agent_id: expected a non-empty string, found string ""']);
  });

  it("request() of a command the server finds invalid rejects with its DecodeError", async () => {
    const h = await opened();
    const pending = h.session.request(RUNTIME, { type: "sync", runtime: { agent_id: 42 } } as never);
    await flush();
    const { request_id } = h.sent("byor.send")[0]!.command as { request_id: string };
    const issue = { pointer: "/command/runtime/agent_id", expected: "a non-empty string or null", found: "number 42" };
    await h.toApp({ type: "byor.error", code: "invalid_message", message: "invalid sync command", frame_type: "byor.send", request_id, issues: [issue] });
    await expect(pending).rejects.toBeInstanceOf(DecodeError);
    await expect(pending).rejects.toMatchObject({ code: "invalid_message", issues: [{ pointer: "/runtime/agent_id", keyword: "", found: "number 42" }] });
    expect(h.errors).toEqual([]);
    // With validation.command the same call never reaches the server.
    const checked = await opened({ validation: { command: SESSION_VALIDATION.command } });
    await expect(checked.session.request(RUNTIME, { type: "sync", runtime: { agent_id: 42 } } as never)).rejects.toMatchObject({
      code: "invalid_message",
      direction: "command",
    });
    expect(checked.sent("byor.send")).toEqual([]);
  });

  it("request() resolves with the response, fails on success:false, a server refusal, a timeout or an abort", async () => {
    const h = await opened();
    await expect(h.session.request(RUNTIME, { type: "input_accepted" as never })).rejects.toMatchObject({ code: "invalid_message" });
    const ok = h.session.request(RUNTIME, { type: "sync", runtime: SCOPE, request_id: "mine" });
    await h.toApp(relayed({ type: "sync_response", request_id: "mine", runtime: SCOPE, success: true }, 1));
    await expect(ok).resolves.toMatchObject({ type: "sync_response", request_id: "mine" });

    const failed = h.session.request(RUNTIME, { type: "agent_list" });
    const id = () => (h.sent("byor.send").at(-1)!.command as { request_id: string }).request_id;
    await flush();
    await h.toApp(relayed({ type: "agent_list_response", request_id: id(), success: false, error: "boom", agents: [] }, 2));
    await expect(failed).rejects.toMatchObject({ code: "request_failed" });

    const refused = h.session.request(RUNTIME, { type: "agent_list" });
    await flush();
    await h.toApp({ type: "byor.error", code: "runtime_offline", message: "dev-1 is offline", request_id: id(), frame_type: "byor.send" });
    await expect(refused).rejects.toMatchObject({ code: "request_failed", cause: { code: "runtime_offline" } });

    const slow = h.session.request(RUNTIME, { type: "agent_list" }, { timeoutMs: 300 });
    const timedOut = expect(slow).rejects.toMatchObject({ code: "request_timeout" });
    await vi.advanceTimersByTimeAsync(300);
    await timedOut;

    const controller = new AbortController();
    const aborted = h.session.request(RUNTIME, { type: "agent_list" }, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "request_aborted" });
    expect(h.errors).toEqual([]);
  });

  it("request() rejects with not_connected unless open, and marks an answered approval in the mirror", async () => {
    const h = harness();
    await expect(h.session.request(RUNTIME, { type: "agent_list" })).rejects.toMatchObject({ code: "not_connected" });
    h.session.start();
    await flush();
    await h.welcome();
    const control = {
      type: "control_request",
      request_id: "perm-tc-1",
      request: { subtype: "can_use_tool", tool_name: "Bash", input: { command: "ls" }, tool_call_id: "tc-1", permission_suggestions: [], blocked_path: null },
      agent_id: "agent-1",
      conversation_id: "default",
      runtime: SCOPE,
      event_seq: 9,
      emitted_at: "2026-11-27T14:54:50.108Z",
      idempotency_key: "control_request:9:k",
    };
    await h.toApp(relayed(control, 1));
    expect(h.errors).toEqual([]);
    expect(
      h.session
        .mirror(RUNTIME)
        .pendingApprovals()
        .map((r) => r.request_id),
    ).toEqual(["perm-tc-1"]);
    const answer = h.session.request(RUNTIME, {
      type: "input",
      runtime: SCOPE,
      payload: { kind: "approval_response", request_id: "perm-tc-1", decision: { behavior: "allow" } },
    });
    await flush();
    const id = (h.sent("byor.send").at(-1)!.command as { request_id: string }).request_id;
    await h.toApp(relayed({ type: "input_accepted", request_id: id, runtime: SCOPE, accepted: true, disposition: "started" }, 2));
    await answer;
    expect(h.session.mirror(RUNTIME).pendingApprovals()).toEqual([]);
  });

  it("listRuntimes() resolves with byor.runtimes and is asked again on a new socket", async () => {
    const h = await opened();
    const info = { id: RUNTIME, connection_name: "laptop", online: true };
    const listing = h.session.listRuntimes();
    await flush();
    const [first] = h.sent("byor.list_runtimes");
    h.server().end.drop();
    await vi.advanceTimersByTimeAsync(500);
    await h.welcome("s-1", true);
    const [again] = h.sent("byor.list_runtimes");
    expect(again!.request_id).toBe(first!.request_id);
    await h.toApp({ type: "byor.runtimes", request_id: again!.request_id, runtimes: [info] });
    await expect(listing).resolves.toEqual([info]);
    const slow = h.session.listRuntimes();
    const timedOut = expect(slow).rejects.toMatchObject({ code: "request_timeout" });
    await vi.advanceTimersByTimeAsync(2000);
    await timedOut;
  });

  it("emits runtime status, folds events into the mirror and the conversation, and streams them", async () => {
    const h = await opened();
    const runtimes: unknown[] = [];
    h.session.on("runtime", (r) => runtimes.push(r));
    const stream = h.session.events();
    await h.toApp({ type: "byor.runtime_status", seq: 1, runtime: { id: RUNTIME, connection_name: "laptop", online: false } });
    expect(runtimes).toEqual([{ id: RUNTIME, connection_name: "laptop", online: false }]);
    await h.toApp(relayed(loop(1, "PROCESSING_API_RESPONSE"), 2));
    const delta = {
      type: "stream_delta",
      delta: {
        id: "msg-1",
        date: "2026-11-27T14:55:49.130Z",
        message_type: "assistant_message",
        content: [{ type: "text", text: "pong" }],
        run_id: "run-1",
        type: "message",
      },
      runtime: SCOPE,
      event_seq: 2,
      emitted_at: "2026-11-27T14:55:49.136Z",
      idempotency_key: "stream_delta:2:k",
    };
    await h.toApp(relayed(delta, 3));
    expect(h.session.mirror(RUNTIME).get(SCOPE)?.loopStatus?.status).toBe("PROCESSING_API_RESPONSE");
    const view = h.session.conversation(RUNTIME, SCOPE);
    expect(view.messages).toEqual([expect.objectContaining({ kind: "assistant", text: "pong" })]);
    await expect(stream.next()).resolves.toEqual({
      done: false,
      value: { runtimeId: RUNTIME, event: expect.objectContaining({ type: "update_loop_status" }) },
    });
    await expect(stream.next()).resolves.toMatchObject({ value: { event: { type: "stream_delta" } } });
    await stream.return?.();
  });

  it("keeps no mirror or assembler without the views option (and says how to get them)", async () => {
    const h = await opened({ views: undefined });
    const events: unknown[] = [];
    h.session.on("event", (e) => events.push(e));
    await h.toApp(relayed(loop(1, "PROCESSING_API_RESPONSE"), 1));
    expect(events).toHaveLength(1);
    expect(() => h.session.mirror(RUNTIME)).toThrow(/views: \{ mirror \}/);
    expect(() => h.session.conversation(RUNTIME, SCOPE)).toThrow(/views: \{ assembler \}/);
  });

  it("keeps only the views asked for", async () => {
    const h = await opened({ views: { mirror: SESSION_VIEWS.mirror } });
    await h.toApp(relayed(loop(1, "PROCESSING_API_RESPONSE"), 1));
    expect(h.session.mirror(RUNTIME).get(SCOPE)?.loopStatus?.status).toBe("PROCESSING_API_RESPONSE");
    expect(() => h.session.assembler(RUNTIME)).toThrow(/views: \{ assembler \}/);
  });

  it("reports frames it cannot decode and goes on (an invalid event still advances the cursor)", async () => {
    const h = await opened({ validation: SESSION_VALIDATION });
    await h.toApp("{oops");
    await h.toApp({ type: "byor.welcome" });
    await h.toApp(relayed({ type: "update_loop_status", runtime: SCOPE }, 1));
    await h.toApp({ type: "byor.error", code: "invalid_json", message: "frame is not valid JSON" });
    await h.toApp({ type: "byor.error", code: "runtime_offline", message: "dev-1 is offline" });
    expect(h.errors.map((e) => e.code)).toEqual(["invalid_json", "invalid_message", "invalid_message", "invalid_json", "request_failed"]);
    expect(h.errors.every((e) => isByorError(e))).toBe(true);
    await h.toApp(relayed(loop(2), 2));
    expect(h.events).toHaveLength(1);
    expect(h.session.state.status).toBe("open");
    await vi.advanceTimersByTimeAsync(100);
    expect(h.sent("byor.ack").at(-1)).toEqual({ type: "byor.ack", seq: 2 });
  });

  it("without validation.event it trusts the events the server relays (the server validated them)", async () => {
    const h = await opened();
    await h.toApp(relayed({ type: "update_loop_status", runtime: SCOPE }, 1));
    await h.toApp(relayed(loop(2), 2));
    expect(h.errors).toEqual([]);
    expect(h.events.map((e) => e.type)).toEqual(["update_loop_status", "update_loop_status"]);
    // The byor.* envelope is always checked: a relayed frame without an event type is refused.
    await h.toApp({ type: "byor.event", runtime_id: RUNTIME, seq: 3, event: { runtime: SCOPE } });
    expect(h.errors.map((e) => e.code)).toEqual(["invalid_message"]);
    expect(h.events).toHaveLength(2);
    // An event the views cannot apply (a server on another protocol version) is reported, and still delivered.
    await h.toApp(relayed({ type: "stream_delta", runtime: SCOPE, delta: null }, 3));
    expect(h.errors.map((e) => e.code)).toEqual(["invalid_message", "invalid_message"]);
    expect(h.errors[1]!.message).toMatch(/could not apply a stream_delta event of dev-1/);
    expect(h.events.map((e) => e.type)).toEqual(["update_loop_status", "update_loop_status", "stream_delta"]);
    await h.toApp(relayed(loop(4, "PROCESSING_API_RESPONSE"), 4));
    expect(h.session.mirror(RUNTIME).get(SCOPE)?.loopStatus?.status).toBe("PROCESSING_API_RESPONSE");
    expect(h.events).toHaveLength(4);
  });
});

describe("ClientSession heartbeat", () => {
  it("pings the server each interval, answers its pings, and reconnects when it goes silent", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await h.welcome();
    await h.toApp({ type: "byor.ping" });
    expect(h.sent("byor.pong")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000); // life seen in this interval
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sent("byor.ping")).toHaveLength(3);
    expect(h.session.state.status).toBe("open");
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.session.state).toMatchObject({ status: "backing_off", lastClose: { code: CLIENT_CLOSE.heartbeatTimeout } });
    expect(h.servers[0]!.end.closed).toBe(true);
  });

  it("stays open while the server shows life", async () => {
    const h = harness();
    h.session.start();
    await flush();
    await h.welcome();
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(4000);
      await h.toApp({ type: "byor.pong" });
    }
    expect(h.session.state.status).toBe("open");
    expect(h.servers).toHaveLength(1);
  });
});

describe("ClientSession with AppSessions", () => {
  it("resumes through a real server: every event once, in order, across a drop", async () => {
    const sessions = new AppSessions({ heartbeat: { intervalMs: 5000 }, parkMs: 10_000 });
    const serverEnds: MemoryTransport[] = [];
    const session = new ClientSession({
      reconnect: exponentialBackoff({ random: () => 0 }),
      ackEvery: 2,
      connect: async () => {
        const [client, server] = createTransportPair();
        serverEnds.push(server);
        const conn = sessions.accept(server);
        conn.on("frame", (frame) => {
          if (frame.type === "byor.subscribe")
            conn.reply({ type: "byor.subscribed", request_id: frame.request_id, runtime_id: frame.runtime_id, scope: frame.scope, success: true });
        });
        return client;
      },
    });
    const seen: number[] = [];
    session.on("event", ({ event }) => seen.push((event as { event_seq: number }).event_seq));
    session.start();
    await session.subscribe(RUNTIME, SCOPE);
    const app = sessions.get(session.sessionId!)!;
    for (let n = 1; n <= 3; n++) app.deliver(relayed(loop(n)) as never);
    await flush();
    serverEnds[0]!.drop();
    for (let n = 4; n <= 6; n++) app.deliver(relayed(loop(n)) as never);
    await vi.advanceTimersByTimeAsync(0);
    await flush();
    expect(session.state).toMatchObject({ status: "open", resumed: true });
    for (let n = 7; n <= 8; n++) app.deliver(relayed(loop(n)) as never);
    await flush();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(app.unacked).toBe(1); // 8 waits for the ack delay
    await vi.advanceTimersByTimeAsync(250);
    expect(app.unacked).toBe(0);
    session.close();
    await flush();
    expect(sessions.size).toBe(0);
    sessions.dispose();
  });
});
