// AppConnection with a journal (AppConnectionOptions.journal): a seq session's frames leave only once the journal has
// them, answers never overtake them, and a resume of a session this endpoint does not hold is looked up there.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppSessions, type AppConnection, type AppJournal, type RestoredSession } from "../src/app-connection.js";
import { createTransportPair } from "../src/memory-transport.js";

type Json = Record<string, unknown> & { type: string };
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const event = (n: number) => ({ type: "byor.event" as const, runtime_id: "dev-1", event: { type: "update_queue", n } });

/** A journal the test drives by hand: it records what it was given and releases when told. */
function manualJournal(restore: (sessionId: string, lastSeq: number) => Promise<RestoredSession> = async () => ({ ok: false, reason: "unknown_session" })) {
  const pending = new Set<AppConnection>();
  const written: { seq: number; text: string }[] = [];
  const ended: string[] = [];
  const adopted: unknown[] = [];
  const journal: AppJournal = {
    pending: (connection) => void pending.add(connection),
    restore,
    adopted: (_connection, restored) => void adopted.push(restored.state),
    ended: (connection) => void ended.push(connection.sessionId),
  };
  /** Takes every pending connection's frames into the journal, and releases them. */
  const commit = () => {
    for (const connection of pending) {
      const batch = connection.drainJournal();
      written.push(...batch.frames);
      connection.releaseJournaled(batch.mark);
    }
    pending.clear();
  };
  return { journal, pending, written, ended, adopted, commit };
}

function open(sessions: AppSessions) {
  const [server, app] = createTransportPair();
  const connection = sessions.accept(server);
  const received: Json[] = [];
  app.onMessage((text) => received.push(JSON.parse(text) as Json));
  const send = async (frame: object) => {
    app.send(JSON.stringify(frame));
    await flush();
  };
  return { connection, app, received, send, types: () => received.map((f) => f.type) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AppConnection with a journal", () => {
  it("sends a numbered frame only after the journal has it, and an answer never overtakes it", async () => {
    const j = manualJournal();
    const sessions = new AppSessions({ journal: j.journal });
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    a.connection.deliver(event(1));
    a.connection.reply({ type: "byor.runtimes", runtimes: [] });
    await flush();
    expect(a.types()).toEqual(["byor.welcome"]);
    expect(j.pending.has(a.connection)).toBe(true);
    j.commit();
    await flush();
    expect(a.types()).toEqual(["byor.welcome", "byor.event", "byor.runtimes"]);
    expect(j.written.map((f) => f.seq)).toEqual([1]);
    expect(JSON.parse(j.written[0]!.text)).toMatchObject({ seq: 1, event: { n: 1 } });
    // Nothing waiting: an answer goes at once.
    a.connection.reply({ type: "byor.runtimes", runtimes: [] });
    await flush();
    expect(a.types().at(-1)).toBe("byor.runtimes");
  });

  it("a session without seq/ack is never journaled", async () => {
    const j = manualJournal();
    const a = open(new AppSessions({ journal: j.journal }));
    await a.send({ type: "byor.hello" });
    a.connection.deliver(event(1));
    await flush();
    expect(a.types()).toEqual(["byor.welcome", "byor.event"]);
    expect(j.pending.size).toBe(0);
  });

  it("frames journaled while the app is away are sent once, by the local resume, not again by the release", async () => {
    const j = manualJournal();
    const sessions = new AppSessions({ journal: j.journal, parkMs: 5_000 });
    const a = open(sessions);
    await a.send({ type: "byor.hello", seq_ack: true });
    const sessionId = a.connection.sessionId;
    a.app.close(1006, "dropped");
    await flush();
    a.connection.deliver(event(1));
    a.connection.deliver(event(2));
    const b = open(sessions);
    await b.send({ type: "byor.hello", resume: { session_id: sessionId, last_seq: 0 } });
    j.commit();
    await flush();
    expect(b.received.filter((f) => f.type === "byor.event").map((f) => f.seq)).toEqual([1, 2]);
    expect(j.written.map((f) => f.seq)).toEqual([1, 2]);
  });

  it("resumes a session the journal holds: welcome (resumed) with its last seq, the missed frames, then numbering on", async () => {
    const texts = [2, 3].map((seq) => JSON.stringify({ seq, ...event(seq) }));
    const j = manualJournal(async (sessionId, lastSeq) => {
      expect([sessionId, lastSeq]).toEqual(["s-elsewhere", 1]);
      return { ok: true, lastSeq: 3, texts, state: { subs: "kept" } };
    });
    const sessions = new AppSessions({ journal: j.journal });
    const a = open(sessions);
    await a.send({ type: "byor.hello", resume: { session_id: "s-elsewhere", last_seq: 1 } });
    await flush();
    expect(a.received[0]).toMatchObject({ type: "byor.welcome", session_id: "s-elsewhere", resumed: true, last_seq: 3 });
    expect(a.received.slice(1).map((f) => f.seq)).toEqual([2, 3]);
    expect(j.adopted).toEqual([{ subs: "kept" }]);
    expect(sessions.get("s-elsewhere")).toBe(a.connection);
    a.connection.deliver(event(4));
    j.commit();
    await flush();
    expect(a.received.at(-1)).toMatchObject({ seq: 4 });
  });

  it("frames the app sends while its resume is looked up are handled after it, in order", async () => {
    let settle!: (restored: RestoredSession) => void;
    const j = manualJournal(() => new Promise((resolve) => (settle = resolve)));
    const a = open(new AppSessions({ journal: j.journal }));
    const requests: string[] = [];
    a.connection.on("frame", (frame) => requests.push(frame.type));
    await a.send({ type: "byor.hello", resume: { session_id: "s-x", last_seq: 0 } });
    await a.send({ type: "byor.list_runtimes", request_id: "1" });
    expect(requests).toEqual([]);
    settle({ ok: true, lastSeq: 0, texts: [] });
    await flush();
    expect(a.received[0]).toMatchObject({ type: "byor.welcome", resumed: true });
    expect(requests).toEqual(["byor.list_runtimes"]);
  });

  it("a session the journal does not have, or cannot serve, is a reset with the journal's reason; a failing lookup too", async () => {
    for (const [restore, reason] of [
      [async () => ({ ok: false, reason: "buffer_overrun" }) as RestoredSession, "buffer_overrun"],
      [async () => Promise.reject(new Error("store down")), "unknown_session"],
    ] as const) {
      const j = manualJournal(restore);
      const sessions = new AppSessions({ journal: j.journal });
      const a = open(sessions);
      a.connection.on("error", () => {});
      await a.send({ type: "byor.hello", resume: { session_id: "s-gone", last_seq: 4 } });
      await flush();
      expect(a.received.map((f) => [f.type, f.reason ?? f.resumed])).toEqual([
        ["byor.reset", reason],
        ["byor.welcome", false],
      ]);
    }
  });

  it("tells the journal when a session ends for good", async () => {
    const j = manualJournal();
    const a = open(new AppSessions({ journal: j.journal }));
    await a.send({ type: "byor.hello", seq_ack: true });
    const id = a.connection.sessionId;
    a.app.close(1000, "bye");
    await flush();
    expect(j.ended).toEqual([id]);
  });
});
