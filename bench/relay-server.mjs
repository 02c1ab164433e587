// The server side of the relay benchmark, in its own process so its CPU and heap are measured apart from the
// clients: `byor` (the built @byor/node-server) or `raw` (the smallest `ws` relay doing the same hops: every runtime
// frame goes as it is to every app of that runtime). Plain .mjs against the built packages: no loader in the way.
// Talks to the bench over IPC: {cmd:"cpu"} → µs of CPU since start; {cmd:"heap"} → heapUsed after a full gc.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { DEFAULT_DEFLATE, createByorServer } from "../packages/node-server/dist/index.js";

const [kind, deflateArg] = process.argv.slice(2);
const deflate = deflateArg === "on";
const TOKEN = "bench-token";

async function startByor() {
  const server = await createByorServer({
    port: 0,
    token: TOKEN,
    console: false,
    maxConnections: 10_000,
    maxRuntimes: 5_000,
    // The bench pushes far past a runtime's default budget (5,000 frames/s) on purpose: it measures the relay.
    runtimeBudget: { framesPerSecond: Infinity, bytesPerSecond: Infinity },
    ...(deflate ? {} : { perMessageDeflate: false }),
  });
  return server.port;
}

/** One room per runtime id (`?id=`): what the runtime sends, every app of the room gets. */
function startRaw() {
  const rooms = new Map();
  const room = (id) => rooms.get(id) ?? rooms.set(id, new Set()).get(id);
  // With deflate, the terms byor serve negotiates by default (DEFAULT_DEFLATE), so both relays compress alike.
  const terms = {
    threshold: DEFAULT_DEFLATE.threshold,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: DEFAULT_DEFLATE.windowBits,
    clientMaxWindowBits: DEFAULT_DEFLATE.windowBits,
    zlibDeflateOptions: { level: DEFAULT_DEFLATE.level, memLevel: DEFAULT_DEFLATE.memLevel },
  };
  const options = { noServer: true, clientTracking: false, perMessageDeflate: deflate ? terms : false };
  const runtimes = new WebSocketServer(options);
  const apps = new WebSocketServer(options);
  const http = createServer((_req, res) => res.end());
  http.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url, "http://x");
    const id = url.searchParams.get("id") ?? "";
    if (url.pathname === "/runtime") {
      runtimes.handleUpgrade(req, socket, head, (ws) => {
        ws.on("message", (data, isBinary) => {
          for (const app of room(id)) app.send(data, { binary: isBinary });
        });
      });
    } else {
      apps.handleUpgrade(req, socket, head, (ws) => {
        room(id).add(ws);
        ws.on("close", () => room(id).delete(ws));
      });
    }
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(http.address().port)));
}

const port = kind === "byor" ? await startByor() : await startRaw();
const started = process.cpuUsage();
process.on("message", (msg) => {
  if (msg.cmd === "cpu") {
    const used = process.cpuUsage(started);
    process.send({ cpuMicros: used.user + used.system });
  } else if (msg.cmd === "heap") {
    for (let i = 0; i < 4; i++) globalThis.gc?.();
    process.send({ heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  }
});
process.send({ port, token: TOKEN });
// A clean exit on the bench's kill, so `--cpu-prof` (when profiling by hand) gets written.
process.on("SIGTERM", () => process.exit(0));
