// One server node of bench/multi-node.ts, in its own process so its CPU and heap are its own: the built ByorServer
// with a Redis backplane, as `byor serve --redis URL --node-id ID` makes it, or alone in memory (`memory`), with the
// limits of bench/relay-server.mjs (the bench pushes past a runtime's default budget on purpose). Deflate is off in
// both: the relay's deltas are under its 1 KiB threshold anyway.
// Usage: node cluster-node.mjs <memory | redis://127.0.0.1:PORT> <node id> [ioredis options as JSON, to try connection
// settings]. IPC as relay-server.mjs: {cmd:"cpu"} → µs of CPU since start; {cmd:"heap"} → heapUsed after a full gc.
import { createByorServer } from "../packages/node-server/dist/index.js";
import { redisBackplane } from "../packages/redis/dist/index.js";

const [backend, nodeId, ioredisJson] = process.argv.slice(2);
const TOKEN = "bench-token";
const RUNTIME_TOKEN = "bench-runtime-token";
const log = { info() {}, warn: (m) => console.error(`[${nodeId}] ${m}`), error: (m) => console.error(`[${nodeId}] ${m}`) };
const ioredis = ioredisJson ? JSON.parse(ioredisJson) : undefined;
const backplane = backend === "memory" ? undefined : redisBackplane({ url: backend, nodeId, logger: log, ...(ioredis ? { redis: ioredis } : {}) });

const server = await createByorServer({
  port: 0,
  token: TOKEN,
  runtimeToken: RUNTIME_TOKEN, // a server without separate runtime tokens ignores it (and serves runtimes with TOKEN)
  console: false,
  logger: log,
  maxConnections: 10_000,
  maxRuntimes: 5_000,
  runtimeBudget: { framesPerSecond: Infinity, bytesPerSecond: Infinity },
  perMessageDeflate: false,
  ...(backplane ? { backplane } : {}),
});

const started = process.cpuUsage();
process.on("message", (msg) => {
  if (msg.cmd === "cpu") {
    const used = process.cpuUsage(started);
    process.send({ cpuMicros: used.user + used.system });
  } else if (msg.cmd === "heap") {
    for (let i = 0; i < 4; i++) globalThis.gc?.();
    process.send({ heapUsed: process.memoryUsage().heapUsed });
  }
});
process.send({ port: server.port, token: TOKEN, runtimeToken: server.runtimeToken ?? TOKEN });
// A clean close on the bench's SIGTERM (this node's directory records removed), and `--cpu-prof` gets written.
process.on("SIGTERM", () => {
  void server.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
