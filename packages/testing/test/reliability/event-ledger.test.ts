// The fault-proxy suite's judge: what counts as lost, duplicated, reordered, or a gap the protocol excused.
import { describe, expect, it } from "vitest";
import { EventLedger } from "../helpers/event-ledger.js";

const ledger = (...entries: (number | string)[]) => {
  const l = new EventLedger();
  for (const e of entries) {
    if (typeof e === "number") l.record(e);
    else l.reset(e);
  }
  return l;
};

describe("EventLedger", () => {
  it("a complete, ordered stream is clean", () => {
    expect(ledger(1, 2, 3, 4).verdict(4)).toMatchObject({
      received: 4,
      last: 4,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      resets: 0,
      gapsAfterReset: 0,
      uncovered: [],
    });
  });

  it("a jump without a reset is lost; the same jump right after a reset is excused and counted apart", () => {
    expect(ledger(1, 2, 5, 6).verdict(6)).toMatchObject({ lost: 2, gapsAfterReset: 0, uncovered: ["2 → 5"] });
    expect(ledger(1, 2, "buffer_overrun", 5, 6).verdict(6)).toMatchObject({ lost: 0, resets: 1, gapsAfterReset: 1, skippedAfterReset: 2 });
  });

  it("a reset excuses only the next jump, not a later one", () => {
    expect(ledger(1, "expired", 3, 4, 7).verdict(7)).toMatchObject({ lost: 2, gapsAfterReset: 1, skippedAfterReset: 1, uncovered: ["4 → 7"] });
  });

  it("a repeated number is a duplicate; a late one is reordered and fills its gap", () => {
    expect(ledger(1, 2, 2, 3).verdict(3)).toMatchObject({ duplicated: 1, lost: 0, reordered: 0 });
    expect(ledger(1, 3, 2, 4).verdict(4)).toMatchObject({ reordered: 1, lost: 0, duplicated: 0 });
  });

  it("a tail that never came is lost, unless a reset was the last thing heard", () => {
    expect(ledger(1, 2).verdict(5)).toMatchObject({ lost: 3, uncovered: ["2 → 6 (never came)"] });
    expect(ledger(1, 2, "unknown_session").verdict(5)).toMatchObject({ lost: 0, gapsAfterReset: 1, skippedAfterReset: 3 });
  });

  it("a stream that never started is all lost", () => {
    expect(ledger().verdict(3)).toMatchObject({ received: 0, lost: 3 });
  });
});
