import { ByorError } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { StateMachine, TRANSITIONS, type SessionState, type SessionStatus, type StateChange } from "../src/states.js";

const lastClose = { code: 1006, reason: "" };
const SAMPLE: { [S in SessionStatus]: Extract<SessionState, { status: S }> } = {
  idle: { status: "idle" },
  connecting: { status: "connecting", attempt: 1 },
  open: { status: "open", since: 1_000, resumed: false },
  backing_off: { status: "backing_off", attempt: 2, delayMs: 1_500, lastClose },
  offline: { status: "offline", since: 2_000, lastClose },
  closed: { status: "closed", close: { code: 1000, reason: "bye" }, reason: "closed by the app" },
};
const STATUSES = Object.keys(SAMPLE) as SessionStatus[];

/** The shortest legal path from idle to `status` (breadth-first over the table). */
function pathTo(status: SessionStatus): SessionStatus[] {
  const previous = new Map<SessionStatus, SessionStatus | null>([["idle", null]]);
  const queue: SessionStatus[] = ["idle"];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of TRANSITIONS[at]) {
      if (previous.has(next)) continue;
      previous.set(next, at);
      queue.push(next);
    }
  }
  if (!previous.has(status)) throw new Error(`${status} is unreachable from idle`);
  const path: SessionStatus[] = [];
  for (let s: SessionStatus | null = status; s !== null && s !== "idle"; s = previous.get(s) ?? null) path.unshift(s);
  return path;
}

function machineAt(status: SessionStatus) {
  const changes: StateChange[] = [];
  const machine = new StateMachine((change) => changes.push(change));
  for (const step of pathTo(status)) machine.to(SAMPLE[step]);
  expect(machine.state.status).toBe(status);
  changes.length = 0;
  return { machine, changes };
}

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => ({ from, to, legal: TRANSITIONS[from].includes(to) })));

describe("session states", () => {
  it("has exactly the documented transition table", () => {
    expect(TRANSITIONS).toEqual({
      idle: ["connecting", "open", "closed"],
      connecting: ["open", "backing_off", "closed"],
      open: ["backing_off", "offline", "closed"],
      backing_off: ["connecting", "closed"],
      offline: ["open", "closed"],
      closed: [],
    });
  });

  it("starts idle", () => {
    expect(new StateMachine(() => {}).state).toEqual({ status: "idle" });
  });

  it("reaches every state from idle", () => {
    expect(pathTo("idle")).toEqual([]);
    for (const status of STATUSES.filter((s) => s !== "idle")) expect(pathTo(status).at(-1), status).toBe(status);
  });

  it("drives 36 from/to pairs (every legal and illegal transition)", () => {
    expect(pairs).toHaveLength(36);
    expect(pairs.filter((p) => p.legal)).toHaveLength(13);
  });

  it.each(pairs.filter((p) => p.legal))("allows $from → $to and reports it", ({ from, to }) => {
    const { machine, changes } = machineAt(from);
    const before = machine.state;
    expect(machine.can(to)).toBe(true);
    machine.to(SAMPLE[to]);
    expect(machine.state).toBe(SAMPLE[to]);
    expect(changes).toEqual([{ from: before, to: SAMPLE[to] }]);
    expect(changes[0]!.from).toBe(before);
  });

  it.each(pairs.filter((p) => !p.legal))("refuses $from → $to with invalid_state", ({ from, to }) => {
    const { machine, changes } = machineAt(from);
    const before = machine.state;
    expect(machine.can(to)).toBe(false);
    let thrown: unknown;
    try {
      machine.to(SAMPLE[to]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ByorError);
    expect((thrown as ByorError).code).toBe("invalid_state");
    expect((thrown as ByorError).message).toBe(`session cannot go from ${from} to ${to}`);
    expect(machine.state).toBe(before);
    expect(changes).toEqual([]);
  });

  it("walks an app client's life: connect, drop, back off, resume, close", () => {
    const seen: string[] = [];
    const machine = new StateMachine(({ from, to }) => seen.push(`${from.status}→${to.status}`));
    machine.to({ status: "connecting", attempt: 0 });
    machine.to({ status: "open", since: 0, resumed: false });
    machine.to({ status: "backing_off", attempt: 1, delayMs: 400, lastClose });
    machine.to({ status: "connecting", attempt: 1 });
    machine.to({ status: "backing_off", attempt: 2, delayMs: 900, lastClose });
    machine.to({ status: "connecting", attempt: 2 });
    machine.to({ status: "open", since: 5_000, resumed: true });
    machine.to({ status: "closed", close: undefined, reason: "app closed" });
    expect(seen).toEqual([
      "idle→connecting",
      "connecting→open",
      "open→backing_off",
      "backing_off→connecting",
      "connecting→backing_off",
      "backing_off→connecting",
      "connecting→open",
      "open→closed",
    ]);
    expect(machine.state).toMatchObject({ status: "closed", reason: "app closed" });
  });

  it("walks a runtime-facing session's life: open, offline, open, closed", () => {
    const seen: string[] = [];
    const machine = new StateMachine(({ to }) => seen.push(to.status));
    machine.to({ status: "open", since: 0, resumed: false });
    machine.to({ status: "offline", since: 10, lastClose });
    machine.to({ status: "open", since: 20, resumed: false });
    machine.to({ status: "closed", close: undefined, reason: "server stopped" });
    expect(seen).toEqual(["open", "offline", "open", "closed"]);
  });

  it("is terminal once closed", () => {
    const { machine } = machineAt("closed");
    for (const to of STATUSES) expect(() => machine.to(SAMPLE[to])).toThrow(ByorError);
    expect(machine.state.status).toBe("closed");
  });
});
