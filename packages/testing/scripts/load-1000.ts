// Load check: N simulated runtimes (1,000 by default) connected at once to one server on this machine.
//   node --expose-gc --import tsx packages/testing/scripts/load-1000.ts [--count 1000] [--hold 30] [--ping-ms 5000]
//     [--server byor|logging] [--batch 1000] [--no-deflate]
// Against `createByorServer` from @byor/node-server (build it first) or, with --server logging, against the test
// helpers' minimal server. Prints one JSON report. Each connection costs two file descriptors in this process
// (client and server side), so the script checks the limit first: raise it with `ulimit -n 4096` if needed.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createSimulatedRuntime, type SimulatedRuntime } from "../src/simulated/runtime.js";
import { createLoggingServer } from "../test/helpers/logging-server.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    hold: { type: "string", default: "30" },
    "ping-ms": { type: "string", default: "5000" },
    server: { type: "string", default: "byor" },
    batch: { type: "string", default: "1000" },
    "no-deflate": { type: "boolean", default: false },
  },
});
const count = Number(values.count);
const holdMs = Number(values.hold) * 1000;
const pingMs = Number(values["ping-ms"]);
const batch = Number(values.batch);
const token = "load-test-token";
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fdLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    return line ? Number(line.split(/\s+/)[3]) : undefined;
  } catch {
    return undefined;
  }
}

const limit = fdLimit();
if (limit !== undefined && limit < count * 2 + 200) {
  console.error(`open-file limit is ${limit}; ${count} connections need about ${count * 2 + 200}. Run \`ulimit -n ${count * 2 + 500}\` first.`);
  process.exit(2);
}

interface ByorServerLike {
  url: string;
  connections: { runtimes: number; apps: number };
  close(): Promise<void>;
}

interface Target {
  kind: string;
  url: string;
  serverCount(): number;
  close(): Promise<void>;
}

async function startServer(): Promise<Target> {
  if (values.server === "byor") {
    try {
      // By path, not by name: @byor/testing does not depend on the server package (whose tests may use this one).
      const entry = new URL("../../node-server/dist/index.js", import.meta.url).href;
      const { createByorServer } = (await import(entry)) as { createByorServer: (o: object) => Promise<ByorServerLike> };
      const server = await createByorServer({ port: 0, token, maxConnections: count + 100, maxRuntimes: count + 100 });
      return { kind: "createByorServer (@byor/node-server)", url: server.url, serverCount: () => server.connections.runtimes, close: () => server.close() };
    } catch (err) {
      console.error(`@byor/node-server unavailable (${(err as Error).message}); using the test helpers' server`);
    }
  }
  const server = await createLoggingServer({ token, record: false });
  return { kind: "test helpers' logging server", url: server.url, serverCount: () => server.openCount, close: () => server.close() };
}

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
const target = await startServer();
const runtimes: SimulatedRuntime[] = [];
const opens = new Map<SimulatedRuntime, number>();
const t0 = performance.now();
let failed = 0;
for (let i = 0; i < count; i += batch) {
  const started = await Promise.allSettled(
    Array.from({ length: Math.min(batch, count - i) }, (_, j) =>
      createSimulatedRuntime({
        baseUrl: target.url,
        token,
        connectionName: `load-${i + j}`,
        pingIntervalMs: pingMs,
        record: false,
        perMessageDeflate: !values["no-deflate"],
      }),
    ),
  );
  for (const result of started) {
    if (result.status === "fulfilled") {
      runtimes.push(result.value);
      opens.set(result.value, 1);
      result.value.on("open", () => opens.set(result.value, (opens.get(result.value) ?? 0) + 1));
    } else failed++;
  }
}
const connectMs = performance.now() - t0;
const serverSeenAtConnect = target.serverCount();
gc?.();
const connected = process.memoryUsage();

// Hold: pings flow both ways; a server that stopped answering would see the runtimes drop after three pings.
await sleep(holdMs);
gc?.();
const held = process.memoryUsage();
const stillOpen = runtimes.filter((r) => r.state === "open").length;
const reconnects = [...opens.values()].reduce((sum, n) => sum + (n - 1), 0);
const serverSeenAfterHold = target.serverCount();

const t1 = performance.now();
await Promise.all(runtimes.map((r) => r.stop()));
const stopMs = performance.now() - t1;
await target.close();

console.log(
  JSON.stringify(
    {
      server: target.kind,
      node: process.version,
      fdLimit: limit,
      requested: count,
      connected: runtimes.length,
      failedToConnect: failed,
      connectAllMs: Math.round(connectMs),
      serverSawAtConnect: serverSeenAtConnect,
      holdSeconds: holdMs / 1000,
      pingIntervalMs: pingMs,
      permessageDeflateOffered: !values["no-deflate"],
      stillOpenAfterHold: stillOpen,
      serverSawAfterHold: serverSeenAfterHold,
      reconnectsDuringHold: reconnects,
      memoryMB: {
        rssBefore: mb(before.rss),
        rssConnected: mb(connected.rss),
        rssAfterHold: mb(held.rss),
        heapUsedConnected: mb(connected.heapUsed),
        heapUsedAfterHold: mb(held.heapUsed),
        perConnectionKB: Math.round((held.rss - before.rss) / Math.max(1, runtimes.length) / 1024),
      },
      stopAllMs: Math.round(stopMs),
      note: "one process holds both ends (server and runtimes), so memory and descriptors count both sides",
    },
    null,
    2,
  ),
);
process.exit(stillOpen === count ? 0 : 1);
