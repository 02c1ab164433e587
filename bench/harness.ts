// A tiny benchmark harness: candidates run interleaved in rounds, in one process, and are compared as
// ratios against a baseline measured in the same run (never against absolute times).
export interface Candidate {
  name: string;
  /** Runs one batch of work; returns how many items it processed. Async for work delivered by microtasks. */
  run(): number | Promise<number>;
}

export interface Row {
  name: string;
  itemsPerSecond: number;
  ratio: number;
}

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Only awaits what is a promise, so a synchronous candidate is measured without microtask overhead.
async function batch(c: Candidate): Promise<number> {
  const n = c.run();
  return typeof n === "number" ? n : await n;
}

export async function compare(baseline: Candidate, others: Candidate[], { rounds = 12, minMs = 3000 } = {}): Promise<Row[]> {
  const all = [baseline, ...others];
  for (const c of all) for (let i = 0; i < 200; i++) await batch(c); // warm up the JIT
  const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 ? [...all].reverse() : all) {
      let items = 0;
      const start = now();
      let elapsed = 0;
      do {
        items += await batch(c);
        elapsed = now() - start;
      } while (elapsed < minMs / rounds);
      samples.get(c.name)!.push((items / elapsed) * 1000);
    }
  }
  const base = median(samples.get(baseline.name)!);
  return all.map((c) => {
    const ips = median(samples.get(c.name)!);
    return { name: c.name, itemsPerSecond: ips, ratio: ips / base };
  });
}

export function table(title: string, rows: Row[], unit: string, target?: { name: string; min: number }): string {
  const lines = [`### ${title}`, "", `| candidate | ${unit}/s | ratio to baseline |`, "| --- | ---: | ---: |"];
  for (const r of rows) lines.push(`| ${r.name} | ${Math.round(r.itemsPerSecond).toLocaleString("en-US")} | ${r.ratio.toFixed(2)}x |`);
  if (target) {
    const row = rows.find((r) => r.name === target.name)!;
    lines.push("", `Target: ${target.name} >= ${target.min.toFixed(2)}x: ${row.ratio >= target.min ? "met" : "NOT met"} (${row.ratio.toFixed(3)}x).`);
  }
  return lines.join("\n");
}
