/**
 * What one app received of a numbered stream (1, 2, 3 …), with the session's resets in between, and the verdict:
 * every number exactly once and in order, except that a jump is allowed right after an explicit reset (the server
 * said it could not resume; the app re-synced from snapshots). Anything else is a defect: lost, duplicated or
 * reordered.
 */
export interface LedgerVerdict {
  /** Numbered events delivered. */
  received: number;
  /** The highest number delivered (0 before any). */
  last: number;
  /** Numbers skipped with no reset before them. */
  lost: number;
  /** Numbers delivered more than once (each extra delivery counts). */
  duplicated: number;
  /** Numbers delivered after a higher one, first time seen. */
  reordered: number;
  /** Resets the session reported. */
  resets: number;
  /** Jumps that followed a reset, and how many numbers they skipped. */
  gapsAfterReset: number;
  skippedAfterReset: number;
  /** The first few jumps with no reset before them: `after → next`. */
  uncovered: string[];
}

type Entry = { seq: number } | { reset: string };

export class EventLedger {
  readonly #entries: Entry[] = [];
  #last = 0;

  /** The highest number delivered so far. */
  get last(): number {
    return this.#last;
  }

  /** `start`: the number delivered before this ledger began (0: the stream starts at 1). */
  constructor(readonly start = 0) {
    this.#last = start;
  }

  record(seq: number): void {
    this.#entries.push({ seq });
    if (seq > this.#last) this.#last = seq;
  }

  reset(reason: string): void {
    this.#entries.push({ reset: reason });
  }

  /** The verdict; `expectedLast` counts a missing tail (numbers never delivered at the end) as lost. */
  verdict(expectedLast?: number): LedgerVerdict {
    const seen = new Set<number>();
    const v: LedgerVerdict = {
      received: 0,
      last: this.start,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      resets: 0,
      gapsAfterReset: 0,
      skippedAfterReset: 0,
      uncovered: [],
    };
    // Jumps over (from, to], judged at the end: a number that arrives late fills its gap (and counts as reordered).
    const gaps: { from: number; to: number; covered: boolean; tail?: boolean }[] = [];
    let high = this.start;
    let resetSince = false;
    for (const entry of this.#entries) {
      if ("reset" in entry) {
        v.resets++;
        resetSince = true;
        continue;
      }
      const { seq } = entry;
      v.received++;
      if (seen.has(seq) || seq <= this.start) v.duplicated++;
      else if (seq < high) v.reordered++;
      else if (seq > high + 1) gaps.push({ from: high, to: seq - 1, covered: resetSince });
      seen.add(seq);
      if (seq > high) high = seq;
      resetSince = false;
    }
    v.last = high;
    // A tail that never came is covered only if a reset was the last thing the app heard.
    if (expectedLast !== undefined && expectedLast > high) gaps.push({ from: high, to: expectedLast, covered: resetSince, tail: true });
    for (const gap of gaps) {
      let missing = 0;
      for (let n = gap.from + 1; n <= gap.to; n++) if (!seen.has(n)) missing++;
      if (missing === 0) continue;
      if (gap.covered) {
        v.gapsAfterReset++;
        v.skippedAfterReset += missing;
      } else {
        v.lost += missing;
        if (v.uncovered.length < 5) v.uncovered.push(`${gap.from} → ${gap.to + 1}${gap.tail ? " (never came)" : ""}`);
      }
    }
    return v;
  }
}
