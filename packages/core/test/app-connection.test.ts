import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ByorError } from "@byor/protocol";
import { AppSessions, encodedEvent, type AppConnectionOptions, type AppRequestFrame } from "../src/app-connection.js";
import { CLIENT_CLOSE } from "../src/close-codes.js";
import { jsonEqual } from "../src/deep-json.js";
import { createTransportPair, type MemoryTransport } from "../src/memory-transport.js";
import type { StateChange } from "../src/states.js";
import type { CloseInfo } from "../src/transport.js";

type Json = Record<string, unknown> & { type: string };

/** Lets queued microtasks (memory-transport deliveries) run. */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const event = (n: number) => ({ type: "byor.event" as const, runtime_id: "dev-1", event: { type: "update_queue", n } });

/** One app socket on a registry, with everything the app receives and everything the handle emits. */
function open(sessions: AppSessions) {
  const [server, app] = createTransportPair();
  const connection = sessions.accept(server);
  const received: Json[] = [];
  const closes: CloseInfo[] = [];
  const frames: AppRequestFrame[] = [];
  const states: StateChange[] = [];
  const ended: CloseInfo[] = [];
  app.onMessage((text) => received.push(JSON.parse(text) as Json));
  app.onClose((close) => closes.push(close));
  connection.on("frame", (frame) => frames.push(frame));
  connection.on("state", (change) => states.push(change));
  connection.on("closed", (close) => ended.push(close));
  const send = async (frame: object | string) => {
    app.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    await flush();
  };
  const types = () => received.map((f) => f.type);
  const of = (type: string) => received.filter((f) => f.type === type);
  return { server, app, connection, received, closes, frames, states, ended, send, types, of };
}

function registry(options: AppConnectionOptions = {}) {
  return new AppSessions({ heartbeat: { intervalMs: 1000, maxMisses: 3 }, parkMs: 5000, ...options });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AppConnection handshake", () => {
  it("welcomes a seq/ack hello with a new session and numbers relayed frames", async () => {
    const sessions = registry();
    const a = open(sessions);
    expect(a.connection.state.status).toBe("idle");
    await a.send({ type: "byor.hello", seq_ack: true });
    const [welcome] = a.received;
    expect(welcome).toMatchObject({ type: "byor.welcome", resumed: false, seq_ack: true, last_seq: 0 });
    expect(welcome!.session_id).toBe(a.connection.sessionId);
    expect(a.connection.sessionId).toMatch(/^s-/);
    expect(a.connection.seqAck).toBe(true);
    expect(a.connection.online).toBe(true);
    expect(sessions.get(a.connection.sessionId)).toBe(a.connection);
    expect(sessions.size).toBe(1);
    a.connection.deliver(event(1));
    a.connection.deliver({ type: "byor.runtime_status", runtime: { id: "dev-1", connection_name: "laptop", online: true } });
    await flush();
    expect(a.received.slice(1).map((f) => f.seq)).toEqual([1, 2]);
    expect(a.received[1]).toEqual({ ...event(1), seq: 1 });
    expect(a.connection.unacked).toBe(2);
    await a.send({ type: "byor.ack", seq: 2 });
    expect(a.connection.unacked).toBe(0);
  });

  it("numbers one frame fanned out to several apps per app, and leaves the frame as it was", async () => {
    const sessions = registry();
    const [a, b] = [open(sessions), open(sessions)];
    await a.send({ type: "byor.hello", seq_ack: true });
    await b.send({ type: "byor.hello", seq_ack: true });
    a.connection.deliver(event(1));
    const shared = event(2);
    for (const app of [a, b]) app.connection.deliver(shared);
    await flush();
    expect(a.of("byor.event")).toEqual([
      { ...event(1), seq: 1 },
      { ...event(2), seq: 2 },
    ]);
    expect(b.of("byor.event")).toEqual([{ ...event(2), seq: 1 }]);
    expect(shared).toEqual(event(2));
  });

  it("puts nothing of seq/ack on the wire when the app did not ask", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello" });
    expect(a.received[0]).toEqual({ type: "byor.welcome", session_id: a.connection.sessionId, resumed: false, seq_ack: false });
    a.connection.deliver(event(1));
    a.connection.deliver({ ...event(2), seq: 99 } as never); // a stray seq is stripped
    await flush();
    expect(a.received.slice(1)).toEqual([event(1), event(2)]);
    await a.send({ type: "byor.ack", seq: 1 }); // ignored
    expect(a.types()).toEqual(["byor.welcome", "byor.event", "byor.event"]);
  });

  it("treats a first frame of another type as an implicit hello without seq/ack", async () => {
    const a = open(registry());
    await a.send({ type: "byor.list_runtimes", request_id: "l-1" });
    expect(a.types()).toEqual(["byor.welcome"]);
    expect(a.received[0]!.seq_ack).toBe(false);
    expect(a.frames).toEqual([{ type: "byor.list_runtimes", request_id: "l-1" }]);
    a.connection.reply({ type: "byor.runtimes", request_id: "l-1", runtimes: [] });
    await flush();
    expect(a.received[1]).toEqual({ type: "byor.runtimes", request_id: "l-1", runtimes: [] });
  });

  it("emits the app's requests for the broker and never numbers replies", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    const subscribe = { type: "byor.subscribe", runtime_id: "dev-1", scope: { agent_id: "a", conversation_id: "default" }, request_id: "s-1" };
    const send = { type: "byor.send", runtime_id: "dev-1", command: { type: "sync", runtime: { agent_id: "a", conversation_id: "default" } } };
    await a.send(subscribe);
    await a.send(send);
    await a.send({ type: "byor.unsubscribe", runtime_id: "dev-1", scope: { agent_id: "a", conversation_id: "default" } });
    expect(a.frames.map((f) => f.type)).toEqual(["byor.subscribe", "byor.send", "byor.unsubscribe"]);
    expect(a.frames[0]).toEqual(subscribe);
    a.connection.reply({
      type: "byor.subscribed",
      request_id: "s-1",
      runtime_id: "dev-1",
      scope: { agent_id: "a", conversation_id: "default" },
      success: true,
    });
    await flush();
    expect(a.received[1]).not.toHaveProperty("seq");
    expect(a.connection.unacked).toBe(0);
  });

  it("holds frames delivered before the hello and numbers them after the welcome", async () => {
    const a = open(registry());
    a.connection.deliver(event(1));
    await flush();
    expect(a.received).toEqual([]);
    await a.send({ type: "byor.hello", seq_ack: true });
    expect(a.received.map((f) => [f.type, f.seq])).toEqual([
      ["byor.welcome", undefined],
      ["byor.event", 1],
    ]);
  });

  it("answers pings and refuses a second hello", async () => {
    const a = open(registry());
    await a.send({ type: "byor.ping" });
    expect(a.types()).toEqual(["byor.pong"]);
    await a.send({ type: "byor.hello" });
    await a.send({ type: "byor.hello", seq_ack: true });
    expect(a.received[2]).toMatchObject({ type: "byor.error", code: "invalid_state", frame_type: "byor.hello" });
    expect(a.connection.seqAck).toBe(false);
    await a.send({ type: "byor.pong" });
    expect(a.received).toHaveLength(3);
    expect(a.frames).toEqual([]);
  });
});

describe("AppConnection refuses bad frames and keeps going", () => {
  it("answers invalid JSON, unknown types, wrong direction and invalid frames with byor.error", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    await a.send("{not json");
    await a.send("[1,2]");
    await a.send({ type: "byor.nope" });
    await a.send({ type: "byor.welcome", session_id: "x", resumed: false, seq_ack: false });
    await a.send({ type: "byor.send", runtime_id: "dev-1", command: { runtime: {}, request_id: "in-7" } });
    await a.send({ type: "byor.subscribe", runtime_id: "", scope: { agent_id: "a", conversation_id: "c" }, request_id: "sub-9" });
    const errors = a.of("byor.error");
    expect(errors.map((e) => e.code)).toEqual(["invalid_json", "not_an_object", "unknown_type", "wrong_direction", "invalid_message", "invalid_message"]);
    expect(errors[2]).toMatchObject({ frame_type: "byor.nope" });
    expect(errors[4]).toMatchObject({ frame_type: "byor.send", request_id: "in-7" });
    expect(errors[4]!.issues).toEqual([expect.objectContaining({ pointer: "/command", expected: 'property "type"', found: "it missing" })]);
    expect(errors[5]).toMatchObject({ request_id: "sub-9", issues: [expect.objectContaining({ pointer: "/runtime_id" })] });
    expect(a.frames).toEqual([]);
    expect(a.closes).toEqual([]);
    // Nothing else broke.
    a.connection.deliver(event(1));
    await a.send({ type: "byor.list_runtimes" });
    expect(a.received.at(-1)).toMatchObject({ type: "byor.event", seq: 1 });
    expect(a.frames).toEqual([{ type: "byor.list_runtimes" }]);
  });

  it("refuses an invalid hello and still accepts a valid one", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", resume: { session_id: "s", last_seq: -1 } });
    expect(a.received[0]).toMatchObject({ type: "byor.error", code: "invalid_message", frame_type: "byor.hello" });
    expect(a.connection.state.status).toBe("idle");
    await a.send({ type: "byor.hello", seq_ack: true });
    expect(a.received[1]).toMatchObject({ type: "byor.welcome", seq_ack: true });
  });

  it("ignores stale and out-of-range acks", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 3; i++) a.connection.deliver(event(i));
    await a.send({ type: "byor.ack", seq: 9 });
    expect(a.connection.unacked).toBe(3);
    await a.send({ type: "byor.ack", seq: 2 });
    await a.send({ type: "byor.ack", seq: 1 });
    expect(a.connection.unacked).toBe(1);
  });
});

describe("AppConnection heartbeat", () => {
  it("pings a silent app each interval and closes it with heartbeatTimeout after maxMisses", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello" }); // life in the first interval
    await vi.advanceTimersByTimeAsync(3000);
    expect(a.of("byor.ping")).toHaveLength(3);
    expect(a.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.heartbeatTimeout, reason: "Heartbeat timeout" }]);
    // Without seq/ack there is nothing to resume: the session ends.
    expect(a.ended).toEqual([{ code: CLIENT_CLOSE.heartbeatTimeout, reason: "Heartbeat timeout" }]);
    expect(a.connection.state.status).toBe("closed");
  });

  it("counts any frame from the app as life", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(900);
      await a.send(i % 2 ? { type: "byor.pong" } : { type: "byor.ack", seq: 0 });
    }
    expect(a.closes).toEqual([]);
    expect(a.connection.online).toBe(true);
  });

  it("parks a seq session whose app went silent, so it can resume", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    await vi.advanceTimersByTimeAsync(4000);
    await flush();
    expect(a.closes[0]!.code).toBe(CLIENT_CLOSE.heartbeatTimeout);
    expect(a.connection.state).toMatchObject({ status: "offline", lastClose: { code: CLIENT_CLOSE.heartbeatTimeout } });
    expect(a.ended).toEqual([]);
  });

  it("also closes a socket that never says hello", async () => {
    const a = open(registry());
    await vi.advanceTimersByTimeAsync(3000);
    await flush();
    expect(a.closes[0]!.code).toBe(CLIENT_CLOSE.heartbeatTimeout);
    expect(a.connection.state.status).toBe("closed");
  });
});

describe("AppConnection parking and resume", () => {
  async function parkedSession(options: AppConnectionOptions = {}) {
    const sessions = registry(options);
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 3; i++) a.connection.deliver(event(i));
    await a.send({ type: "byor.ack", seq: 1 });
    (a.server as MemoryTransport).drop();
    await flush();
    return { sessions, a, id: a.connection.sessionId };
  }

  it("keeps a dropped seq session, buffers what it misses and replays exactly that on resume", async () => {
    const { sessions, a, id } = await parkedSession();
    expect(a.connection.online).toBe(false);
    expect(a.connection.state).toMatchObject({ status: "offline", lastClose: { code: 1006 } });
    a.connection.deliver(event(4));
    a.connection.reply({ type: "byor.pong" }); // dropped: direct frames are not kept
    expect(sessions.get(id)).toBe(a.connection);

    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: id, last_seq: 2 } });
    expect(b.received).toEqual([
      { type: "byor.welcome", session_id: id, resumed: true, seq_ack: true, last_seq: 4 },
      { ...event(3), seq: 3 },
      { ...event(4), seq: 4 },
    ]);
    // The original handle carries on with the new socket; the new handle retired.
    expect(b.ended).toEqual([{ code: CLIENT_CLOSE.normal, reason: "resumed" }]);
    expect(b.connection.state.status).toBe("closed");
    expect(a.connection.state).toMatchObject({ status: "open", resumed: true });
    expect(a.states.map((s) => s.to.status)).toEqual(["open", "offline", "open"]);
    expect(sessions.get(id)).toBe(a.connection);
    expect(sessions.size).toBe(1);
    expect(a.connection.unacked).toBe(2);
    await b.send({ type: "byor.list_runtimes", request_id: "l" });
    expect(a.frames).toEqual([{ type: "byor.list_runtimes", request_id: "l" }]);
    expect(b.frames).toEqual([]);
    a.connection.deliver(event(5));
    await flush();
    expect(b.received.at(-1)).toEqual({ ...event(5), seq: 5 });
    // The new socket is watched: a silent app is closed again.
    await vi.advanceTimersByTimeAsync(4000);
    await flush();
    expect(b.closes[0]!.code).toBe(CLIENT_CLOSE.heartbeatTimeout);
  });

  it("expires a parked session after parkMs; a later resume gets byor.reset expired and a fresh session", async () => {
    const { sessions, a, id } = await parkedSession();
    await vi.advanceTimersByTimeAsync(4999);
    expect(a.ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.ended).toEqual([{ code: CLIENT_CLOSE.goingAway, reason: "Session expired" }]);
    expect(sessions.get(id)).toBeUndefined();
    a.connection.deliver(event(9)); // no-op once closed

    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: id, last_seq: 3 } });
    const fresh = b.connection.sessionId;
    expect(fresh).not.toBe(id);
    expect(b.received).toEqual([
      { type: "byor.reset", session_id: fresh, reason: "expired" },
      { type: "byor.welcome", session_id: fresh, resumed: false, seq_ack: true, last_seq: 0 },
    ]);
    b.connection.deliver(event(10));
    await flush();
    expect(b.received.at(-1)).toMatchObject({ seq: 1 });
  });

  it("answers a resume of an unknown session with byor.reset unknown_session", async () => {
    const sessions = registry();
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: "s-nope", last_seq: 5 } });
    expect(b.received.map((f) => [f.type, f.reason])).toEqual([
      ["byor.reset", "unknown_session"],
      ["byor.welcome", undefined],
    ]);
    expect(b.connection.seqAck).toBe(true);
  });

  it("answers a resume the buffer no longer reaches with byor.reset buffer_overrun and ends the old session", async () => {
    const { sessions, a, id } = await parkedSession({ replay: { maxFrames: 4 } });
    for (let i = 4; i <= 8; i++) a.connection.deliver(event(i)); // keeps 5..8
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: id, last_seq: 3 } });
    expect(b.received.map((f) => [f.type, f.reason])).toEqual([
      ["byor.reset", "buffer_overrun"],
      ["byor.welcome", undefined],
    ]);
    expect(a.ended).toEqual([{ code: CLIENT_CLOSE.normal, reason: "Session reset" }]);
    expect(sessions.get(id)).toBeUndefined();
    expect(sessions.get(b.connection.sessionId)).toBe(b.connection);
    expect(b.connection.online).toBe(true);
  });

  it("resumes even when the app reached the evicted frames: last_seq decides", async () => {
    const { sessions, a, id } = await parkedSession({ replay: { maxFrames: 4 } });
    for (let i = 4; i <= 8; i++) a.connection.deliver(event(i));
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: id, last_seq: 4 } });
    expect(b.received.map((f) => f.seq ?? f.type)).toEqual(["byor.welcome", 5, 6, 7, 8]);
  });

  it("takes over from a half-open socket the server has not noticed dead", async () => {
    const sessions = registry();
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    a.connection.deliver(event(1));
    await flush();
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: a.connection.sessionId, last_seq: 0 } });
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.normal, reason: "Resumed on a new connection" }]);
    expect(b.received.map((f) => f.seq ?? f.type)).toEqual(["byor.welcome", 1]);
    expect(a.connection.state).toMatchObject({ status: "open", resumed: true });
    expect(a.ended).toEqual([]);
    a.connection.deliver(event(2));
    await flush();
    expect(b.received.at(-1)).toMatchObject({ seq: 2 });
    expect(a.received.filter((f) => f.type === "byor.event")).toHaveLength(1);
  });

  it("ends a seq session at once when the app closes normally", async () => {
    const sessions = registry();
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    a.app.close(1000, "bye");
    await flush();
    expect(a.ended).toEqual([{ code: 1000, reason: "bye" }]);
    expect(sessions.size).toBe(0);
  });

  it("ends a session without seq/ack when its socket drops", async () => {
    const sessions = registry();
    const a = open(sessions);
    await a.send({ type: "byor.hello" });
    a.app.drop();
    expect(a.ended).toEqual([{ code: 1006, reason: "" }]);
    expect(sessions.size).toBe(0);
  });
});

describe("AppConnection slow consumers", () => {
  it("closes an app with more than maxBufferedFrames unacknowledged, which can then resume", async () => {
    const sessions = registry({ maxBufferedFrames: 5 });
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 5; i++) a.connection.deliver(event(i));
    await flush();
    expect(a.closes).toEqual([]);
    a.connection.deliver(event(6));
    await flush();
    // Past the bound: judged after the grace, in case its acks were on the way.
    expect(a.closes).toEqual([]);
    vi.advanceTimersByTime(2_000);
    await flush();
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.slowConsumer, reason: "Slow consumer" }]);
    expect(a.of("byor.event")).toHaveLength(6);
    expect(a.connection.state.status).toBe("offline");
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: a.connection.sessionId, last_seq: 5 } });
    expect(b.received.map((f) => f.seq ?? f.type)).toEqual(["byor.welcome", 6]);
  });

  it("closes an app whose replay buffer overflowed; a resume from before the evicted frames is reset", async () => {
    const sessions = registry({ replay: { maxFrames: 3 } });
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 4; i++) a.connection.deliver(event(i));
    vi.advanceTimersByTime(2_000);
    await flush();
    expect(a.closes[0]!.code).toBe(CLIENT_CLOSE.slowConsumer);
    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true, resume: { session_id: a.connection.sessionId, last_seq: 0 } });
    expect(b.received[0]).toMatchObject({ type: "byor.reset", reason: "buffer_overrun" });
  });

  it("keeps an app that acknowledges as it goes", async () => {
    const a = open(registry({ maxBufferedFrames: 5, replay: { maxFrames: 5 } }));
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 50; i++) {
      a.connection.deliver(event(i));
      if (i % 4 === 0) await a.send({ type: "byor.ack", seq: i });
    }
    await flush();
    expect(a.closes).toEqual([]);
    expect(a.of("byor.event")).toHaveLength(50);
  });
});

describe("AppConnection close and AppSessions.dispose", () => {
  it("a state handler may close the session while it opens or resumes", async () => {
    const sessions = registry();
    const a = open(sessions);
    const once = a.connection.on("state", ({ to }) => {
      if (to.status === "open") a.connection.close(CLIENT_CLOSE.forbidden, "Not you");
    });
    await a.send({ type: "byor.hello", seq_ack: true });
    expect(a.types()).toEqual([]);
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.forbidden, reason: "Not you" }]);
    expect(sessions.size).toBe(0);
    once.dispose();

    const b = open(sessions);
    await b.send({ type: "byor.hello", seq_ack: true });
    b.connection.deliver(event(1));
    b.server.drop();
    b.connection.on("state", ({ to }) => {
      if (to.status === "open") b.connection.close(CLIENT_CLOSE.forbidden, "Not you either");
    });
    const c = open(sessions);
    await c.send({ type: "byor.hello", seq_ack: true, resume: { session_id: b.connection.sessionId, last_seq: 0 } });
    expect(c.types()).toEqual([]);
    expect(c.closes).toEqual([{ code: CLIENT_CLOSE.forbidden, reason: "Not you either" }]);
    expect(b.connection.state.status).toBe("closed");
  });

  it("close() ends the session with the given code", async () => {
    const sessions = registry();
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    a.connection.close(CLIENT_CLOSE.unauthorized, "Token revoked");
    await flush();
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.unauthorized, reason: "Token revoked" }]);
    expect(a.ended).toEqual([{ code: CLIENT_CLOSE.unauthorized, reason: "Token revoked" }]);
    expect(a.connection.state).toMatchObject({ status: "closed", reason: "Token revoked" });
    expect(sessions.size).toBe(0);
    a.connection.close(1000, "again"); // idempotent
    expect(a.ended).toHaveLength(1);
  });

  it("dispose() closes waiting, online and parked sessions with 1001", async () => {
    const sessions = registry();
    const waiting = open(sessions);
    const online = open(sessions);
    await online.send({ type: "byor.hello" });
    const parked = open(sessions);
    await parked.send({ type: "byor.hello", seq_ack: true });
    parked.app.drop();
    sessions.dispose();
    await flush();
    for (const c of [waiting, online]) expect(c.closes).toEqual([{ code: CLIENT_CLOSE.goingAway, reason: "Server shutting down" }]);
    for (const c of [waiting, online, parked]) expect(c.connection.state.status).toBe("closed");
    expect(sessions.size).toBe(0);
    // No timer is left behind (the parked session's expiry was cleared).
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("AppConnection relays values of any depth, encoded once", () => {
  /** `{"a":{"a":…leaf}}`, built without recursion. */
  const nested = (depth: number, leaf: unknown) => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  it("an event with a value 10,000 levels deep reaches the app intact, with and without seq/ack", async () => {
    const sessions = registry();
    const [numbered, plain] = [open(sessions), open(sessions)];
    await numbered.send({ type: "byor.hello", seq_ack: true });
    await plain.send({ type: "byor.hello" });
    const frame = { type: "byor.event" as const, runtime_id: "dev-1", event: { type: "update_queue", deep: nested(10_000, "leaf") } };
    expect(() => numbered.connection.deliver(frame)).not.toThrow();
    expect(() => plain.connection.deliver(frame)).not.toThrow();
    await flush();
    const [got] = numbered.of("byor.event");
    expect(got!.seq).toBe(1);
    expect(jsonEqual({ ...got, seq: undefined }, { ...frame, seq: undefined })).toBe(true);
    expect(jsonEqual(plain.of("byor.event")[0], frame)).toBe(true);
  });

  it("an encodedEvent splices the runtime's text in: nothing is encoded per app, each app numbers its own", async () => {
    const sessions = registry();
    const apps = [open(sessions), open(sessions), open(sessions)];
    for (const app of apps) await app.send({ type: "byor.hello", seq_ack: true });
    apps[0]!.connection.deliver(event(1)); // the first app is one frame ahead
    await flush();
    const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    const text = `{"type":"update_queue","deep":${deep}}`;
    const stringify = vi.spyOn(JSON, "stringify");
    const frame = encodedEvent("dev-1", text);
    for (const app of apps) app.connection.deliver(frame);
    expect(stringify.mock.calls.filter(([value]) => typeof value === "object")).toEqual([]);
    stringify.mockRestore();
    await flush();
    const sent = apps.map((app) => app.server.sent.at(-1)!);
    expect(sent).toEqual([
      `{"seq":2,"type":"byor.event","runtime_id":"dev-1","event":${text}}`,
      `{"seq":1,"type":"byor.event","runtime_id":"dev-1","event":${text}}`,
      `{"seq":1,"type":"byor.event","runtime_id":"dev-1","event":${text}}`,
    ]);
  });

  it("holds encoded frames delivered before the hello like any other", async () => {
    const a = open(registry());
    a.connection.deliver(encodedEvent("dev-1", '{"type":"update_queue","n":1}'));
    await a.send({ type: "byor.hello", seq_ack: true });
    expect(a.received.slice(1)).toEqual([{ seq: 1, type: "byor.event", runtime_id: "dev-1", event: { type: "update_queue", n: 1 } }]);
  });
});

describe("AppConnection acks that arrive after a burst", () => {
  it("a burst of 2,000 frames whose acks arrive after it: no close, every frame delivered in order", async () => {
    const a = open(registry()); // defaults: 1024-frame replay buffer, 4096 unacknowledged
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 2_000; i++) a.connection.deliver(event(i));
    // The app read them all and acknowledges as it goes; its acks reach the server only now.
    await flush();
    for (let seq = 32; seq <= 2_000; seq += 32) a.app.send(JSON.stringify({ type: "byor.ack", seq }));
    await a.send({ type: "byor.ack", seq: 2_000 });
    vi.advanceTimersByTime(2_000);
    await flush();
    expect(a.closes).toEqual([]);
    expect(a.connection.state.status).toBe("open");
    expect(a.of("byor.event").map((f) => f.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(a.of("byor.event").map((f) => (f.event as { n: number }).n)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(a.connection.unacked).toBe(0);
  });

  it("an app that never acknowledges is still closed with 4001 once the grace is over", async () => {
    const a = open(registry());
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 2_000; i++) a.connection.deliver(event(i));
    await flush();
    vi.advanceTimersByTime(1_999);
    await flush();
    expect(a.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    await flush();
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.slowConsumer, reason: "Slow consumer" }]);
    expect(a.connection.state.status).toBe("offline"); // it may resume
  });

  it("an app whose acks do not catch up within the grace is closed too", async () => {
    const a = open(registry({ slowConsumerGraceMs: 500 }));
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 1; i <= 2_000; i++) a.connection.deliver(event(i));
    await a.send({ type: "byor.ack", seq: 500 }); // the buffer evicted up to 976: still behind
    vi.advanceTimersByTime(500);
    await flush();
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.slowConsumer, reason: "Slow consumer" }]);
  });
});

describe("AppConnection invalid-frame budget", () => {
  it("answers 100 invalid frames per 10 s, closes the app with 4008 at the 101st; the window then starts over", async () => {
    const sessions = registry({ heartbeat: { intervalMs: 60_000 } });
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    for (let i = 0; i < 100; i++) a.app.send("{nope");
    await flush();
    expect(a.of("byor.error")).toHaveLength(100);
    expect(a.closes).toEqual([]);
    // A new window: 100 more are fine.
    vi.advanceTimersByTime(10_000);
    for (let i = 0; i < 99; i++) a.app.send(i % 2 ? "[1]" : JSON.stringify({ type: "byor.hello" })); // a second hello counts
    await a.send({ type: "byor.nope" });
    expect(a.of("byor.error")).toHaveLength(200);
    expect(a.closes).toEqual([]);
    await a.send("{nope");
    expect(a.of("byor.error")).toHaveLength(200);
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.rateLimited, reason: "Rate limit exceeded" }]);
    expect(a.connection.state.status).toBe("offline"); // a numbered session may resume
  });

  it("the budget is an option", async () => {
    const a = open(registry({ invalidFrames: { max: 2, windowMs: 1_000 } }));
    await a.send("{nope");
    await a.send("{nope");
    vi.advanceTimersByTime(1_000);
    await a.send("{nope");
    await a.send("{nope");
    expect(a.closes).toEqual([]);
    await a.send("{nope");
    expect(a.closes).toEqual([{ code: CLIENT_CLOSE.rateLimited, reason: "Rate limit exceeded" }]);
    expect(a.connection.state.status).toBe("closed"); // no seq/ack: nothing to resume
  });

  it("the answer to an invalid frame does not echo a large input back", async () => {
    const a = open(registry());
    const huge = "x".repeat(1_000_000);
    await a.send({ type: `byor.${huge}`, request_id: "r-1" });
    await a.send({ type: "byor.nope", request_id: huge });
    await a.send({
      type: "byor.subscribe",
      runtime_id: 1,
      scope: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}${huge.slice(0, 1_000)}`, 1])),
      request_id: "r-2",
    });
    const replies = a.server.sent.filter((text) => text.includes('"byor.error"'));
    expect(replies).toHaveLength(3);
    for (const text of replies) expect(text.length).toBeLessThan(8_000);
    const [type, id] = a.of("byor.error");
    expect(type).toMatchObject({ code: "unknown_type", request_id: "r-1", frame_type: `byor.${"x".repeat(195)}…` });
    expect(id).toMatchObject({ code: "unknown_type", frame_type: "byor.nope" });
    expect(id!.request_id).toBeUndefined();
    const issues = a.of("byor.error")[2]!;
    expect(issues).toMatchObject({ code: "invalid_message", request_id: "r-2" });
    expect((issues.issues as unknown[]).length).toBeLessThanOrEqual(20);
  });
});

describe("AppConnection handler isolation", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a frame handler that throws: the app gets an internal_error for that request, the error event hears it, later frames go on", async () => {
    const a = open(registry());
    const errors: ByorError[] = [];
    a.connection.on("error", (error) => errors.push(error));
    const handled: string[] = [];
    a.connection.on("frame", (frame) => {
      if (frame.type === "byor.list_runtimes" && frame.request_id === "l-1") throw new Error("broker bug");
    });
    a.connection.on("frame", (frame) => handled.push(frame.type === "byor.list_runtimes" ? frame.request_id! : frame.type));
    await a.send({ type: "byor.hello", seq_ack: true });
    await a.send({ type: "byor.list_runtimes", request_id: "l-1" });
    await a.send({ type: "byor.send", runtime_id: "dev-1", command: { type: "get_experiments", request_id: "c-1" } });
    await a.send({ type: "byor.list_runtimes", request_id: "l-2" });
    expect(handled).toEqual(["l-1", "byor.send", "l-2"]);
    expect(a.of("byor.error")).toEqual([
      {
        type: "byor.error",
        code: "internal_error",
        message: "the server failed to handle this byor.list_runtimes",
        frame_type: "byor.list_runtimes",
        request_id: "l-1",
      },
    ]);
    expect(errors.map((e) => [e.code, e.message])).toEqual([["internal_error", 'a "frame" handler threw: broker bug']]);
    expect(a.connection.online).toBe(true);
  });
});
