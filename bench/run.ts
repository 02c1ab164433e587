// `pnpm bench`: prints the benchmark tables (markdown). Numbers are ratios against a baseline measured in the
// same run, so they compare across machines. Runs against the built packages.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { decodeEvent, validateEvent } from "../packages/protocol/dist/index.js";
import { ClientSession, RuntimeSession, createTransportPair, type MemoryTransport } from "../packages/core/dist/index.js";
import { bundleTable, measureBrowserBundle } from "./bundle-size.js";
import { compare, table, type Candidate } from "./harness.js";

const fixtures = resolve(import.meta.dirname, "../fixtures");
const frames = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".runtime-to-server.jsonl"))
  .flatMap((f) =>
    readFileSync(join(fixtures, f), "utf8")
      .split("\n")
      .filter((l) => l.trim()),
  );
const bytes = frames.reduce((n, f) => n + f.length, 0);

const parsed = frames.map((f) => JSON.parse(f) as { type: string });
const byType = new Map<string, number>();
for (const { type } of parsed) byType.set(type, (byType.get(type) ?? 0) + 1);

/** The baseline of every comparison: parsing the same texts and nothing else. */
const parseAlone = (texts: string[]): Candidate => ({
  name: "JSON.parse alone",
  run: () => {
    let n = 0;
    for (const f of texts) if (JSON.parse(f)) n++;
    return n;
  },
});
const jsonParse = parseAlone(frames);

const decodeRows = await compare(jsonParse, [
  {
    name: "decodeEvent (parse + validate)",
    run: () => {
      let n = 0;
      for (const f of frames) if (decodeEvent(f).ok) n++;
      if (n !== frames.length) throw new Error("a fixture frame did not decode");
      return n;
    },
  },
  {
    // The schema check alone, on objects parsed once up front: what validation costs next to parsing.
    name: "validateEvent on pre-parsed frames",
    run: () => {
      let n = 0;
      for (const frame of parsed) if (validateEvent(frame).ok) n++;
      if (n !== frames.length) throw new Error("a fixture frame did not validate");
      return n;
    },
  },
]);
const validateRow = decodeRows.find((r) => r.name === "validateEvent on pre-parsed frames")!;

console.log(`## Benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
const counts = [...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${n} \`${type}\``);
console.log(`Corpus: ${frames.length} real frames from fixtures/ (${(bytes / 1024).toFixed(0)} KiB), runtime → server: ${counts.join(", ")}.\n`);
console.log(table("Decode throughput vs JSON.parse", decodeRows, "frames", { name: "decodeEvent (parse + validate)", min: 0.9 }));
console.log(`\nValidating an already parsed frame costs ${(100 / validateRow.ratio).toFixed(1)} % of parsing it (summed over the corpus).`);

// Events through a RuntimeSession (decode, heartbeat touch, mirror, request tracker, emitter) over the in-memory
// transport pair, against a bare JSON.parse loop over the same frames.
const session = new RuntimeSession();
const [serverEnd, runtimeEnd] = createTransportPair();
session.attach(serverEnd);
let received = 0;
session.on("event", () => received++);
let invalid = 0;
session.on("invalid", () => invalid++);
const sessionRows = await compare(jsonParse, [
  {
    name: "RuntimeSession over the in-memory pair",
    run: async () => {
      const target = received + frames.length;
      for (const f of frames) runtimeEnd.send(f);
      (runtimeEnd.sent as string[]).length = 0; // the pair keeps a log for tests; not here
      while (received + invalid < target) await Promise.resolve(); // an invalid frame must end the wait too
      if (invalid) throw new Error("a fixture frame was refused");
      return frames.length;
    },
  },
]);
session.close();
console.log("");
console.log(table("Events through a session vs JSON.parse", sessionRows, "events", { name: "RuntimeSession over the in-memory pair", min: 0.8 }));

// The app leg (issue #11): the same events as byor.event frames into a ClientSession (the server's frame check,
// sequencing, request correlation, the event emitter; no views), against JSON.parse of the same frames. The corpus
// is replayed every round, so its idempotency keys are left out: the session would drop replays as duplicates.
const envelopes = parsed.map((event) => {
  const { idempotency_key: _replayed, ...rest } = event as { idempotency_key?: string };
  return JSON.stringify({ type: "byor.event", runtime_id: "bench-runtime", event: rest });
});
let appServer: MemoryTransport | undefined;
const client = new ClientSession({
  connect: async () => {
    const [app, server] = createTransportPair();
    appServer = server;
    server.onMessage((text) => {
      if (text.includes('"byor.hello"')) server.send(JSON.stringify({ type: "byor.welcome", session_id: "s-bench", resumed: false, seq_ack: false }));
    });
    return app;
  },
});
let clientEvents = 0;
client.on("event", () => clientEvents++);
client.start();
while (client.state.status !== "open") await new Promise((r) => setTimeout(r, 1));
const clientRows = await compare(parseAlone(envelopes), [
  {
    name: "ClientSession per byor.event",
    run: async () => {
      const target = clientEvents + envelopes.length;
      for (const f of envelopes) appServer!.send(f);
      (appServer!.sent as string[]).length = 0;
      while (clientEvents < target) await Promise.resolve();
      return envelopes.length;
    },
  },
]);
client.close();
const clientRow = clientRows.find((r) => r.name === "ClientSession per byor.event")!;
console.log("");
console.log(table("byor.event frames through a ClientSession vs JSON.parse", clientRows, "frames"));
console.log(
  `\nA ClientSession spends ${(1 / clientRow.ratio).toFixed(2)}x the time of a JSON.parse per byor.event (target ≤ 1.25x: ${1 / clientRow.ratio <= 1.25 ? "met" : "NOT met"}).`,
);

// What a web page ships with @byor/browser (issue #6): sizes, not ratios; the budget is core + adapter without
// the generated validators.
console.log("");
console.log(bundleTable(await measureBrowserBundle()));
