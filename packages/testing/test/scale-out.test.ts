// Scale-out (issue #14): three `byor serve` processes (the built CLI) sharing runtimes and apps through a real
// redis-server (`--redis`), as they would run behind one endpoint. The in-process version of these behaviours (with
// @byor/hub's MemoryCluster) is node-server's multi-node.test.ts; this is the real thing: separate processes, real
// Redis, real TCP, nodes SIGKILLed, Redis restarted without persistence.
//
//   runtimes ──► runtime balancer [A, C, B] ──► A (then C once A dies; D in the last scenario)
//   app "b"  ──► app balancer [B, C]        ──► B (then C once B dies)
//   app "c"  ──────────────────────────────────► C
//
// In order: (1) every node lists the runtime on A, a turn from B's app reaches both apps, requests are answered to the
// app that asked, (1b) the same with the real runtime, (2) A is SIGKILLed: both runtimes reconnect to C, the apps hear
// offline → online and are re-synced, (3) Redis restarts mid-turn, (4) B is SIGKILLed mid-turn: its app resumes its
// session on C with nothing lost or duplicated, (5) the runtime moves from C to a node D (joined in 3) while C stays up.
// The runtime balancer tries C before B so that the node killed in (4) holds an app and no runtime: what the app there
// loses is then compared with the app on C, whose runtime and node never went away.
// Apps are @byor/client's connectClient (seq/ack on); their raw frames are recorded too (the session drops duplicate
// idempotency keys itself, the raw frames show whether the server sent any). Timings are printed with [scale-out].
import { connectClient, type ByorClient, type WebSocketConstructorLike } from "@byor/client";
import type { ByorRuntimeInfo, RuntimeCommand, RuntimeEvent } from "@byor/protocol";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeProcess } from "../../../scripts/byor-serve.js";
import { ensureRuntime, startLettaRemote, type LettaRemote } from "../../../scripts/letta-code.js";
import { startRedisServer, type RedisServer } from "../../../scripts/redis-server.js";
import { createSimulatedRuntime, type SimulatedRuntime } from "../src/index.js";
import { createTcpBalancer, type TcpBalancer } from "./helpers/tcp-balancer.js";

const TOKEN = "scale-out-token_5e1d9a";
const SCOPE = { agent_id: "agent-scale", conversation_id: "default" };
const SLOW_CHUNKS = Array.from({ length: 40 }, (_, i) => `s${i} `);
const log = (line: string) => console.log(`[scale-out] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    await sleep(20);
  }
}

// ---- apps ----

interface Delivered {
  runtimeId: string;
  event: RuntimeEvent;
  at: number;
}

interface App {
  name: string;
  client: ByorClient;
  /** Runtime events the session delivered (deduplicated, in order). */
  events: Delivered[];
  /** byor.runtime_status the session reported. */
  statuses: { runtime: ByorRuntimeInfo; at: number }[];
  resets: { reason: string; at: number }[];
  /** Every text frame received, across sockets. */
  raw: string[];
  /** Socket opens (the base URL's backend is the balancer's business). */
  opens: { at: number; resumed: boolean }[];
}

/** ws, recording every text frame the app receives. */
function recordingWebSocket(raw: string[]): WebSocketConstructorLike {
  class Recording extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      this.on("message", (data, isBinary) => {
        if (!isBinary) raw.push(data.toString());
      });
    }
  }
  return Recording as unknown as WebSocketConstructorLike;
}

async function startApp(name: string, url: string): Promise<App> {
  const raw: string[] = [];
  const client = connectClient({ url, token: TOKEN, WebSocket: recordingWebSocket(raw) });
  const app: App = { name, client, events: [], statuses: [], resets: [], raw, opens: [] };
  apps.push(app);
  client.session.on("event", ({ runtimeId, event }) => app.events.push({ runtimeId, event, at: Date.now() }));
  client.session.on("runtime", (runtime) => app.statuses.push({ runtime, at: Date.now() }));
  client.session.on("reset", ({ reason }) => app.resets.push({ reason, at: Date.now() }));
  client.session.on("state", ({ to }) => {
    if (to.status === "open") app.opens.push({ at: Date.now(), resumed: to.resumed });
  });
  client.session.on("error", () => {}); // refusals nobody waits for: not this test's business
  await client.ready({ timeoutMs: 10_000 });
  return app;
}

const inScope = (scope: { conversation_id: string }) => (e: RuntimeEvent) =>
  (e as { runtime?: { conversation_id?: string } }).runtime?.conversation_id === scope.conversation_id;
const keyOf = (e: RuntimeEvent) => (e as { idempotency_key?: string }).idempotency_key;
const assistantChunks = (events: RuntimeEvent[]) =>
  events
    .filter((e) => e.type === "stream_delta" && (e.delta as { message_type?: string }).message_type === "assistant_message")
    .flatMap((e) => {
      const content = (e as { delta: { content?: unknown } }).delta.content;
      return typeof content === "string" ? [content] : Array.isArray(content) ? (content as { text?: string }[]).map((p) => p.text ?? "") : [];
    });

/** The app's events in `scope` from index `from` up to the first turn_finished (which must come). */
async function turnOf(app: App, from: number, scope = SCOPE, timeoutMs = 20_000): Promise<RuntimeEvent[]> {
  const events = () =>
    app.events
      .slice(from)
      .map((d) => d.event)
      .filter(inScope(scope));
  await until(() => events().some((e) => e.type === "turn_finished"), `turn_finished at app ${app.name}`, timeoutMs);
  const all = events();
  return all.slice(0, all.findIndex((e) => e.type === "turn_finished") + 1);
}

/** byor.event frames of a runtime the app received raw (before the session's dedupe), from raw index `from`. */
function rawEvents(app: App, runtimeId: string, from = 0): RuntimeEvent[] {
  return app.raw.slice(from).flatMap((text) => {
    const frame = JSON.parse(text) as { type: string; runtime_id?: string; event?: RuntimeEvent };
    return frame.type === "byor.event" && frame.runtime_id === runtimeId && frame.event ? [frame.event] : [];
  });
}

/** The assistant chunks in SCOPE the app got from event index `from` on. */
const chunksSince = (app: App, from: number) =>
  assistantChunks(
    app.events
      .slice(from)
      .map((d) => d.event)
      .filter(inScope(SCOPE)),
  );

/** Resolves once no app got an event for `quietMs` (the syncs a move or a subscribe caused are all delivered). */
async function settle(quietMs = 300): Promise<void> {
  const count = () => apps.reduce((n, app) => n + app.events.length, 0);
  let last = count();
  let since = Date.now();
  await until(
    () => {
      const now = count();
      if (now !== last) [last, since] = [now, Date.now()];
      return Date.now() - since >= quietMs;
    },
    "the apps to go quiet",
    10_000,
  );
}

const input = (text: string, scope = SCOPE) =>
  ({ type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: text }] } }) as unknown as RuntimeCommand;

// ---- processes ----

interface Listed {
  id: string;
  online: boolean;
  node?: string;
  connectionName: string;
}

async function listed(node: ServeProcess): Promise<Listed[]> {
  const res = await fetch(`${node.url}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { runtimes: Listed[] }).runtimes;
}

/** Resolves once `node` lists the runtime online on node `owner`. */
const listedOn = (node: ServeProcess, id: string, owner: string, timeoutMs = 15_000) =>
  until(
    async () => (await listed(node)).find((r) => r.id === id && r.online && r.node === owner),
    `runtime ${id} listed online on node ${owner} by ${node.url}`,
    timeoutMs,
  );

const alive = (node: ServeProcess) => node.child.exitCode === null && node.child.signalCode === null;

let redis: RedisServer | undefined;
const nodes: Record<"a" | "b" | "c" | "d", ServeProcess | undefined> = { a: undefined, b: undefined, c: undefined, d: undefined };
const apps: App[] = [];
const runtimes: SimulatedRuntime[] = [];
const lettas: LettaRemote[] = [];
const balancers: TcpBalancer[] = [];
let runtimeBalancer: TcpBalancer;
let appBalancer: TcpBalancer;
let runtime: SimulatedRuntime;
/** The real runtime (1b on), and the scope it created. */
let real: { id: string; scope: { agent_id: string; conversation_id: string } } | undefined;
let appB: App;
let appC: App;
let fileStart = 0;

const node = (id: "a" | "b" | "c" | "d") => nodes[id]!;
const serve = (id: string) => startServe(["--port", "0", "--redis", redis!.url, "--node-id", id, "--env-name", "scale-out"], { BYOR_TOKEN: TOKEN });

/** The simulated runtime (the same device each time), through the runtime balancer. */
async function simulatedRuntime(): Promise<SimulatedRuntime> {
  const started = await createSimulatedRuntime({
    baseUrl: runtimeBalancer.url,
    token: TOKEN,
    connectionName: "scale-sim",
    deviceId: "device-scale-sim-0001",
    // "#slow" plays 40 chunks 100 ms apart (a turn that is still streaming when a node dies); anything else: "pong".
    scenario: ({ text }) => (text.includes("#slow") ? { text: SLOW_CHUNKS, chunkDelayMs: 100 } : { text: ["pong"] }),
  });
  runtimes.push(started);
  return started;
}

async function cleanup(): Promise<void> {
  for (const app of apps) app.client.close();
  await Promise.allSettled(runtimes.map((r) => r.stop()));
  await Promise.allSettled(lettas.map((r) => r.stop()));
  await Promise.allSettled(
    Object.values(nodes).map(async (n) => {
      if (!n || !alive(n)) return;
      const timer = setTimeout(() => n.child.kill("SIGKILL"), 5_000);
      await n.stop("SIGTERM");
      clearTimeout(timer);
    }),
  );
  await Promise.allSettled(balancers.map((b) => b.close()));
  await redis?.stop();
}

// A worker that dies without afterAll must not leave the nodes behind (redis-server has its own exit hook).
process.once("exit", () => {
  for (const n of Object.values(nodes)) if (n && alive(n)) n.child.kill("SIGKILL");
});

beforeAll(async () => {
  fileStart = Date.now();
  redis = await startRedisServer();
  const ids = ["a", "b", "c"] as const;
  const started = await Promise.allSettled(ids.map((id) => serve(id)));
  started.forEach((result, i) => result.status === "fulfilled" && (nodes[ids[i]!] = result.value));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  runtimeBalancer = await createTcpBalancer([node("a").port, node("c").port, node("b").port]);
  appBalancer = await createTcpBalancer([node("b").port, node("c").port]);
  balancers.push(runtimeBalancer, appBalancer);
  runtime = await simulatedRuntime();
  appB = await startApp("b", appBalancer.url);
  appC = await startApp("c", node("c").url);
  log(`setup (redis, 3 nodes, balancers, runtime, 2 apps): ${Date.now() - fileStart} ms`);
}, 60_000);

afterAll(async () => {
  await cleanup();
  log(`whole file: ${Date.now() - fileStart} ms`);
}, 60_000);

describe.sequential("three byor serve nodes on one redis-server", () => {
  it("1. every node lists the runtime on A; a turn from B's app streams to the apps on B and C; C's request is answered to C", async () => {
    const id = runtime.deviceId;
    for (const n of ["a", "b", "c"] as const) await listedOn(node(n), id, "a");
    expect(runtimeBalancer.runtimeSockets().map((c) => c.backend)).toEqual([node("a").port]);

    await Promise.all([appB.client.session.subscribe(id, SCOPE), appC.client.session.subscribe(id, SCOPE)]);
    // Each subscribe synced the scope on A; the snapshots reached both apps through the bus.
    for (const app of [appB, appC]) await until(() => app.events.some((d) => d.event.type === "update_loop_status"), `the sync's snapshot at app ${app.name}`);
    await settle(); // both syncs' frames delivered everywhere
    const [fromB, fromC] = [appB.events.length, appC.events.length];
    const [rawB, rawC] = [appB.raw.length, appC.raw.length];
    appB.client.session.send(id, input("hello from the app on B"));
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB), turnOf(appC, fromC)]);
    expect(assistantChunks(turnB).join("")).toBe("pong");
    // The same frames, in the same order, at both apps (the runtime's idempotency keys).
    expect(turnC.map(keyOf)).toEqual(turnB.map(keyOf));
    expect(turnB.every((e) => typeof keyOf(e) === "string")).toBe(true);
    // Nothing sent twice by the servers either (raw frames, before the session's own dedupe).
    for (const [app, from] of [
      [appB, rawB],
      [appC, rawC],
    ] as const) {
      const keys = rawEvents(app, id, from).map(keyOf).filter(Boolean);
      expect(new Set(keys).size, `duplicate frames at app ${app.name}`).toBe(keys.length);
    }

    // A request from C is answered to C only, under C's own request id; B asking with the same id at the same time
    // gets its own answer.
    const [rawB2, rawC2] = [appB.raw.length, appC.raw.length];
    const [answerC, answerB] = await Promise.all([
      appC.client.session.request(id, {
        type: "runtime_start",
        request_id: "same-id-1",
        create_agent: { body: { name: "from-c" } },
        create_conversation: {},
      } as never),
      appB.client.session.request(id, {
        type: "runtime_start",
        request_id: "same-id-1",
        create_agent: { body: { name: "from-b" } },
        create_conversation: {},
      } as never),
    ]);
    expect(answerC).toMatchObject({ type: "runtime_start_response", request_id: "same-id-1", success: true });
    expect(answerB).toMatchObject({ type: "runtime_start_response", request_id: "same-id-1", success: true });
    const agentOf = (answer: unknown) => (answer as { runtime: { agent_id: string } }).runtime.agent_id;
    expect(agentOf(answerC)).not.toBe(agentOf(answerB));
    await settle();
    for (const [app, from, mine] of [
      [appB, rawB2, agentOf(answerB)],
      [appC, rawC2, agentOf(answerC)],
    ] as const) {
      const answers = rawEvents(app, id, from).filter((e) => e.type === "runtime_start_response");
      expect(answers, `runtime_start_response frames at app ${app.name}`).toHaveLength(1);
      expect(answers[0]).toMatchObject({ request_id: "same-id-1", runtime: { agent_id: mine } });
    }
  }, 30_000);

  it("1b. the same with the real runtime (letta remote through the balancer, on A; it stays for the failover)", async () => {
    ensureRuntime();
    const t0 = Date.now();
    const letta = startLettaRemote({ baseUrl: runtimeBalancer.url, token: TOKEN, envName: "scale-real" });
    lettas.push(letta);
    const id = await until(
      async () => (await listed(node("a"))).find((r) => r.connectionName === "scale-real" && r.online)?.id,
      "the real runtime online on A",
      30_000,
    );
    for (const n of ["b", "c"] as const) await listedOn(node(n), id, "a");
    log(`real runtime online on every node ${Date.now() - t0} ms after its start`);
    const started = await appC.client.session.request(id, {
      type: "runtime_start",
      create_agent: { body: { name: "scale-real" } },
      create_conversation: {},
    } as never);
    const scope = (started as { runtime: { agent_id: string; conversation_id: string } }).runtime;
    await Promise.all([appB.client.session.subscribe(id, scope), appC.client.session.subscribe(id, scope)]);
    await settle();
    const [fromB, fromC] = [appB.events.length, appC.events.length];
    appB.client.session.send(id, input("hello real runtime", scope));
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB, scope, 30_000), turnOf(appC, fromC, scope, 30_000)]);
    expect(assistantChunks(turnB).join("")).toBe("pong");
    expect(turnC.map(keyOf)).toEqual(turnB.map(keyOf));
    const keys = turnB.map(keyOf).filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
    real = { id, scope };
    log(`real runtime part: ${Date.now() - t0} ms`);
  }, 60_000);

  it("2. A is killed: the runtime reconnects through the balancer to C; both apps see it offline then online, re-synced; a new turn reaches both", async () => {
    const id = runtime.deviceId;
    const marks = { b: appB.statuses.length, c: appC.statuses.length, eb: appB.events.length, ec: appC.events.length };
    const killedAt = Date.now();
    await node("a").stop("SIGKILL");
    const reconnected = await until(
      () => runtimeBalancer.runtimeSockets().find((c) => c.backend === node("c").port),
      "the runtime's socket through the balancer to C",
    );
    const statusesOf = (app: App, from: number) => app.statuses.slice(from).filter((s) => s.runtime.id === id);
    for (const [app, from] of [
      [appB, marks.b],
      [appC, marks.c],
    ] as const) {
      await until(
        () => statusesOf(app, from).some((s) => s.runtime.online) && statusesOf(app, from).some((s) => !s.runtime.online),
        () =>
          `offline and online at app ${app.name} (it saw: ${
            statusesOf(app, from)
              .map((s) => (s.runtime.online ? "online" : "offline"))
              .join(", ") || "nothing"
          })`,
      );
    }
    const seen = (app: App, from: number) => statusesOf(app, from).map((s) => (s.runtime.online ? "online" : "offline"));
    log(`statuses after A died: app b ${seen(appB, marks.b).join(" → ")}; app c ${seen(appC, marks.c).join(" → ")}`);
    for (const [app, from] of [
      [appB, marks.b],
      [appC, marks.c],
    ] as const) {
      const states = seen(app, from);
      expect(states[0], `first status at app ${app.name}`).toBe("offline");
      expect(states.at(-1), `last status at app ${app.name}`).toBe("online");
    }
    // The scope is synced again: snapshots arrive after the runtime came back.
    const resynced = async (app: App, statusFrom: number, eventFrom: number) => {
      const back = statusesOf(app, statusFrom).find((s) => s.runtime.online)!.at;
      const snap = await until(
        () => app.events.slice(eventFrom).find((d) => d.event.type === "update_loop_status" && inScope(SCOPE)(d.event) && d.at >= back),
        `re-sync at app ${app.name}`,
      );
      return snap.at;
    };
    const [syncB, syncC] = await Promise.all([resynced(appB, marks.b, marks.eb), resynced(appC, marks.c, marks.ec)]);
    for (const n of ["b", "c"] as const) await listedOn(node(n), id, "c");
    await settle();
    const [fromB, fromC] = [appB.events.length, appC.events.length];
    const sentAt = Date.now();
    appB.client.session.send(id, input("after the failover"));
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB), turnOf(appC, fromC)]);
    expect(assistantChunks(turnB).join("")).toBe("pong");
    expect(turnC.map(keyOf)).toEqual(turnB.map(keyOf));
    const onlineAt = (app: App, from: number) =>
      statusesOf(app, from)
        .filter((s) => s.runtime.online)
        .at(-1)!.at;
    log(
      `runtime failover: socket on C ${reconnected.at - killedAt} ms after SIGKILL; online at app b +${onlineAt(appB, marks.b) - killedAt} ms, ` +
        `app c +${onlineAt(appC, marks.c) - killedAt} ms; re-synced b +${syncB - killedAt} ms, c +${syncC - killedAt} ms; ` +
        `next turn round trip ${Date.now() - sentAt} ms (done +${Date.now() - killedAt} ms)`,
    );
    expect(runtime.registrations).toBe(1); // it reconnected with its connectionId; node C took the socket without a register

    // The real runtime was on A too: it reconnects through the balancer to C as well, and drives a turn from there.
    if (real) {
      const { id: realId, scope } = real;
      await until(async () => (await listed(node("c"))).find((r) => r.id === realId && r.online && r.node === "c"), "the real runtime online on C", 30_000);
      const listedAt = Date.now();
      await listedOn(node("b"), realId, "c");
      const realStatuses = (app: App) =>
        app.statuses
          .slice(app === appB ? marks.b : marks.c)
          .filter((s) => s.runtime.id === realId)
          .map((s) => (s.runtime.online ? "online" : "offline"));
      for (const app of [appB, appC]) await until(() => realStatuses(app).at(-1) === "online", `the real runtime online again at app ${app.name}`);
      const realSocket = runtimeBalancer
        .runtimeSockets()
        .filter((c) => c.backend === node("c").port)
        .find((c) => c !== reconnected);
      await settle();
      const [rb, rc] = [appB.events.length, appC.events.length];
      appC.client.session.send(realId, input("real runtime after the failover", scope));
      const [realB, realC] = await Promise.all([turnOf(appB, rb, scope, 30_000), turnOf(appC, rc, scope, 30_000)]);
      expect(assistantChunks(realB).join("")).toBe("pong");
      expect(realC.map(keyOf)).toEqual(realB.map(keyOf));
      log(
        `real runtime failover: socket on C ${realSocket ? `+${realSocket.at - killedAt} ms` : "(not seen)"}, listed online by C +${listedAt - killedAt} ms; ` +
          `statuses: app b ${realStatuses(appB).join(" → ")}, app c ${realStatuses(appC).join(" → ")}; turn done +${Date.now() - killedAt} ms`,
      );
      for (const app of [appB, appC]) expect(realStatuses(app)[0], `the real runtime's first status at app ${app.name}`).toBe("offline");
    }
  }, 45_000);

  it("3. Redis restarts (data lost) mid-turn: the nodes log it and reconnect, nothing crashes; B's app hears the runtime offline → online and is re-synced; the runtime is listed again everywhere; a turn reaches both apps", async () => {
    const id = runtime.deviceId;
    const marks = { b: appB.statuses.length, c: appC.statuses.length };
    await settle();
    const [fromB, fromC] = [appB.events.length, appC.events.length];
    appC.client.session.send(id, input("#slow turn across the redis restart"));
    await until(() => chunksSince(appB, fromB).length >= 5, "5 chunks at the app on B");
    const t0 = Date.now();
    await redis!.restart();
    const restarted = Date.now();
    for (const n of ["b", "c"] as const) {
      await until(() => node(n).logLines("is unreachable").length > 0, `node ${n} logs Redis unreachable`);
      await until(() => node(n).logLines("is back").length > 0, `node ${n} logs Redis back`, 20_000);
    }
    const back = Date.now();
    // Node B lost its link to C's runtime while Redis was away (C's frames were dropped): its app hears the runtime
    // offline, then online once Redis is back, with a re-sync. The app on C, beside the runtime, hears nothing.
    const statusesOf = (app: App, from: number) => app.statuses.slice(from).filter((s) => s.runtime.id === id);
    const seen = (app: App, from: number) => statusesOf(app, from).map((s) => (s.runtime.online ? "online" : "offline"));
    // (Online may be said twice: once when node B reads the directory again, once when C announces its runtimes again.)
    const offlineThenOnline = () => {
      const states = seen(appB, marks.b);
      return states[0] === "offline" && states.length > 1 && states.slice(1).every((state) => state === "online");
    };
    await until(offlineThenOnline, () => `offline then online at app b (it saw: ${seen(appB, marks.b).join(", ") || "nothing"})`, 20_000);
    const onlineAt = statusesOf(appB, marks.b)[1]!.at;
    const resync = await until(
      () => appB.events.slice(fromB).find((d) => d.at >= onlineAt && d.event.type === "update_loop_status" && inScope(SCOPE)(d.event)),
      "the re-sync at app b",
    );
    // The owner (C) wrote its record again: every node lists it.
    for (const n of ["b", "c"] as const) await listedOn(node(n), id, "c", 20_000);
    const relisted = Date.now();
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB), turnOf(appC, fromC)]);
    const [gotB, gotC] = [assistantChunks(turnB), assistantChunks(turnC)];
    expect(gotC).toEqual(SLOW_CHUNKS);
    expect(gotB).toEqual(SLOW_CHUNKS.filter((c) => gotB.includes(c))); // in order, no duplicates
    const lost = SLOW_CHUNKS.filter((c) => !gotB.includes(c));
    expect(seen(appC, marks.c)).toEqual([]);
    expect(offlineThenOnline(), `statuses at app b: ${seen(appB, marks.b).join(", ")}`).toBe(true);
    await settle();
    const [nextB, nextC] = [appB.events.length, appC.events.length];
    appB.client.session.send(id, input("after the redis restart"));
    const [afterB, afterC] = await Promise.all([turnOf(appB, nextB), turnOf(appC, nextC)]);
    expect(assistantChunks(afterB).join("")).toBe("pong");
    expect(afterC.map(keyOf)).toEqual(afterB.map(keyOf));
    for (const n of ["b", "c"] as const) expect(alive(node(n)), `node ${n} alive`).toBe(true);
    expect(redis!.port).toBeGreaterThan(0);
    log(
      `redis restart: down+up ${restarted - t0} ms; both nodes logged it back +${back - t0} ms; app b: online again +${onlineAt - t0} ms, ` +
        `re-synced +${resync.at - t0} ms (statuses ${seen(appB, marks.b).join(" → ")}), lost ${lost.length}/${SLOW_CHUNKS.length} chunks (${lost.join("").trim() || "none"}); runtime listed on B and C +${relisted - t0} ms; ` +
        `the slow turn, then the next one, done +${Date.now() - t0} ms`,
    );
    // A node that joins now knows the runtimes only from the directory, which the owner (C) wrote again.
    const joined = Date.now();
    nodes.d = await serve("d");
    await listedOn(node("d"), id, "c");
    if (real) await listedOn(node("d"), real.id, "c");
    log(`node d joined after the restart and lists the runtimes on C: ${Date.now() - joined} ms`);
  }, 45_000);

  it("4. B is killed while a turn streams to its app: the app resumes its session on C (journaled in Redis) with 0 lost and 0 duplicated frames; the next turn reaches it", async () => {
    const id = runtime.deviceId;
    const resetsBefore = appB.resets.length;
    const opensBefore = appB.opens.length;
    await settle();
    const [fromB, fromC, rawFromB] = [appB.events.length, appC.events.length, appB.raw.length];
    appC.client.session.send(id, input("#slow turn"));
    await until(() => chunksSince(appB, fromB).length >= 5, "5 chunks at the app on B");
    const killedAt = Date.now();
    await node("b").stop("SIGKILL");
    const reopened = await until(() => appB.opens[opensBefore], "the app that was on B reconnected");
    expect(appBalancer.forwarded.at(-1)?.backend).toBe(node("c").port);
    expect(reopened.resumed).toBe(true);
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB), turnOf(appC, fromC)]);
    expect(appB.resets.length).toBe(resetsBefore); // resumed, never reset
    const [gotB, gotC] = [assistantChunks(turnB), assistantChunks(turnC)];
    expect(gotC).toEqual(SLOW_CHUNKS);
    expect(gotB).toEqual(SLOW_CHUNKS); // 0 lost, in order
    // The same frames of the turn as the app that stayed, and none twice on the wire (before the session's dedupe).
    expect(turnB.map(keyOf)).toEqual(turnC.map(keyOf));
    const wire = rawEvents(appB, id, rawFromB).filter(inScope(SCOPE)).map(keyOf);
    const twice = wire.filter((key, i) => wire.indexOf(key) !== i);
    expect(twice).toEqual([]);
    log(
      `app on killed node: resumed on C +${reopened.at - killedAt} ms after SIGKILL; lost 0/${SLOW_CHUNKS.length} chunks; ${wire.length} frames on the wire since the turn began, 0 duplicated`,
    );
    // The next turn reaches it (and the app on C).
    await settle();
    const [nextB, nextC] = [appB.events.length, appC.events.length];
    appB.client.session.send(id, input("after the app moved"));
    const [afterB, afterC] = await Promise.all([turnOf(appB, nextB), turnOf(appC, nextC)]);
    expect(assistantChunks(afterB).join("")).toBe("pong");
    expect(afterC.map(keyOf)).toEqual(afterB.map(keyOf));
    expect(alive(node("c"))).toBe(true);
  }, 30_000);
  it("5. the runtime moves away from a node that stays up (C → D): the apps on C hear offline → online, are re-synced, and drive it on D", async () => {
    const id = runtime.deviceId;
    const marks = { b: appB.statuses.length, c: appC.statuses.length, eb: appB.events.length, ec: appC.events.length };
    runtimeBalancer.setBackends([node("d").port, node("c").port]);
    const t0 = Date.now();
    await runtime.stop(); // closed: C marks it offline
    await until(async () => (await listed(node("c"))).find((r) => r.id === id && !r.online), "the runtime offline on C");
    runtime = await simulatedRuntime(); // the same device again, landing on D now
    await listedOn(node("d"), id, "d");
    // Node C keeps its offline entry of the runtime, but lists (and routes to) the one on D.
    await until(async () => {
      const entries = (await listed(node("c"))).filter((r) => r.id === id);
      return entries.length === 1 && entries[0]!.online && entries[0]!.node === "d";
    }, "node C listing the runtime once, online on D");
    const seen = (app: App, from: number) =>
      app.statuses
        .slice(from)
        .filter((s) => s.runtime.id === id)
        .map((s) => (s.runtime.online ? "online" : "offline"));
    for (const [app, from] of [
      [appB, marks.b],
      [appC, marks.c],
    ] as const) {
      await until(
        () => seen(app, from).at(-1) === "online",
        () => `online again at app ${app.name} (it saw: ${seen(app, from).join(", ")})`,
      );
      expect(seen(app, from)[0]).toBe("offline");
    }
    for (const [app, from] of [
      [appB, marks.eb],
      [appC, marks.ec],
    ] as const) {
      await until(() => app.events.slice(from).some((d) => d.event.type === "update_loop_status" && inScope(SCOPE)(d.event)), `the re-sync at app ${app.name}`);
    }
    await settle();
    const [fromB, fromC] = [appB.events.length, appC.events.length];
    appB.client.session.send(id, input("on D now"));
    const [turnB, turnC] = await Promise.all([turnOf(appB, fromB), turnOf(appC, fromC)]);
    expect(assistantChunks(turnB).join("")).toBe("pong");
    expect(turnC.map(keyOf)).toEqual(turnB.map(keyOf));
    log(
      `runtime moved C → D (C up): turn from the apps on C done +${Date.now() - t0} ms; statuses app b ${seen(appB, marks.b).join(" → ")}, app c ${seen(appC, marks.c).join(" → ")}`,
    );
  }, 30_000);
});
