// `pnpm bench` (relay part): what users run is the relay, runtime → server → apps, on real sockets. Each figure
// compares @byor/node-server with the smallest `ws` relay doing the same hops, measured in the same run, rounds
// interleaved, medians. The server runs in a child process (bench/relay-server.mjs), the runtime-like client and
// the apps in this one, so server CPU and heap are the server's own.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { WebSocket } from "ws";

type WsSocket = WebSocket;

type Kind = "byor" | "raw";
const QUICK = process.env.BYOR_BENCH_QUICK === "1";
const ROUNDS = QUICK ? 3 : 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One real stream_delta, renumbered per frame (the server dedupes on idempotency_key).
const fixture = readFileSync(resolve(import.meta.dirname, "../fixtures/real-runtime-0.32.18/03c-turn-deterministic-executor.runtime-to-server.jsonl"), "utf8")
  .split("\n")
  .find((l) => l.includes('"type":"stream_delta"') && l.includes("assistant_message"))!;
const SCOPE = { agent_id: "agent-bench", conversation_id: "default" };
function deltas(count: number, from: number): string[] {
  const base = JSON.parse(fixture) as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => JSON.stringify({ ...base, runtime: SCOPE, event_seq: from + i, idempotency_key: `stream_delta:${from + i}` }));
}
/** The event_seq of a received frame, wrapped (byor.event) or not. */
const seqOf = (kind: Kind, text: string) => {
  const frame = JSON.parse(text) as { event_seq?: number; event?: { event_seq?: number } };
  return kind === "byor" ? frame.event?.event_seq : frame.event_seq;
};

let stopping = false;
class Server {
  private constructor(
    readonly kind: Kind,
    readonly child: ChildProcess,
    readonly port: number,
    readonly token: string,
  ) {}

  static async start(kind: Kind, deflate: boolean): Promise<Server> {
    const child = fork(resolve(import.meta.dirname, "relay-server.mjs"), [kind, deflate ? "on" : "off"], {
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const { port, token } = await new Promise<{ port: number; token: string }>((ok) => child.once("message", (m) => ok(m as { port: number; token: string })));
    return new Server(kind, child, port, token);
  }

  ask<T>(cmd: string): Promise<T> {
    return new Promise((ok) => {
      this.child.once("message", (m) => ok(m as T));
      this.child.send({ cmd });
    });
  }

  stop(): Promise<void> {
    stopping = true;
    return new Promise<void>((ok) => {
      this.child.once("exit", () => ok());
      this.child.kill();
    }).then(() => void (stopping = false));
  }
}

function open(url: string, deflate: boolean, headers: Record<string, string> = {}): Promise<WsSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: deflate });
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

/** The first frame matching, as parsed JSON. */
function next(ws: WsSocket, match: (frame: { type?: string }) => boolean): Promise<unknown> {
  return new Promise((ok) => {
    const on = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type?: string };
      if (match(frame)) {
        ws.off("message", on);
        ok(frame);
      }
    };
    ws.on("message", on);
  });
}

interface Pair {
  runtime: WsSocket;
  apps: WsSocket[];
}

// What the real runtime sends at registration (0.32.18): the schema's first example.
const METADATA = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../schema/http/register-request.examples.jsonl"), "utf8").split("\n")[0]!) as { metadata: object }
).metadata;

let devices = 0;
/** A runtime-like client registered and connected, and `appCount` apps following its scope. */
async function connectPair(server: Server, appCount: number, deflate: boolean): Promise<Pair> {
  const id = `bench-${process.pid}-${++devices}`;
  const base = `ws://127.0.0.1:${server.port}`;
  if (server.kind === "raw") {
    const runtime = await open(`${base}/runtime?id=${id}`, deflate);
    const apps = await Promise.all(Array.from({ length: appCount }, () => open(`${base}/app?id=${id}`, deflate)));
    return { runtime, apps };
  }
  const auth = { authorization: `Bearer ${server.token}` };
  const res = await fetch(`http://127.0.0.1:${server.port}/v1/environments/register`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ deviceId: id, connectionName: id, listenerInstanceId: `l-${id}`, metadata: METADATA }),
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
  const { wsUrl } = (await res.json()) as { wsUrl: string };
  const url = new URL(wsUrl);
  url.searchParams.set("deviceId", id);
  url.searchParams.set("connectionName", id);
  const runtime = await open(url.toString(), deflate, auth);
  // Answers the server's syncs as the runtime would (snapshots left out: the scope is all the bench needs).
  runtime.on("message", (data) => {
    const command = JSON.parse(data.toString()) as { type: string; request_id?: string; runtime?: unknown };
    if (command.type === "sync")
      runtime.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
  });
  const apps = await Promise.all(
    Array.from({ length: appCount }, async () => {
      const app = await open(`${base}/byor/v1/client`, deflate, auth);
      const subscribed = next(app, (f) => f.type === "byor.subscribed");
      app.send(JSON.stringify({ type: "byor.hello" }));
      app.send(JSON.stringify({ type: "byor.subscribe", runtime_id: id, scope: SCOPE, request_id: "s" }));
      const answer = (await subscribed) as { success: boolean; error?: string };
      if (!answer.success) throw new Error(`subscribe: ${answer.error}`);
      return app;
    }),
  );
  return { runtime, apps };
}

/** Sends every text, pausing while the socket has more than 1 MiB waiting. */
async function pump(ws: WsSocket, texts: string[]): Promise<void> {
  for (const text of texts) {
    ws.send(text);
    while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
  }
}

/** Resolves when every app received `count` frames (after this call). */
function received(apps: WsSocket[], count: number): Promise<void> {
  return Promise.all(
    apps.map(
      (app) =>
        new Promise<void>((ok) => {
          let n = 0;
          const on = () => {
            if (++n === count) {
              app.off("message", on);
              ok();
            }
          };
          app.on("message", on);
        }),
    ),
  ).then(() => undefined);
}

let nextSeq = 1;
/** Frames delivered per second (each app's copy counts once), and server CPU µs per delivered frame. */
async function throughput(server: Server, pair: Pair, frames: number): Promise<{ rate: number; cpuPerFrame: number }> {
  const texts = deltas(frames, nextSeq);
  nextSeq += frames;
  const cpu0 = (await server.ask<{ cpuMicros: number }>("cpu")).cpuMicros;
  const start = performance.now();
  const done = received(pair.apps, frames);
  await pump(pair.runtime, texts);
  await done;
  const ms = performance.now() - start;
  const cpu = (await server.ask<{ cpuMicros: number }>("cpu")).cpuMicros - cpu0;
  const delivered = frames * pair.apps.length;
  return { rate: (delivered / ms) * 1000, cpuPerFrame: cpu / delivered };
}

/** Latency of each frame at a steady rate (frames sent in 1 ms ticks), from send to the first app's receipt. */
async function latency(server: Server, pair: Pair, perSecond: number, seconds: number): Promise<number[]> {
  const total = perSecond * seconds;
  const texts = deltas(total, nextSeq);
  const first = nextSeq;
  nextSeq += total;
  const sentAt = new Float64Array(total);
  const lat: number[] = [];
  const app = pair.apps[0]!;
  const done = new Promise<void>((ok) => {
    const on = (data: Buffer) => {
      const seq = seqOf(server.kind, data.toString());
      if (seq === undefined) return;
      lat.push(performance.now() - sentAt[seq - first]!);
      if (lat.length === total) {
        app.off("message", on);
        ok();
      }
    };
    app.on("message", on);
  });
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
    for (; sent < due; sent++) {
      sentAt[sent] = performance.now();
      pair.runtime.send(texts[sent]!);
    }
    await sleep(1);
  }
  await done;
  return lat;
}

const closing = new WeakSet<WsSocket>();
async function closePair(pair: Pair): Promise<void> {
  for (const ws of [pair.runtime, ...pair.apps]) {
    closing.add(ws);
    ws.terminate();
  }
  await sleep(50);
}

interface Ratio {
  name: string;
  byor: number;
  raw: number;
  unit: string;
  /** byor/raw (higher is better) or raw/byor (lower is better) is what the target reads. */
  target?: { min?: number; max?: number };
}

const rows: Ratio[] = [];
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

/** Interleaved rounds of one measure on both servers (fresh servers per configuration, one pair each). */
async function measure(name: string, deflate: boolean, apps: number, frames: number, target: number): Promise<void> {
  const servers = { byor: await Server.start("byor", deflate), raw: await Server.start("raw", deflate) };
  const pairs = { byor: await connectPair(servers.byor, apps, deflate), raw: await connectPair(servers.raw, apps, deflate) };
  const rates: Record<Kind, number[]> = { byor: [], raw: [] };
  const cpus: Record<Kind, number[]> = { byor: [], raw: [] };
  for (const kind of ["byor", "raw"] as const) await throughput(servers[kind], pairs[kind], Math.ceil(frames / 4)); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 ? (["raw", "byor"] as const) : (["byor", "raw"] as const)) {
      const m = await throughput(servers[kind], pairs[kind], frames);
      rates[kind].push(m.rate);
      cpus[kind].push(m.cpuPerFrame);
    }
  }
  rows.push({ name: `${name}: frames/s`, byor: median(rates.byor), raw: median(rates.raw), unit: "frames/s", target: { min: target } });
  rows.push({ name: `${name}: server CPU µs/frame`, byor: median(cpus.byor), raw: median(cpus.raw), unit: "µs" });
  for (const kind of ["byor", "raw"] as const) await closePair(pairs[kind]);
  await Promise.all([servers.byor.stop(), servers.raw.stop()]);
}

async function measureLatency(deflate: boolean): Promise<void> {
  const servers = { byor: await Server.start("byor", deflate), raw: await Server.start("raw", deflate) };
  const pairs = { byor: await connectPair(servers.byor, 1, deflate), raw: await connectPair(servers.raw, 1, deflate) };
  const p50: Record<Kind, number[]> = { byor: [], raw: [] };
  const p99: Record<Kind, number[]> = { byor: [], raw: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 ? (["raw", "byor"] as const) : (["byor", "raw"] as const)) {
      const lat = await latency(servers[kind], pairs[kind], 5_000, QUICK ? 1 : 2);
      p50[kind].push(quantile(lat, 0.5));
      p99[kind].push(quantile(lat, 0.99));
    }
  }
  const tag = deflate ? "deflate on" : "deflate off";
  rows.push({ name: `latency at 5k frames/s, ${tag}: p50 ms`, byor: median(p50.byor), raw: median(p50.raw), unit: "ms" });
  rows.push({ name: `latency at 5k frames/s, ${tag}: p99 ms`, byor: median(p99.byor), raw: median(p99.raw), unit: "ms", target: { max: 1.5 } });
  for (const kind of ["byor", "raw"] as const) await closePair(pairs[kind]);
  await Promise.all([servers.byor.stop(), servers.raw.stop()]);
}

/** Heap per idle connection in the server process, after gc: `count` runtimes, then `count` apps. */
async function measureMemory(count: number, deflate: boolean): Promise<void> {
  const perConnection: Record<Kind, { runtime: number; app: number }> = { byor: { runtime: 0, app: 0 }, raw: { runtime: 0, app: 0 } };
  for (const kind of ["byor", "raw"] as const) {
    const server = await Server.start(kind, deflate);
    const heap = async () => (await server.ask<{ heapUsed: number }>("heap")).heapUsed;
    const pairs: Pair[] = [];
    // Warm up code paths so their compilation is not counted as per-connection memory.
    pairs.push(await connectPair(server, 1, deflate));
    const h0 = await heap();
    for (let i = 0; i < count; i++) pairs.push(await connectPair(server, 0, deflate));
    const h1 = await heap();
    const apps = await connectAppsTo(server, pairs.slice(1), deflate);
    const h2 = await heap();
    perConnection[kind] = { runtime: (h1 - h0) / count, app: (h2 - h1) / count };
    for (const p of pairs) await closePair(p);
    for (const a of apps) {
      closing.add(a);
      a.terminate();
    }
    await server.stop();
  }
  const tag = deflate ? "deflate on" : "deflate off";
  const kib = (n: number) => n / 1024;
  rows.push({ name: `idle runtime, heap KiB (${count}, ${tag})`, byor: kib(perConnection.byor.runtime), raw: kib(perConnection.raw.runtime), unit: "KiB" });
  rows.push({ name: `idle app, heap KiB (${count}, ${tag})`, byor: kib(perConnection.byor.app), raw: kib(perConnection.raw.app), unit: "KiB" });
}

/** One app per runtime, subscribed (byor) or in its room (raw). */
async function connectAppsTo(server: Server, pairs: Pair[], deflate: boolean): Promise<WsSocket[]> {
  const apps: WsSocket[] = [];
  for (const pair of pairs) {
    const id = new URL(pair.runtime.url).searchParams.get(server.kind === "raw" ? "id" : "deviceId")!;
    if (server.kind === "raw") {
      apps.push(await open(`ws://127.0.0.1:${server.port}/app?id=${id}`, deflate));
      continue;
    }
    const app = await open(`ws://127.0.0.1:${server.port}/byor/v1/client`, deflate, { authorization: `Bearer ${server.token}` });
    const subscribed = next(app, (f) => f.type === "byor.subscribed");
    app.send(JSON.stringify({ type: "byor.hello" }));
    app.send(JSON.stringify({ type: "byor.subscribe", runtime_id: id, scope: SCOPE, request_id: "s" }));
    await subscribed;
    apps.push(app);
  }
  return apps;
}

/** N runtimes, one app each, every runtime sending `perRuntime` frames/s: server CPU per frame and latency. */
async function scaling(counts: number[], perRuntime: number, seconds: number): Promise<string[]> {
  const lines = [
    "| runtimes | frames/s in | byor CPU µs/frame | raw CPU µs/frame | ratio | byor heap KiB/runtime+app | byor p50 / p99 ms | raw p50 / p99 ms |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const n of counts) {
    const result: Record<Kind, { cpu: number; heap: number; p50: number; p99: number }> = {} as never;
    for (const kind of ["byor", "raw"] as const) {
      const server = await Server.start(kind, false);
      const warm = await connectPair(server, 1, false);
      const h0 = (await server.ask<{ heapUsed: number }>("heap")).heapUsed;
      const pairs: Pair[] = [];
      for (let i = 0; i < n; i++) pairs.push(await connectPair(server, 1, false));
      const h1 = (await server.ask<{ heapUsed: number }>("heap")).heapUsed;
      const frames = Math.max(1, Math.round(perRuntime * seconds));
      const lat: number[] = [];
      const cpu0 = (await server.ask<{ cpuMicros: number }>("cpu")).cpuMicros;
      await Promise.all(
        pairs.map(async (pair, i) => {
          const texts = deltas(frames, 1);
          const sentAt: number[] = [];
          const got = new Promise<void>((ok) => {
            let k = 0;
            pair.apps[0]!.on("message", (data: Buffer) => {
              const seq = seqOf(kind, data.toString());
              if (seq === undefined) return;
              lat.push(performance.now() - sentAt[seq - 1]!);
              if (++k === frames) ok();
            });
          });
          await sleep(((i % 100) / 100) * (1000 / perRuntime)); // spread the runtimes over the interval
          for (let f = 0; f < frames; f++) {
            sentAt[f] = performance.now();
            pair.runtime.send(texts[f]!);
            await sleep(1000 / perRuntime);
          }
          await got;
        }),
      );
      const cpu = (await server.ask<{ cpuMicros: number }>("cpu")).cpuMicros - cpu0;
      result[kind] = { cpu: cpu / (n * frames), heap: (h1 - h0) / n / 1024, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
      for (const p of [warm, ...pairs]) await closePair(p);
      await server.stop();
    }
    const b = result.byor;
    const r = result.raw;
    lines.push(
      `| ${n} | ${n * perRuntime} | ${b.cpu.toFixed(1)} | ${r.cpu.toFixed(1)} | ${(b.cpu / r.cpu).toFixed(2)}x | ${b.heap.toFixed(1)} | ${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} | ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} |`,
    );
  }
  return lines;
}

function ratioTable(): string {
  const lines = ["| measure | byor serve | raw ws relay | ratio | target |", "| --- | ---: | ---: | ---: | --- |"];
  for (const row of rows) {
    const ratio = row.byor / row.raw;
    let verdict = "";
    if (row.target?.min !== undefined) verdict = `≥ ${row.target.min.toFixed(2)}x: ${ratio >= row.target.min ? "met" : "NOT met"}`;
    if (row.target?.max !== undefined) verdict = `≤ ${row.target.max.toFixed(2)}x: ${ratio <= row.target.max ? "met" : "NOT met"}`;
    lines.push(`| ${row.name} | ${fmt(row.byor)} | ${fmt(row.raw)} | ${ratio.toFixed(2)}x | ${verdict} |`);
  }
  return lines.join("\n");
}

const only = process.env.BYOR_BENCH_RELAY; // e.g. "throughput,latency,memory,scaling"
const want = (part: string) => !only || only.split(",").includes(part);

console.log(`## Relay (node ${process.version}, ${new Date().toISOString().slice(0, 10)}${QUICK ? ", quick" : ""})\n`);
console.log("Runtime-like client → server (child process) → apps, on loopback; byor serve against a minimal `ws` relay, same run.\n");
if (want("throughput")) {
  await measure("two hops, 1 app, deflate off", false, 1, QUICK ? 5_000 : 20_000, 0.8);
  await measure("two hops, 1 app, deflate on", true, 1, QUICK ? 5_000 : 20_000, 0.9);
  await measure("fan-out to 10 apps, deflate off", false, 10, QUICK ? 1_000 : 4_000, 0.8);
  await measure("fan-out to 100 apps, deflate off", false, 100, QUICK ? 200 : 500, 0.8);
}
if (want("latency")) await measureLatency(false);
if (want("memory")) {
  await measureMemory(QUICK ? 200 : 1_000, false);
  await measureMemory(QUICK ? 200 : 1_000, true);
}
console.log(ratioTable());
if (want("scaling")) {
  console.log("\n### Scaling: N runtimes, one app each, 2 frames/s per runtime, deflate off\n");
  console.log((await scaling(QUICK ? [1, 10, 100] : [1, 10, 100, 1_000], 2, QUICK ? 2 : 4)).join("\n"));
}
