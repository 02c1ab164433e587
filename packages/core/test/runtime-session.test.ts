import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ByorError, type ControlRequestEvent, type RuntimeEvent, type SyncCommand } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RUNTIME_CLOSE } from "../src/close-codes.js";
import { createTransportPair, type MemoryTransport } from "../src/memory-transport.js";
import { StateMirror } from "../src/mirror.js";
import { RuntimeSession } from "../src/runtime-session.js";
import type { SessionStatus } from "../src/states.js";
import type { CloseInfo, Transport } from "../src/transport.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const SCHEMA = join(import.meta.dirname, "../../../schema");
const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");

const SCOPE = { agent_id: "agent-x", conversation_id: "default" };
const OTHER = { agent_id: "agent-y", conversation_id: "conv-2" };
const INTERVAL = 30_000;
const PING = '{"type":"ping"}';

/** Runs queued microtasks: the in-memory pair delivers frames in microtasks. */
const flush = () => vi.advanceTimersByTimeAsync(0);

/** The runtime's end of a socket: records what the server sends and how the socket ended. */
class FakeRuntime {
  readonly received: Record<string, unknown>[] = [];
  readonly closes: CloseInfo[] = [];
  constructor(readonly end: MemoryTransport) {
    end.onMessage((text) => this.received.push(JSON.parse(text) as Record<string, unknown>));
    end.onClose((close) => this.closes.push(close));
  }
  send(frame: string | object): void {
    this.end.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  of(type: string): Record<string, unknown>[] {
    return this.received.filter((frame) => frame.type === type);
  }
  /** Answers every sync as the real runtime does: snapshots, then sync_response (when it has a request_id). */
  answerSyncs(success = true): void {
    this.end.onMessage((text) => {
      const command = JSON.parse(text) as SyncCommand;
      if (command.type !== "sync") return;
      this.send(loopStatus(command.runtime, "WAITING_ON_INPUT"));
      if (command.request_id)
        this.send({
          type: "sync_response",
          request_id: command.request_id,
          runtime: command.runtime,
          success,
          ...(success ? {} : { error: "runtime is closing" }),
        });
    });
  }
}

let seq = 0;
const loopStatus = (runtime: { agent_id: string | null; conversation_id: string }, status: string) => ({
  type: "update_loop_status",
  loop_status: { status, active_run_ids: [], executing_tool_call_ids: [] },
  runtime: { agent_id: runtime.agent_id, conversation_id: runtime.conversation_id },
  event_seq: ++seq,
  emitted_at: "2026-11-27T14:54:50.108Z",
  idempotency_key: `update_loop_status:${seq}:test`,
});

function connect(session: RuntimeSession): FakeRuntime {
  const [server, runtime] = createTransportPair();
  session.attach(server);
  return new FakeRuntime(runtime);
}

function record(session: RuntimeSession) {
  const states: SessionStatus[] = [];
  const events: RuntimeEvent[] = [];
  const invalid: string[] = [];
  session.on("state", ({ to }) => states.push(to.status));
  session.on("event", (event) => events.push(event));
  session.on("invalid", ({ error, text }) => invalid.push(`${error.code}: ${text}`));
  return { states, events, invalid };
}

/** Settles a promise into a value or a ByorError code, attached at once (no unhandled rejection). */
function outcome<T>(promise: Promise<T>): {
  readonly value: T | undefined;
  readonly code: string | undefined;
  readonly settled: boolean;
  readonly error: unknown;
} {
  const state = { value: undefined as T | undefined, code: undefined as string | undefined, settled: false, error: undefined as unknown };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, code: error instanceof ByorError ? error.code : "not a ByorError", settled: true }),
  );
  return state;
}

describe("RuntimeSession", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe("heartbeat", () => {
    it("answers a ping at once with a JSON pong, on the socket it came on", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const { events } = record(session);
      runtime.send(PING);
      await flush();
      expect(runtime.received).toEqual([{ type: "pong" }]);
      expect(runtime.end.sent).toEqual([PING]);
      expect(events.map((e) => e.type)).toEqual(["ping"]);
      // After a reconnect the pong goes on the new socket only.
      const next = connect(session);
      next.send(PING);
      await flush();
      expect(next.received).toEqual([{ type: "pong" }]);
      expect(runtime.received).toEqual([{ type: "pong" }]);
      session.close();
    });

    it("never closes a healthy runtime that pings every 30 s, over an hour", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const { states } = record(session);
      for (let i = 0; i < 120; i++) {
        await vi.advanceTimersByTimeAsync(INTERVAL); // the runtime's first ping comes 30 s after connect
        runtime.send(PING);
      }
      await flush();
      expect(runtime.closes).toEqual([]);
      expect(runtime.of("pong")).toHaveLength(120);
      expect(session.state.status).toBe("open");
      expect(states).toEqual([]);
      session.close();
    });

    it("counts any frame as life, even one it cannot decode", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      for (let i = 0; i < 20; i++) {
        await vi.advanceTimersByTimeAsync(INTERVAL);
        runtime.send(i % 2 ? "not json at all" : loopStatus(SCOPE, "WAITING_ON_INPUT"));
      }
      await flush();
      expect(runtime.closes).toEqual([]);
      session.close();
    });

    it("closes a silent runtime after 3 intervals with 4000 Heartbeat timeout, and goes offline", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const { states } = record(session);
      await vi.advanceTimersByTimeAsync(3 * INTERVAL - 1);
      expect(runtime.closes).toEqual([]);
      expect(session.state.status).toBe("open");
      await vi.advanceTimersByTimeAsync(1);
      expect(runtime.closes).toEqual([{ code: 4000, reason: "Heartbeat timeout" }]);
      expect(runtime.closes[0]).toEqual(RUNTIME_CLOSE.heartbeatTimeout);
      expect(session.state).toMatchObject({ status: "offline", lastClose: { code: 4000, reason: "Heartbeat timeout" } });
      expect(states).toEqual(["offline"]);
      expect(vi.getTimerCount()).toBe(0); // the dead socket's watchdog is gone
    });

    it("takes the interval and the number of misses as options", async () => {
      const session = new RuntimeSession({ heartbeat: { intervalMs: 1_000, maxMisses: 5 } });
      const runtime = connect(session);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(runtime.closes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(runtime.closes).toEqual([RUNTIME_CLOSE.heartbeatTimeout]);
    });
  });

  describe("reconnects and sync", () => {
    it("re-syncs every watched scope on a new socket; the app sees open → offline → open", async () => {
      const session = new RuntimeSession();
      const { states } = record(session);
      const first = connect(session);
      first.answerSyncs();
      const a = outcome(session.watch(SCOPE));
      const b = outcome(session.watch(OTHER));
      await flush();
      expect(a.value).toMatchObject({ type: "sync_response", success: true, runtime: SCOPE });
      expect(b.value).toMatchObject({ type: "sync_response", success: true, runtime: OTHER });
      expect(first.of("sync").map((s) => s.runtime)).toEqual([SCOPE, OTHER]);

      first.end.drop();
      expect(session.state).toMatchObject({ status: "offline", lastClose: { code: 1006 } });
      const second = connect(session);
      second.answerSyncs();
      const synced: unknown[] = [];
      session.on("sync", (event) => synced.push(event.runtime));
      await flush();
      const syncs = second.of("sync");
      expect(syncs.map((s) => s.runtime)).toEqual([SCOPE, OTHER]);
      for (const sync of syncs) expect(sync.request_id).toEqual(expect.any(String));
      expect(new Set(syncs.map((s) => s.request_id)).size).toBe(2);
      expect(synced).toEqual([SCOPE, OTHER]);
      expect(states).toEqual(["open", "offline", "open"]);
      expect(session.scopes).toEqual([SCOPE, OTHER]);
      expect(session.mirror.get(OTHER)?.loopStatus?.status).toBe("WAITING_ON_INPUT");
      session.close();
    });

    it("a new socket replaces the old one, which is closed with 1000 Superseded (not the reason that makes the runtime exit)", async () => {
      const session = new RuntimeSession();
      const { states } = record(session);
      const first = connect(session);
      const second = connect(session);
      await flush();
      expect(first.closes).toEqual([{ code: 1000, reason: "Superseded" }]);
      expect(first.closes[0]!.reason).not.toBe(RUNTIME_CLOSE.replaced.reason);
      expect(second.closes).toEqual([]);
      expect(states).toEqual(["open", "offline", "open"]);
      const { events } = record(session);
      second.send(PING);
      await flush();
      expect(events).toHaveLength(1);
      session.close();
    });

    it("a replaced socket is deaf: frames still arriving on it are not processed", () => {
      // A socket whose frames keep coming after close (the memory pair drops them, so it cannot show this).
      const listeners = new Set<(text: string) => void>();
      const leaky: Transport = {
        send: () => undefined,
        close: () => undefined,
        onMessage: (listener) => (listeners.add(listener), { dispose: () => listeners.delete(listener) }),
        onClose: () => ({ dispose: () => undefined }),
      };
      const session = new RuntimeSession();
      session.attach(leaky);
      connect(session);
      const { events } = record(session);
      for (const listener of [...listeners]) listener(PING);
      expect(events).toEqual([]);
      expect(listeners.size).toBe(0);
      session.close();
    });

    it("a watch made before any socket is sent and resolved at the first attach", async () => {
      const session = new RuntimeSession();
      const watched = outcome(session.watch({ ...SCOPE, acting_user_id: "u-1" } as typeof SCOPE));
      await flush();
      expect(watched.settled).toBe(false);
      expect(session.scopes).toEqual([SCOPE]); // only the routing ids are kept
      const runtime = connect(session);
      runtime.answerSyncs();
      await flush();
      expect(runtime.of("sync")).toEqual([{ type: "sync", runtime: SCOPE, request_id: expect.any(String) }]);
      expect(watched.value).toMatchObject({ success: true });
      session.close();
    });

    it("a watch whose socket dies before the answer is sent again on the next socket and resolves there", async () => {
      const session = new RuntimeSession();
      const first = connect(session);
      const watched = outcome(session.watch(SCOPE));
      await flush();
      expect(first.of("sync")).toHaveLength(1);
      first.end.drop();
      await flush();
      expect(watched.settled).toBe(false);
      const second = connect(session);
      second.answerSyncs();
      await flush();
      expect(second.of("sync")).toHaveLength(1);
      expect(watched.value).toMatchObject({ type: "sync_response", success: true });
      session.close();
    });

    it("watch rejects with request_failed on success:false, with the response as cause", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      runtime.answerSyncs(false);
      const watched = outcome(session.watch(SCOPE));
      await flush();
      expect(watched.code).toBe("request_failed");
      expect((watched.error as ByorError).cause).toMatchObject({ type: "sync_response", success: false, error: "runtime is closing" });
      expect(session.scopes).toEqual([SCOPE]);
      session.close();
    });

    it("watch refuses an invalid scope without watching it", async () => {
      const session = new RuntimeSession();
      const watched = outcome(session.watch({ agent_id: "", conversation_id: "default" }));
      await flush();
      expect(watched.code).toBe("invalid_message");
      expect(session.scopes).toEqual([]);
    });

    it("watch takes an abort signal and a timeout; the scope stays watched", async () => {
      const session = new RuntimeSession();
      const controller = new AbortController();
      const waiting = outcome(session.watch(SCOPE, { signal: controller.signal }));
      controller.abort();
      await flush();
      expect(waiting.code).toBe("request_aborted");
      const runtime = connect(session); // silent about syncs, but pings
      const timed = outcome(session.watch(OTHER, { timeoutMs: 5_000 }));
      await vi.advanceTimersByTimeAsync(4_999);
      expect(timed.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(timed.code).toBe("request_timeout");
      expect(runtime.of("sync").map((s) => s.runtime)).toEqual([SCOPE, OTHER]); // the aborted watch's scope is still synced
      expect(session.scopes).toEqual([SCOPE, OTHER]);
      session.close();
    });

    it("unwatch stops re-syncing a scope and fails watches still waiting for a socket", async () => {
      const session = new RuntimeSession();
      const waiting = outcome(session.watch(OTHER));
      void session.watch(SCOPE).catch(() => {});
      session.unwatch(OTHER);
      await flush();
      expect(waiting.code).toBe("request_aborted");
      expect(session.scopes).toEqual([SCOPE]);
      const runtime = connect(session);
      await flush();
      expect(runtime.of("sync").map((s) => s.runtime)).toEqual([SCOPE]);
      session.close();
    });
  });

  describe("requests", () => {
    it("assigns a request_id when missing, keeps a given one, and resolves with the typed response", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const listed = outcome(session.request({ type: "agent_list" }));
      const mine = outcome(session.request({ type: "agent_list", request_id: "agents-1" }));
      await flush();
      const [first, second] = runtime.of("agent_list");
      expect(first).toEqual({ type: "agent_list", request_id: expect.stringMatching(/.+/) });
      expect(second).toEqual({ type: "agent_list", request_id: "agents-1" });
      runtime.send({ type: "agent_list_response", request_id: "agents-1", success: true, agents: [] });
      runtime.send({ type: "agent_list_response", request_id: first!.request_id, success: true, agents: [] });
      await flush();
      expect(mine.value).toEqual({ type: "agent_list_response", request_id: "agents-1", success: true, agents: [] });
      expect(listed.value?.request_id).toBe(first!.request_id);
      session.close();
    });

    it("rejects with request_failed on success:false", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const listed = outcome(session.request({ type: "agent_list", request_id: "agents-2" }));
      runtime.send(lines(join(SCHEMA, "events/agent_list_response.examples.jsonl"))[1]!); // success:false, "Failed to list agents"
      await flush();
      expect(listed.code).toBe("request_failed");
      expect((listed.error as ByorError).message).toContain("Failed to list agents");
      session.close();
    });

    it("times a request out on a healthy connection without touching the connection", async () => {
      const session = new RuntimeSession({ requestTimeoutMs: 10_000 });
      const runtime = connect(session);
      const slow = outcome(session.request({ type: "agent_list" }));
      const slower = outcome(session.request({ type: "agent_list" }, { timeoutMs: 45_000 }));
      for (let t = 0; t < 120_000; t += 5_000) {
        await vi.advanceTimersByTimeAsync(5_000);
        runtime.send(PING);
      }
      expect(slow.code).toBe("request_timeout");
      expect(slower.code).toBe("request_timeout");
      expect(runtime.closes).toEqual([]);
      expect(session.state.status).toBe("open");
      session.close();
    });

    it("fails a patient request with connection_closed when the runtime goes silent, not with a timeout", async () => {
      const session = new RuntimeSession();
      connect(session);
      const patient = outcome(session.request({ type: "agent_list" }, { timeoutMs: Infinity }));
      await vi.advanceTimersByTimeAsync(3 * INTERVAL);
      expect(patient.code).toBe("connection_closed");
      expect(session.state.status).toBe("offline");
    });

    it("rejects with request_aborted when the signal aborts", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const controller = new AbortController();
      const aborted = outcome(session.request({ type: "agent_list", request_id: "a1" }, { signal: controller.signal }));
      await flush();
      controller.abort();
      await flush();
      expect(aborted.code).toBe("request_aborted");
      // A late answer is just an event.
      const { events } = record(session);
      runtime.send({ type: "agent_list_response", request_id: "a1", success: true, agents: [] });
      await flush();
      expect(events.map((e) => e.type)).toEqual(["agent_list_response"]);
      session.close();
    });

    it("rejects pending requests with connection_closed when the socket drops", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const pending = outcome(session.request({ type: "agent_list" }));
      runtime.end.drop();
      await flush();
      expect(pending.code).toBe("connection_closed");
    });

    it("send and request need a socket; send validates", async () => {
      const session = new RuntimeSession();
      expect(() => session.send({ type: "pong" })).toThrow(expect.objectContaining({ code: "not_connected" }));
      const offlineRequest = outcome(session.request({ type: "agent_list" }));
      const runtime = connect(session);
      expect(() => session.send({ type: "sync", runtime: { agent_id: 42, conversation_id: "default" } } as never)).toThrow(
        expect.objectContaining({ code: "invalid_message" }),
      );
      const invalid = outcome(session.request({ type: "sync", runtime: { agent_id: "a" } } as never));
      const notARequest = outcome(session.request({ type: "pong" } as never));
      session.send({ type: "pong", timestamp: 5 });
      await flush();
      expect(runtime.received).toEqual([{ type: "pong", timestamp: 5 }]);
      expect(offlineRequest.code).toBe("not_connected");
      expect(invalid.code).toBe("invalid_message");
      expect(notARequest.code).toBe("invalid_message");
      runtime.end.drop();
      expect(() => session.send({ type: "pong" })).toThrow(expect.objectContaining({ code: "not_connected" }));
    });

    it("drops an approval from the mirror once the runtime accepts its answer", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const request = JSON.parse(lines(join(SCHEMA, "events/control_request.examples.jsonl"))[0]!) as ControlRequestEvent;
      runtime.send(request);
      await flush();
      expect(session.mirror.pendingApprovals().map((r) => r.request_id)).toEqual([request.request_id]);
      const answer = outcome(
        session.request({
          type: "input",
          runtime: request.runtime,
          payload: { kind: "approval_response", request_id: request.request_id, decision: { behavior: "allow" } },
        }),
      );
      await flush();
      const sent = runtime.of("input")[0]!;
      runtime.send({ type: "input_accepted", request_id: sent.request_id, runtime: request.runtime, accepted: true });
      await flush();
      expect(answer.value).toMatchObject({ accepted: true });
      expect(session.mirror.pendingApprovals()).toEqual([]);
      session.close();
    });
  });

  describe("inbound frames", () => {
    it("emits invalid frames and drops them; the session goes on", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const { events, invalid, states } = record(session);
      const bad = ["not json", "[1,2]", '{"no":"type"}', '{"type":"no_such_event"}', '{"type":"sync"}', '{"type":"update_loop_status","runtime":{}}', ""];
      for (const text of bad) runtime.send(text);
      runtime.send(PING);
      await flush();
      expect(invalid.map((line) => line.split(":")[0])).toEqual([
        "invalid_json",
        "not_an_object",
        "missing_type",
        "unknown_type",
        "wrong_direction",
        "invalid_message",
        "invalid_json",
      ]);
      expect(events.map((e) => e.type)).toEqual(["ping"]);
      expect(runtime.received).toEqual([{ type: "pong" }]);
      expect(runtime.closes).toEqual([]);
      expect(states).toEqual([]);
      session.close();
    });

    it("folds events into the mirror, including one given in the options", async () => {
      const mirror = new StateMirror();
      const session = new RuntimeSession({ mirror });
      expect(session.mirror).toBe(mirror);
      const runtime = connect(session);
      runtime.send(loopStatus(SCOPE, "PROCESSING_API_RESPONSE"));
      await flush();
      expect(mirror.get(SCOPE)?.loopStatus?.status).toBe("PROCESSING_API_RESPONSE");
      session.close();
    });

    it("replays the real frames of 02b-sync-at-socket-open through a session", async () => {
      const commands = lines(join(FIXTURES, "02b-sync-at-socket-open.server-to-runtime.jsonl")).map((l) => JSON.parse(l) as SyncCommand);
      const frames = lines(join(FIXTURES, "02b-sync-at-socket-open.runtime-to-server.jsonl"));
      const session = new RuntimeSession();
      const { events, invalid } = record(session);
      const synced: string[] = [];
      session.on("sync", (event) => synced.push(event.request_id));
      const stream = session.events();
      const runtime = connect(session);

      // The server's side of the capture: three syncs of agent-x/default, as recorded.
      const responses = commands.map((command) => outcome(session.request(command)));
      await flush();
      expect(runtime.received).toEqual(commands);
      for (const frame of frames) runtime.send(frame);
      await flush();

      expect(invalid).toEqual([]);
      expect(events).toEqual(frames.map((frame) => JSON.parse(frame)));
      expect(synced).toEqual(["sync-at-open", "sync-again", "sync-forced"]);
      expect(responses.map((r) => r.value?.success)).toEqual([true, true, true]);

      const state = session.mirror.get(SCOPE);
      const deviceStatuses = frames.map((f) => JSON.parse(f)).filter((f) => f.type === "update_device_status");
      expect(state?.deviceStatus).toEqual(deviceStatuses.at(-1).device_status);
      expect(state?.deviceStatus?.connection_name).toBe("capture-02b-sync-at-socket-open");
      expect(state?.loopStatus).toEqual({ status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] });
      expect(state?.queue).toEqual({ items: [], lastRemoved: [] });
      expect(state?.subagents).toEqual([]);
      expect(state?.pendingApprovals).toEqual([]);
      expect(session.mirror.all().map((s) => s.scope)).toEqual([SCOPE]);

      session.close();
      const streamed: string[] = [];
      for await (const event of stream) streamed.push(event.type);
      expect(streamed).toEqual(frames.map((frame) => (JSON.parse(frame) as { type: string }).type));
    });
  });

  describe("close", () => {
    it("closes the socket with 1001, rejects what is pending, ends the event stream", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      const { states } = record(session);
      const request = outcome(session.request({ type: "agent_list" }));
      const watched = outcome(session.watch(SCOPE));
      const iterator = session.events();
      const next = iterator.next();
      session.close();
      session.close(); // idempotent
      await flush();
      expect(runtime.closes).toEqual([{ code: 1001, reason: "Server shutting down" }]);
      expect(request.code).toBe("connection_closed");
      expect(watched.code).toBe("connection_closed");
      expect(await next).toEqual({ value: undefined, done: true });
      expect(session.state).toMatchObject({ status: "closed", close: { code: 1001, reason: "Server shutting down" } });
      expect(states).toEqual(["closed"]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("terminateRuntime closes with the one close that makes the runtime exit", async () => {
      const session = new RuntimeSession();
      const runtime = connect(session);
      session.close({ terminateRuntime: true });
      await flush();
      expect(runtime.closes).toEqual([RUNTIME_CLOSE.replaced]);
      expect(runtime.closes[0]).toEqual({ code: 1000, reason: "Replaced by new connection" });
    });

    it("closes from idle and from offline; watches waiting for a socket fail", async () => {
      const idle = new RuntimeSession();
      const waiting = outcome(idle.watch(SCOPE));
      idle.close();
      await flush();
      expect(idle.state).toEqual({ status: "closed", close: undefined, reason: "session closed" });
      expect(waiting.code).toBe("connection_closed");

      const offline = new RuntimeSession();
      connect(offline).end.drop();
      offline.dispose();
      expect(offline.state.status).toBe("closed");
    });

    it("refuses a socket after close, and closes it", async () => {
      const session = new RuntimeSession();
      session.close();
      const [server, runtime] = createTransportPair();
      const closes: CloseInfo[] = [];
      runtime.onClose((close) => closes.push(close));
      expect(() => session.attach(server)).toThrow(expect.objectContaining({ code: "invalid_state" }));
      await flush();
      expect(closes).toEqual([RUNTIME_CLOSE.serverShutdown]);
      const watched = outcome(session.watch(SCOPE));
      await flush();
      expect(watched.code).toBe("connection_closed");
    });

    it("a state handler may close the session while a socket attaches", async () => {
      const session = new RuntimeSession();
      session.on("state", ({ to }) => {
        if (to.status === "open") session.close();
      });
      const runtime = connect(session);
      await flush();
      expect(session.state.status).toBe("closed");
      expect(runtime.closes).toEqual([RUNTIME_CLOSE.serverShutdown]);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

describe("onEvent", () => {
  it("delivers only the named type, narrowed", async () => {
    const session = new RuntimeSession();
    const [server, runtime] = createTransportPair();
    session.attach(server);
    const statuses: string[] = [];
    session.onEvent("update_loop_status", (e) => statuses.push(e.loop_status.status));
    const envelope = { runtime: { agent_id: "a", conversation_id: "c" }, emitted_at: "2026-01-01T00:00:00Z" };
    runtime.send(
      JSON.stringify({
        type: "update_loop_status",
        ...envelope,
        event_seq: 1,
        idempotency_key: "k1",
        loop_status: { status: "SENDING_API_REQUEST", active_run_ids: [], executing_tool_call_ids: [] },
      }),
    );
    runtime.send(JSON.stringify({ type: "ping" }));
    runtime.send(
      JSON.stringify({
        type: "update_loop_status",
        ...envelope,
        event_seq: 2,
        idempotency_key: "k2",
        loop_status: { status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] },
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses).toEqual(["SENDING_API_REQUEST", "WAITING_ON_INPUT"]);
    session.close();
  });
});

describe("handler isolation", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("a throwing event handler between two others: both others and every later frame still run; error reports it", async () => {
    const session = new RuntimeSession();
    const runtime = connect(session);
    const first: number[] = [];
    const last: number[] = [];
    const errors: ByorError[] = [];
    session.on("error", (error) => errors.push(error));
    session.on("event", (event) => void ("event_seq" in event && first.push(event.event_seq as number)));
    session.on("event", (event) => {
      if (event.type === "update_loop_status") throw new Error(`handler failed on ${event.event_seq}`);
    });
    session.on("event", (event) => void ("event_seq" in event && last.push(event.event_seq as number)));
    // The mirror's change handlers are isolated too, reported on the session's error event.
    session.mirror.on("change", () => {
      throw new Error("mirror handler failed");
    });
    const frames = [loopStatus(SCOPE, "SENDING_API_REQUEST"), loopStatus(SCOPE, "WAITING_ON_INPUT")];
    for (const frame of frames) runtime.send(frame);
    runtime.send(PING);
    await flush();
    const seqs = frames.map((f) => f.event_seq);
    expect(first).toEqual(seqs);
    expect(last).toEqual(seqs);
    expect(runtime.of("pong")).toHaveLength(1); // the session itself carried on
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["internal_error", 'a "change" handler threw: mirror handler failed'],
      ["internal_error", `a "event" handler threw: handler failed on ${seqs[0]}`],
      ["internal_error", 'a "change" handler threw: mirror handler failed'],
      ["internal_error", `a "event" handler threw: handler failed on ${seqs[1]}`],
    ]);
    expect(session.state.status).toBe("open");
    session.close();
  });

  it("without an error handler, a handler's exception goes to console.error and never reaches the socket", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const session = new RuntimeSession();
    const runtime = connect(session);
    const seen: string[] = [];
    session.on("event", () => {
      throw new Error("boom");
    });
    session.on("event", (event) => seen.push(event.type));
    runtime.send(loopStatus(SCOPE, "WAITING_ON_INPUT"));
    runtime.send(PING);
    await flush();
    expect(seen).toEqual(["update_loop_status", "ping"]);
    expect(logged).toHaveBeenCalledTimes(2);
    session.close();
  });

  it("a `frame` event carries each valid frame's text as received", async () => {
    const session = new RuntimeSession();
    const runtime = connect(session);
    const frames: { type: string; text: string }[] = [];
    session.on("frame", ({ event, text }) => frames.push({ type: event.type, text }));
    const text = ` ${JSON.stringify(loopStatus(SCOPE, "WAITING_ON_INPUT"))}\n`;
    runtime.send(text);
    runtime.send("{not json");
    await flush();
    expect(frames).toEqual([{ type: "update_loop_status", text }]);
    session.close();
  });
});
