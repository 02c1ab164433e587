import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppSessions, type AppConnection } from "../src/app-connection.js";
import { ClientSession } from "../src/client-session.js";
import type { Clock } from "../src/clock.js";
import type { Disposable } from "../src/disposable.js";
import { exponentialBackoff } from "../src/reconnect.js";
import { TransportListeners } from "../src/transport-listeners.js";
import type { CloseInfo, Transport } from "../src/transport.js";

/**
 * The client leg with seq/ack on, under random schedules of faults: frames dropped, duplicated, delayed,
 * reordered or replayed from earlier in the session; the broker relaying an event twice; sockets dropped on both
 * sides or only on the app's (half-open); time passing (acks, heartbeats, backoff, parking expiry). The app must
 * see every event exactly once and in order, except across an explicit reset, which must be followed by a
 * re-subscribe (the re-sync); and once the faults stop it must catch up with new events.
 *
 * TCP neither loses nor reorders frames within a connection; the in-connection faults model a relay that does
 * (duplicates, replays) and stress the gap detection. They apply to numbered frames: a lost byor.welcome would
 * leave a handshake waiting on a socket both sides keep alive, which no real transport produces.
 */

// ── a manual clock: timers run in order, microtasks drain between them ─────────────────────────────────────────

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

class ManualClock implements Clock {
  #now = 0;
  #next = 0;
  #timers = new Map<number, { at: number; id: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), id, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await drain();
      let due: { at: number; id: number; callback: () => void } | undefined;
      for (const timer of this.#timers.values()) {
        if (timer.at <= end && (!due || timer.at < due.at || (timer.at === due.at && timer.id < due.id))) due = timer;
      }
      if (!due) break;
      this.#timers.delete(due.id);
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
    await drain();
  }
}

// ── a faulty link: one connection between the app and the server ───────────────────────────────────────────────

type Fault = { kind: "drop" } | { kind: "dup" } | { kind: "delay"; ms: number } | { kind: "reorder" } | { kind: "stale"; pick: number };

class LinkEnd implements Transport {
  readonly #listeners = new TransportListeners();
  constructor(
    private readonly out: (text: string) => void,
    private readonly onLocalClose: (close: CloseInfo) => void,
  ) {}
  get closed(): boolean {
    return this.#listeners.closed;
  }
  send(text: string): void {
    if (!this.closed) this.out(text);
  }
  close(code: number, reason: string): void {
    if (this.#listeners.close({ code, reason })) this.onLocalClose({ code, reason });
  }
  receive(text: string): void {
    this.#listeners.message(text);
  }
  finish(close: CloseInfo): void {
    this.#listeners.close(close);
  }
  onMessage(listener: (text: string) => void): Disposable {
    return this.#listeners.onMessage(listener);
  }
  onClose(listener: (close: CloseInfo) => void): Disposable {
    return this.#listeners.onClose(listener);
  }
}

interface World {
  clock: ManualClock;
  /** Faults armed for the next numbered frames on the current link. */
  faults: Fault[];
  /** Numbered frames sent so far, per server session (for stale replays within a session). */
  history: Map<string, string[]>;
  /** What the app sent, in order with what it received: the timeline the property is checked on. */
  timeline: Entry[];
}

type Entry = { kind: "event"; n: number } | { kind: "reset"; reason: string } | { kind: "subscribe" };

class FaultyLink {
  readonly app: LinkEnd;
  readonly server: LinkEnd;
  /** A dead path: frames vanish both ways and neither side is told (only heartbeats can notice). */
  frozen = false;
  #sessionId: string | undefined;
  #held: string | undefined;

  constructor(private readonly world: World) {
    const later = (fn: () => void) => queueMicrotask(fn);
    this.app = new LinkEnd(
      (text) => {
        if (text.includes('"byor.subscribe"')) world.timeline.push({ kind: "subscribe" });
        if (!this.frozen) later(() => this.server.receive(text));
      },
      (close) => later(() => this.server.finish(close)),
    );
    this.server = new LinkEnd(
      (text) => this.#toApp(text),
      (close) => later(() => this.app.finish(close)),
    );
  }

  /** Both sides lose the connection (1006). */
  drop(): void {
    this.app.finish({ code: 1006, reason: "" });
    this.server.finish({ code: 1006, reason: "" });
  }

  /** Only the app notices; the server keeps a half-open socket until its heartbeat or a resume tells it. */
  halfOpen(): void {
    this.app.finish({ code: 1006, reason: "" });
  }

  #deliver(text: string): void {
    if (!this.frozen) queueMicrotask(() => this.app.receive(text));
  }

  #toApp(text: string): void {
    const frame = JSON.parse(text) as { type: string; seq?: number; session_id?: string };
    if (frame.type === "byor.welcome") this.#sessionId = frame.session_id;
    if (frame.seq === undefined) {
      this.#deliver(text);
      return;
    }
    const sent = this.world.history.get(this.#sessionId!) ?? [];
    this.world.history.set(this.#sessionId!, sent);
    sent.push(text);
    const held = this.#held;
    this.#held = undefined;
    const fault = this.world.faults.shift();
    switch (fault?.kind) {
      case undefined:
        this.#deliver(text);
        break;
      case "drop":
        break;
      case "dup":
        this.#deliver(text);
        this.#deliver(text);
        break;
      case "delay":
        this.world.clock.setTimeout(() => this.#deliver(text), fault.ms);
        break;
      case "reorder":
        // Sent after the next numbered frame (or a little later if none comes).
        this.#held = text;
        this.world.clock.setTimeout(() => {
          if (this.#held === text) {
            this.#held = undefined;
            this.#deliver(text);
          }
        }, 20);
        break;
      case "stale":
        this.#deliver(sent[fault.pick % sent.length]!);
        this.#deliver(text);
        break;
    }
    if (held !== undefined) this.#deliver(held);
  }
}

// ── the schedule ───────────────────────────────────────────────────────────────────────────────────────────────

type Step =
  | { kind: "emit"; count: number }
  | { kind: "relayDup" }
  | { kind: "fault"; fault: Fault }
  | { kind: "disconnect" }
  | { kind: "halfOpen" }
  | { kind: "freeze" }
  | { kind: "outage"; ms: number }
  | { kind: "serverRestart" }
  | { kind: "wait"; ms: number };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant<Fault>({ kind: "drop" }),
  fc.constant<Fault>({ kind: "dup" }),
  fc.integer({ min: 1, max: 200 }).map<Fault>((ms) => ({ kind: "delay", ms })),
  fc.constant<Fault>({ kind: "reorder" }),
  fc.nat(1000).map<Fault>((pick) => ({ kind: "stale", pick })),
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }).map<Step>((count) => ({ kind: "emit", count })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "relayDup" }) },
  { weight: 4, arbitrary: faultArb.map<Step>((fault) => ({ kind: "fault", fault })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "disconnect" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "halfOpen" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "freeze" }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map<Step>((ms) => ({ kind: "outage", ms })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "serverRestart" }) },
  {
    weight: 3,
    arbitrary: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 300, max: 6000 })).map<Step>((ms) => ({ kind: "wait", ms })),
  },
);

interface Config {
  replayFrames: number;
  maxBufferedFrames: number;
  ackEvery: number;
  ackDelayMs: number;
}

const configArb: fc.Arbitrary<Config> = fc.record({
  replayFrames: fc.integer({ min: 4, max: 40 }),
  maxBufferedFrames: fc.integer({ min: 8, max: 64 }),
  ackEvery: fc.integer({ min: 1, max: 8 }),
  ackDelayMs: fc.integer({ min: 1, max: 200 }),
});

const SCOPE = { agent_id: "agent-1", conversation_id: "default" };
const PARK_MS = 3000;

const eventOf = (n: number) => ({
  type: "update_loop_status",
  loop_status: { status: "WAITING_ON_INPUT", active_run_ids: [], executing_tool_call_ids: [] },
  runtime: SCOPE,
  event_seq: n,
  emitted_at: "2026-11-27T14:54:50.108Z",
  idempotency_key: `update_loop_status:${n}:key-${n}`,
});

const roomy: Config = { replayFrames: 64, maxBufferedFrames: 64, ackEvery: 4, ackDelayMs: 50 };
/** Schedules that surely reach each path, run before the random ones (so the coverage checks below never flake). */
const EXAMPLES: [Config, Step[]][] = [
  [
    roomy,
    [
      { kind: "fault", fault: { kind: "drop" } },
      { kind: "emit", count: 3 },
    ],
  ], // gap, then resume
  [roomy, [{ kind: "emit", count: 2 }, { kind: "fault", fault: { kind: "reorder" } }, { kind: "emit", count: 3 }, { kind: "relayDup" }]],
  [
    roomy,
    [
      { kind: "fault", fault: { kind: "dup" } },
      { kind: "fault", fault: { kind: "stale", pick: 0 } },
      { kind: "emit", count: 3 },
    ],
  ],
  [{ ...roomy, replayFrames: 4 }, [{ kind: "disconnect" }, { kind: "emit", count: 6 }]], // buffer_overrun
  [
    roomy,
    [
      { kind: "emit", count: 2 },
      { kind: "outage", ms: 5000 },
      { kind: "emit", count: 2 },
      { kind: "wait", ms: 6000 },
    ],
  ], // expired
  [roomy, [{ kind: "emit", count: 2 }, { kind: "serverRestart" }, { kind: "emit", count: 2 }]], // unknown_session
  [roomy, [{ kind: "freeze" }, { kind: "emit", count: 2 }, { kind: "wait", ms: 6000 }]], // heartbeats
  [roomy, [{ kind: "halfOpen" }, { kind: "emit", count: 2 }, { kind: "wait", ms: 100 }]], // takeover of a half-open socket
  // slow consumer: more than maxBufferedFrames unacknowledged, and its acks come later than the server's grace
  [
    { ...roomy, maxBufferedFrames: 8, ackEvery: 16, ackDelayMs: 5000 },
    [
      { kind: "emit", count: 6 },
      { kind: "emit", count: 6 },
    ],
  ],
];

const stats = { runs: 0, resumes: 0, gaps: 0, slow: 0, heartbeats: 0, takeovers: 0, resets: {} as Record<string, number> };

async function run(config: Config, steps: Step[]) {
  const clock = new ManualClock();
  const world: World = { clock, faults: [], history: new Map(), timeline: [] };
  const links: FaultyLink[] = [];
  const newServer = () =>
    new AppSessions({
      clock,
      heartbeat: { intervalMs: 1000, maxMisses: 3 },
      parkMs: PARK_MS,
      replay: { maxFrames: config.replayFrames },
      maxBufferedFrames: config.maxBufferedFrames,
    });
  let sessions = newServer();
  /** The server is unreachable until then. */
  let outageUntil = 0;

  // The broker: relays each event to every session subscribed to the scope.
  const subscribers = new Set<AppConnection>();
  let generated = 0;
  const relay = (n: number) => {
    for (const connection of subscribers) connection.deliver({ type: "byor.event", runtime_id: "dev-1", event: eventOf(n) });
  };

  const app = new ClientSession({
    clock,
    connect: async () => {
      if (clock.now() < outageUntil) throw new Error("ECONNREFUSED");
      const link = new FaultyLink(world);
      links.push(link);
      const connection = sessions.accept(link.server);
      connection.on("frame", (frame) => {
        if (frame.type !== "byor.subscribe") return;
        subscribers.add(connection);
        connection.reply({ type: "byor.subscribed", request_id: frame.request_id, runtime_id: frame.runtime_id, scope: frame.scope, success: true });
      });
      connection.on("closed", () => subscribers.delete(connection));
      connection.on("state", ({ to }) => {
        if (to.status === "offline" && to.lastClose.code === 4001) stats.slow++;
        if (to.status === "offline" && to.lastClose.code === 4000) stats.heartbeats++;
        if (to.status === "offline" && to.lastClose.reason === "Resumed on a new connection") stats.takeovers++;
      });
      return link.app;
    },
    reconnect: exponentialBackoff({ baseMs: 50, capMs: 800, random: () => 0.5 }),
    heartbeat: { intervalMs: 1000, maxMisses: 3 },
    requestTimeoutMs: 2000,
    ackEvery: config.ackEvery,
    ackDelayMs: config.ackDelayMs,
  });
  app.on("event", ({ event }) => world.timeline.push({ kind: "event", n: (event as { event_seq: number }).event_seq }));
  app.on("reset", ({ reason }) => world.timeline.push({ kind: "reset", reason }));
  app.on("state", ({ to }) => {
    if (to.status === "open" && to.resumed) stats.resumes++;
    if (to.status === "backing_off" && to.lastClose.code === 4002) stats.gaps++;
  });

  app.start();
  await app.subscribe("dev-1", SCOPE).catch(() => {});
  await clock.advance(0);

  for (const step of steps) {
    switch (step.kind) {
      case "emit":
        for (let i = 0; i < step.count; i++) relay(++generated);
        break;
      case "relayDup":
        if (generated > 0) relay(generated);
        break;
      case "fault":
        world.faults.push(step.fault);
        break;
      case "disconnect":
        links.at(-1)?.drop();
        break;
      case "halfOpen":
        links.at(-1)?.halfOpen();
        break;
      case "freeze":
        if (links.at(-1)) links.at(-1)!.frozen = true;
        break;
      case "outage":
        outageUntil = clock.now() + step.ms;
        links.at(-1)?.drop();
        break;
      case "serverRestart":
        // Every session is gone: a resume finds nothing.
        sessions.dispose();
        subscribers.clear();
        sessions = newServer();
        break;
      case "wait":
        await clock.advance(step.ms);
        break;
    }
    await clock.advance(0);
  }

  // Heal: no more faults; let reconnects, resumes and re-subscribes finish, then the app must catch up.
  world.faults.length = 0;
  await clock.advance(10_000);
  const tail: number[] = [];
  for (let i = 0; i < 3; i++) tail.push(++generated), relay(generated);
  await clock.advance(2000);

  const timeline = world.timeline;
  const received = timeline.filter((e): e is { kind: "event"; n: number } => e.kind === "event").map((e) => e.n);

  // Exactly once, in order.
  for (let i = 1; i < received.length; i++) expect(received[i]!, `event ${received[i]} after ${received[i - 1]}`).toBeGreaterThan(received[i - 1]!);
  // A gap (events never received) only across an explicit reset.
  let last = 0;
  let resetSince = false;
  for (const entry of timeline) {
    if (entry.kind === "reset") resetSince = true;
    if (entry.kind !== "event") continue;
    if (entry.n !== last + 1) expect(resetSince, `events ${last + 1}..${entry.n - 1} missing without a reset`).toBe(true);
    last = entry.n;
    resetSince = false;
  }
  // Every reset is followed by a re-sync: byor.subscribe sent again.
  timeline.forEach((entry, i) => {
    if (entry.kind === "reset")
      expect(
        timeline.slice(i + 1).some((e) => e.kind === "subscribe"),
        "re-subscribe after a reset",
      ).toBe(true);
  });
  // Caught up once the faults stopped.
  expect(received.slice(-3)).toEqual(tail);
  expect(app.state).toMatchObject({ status: "open" });

  stats.runs++;
  for (const entry of timeline) if (entry.kind === "reset") stats.resets[entry.reason] = (stats.resets[entry.reason] ?? 0) + 1;
  app.close();
  sessions.dispose();
  await clock.advance(0);
  expect(clock.pending).toBe(0);
}

describe("seq/ack on the client leg under faults (property)", () => {
  it("delivers every event exactly once and in order, or resets and re-syncs", async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(stepArb, { minLength: 1, maxLength: 50 }), (config, steps) => run(config, steps)),
      { numRuns: 100, examples: EXAMPLES },
    );
    // The schedules did reach the interesting paths.
    expect(stats.runs).toBe(100); // the examples count among the runs
    expect(stats.resumes).toBeGreaterThan(0);
    expect(stats.gaps).toBeGreaterThan(0);
    expect(stats.slow).toBeGreaterThan(0);
    expect(stats.heartbeats).toBeGreaterThan(0);
    expect(stats.takeovers).toBeGreaterThan(0);
    expect(Object.keys(stats.resets).sort()).toEqual(["buffer_overrun", "expired", "unknown_session"]);
  });

  it("a schedule without faults or disconnects delivers everything with no reset", async () => {
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(
          fc.oneof(
            fc.integer({ min: 1, max: 6 }).map<Step>((count) => ({ kind: "emit", count })),
            fc.integer({ min: 0, max: 500 }).map<Step>((ms) => ({ kind: "wait", ms })),
          ),
          { maxLength: 30 },
        ),
        async (config, steps) => {
          // Replay buffer large enough that an app acking as configured is never closed as slow.
          const wide = { ...config, replayFrames: 1024, maxBufferedFrames: 4096 };
          const before = JSON.stringify(stats.resets);
          await run(wide, steps);
          expect(JSON.stringify(stats.resets)).toBe(before);
        },
      ),
      { numRuns: 30 },
    );
  });
});
