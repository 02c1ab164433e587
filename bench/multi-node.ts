// `pnpm bench:nodes` (issue #14 item 4): the relay (runtime → server → apps, real sockets, as bench/relay.ts) through
// 1, 2 and 3 server nodes sharing a real redis-server, against one node in memory (what `byor serve` is without
// --redis) measured in the same run, rounds interleaved, medians; then the heap of idle connections with Redis. Every
// node runs in its own process (bench/cluster-node.mjs); each configuration has its own redis-server, so a
// configuration's idle nodes do not read the frames of another's.
//
//   memory     runtime ─► M ─► 2 apps on M                 (the baseline)
//   redis ×1   runtime ─► A ─► 2 apps on A; A XADDs every frame and reads it back
//   redis ×2   runtime ─► A ─► Redis stream ─► B ─► 2 apps on B
//   redis ×3   runtime ─► A ─► Redis stream ─► B ─► 1 app, and ─► C ─► 1 app
//
// BYOR_BENCH_QUICK=1: fewer rounds and frames. BYOR_BENCH_NODES=throughput,memory: only those parts.
// BYOR_BENCH_PROFILE=DIR: the nodes write V8 CPU profiles there (--cpu-prof) when they stop.
// BYOR_BENCH_SEQ_ACK=1: the apps open numbered sessions (seq/ack, as @byor/client does by default) and acknowledge
// every 32 frames or after 20 ms, as ClientSession does; by default they do not, as in bench/relay.ts.
// Trying a change, interleaved with the figures it would move: BYOR_BENCH_VARIANT=DIR (another checkout of this
// repository, built: e.g. one with a change to packages/redis) and/or BYOR_BENCH_IOREDIS='{"enableAutoPipelining":true}'
// (ioredis options given to every node's backplane) add the three Redis configurations once more with those nodes, in
// the same rounds.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { resolve } from "node:path";
import { WebSocket } from "ws";
import { startRedisServer, type RedisServer } from "../scripts/redis-server.js";

const QUICK = process.env.BYOR_BENCH_QUICK === "1";
const ROUNDS = QUICK ? 3 : 7;
const FRAMES = QUICK ? 2_000 : 5_000; // per throughput batch: under the stream's ~10,000 entries, so none is trimmed unread
const RATE = 5_000; // frames/s for the latency runs, as bench/relay.ts
const IDLE = QUICK ? 200 : 1_000;
const SEQ_ACK = process.env.BYOR_BENCH_SEQ_ACK === "1";
const PROFILE = process.env.BYOR_BENCH_PROFILE;
const only = process.env.BYOR_BENCH_NODES;
const want = (part: string) => !only || only.split(",").includes(part);
const NODE_SCRIPT = resolve(import.meta.dirname, "cluster-node.mjs");
interface Flavour {
  label: string;
  script: string;
  ioredis?: string;
}
const VARIANT_DIR = process.env.BYOR_BENCH_VARIANT;
const IOREDIS = process.env.BYOR_BENCH_IOREDIS;
const variant: Flavour | undefined =
  VARIANT_DIR || IOREDIS
    ? {
        label: [VARIANT_DIR && `build of ${VARIANT_DIR}`, IOREDIS && `ioredis ${IOREDIS}`].filter(Boolean).join(", "),
        script: VARIANT_DIR ? resolve(VARIANT_DIR, "bench/cluster-node.mjs") : NODE_SCRIPT,
        ...(IOREDIS ? { ioredis: IOREDIS } : {}),
      }
    : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One real stream_delta (0.5 KB), renumbered per frame (the server dedupes on idempotency_key), as bench/relay.ts.
const fixture = readFileSync(resolve(import.meta.dirname, "../fixtures/real-runtime-0.32.18/03c-turn-deterministic-executor.runtime-to-server.jsonl"), "utf8")
  .split("\n")
  .find((l) => l.includes('"type":"stream_delta"') && l.includes("assistant_message"))!;
const SCOPE = { agent_id: "agent-bench", conversation_id: "default" };
const METADATA = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../schema/http/register-request.examples.jsonl"), "utf8").split("\n")[0]!) as { metadata: object }
).metadata;
let nextSeq = 1;
function deltas(count: number): { texts: string[]; first: number } {
  const base = JSON.parse(fixture) as Record<string, unknown>;
  const first = nextSeq;
  nextSeq += count;
  const texts = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ ...base, runtime: SCOPE, event_seq: first + i, idempotency_key: `stream_delta:${first + i}` }),
  );
  return { texts, first };
}

// ---- processes ----

let stopping = false;
const live = new Set<ChildProcess>();
// A bench that stops early (process.exit) must not leave its nodes behind (redis-server has its own exit hook).
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

class Node {
  private constructor(
    readonly id: string,
    readonly child: ChildProcess,
    readonly port: number,
    readonly token: string,
    readonly runtimeToken: string,
  ) {}

  static async start(backend: string, id: string, flavour?: Flavour): Promise<Node> {
    const profile = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=${id}-${Date.now()}.cpuprofile`] : [];
    const child = fork(flavour?.script ?? NODE_SCRIPT, [backend, id, ...(flavour?.ioredis ? [flavour.ioredis] : [])], {
      execArgv: ["--expose-gc", ...profile],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    live.add(child);
    child.once("exit", () => live.delete(child));
    const { port, token, runtimeToken } = await new Promise<{ port: number; token: string; runtimeToken: string }>((ok, fail) => {
      child.once("message", (m) => ok(m as { port: number; token: string; runtimeToken: string }));
      child.once("exit", (code) => fail(new Error(`node ${id} exited with ${code} before it listened`)));
    });
    return new Node(id, child, port, token, runtimeToken);
  }

  ask<T>(cmd: string): Promise<T> {
    return new Promise((ok) => {
      this.child.once("message", (m) => ok(m as T));
      this.child.send({ cmd });
    });
  }

  cpu = async () => (await this.ask<{ cpuMicros: number }>("cpu")).cpuMicros;
  heap = async () => (await this.ask<{ heapUsed: number }>("heap")).heapUsed;

  stop(): Promise<void> {
    return new Promise<void>((ok) => {
      if (this.child.exitCode !== null) return ok();
      this.child.once("exit", () => ok());
      this.child.kill("SIGTERM");
    });
  }

  /** The runtimes this node lists online (its own and, on Redis, the other nodes'). */
  async online(): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.port}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${this.token}` } });
    return ((await res.json()) as { runtimes: { online: boolean }[] }).runtimes.filter((r) => r.online).length;
  }

  async untilOnline(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await this.online()) < count) {
      if (Date.now() > deadline) throw new Error(`node ${this.id} did not list ${count} runtimes online within 30 s`);
      await sleep(20);
    }
  }
}

/** One section of redis-server's INFO as a map, read over a plain socket (the bench has no Redis client of its own). */
function redisInfo(port: number, section: string): Promise<Map<string, string>> {
  return new Promise((ok, fail) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.once("error", fail);
    socket.once("connect", () => socket.write(`INFO ${section}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (!header || Buffer.byteLength(reply) < header[0].length + Number(header[1])) return;
      socket.destroy();
      ok(new Map(reply.split("\r\n").flatMap((line) => (line.includes(":") ? [line.split(":", 2) as [string, string]] : []))));
    });
  });
}
const redisCpu = async (redis: RedisServer) => {
  const info = await redisInfo(redis.port, "cpu");
  return (Number(info.get("used_cpu_user")) + Number(info.get("used_cpu_sys"))) * 1e6;
};
const redisMemory = async (redis: RedisServer) => Number((await redisInfo(redis.port, "memory")).get("used_memory"));
/** How many XADD and XREAD calls redis-server has answered. */
const redisCalls = async (redis: RedisServer): Promise<[number, number]> => {
  const info = await redisInfo(redis.port, "commandstats");
  const calls = (name: string) => Number(/calls=(\d+)/.exec(info.get(`cmdstat_${name}`) ?? "")?.[1] ?? 0);
  return [calls("xadd"), calls("xread")];
};

// ---- clients ----

const closing = new WeakSet<WebSocket>();
function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once("open", () => ok(ws));
    // A close the bench did not ask for would leave a measure waiting forever: say so and stop.
    ws.once("close", (code, reason) => {
      if (!closing.has(ws) && !stopping) {
        console.error(`bench: ${url} closed by the server: ${code} ${reason.toString()}`);
        process.exit(1);
      }
    });
    ws.once("error", fail);
  });
}
const pingers = new WeakMap<WebSocket, ReturnType<typeof setInterval>>();
function terminate(ws: WebSocket): void {
  closing.add(ws);
  clearInterval(pingers.get(ws));
  ws.terminate();
}

let devices = 0;
/** A runtime-like client registered and connected to `node`; it answers the syncs apps' subscribes cause. */
async function connectRuntime(node: Node): Promise<{ id: string; ws: WebSocket }> {
  const id = `bench-${process.pid}-${++devices}`;
  const auth = { authorization: `Bearer ${node.runtimeToken}` };
  const res = await fetch(`http://127.0.0.1:${node.port}/v1/environments/register`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ deviceId: id, connectionName: id, listenerInstanceId: `l-${id}`, metadata: METADATA }),
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
  const url = new URL(((await res.json()) as { wsUrl: string }).wsUrl);
  url.searchParams.set("deviceId", id);
  url.searchParams.set("connectionName", id);
  const ws = await open(url.toString(), auth);
  // Pings every 30 s as the real runtime does: the server closes a runtime it has not heard from for 90 s.
  pingers.set(
    ws,
    setInterval(() => ws.send('{"type":"ping"}'), 30_000),
  );
  ws.on("message", (data) => {
    const command = JSON.parse(data.toString()) as { type: string; request_id?: string; runtime?: unknown };
    if (command.type === "sync") ws.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
  });
  return { id, ws };
}

/** An app on `node`, subscribed to the runtime's scope (the runtime may be held by another node). */
async function connectApp(node: Node, runtimeId: string): Promise<WebSocket> {
  const app = await open(`ws://127.0.0.1:${node.port}/byor/v1/client`, { authorization: `Bearer ${node.token}` });
  // Answers the server's heartbeat as an app must (one silent for 90 s is closed): the runs take minutes.
  app.on("message", (data: Buffer) => {
    if (data.length < 64 && data.includes('"byor.ping"')) app.send('{"type":"byor.pong"}');
  });
  const answer = new Promise<{ type: string; success?: boolean; error?: string; message?: string }>((ok) => {
    const on = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type !== "byor.subscribed" && frame.type !== "byor.error") return;
      app.off("message", on);
      ok(frame);
    };
    app.on("message", on);
  });
  if (SEQ_ACK) acknowledge(app);
  app.send(JSON.stringify(SEQ_ACK ? { type: "byor.hello", seq_ack: true } : { type: "byor.hello" }));
  app.send(JSON.stringify({ type: "byor.subscribe", runtime_id: runtimeId, scope: SCOPE, request_id: "s" }));
  const frame = await answer;
  if (frame.type !== "byor.subscribed" || !frame.success) throw new Error(`subscribe on node ${node.id}: ${frame.error ?? frame.message}`);
  return app;
}

/** Acknowledges numbered frames as ClientSession does by default: every 32 frames, or 20 ms after the last one. */
function acknowledge(app: WebSocket): void {
  let last = 0;
  let unacked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ack = () => {
    clearTimeout(timer);
    timer = undefined;
    unacked = 0;
    if (app.readyState === WebSocket.OPEN) app.send(JSON.stringify({ type: "byor.ack", seq: last }));
  };
  app.on("message", (data: Buffer) => {
    const seq = (JSON.parse(data.toString()) as { seq?: number }).seq;
    if (typeof seq !== "number") return;
    last = seq;
    if (++unacked >= 32) ack();
    else timer ??= setTimeout(ack, 20);
  });
}

/** Sends every text, pausing while the socket has more than 1 MiB waiting. */
async function pump(ws: WebSocket, texts: string[]): Promise<void> {
  for (const text of texts) {
    ws.send(text);
    while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
  }
}

/** Resolves when every app received `count` stream deltas; rejects when one gets nothing for 20 s (frames lost). */
function received(apps: WebSocket[], count: number): Promise<void> {
  return Promise.all(
    apps.map(
      (app, i) =>
        new Promise<void>((ok, fail) => {
          let n = 0;
          const stalled = () => {
            app.off("message", on);
            fail(new Error(`app ${i} got ${n} of ${count} frames and then nothing for 20 s`));
          };
          let timer = setTimeout(stalled, 20_000);
          const on = (data: Buffer) => {
            if (!data.includes('"stream_delta"')) return;
            clearTimeout(timer);
            if (++n === count) {
              app.off("message", on);
              return ok();
            }
            timer = setTimeout(stalled, 20_000);
          };
          app.on("message", on);
        }),
    ),
  ).then(() => undefined);
}

// ---- configurations ----

interface Setup {
  name: string;
  redis?: RedisServer;
  nodes: Node[];
  runtime: WebSocket;
  apps: WebSocket[];
}

/** `nodes` 0: one node in memory; else that many nodes on a fresh redis-server, the runtime on the first. */
async function setup(name: string, nodes: 0 | 1 | 2 | 3, flavour?: Flavour): Promise<Setup> {
  const redis = nodes ? await startRedisServer() : undefined;
  const ids = ["a", "b", "c"].slice(0, Math.max(1, nodes));
  const started = await Promise.all(ids.map((id) => Node.start(redis?.url ?? "memory", `${id}${nodes}${flavour ? "x" : ""}`, flavour)));
  const runtime = await connectRuntime(started[0]!);
  const appNodes = nodes <= 1 ? [started[0]!, started[0]!] : nodes === 2 ? [started[1]!, started[1]!] : [started[1]!, started[2]!];
  for (const node of new Set(appNodes)) await node.untilOnline(1);
  const apps = [];
  for (const node of appNodes) apps.push(await connectApp(node, runtime.id));
  return { name, ...(redis ? { redis } : {}), nodes: started, runtime: runtime.ws, apps };
}

async function teardown(s: Setup): Promise<void> {
  for (const ws of [...s.apps, s.runtime]) terminate(ws);
  stopping = true;
  await Promise.all(s.nodes.map((n) => n.stop()));
  await s.redis?.stop();
  stopping = false;
}

/** CPU µs used so far: each node, then redis-server (0 without). */
const cpuOf = async (s: Setup) => [...(await Promise.all(s.nodes.map((n) => n.cpu()))), s.redis ? await redisCpu(s.redis) : 0];

interface Throughput {
  rate: number;
  /** CPU µs per delivered frame: each node, then redis-server. */
  cpu: number[];
  /** XADD and XREAD calls per frame the runtime sent. */
  calls: [number, number];
}

/** Frames delivered per second (each app's copy counts once), and CPU per delivered frame. */
async function throughput(s: Setup, frames: number): Promise<Throughput> {
  const { texts } = deltas(frames);
  const calls0: [number, number] = s.redis ? await redisCalls(s.redis) : [0, 0];
  const cpu0 = await cpuOf(s);
  const start = performance.now();
  const done = received(s.apps, frames);
  await pump(s.runtime, texts);
  await done;
  const ms = performance.now() - start;
  const cpu1 = await cpuOf(s);
  const calls1: [number, number] = s.redis ? await redisCalls(s.redis) : [0, 0];
  const delivered = frames * s.apps.length;
  return {
    rate: (delivered / ms) * 1000,
    cpu: cpu1.map((c, i) => (c - cpu0[i]!) / delivered),
    calls: [(calls1[0] - calls0[0]) / frames, (calls1[1] - calls0[1]) / frames],
  };
}

/** Send → receipt at every app, in ms, at a steady rate (frames sent in 1 ms ticks). */
async function latency(s: Setup, perSecond: number, seconds: number): Promise<number[]> {
  const total = perSecond * seconds;
  const { texts, first } = deltas(total);
  const sentAt = new Float64Array(total);
  const lat: number[] = [];
  const done = Promise.all(
    s.apps.map(
      (app) =>
        new Promise<void>((ok) => {
          let n = 0;
          const on = (data: Buffer) => {
            const seq = (JSON.parse(data.toString()) as { event?: { event_seq?: number } }).event?.event_seq;
            if (seq === undefined || seq < first) return;
            lat.push(performance.now() - sentAt[seq - first]!);
            if (++n === total) {
              app.off("message", on);
              ok();
            }
          };
          app.on("message", on);
        }),
    ),
  );
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
    for (; sent < due; sent++) {
      sentAt[sent] = performance.now();
      s.runtime.send(texts[sent]!);
    }
    await sleep(1);
  }
  await done;
  return lat;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

async function relay(): Promise<string> {
  const setups = [
    await setup("1 node, in memory (baseline)", 0),
    await setup("1 node, Redis", 1),
    await setup("2 nodes, Redis", 2),
    await setup("3 nodes, Redis", 3),
  ];
  if (variant) for (const n of [1, 2, 3] as const) setups.push(await setup(`${n} node${n > 1 ? "s" : ""}, Redis, ${variant.label}`, n, variant));
  const runs = new Map<Setup, { rate: number[]; cpu: number[][]; calls: [number, number][]; p50: number[]; p99: number[] }>(
    setups.map((s) => [s, { rate: [], cpu: [], calls: [], p50: [], p99: [] }]),
  );
  for (const s of setups) await throughput(s, Math.ceil(FRAMES / 4)); // warm-up
  // Interleaved, the order reversed every other round: load from other work on the machine falls on all alike.
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 ? [...setups].reverse() : setups) {
      const m = await throughput(s, FRAMES);
      runs.get(s)!.rate.push(m.rate);
      runs.get(s)!.cpu.push(m.cpu);
      runs.get(s)!.calls.push(m.calls);
    }
  }
  if (want("latency")) {
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...setups].reverse() : setups) {
        const lat = await latency(s, RATE, QUICK ? 1 : 2);
        runs.get(s)!.p50.push(quantile(lat, 0.5));
        runs.get(s)!.p99.push(quantile(lat, 0.99));
      }
    }
  }
  const base = runs.get(setups[0]!)!;
  const lines = [
    "| configuration | frames/s delivered | ratio | CPU µs per delivered frame: all (A / B / C / redis) | Redis calls per frame: XADD / XREAD | p50 ms | p99 ms | p99 ratio |",
    "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: |",
  ];
  for (const s of setups) {
    const m = runs.get(s)!;
    const cpu = m.cpu[0]!.map((_, i) => median(m.cpu.map((c) => c[i]!)));
    const parts = cpu.slice(0, -1).map((c) => c.toFixed(1));
    if (s.redis) parts.push(cpu.at(-1)!.toFixed(1));
    const total = cpu.reduce((a, b) => a + b, 0);
    const lat = m.p99.length ? `${fmt(median(m.p50))} | ${fmt(median(m.p99))} | ${(median(m.p99) / median(base.p99)).toFixed(2)}x` : "– | – | –";
    const calls = s.redis ? `${median(m.calls.map((c) => c[0])).toFixed(2)} / ${median(m.calls.map((c) => c[1])).toFixed(2)}` : "–";
    lines.push(
      `| ${s.name} | ${fmt(median(m.rate))} | ${(median(m.rate) / median(base.rate)).toFixed(2)}x | ${total.toFixed(1)} (${parts.join(" / ")}) | ${calls} | ${lat} |`,
    );
  }
  const ranges = setups.map((s) => {
    const rates = runs.get(s)!.rate;
    return `${s.name} ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`;
  });
  for (const s of setups) await teardown(s);
  return [...lines, "", `Throughput ranges over the rounds: ${ranges.join("; ")}.`].join("\n");
}

// ---- idle memory ----

/**
 * Apps first, then runtimes. The other way round, each runtime going offline is announced to every app still
 * connected (byor.runtime_status): with 1,000 of each that kept a node's event loop busy for seconds.
 */
async function disconnect(apps: WebSocket[], runtimes: WebSocket[]): Promise<void> {
  for (const ws of apps) terminate(ws);
  await sleep(200);
  for (const ws of runtimes) terminate(ws);
  await sleep(200);
}

interface Idle {
  name: string;
  memory?: number;
  redis: number;
}

/** KiB of heap per idle connection (after gc) on one node in memory and one on Redis; then across two Redis nodes. */
async function idleMemory(count: number): Promise<Idle[]> {
  const perNode: Record<"memory" | "redis", { runtime: number; app: number; redisBytes?: number }> = {} as never;
  for (const kind of ["memory", "redis"] as const) {
    const redis = kind === "redis" ? await startRedisServer() : undefined;
    const node = await Node.start(redis?.url ?? "memory", `m-${kind}`);
    const warm = await connectRuntime(node); // code paths compiled before the first heap reading
    const warmApp = await connectApp(node, warm.id);
    const rm0 = redis ? await redisMemory(redis) : 0;
    const h0 = await node.heap();
    const runtimes = [];
    for (let i = 0; i < count; i++) runtimes.push(await connectRuntime(node));
    await node.untilOnline(count + 1);
    await sleep(300); // the directory writes answered
    const h1 = await node.heap();
    const rm1 = redis ? await redisMemory(redis) : 0;
    const apps = [];
    for (const r of runtimes) apps.push(await connectApp(node, r.id));
    await sleep(300);
    const h2 = await node.heap();
    perNode[kind] = { runtime: (h1 - h0) / count, app: (h2 - h1) / count, ...(redis ? { redisBytes: (rm1 - rm0) / count } : {}) };
    await disconnect([warmApp, ...apps], [warm.ws, ...runtimes.map((r) => r.ws)]);
    stopping = true;
    await node.stop();
    await redis?.stop();
    stopping = false;
  }

  // Runtimes on A, their apps on B: what B holds per runtime of another node, and per app of a runtime elsewhere.
  const redis = await startRedisServer();
  const [a, b] = await Promise.all([Node.start(redis.url, "m-a"), Node.start(redis.url, "m-b")]);
  const warm = await connectRuntime(a);
  await b.untilOnline(1);
  const warmApp = await connectApp(b, warm.id);
  const [a0, b0] = [await a.heap(), await b.heap()];
  const runtimes = [];
  for (let i = 0; i < count; i++) runtimes.push(await connectRuntime(a));
  await b.untilOnline(count + 1);
  await sleep(300);
  const [a1, b1] = [await a.heap(), await b.heap()];
  const apps = [];
  for (const r of runtimes) apps.push(await connectApp(b, r.id));
  await sleep(300);
  const [a2, b2] = [await a.heap(), await b.heap()];
  await disconnect([warmApp, ...apps], [warm.ws, ...runtimes.map((r) => r.ws)]);
  stopping = true;
  await Promise.all([a.stop(), b.stop()]);
  await redis.stop();
  stopping = false;

  const kib = (bytes: number) => bytes / 1024 / count;
  return [
    { name: "idle runtime, on its node", memory: perNode.memory.runtime / 1024, redis: perNode.redis.runtime / 1024 },
    { name: "idle app, on its runtime's node", memory: perNode.memory.app / 1024, redis: perNode.redis.app / 1024 },
    { name: "2 nodes: an idle runtime, on its node (A)", memory: perNode.memory.runtime / 1024, redis: kib(a1 - a0) },
    { name: "2 nodes: the same runtime, on a node without its socket (B)", redis: kib(b1 - b0) },
    { name: "2 nodes: an idle app on B, its runtime on A: on B", memory: perNode.memory.app / 1024, redis: kib(b2 - b1) },
    { name: "2 nodes: the same app, on A (the watch)", redis: kib(a2 - a1) },
    { name: "Redis `used_memory` per runtime", redis: perNode.redis.redisBytes! / 1024 },
  ];
}

function idleTable(rows: Idle[]): string {
  const lines = ["| per idle connection (heap KiB after gc) | one node in memory | with Redis | ratio |", "| --- | ---: | ---: | ---: |"];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${r.memory === undefined ? "–" : r.memory.toFixed(2)} | ${r.redis.toFixed(2)} | ${r.memory === undefined ? "–" : `${(r.redis / r.memory).toFixed(2)}x`} |`,
    );
  return lines.join("\n");
}

console.log(`## Relay through several nodes on Redis (node ${process.version}, ${new Date().toISOString().slice(0, 10)}${QUICK ? ", quick" : ""})\n`);
console.log(
  `Runtime-like client → node(s) → 2 apps${SEQ_ACK ? " with seq/ack" : ""}, on loopback, deflate off; ${ROUNDS} rounds of ${FRAMES.toLocaleString("en-US")} frames, interleaved with the in-memory baseline; latency at ${RATE.toLocaleString("en-US")} frames/s, every app's receipts.\n`,
);
if (want("throughput") || want("latency")) console.log(await relay());
if (want("memory")) {
  console.log(`\n### Idle connections with Redis (${IDLE.toLocaleString("en-US")} of each)\n`);
  console.log(idleTable(await idleMemory(IDLE)));
}
