// `pnpm bench`: prints the benchmark tables (markdown). Numbers are ratios against a baseline measured in the
// same run, so they compare across machines. Runs against the built packages.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { decodeEvent } from "../packages/protocol/dist/index.js";
import { compare, table } from "./harness.js";

const fixtures = resolve(import.meta.dirname, "../../shared/fixtures");
const frames = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".runtime-to-server.jsonl"))
  .flatMap((f) => readFileSync(join(fixtures, f), "utf8").split("\n").filter((l) => l.trim()));
const bytes = frames.reduce((n, f) => n + f.length, 0);

const decodeRows = compare(
  {
    name: "JSON.parse alone",
    run: () => {
      let n = 0;
      for (const f of frames) if (JSON.parse(f)) n++;
      return n;
    },
  },
  [
    {
      name: "decodeEvent (parse + validate)",
      run: () => {
        let n = 0;
        for (const f of frames) if (decodeEvent(f).ok) n++;
        if (n !== frames.length) throw new Error("a fixture frame did not decode");
        return n;
      },
    },
  ],
);

console.log(`## Benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log(`Corpus: ${frames.length} real frames from ../shared/fixtures (${(bytes / 1024).toFixed(0)} KiB), runtime → server.\n`);
console.log(table("Decode throughput vs JSON.parse", decodeRows, "frames", { name: "decodeEvent (parse + validate)", min: 0.9 }));
