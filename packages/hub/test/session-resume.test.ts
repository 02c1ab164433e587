// Cross-node seq/ack resume, all in memory: three hubs on one MemoryCluster with session journals. The runtime is on
// A, the app on B; B dies mid-stream (its app's socket drops, B is gone without a goodbye); the app resumes on C
// and must have every frame of the stream exactly once, in order.
import { createTransportPair, type MemoryTransport } from "@byor/core";
import { afterEach, describe, expect, it } from "vitest";
import { Hub, MemoryCluster } from "../src/index.js";

type Json = Record<string, unknown> & { type: string };
const SCOPE = { agent_id: "agent-1", conversation_id: "conv-1" };

const flush = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

const hubs: Hub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

async function cluster(options = { history: 1000, sessions: true }) {
  const c = new MemoryCluster(options);
  const make = async (id: string) => {
    const h = new Hub({ backplane: c.node(id) });
    hubs.push(h);
    await h.start();
    return h;
  };
  return { a: await make("a"), b: await make("b"), c: await make("c") };
}

function runtime(h: Hub) {
  const [serverEnd, runtimeEnd] = createTransportPair();
  const commands: Json[] = [];
  runtimeEnd.onMessage((text) => {
    const command = JSON.parse(text) as Json;
    commands.push(command);
    if (command.type === "sync" && command.request_id)
      runtimeEnd.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
  });
  h.attachRuntime("device-1", "laptop", null, serverEnd);
  let seq = 0;
  return {
    commands,
    end: runtimeEnd,
    /** One scoped frame, numbered by the runtime (its event_seq is what the test checks). */
    emit: () => {
      seq++;
      runtimeEnd.send(
        JSON.stringify({
          type: "update_loop_status",
          loop_status: { status: "PROCESSING_API_RESPONSE", active_run_ids: [], executing_tool_call_ids: [] },
          runtime: SCOPE,
          event_seq: seq,
          emitted_at: "2026-12-03T00:00:00.000Z",
          idempotency_key: `k${seq}`,
        }),
      );
      return seq;
    },
  };
}

/** An app with seq/ack that processes (and acks) every numbered frame, and remembers the event_seqs it saw. */
function app() {
  const seen: number[] = [];
  const frames: Json[] = [];
  let lastSeq = 0;
  let sessionId = "";
  let end: MemoryTransport | undefined;
  const connect = async (h: Hub, resume: boolean) => {
    const [serverEnd, appEnd] = createTransportPair();
    end = appEnd;
    h.acceptApp(serverEnd, "app");
    appEnd.onMessage((text) => {
      const frame = JSON.parse(text) as Json;
      frames.push(frame);
      if (frame.type === "byor.welcome") sessionId = frame.session_id as string;
      if (typeof frame.seq !== "number") return;
      if (frame.seq !== lastSeq + 1) throw new Error(`gap or duplicate: seq ${frame.seq} after ${lastSeq}`);
      lastSeq = frame.seq;
      const event = frame.event as Json | undefined;
      if (event?.type === "update_loop_status") seen.push(event.event_seq as number);
      appEnd.send(JSON.stringify({ type: "byor.ack", seq: frame.seq }));
    });
    appEnd.send(JSON.stringify(resume ? { type: "byor.hello", resume: { session_id: sessionId, last_seq: lastSeq } } : { type: "byor.hello", seq_ack: true }));
    await flush();
  };
  return {
    seen,
    frames,
    connect,
    send: (frame: object) => end!.send(JSON.stringify(frame)),
    drop: () => end!.close(1006, "node died"),
    last: (type: string) => frames.filter((f) => f.type === type).at(-1),
  };
}

describe("resuming a seq session on another node", () => {
  it("the node holding the app dies mid-stream: the app resumes on another node with every frame once, in order", async () => {
    const { a, b, c } = await cluster();
    const r = runtime(a);
    await flush();
    const viewer = app();
    await viewer.connect(b, false);
    viewer.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    await flush();
    expect(viewer.last("byor.subscribed")).toMatchObject({ success: true });
    const emitted: number[] = [];
    for (let i = 0; i < 5; i++) emitted.push(r.emit());
    await flush();
    // B dies: its app's socket drops, and B is gone (no goodbye to anyone).
    viewer.drop();
    b.close();
    for (let i = 0; i < 5; i++) emitted.push(r.emit()); // while the app is away
    await flush();
    await viewer.connect(c, true);
    expect(viewer.last("byor.welcome")).toMatchObject({ resumed: true });
    for (let i = 0; i < 5; i++) emitted.push(r.emit()); // live on C
    await flush();
    expect(viewer.seen).toEqual(emitted);
  });

  it("frames that were journaled but never reached the app are replayed from the journal", async () => {
    const { a, b, c } = await cluster();
    const r = runtime(a);
    await flush();
    const viewer = app();
    await viewer.connect(b, false);
    viewer.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE });
    await flush();
    r.emit();
    await flush();
    viewer.drop(); // B parks the session; what it relays now is journaled, not sent
    await flush();
    const later = [r.emit(), r.emit()];
    await flush();
    b.close();
    await viewer.connect(c, true);
    await flush();
    expect(viewer.seen).toEqual([1, ...later]);
  });

  it("a request the app sent through the dead node is answered on the node it resumed on, under the app's id", async () => {
    const { a, b, c } = await cluster();
    const r = runtime(a);
    await flush();
    const viewer = app();
    await viewer.connect(b, false);
    viewer.send({ type: "byor.send", runtime_id: "device-1", command: { type: "get_experiments", request_id: "mine" } });
    await flush();
    const forwarded = r.commands.find((cmd) => cmd.type === "get_experiments")!;
    viewer.drop();
    b.close();
    await viewer.connect(c, true);
    r.end.send(JSON.stringify({ type: "get_experiments_response", request_id: forwarded.request_id, success: true, experiments: [] }));
    await flush();
    expect(viewer.last("byor.event")).toMatchObject({ event: { type: "get_experiments_response", request_id: "mine" } });
  });

  it("the old node, still up, ends its parked copy once the session resumed elsewhere; it writes nothing more", async () => {
    const { a, b, c } = await cluster();
    const r = runtime(a);
    await flush();
    const viewer = app();
    await viewer.connect(b, false);
    viewer.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE });
    await flush();
    viewer.drop();
    await flush();
    expect(b.stats().appSessions).toBe(1); // parked on B
    await viewer.connect(c, true);
    await flush();
    expect(b.stats().appSessions).toBe(0);
    const next = r.emit();
    await flush();
    expect(viewer.seen.at(-1)).toBe(next);
    expect(viewer.seen.filter((s) => s === next)).toHaveLength(1);
  });

  it("without session journals (the in-memory default) a resume on another node is a reset", async () => {
    const { a, b, c } = await cluster({ history: 0, sessions: false });
    runtime(a);
    const viewer = app();
    await viewer.connect(b, false);
    viewer.drop();
    await viewer.connect(c, true);
    expect(viewer.last("byor.reset")).toMatchObject({ reason: "unknown_session" });
  });
});
