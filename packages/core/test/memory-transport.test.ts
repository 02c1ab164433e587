import { describe, expect, it } from "vitest";
import { createTransportPair } from "../src/memory-transport.js";
import type { CloseInfo } from "../src/transport.js";

/** Lets every queued microtask (and the ones they queue) run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("createTransportPair", () => {
  it("delivers what one end sends to the other, in order, both ways", async () => {
    const [a, b] = createTransportPair();
    const atA: string[] = [];
    const atB: string[] = [];
    a.onMessage((text) => atA.push(text));
    b.onMessage((text) => atB.push(text));
    a.send("1");
    a.send("2");
    b.send("x");
    a.send("3");
    await flush();
    expect(atB).toEqual(["1", "2", "3"]);
    expect(atA).toEqual(["x"]);
    expect(a.sent).toEqual(["1", "2", "3"]);
    expect(b.sent).toEqual(["x"]);
  });

  it("delivers asynchronously, never inside the sender's call stack", async () => {
    const [a, b] = createTransportPair();
    const got: string[] = [];
    b.onMessage((text) => got.push(text));
    a.send("hello");
    expect(got).toEqual([]);
    await Promise.resolve();
    expect(got).toEqual(["hello"]);
  });

  it("delivers to every listener until it is disposed", async () => {
    const [a, b] = createTransportPair();
    const first: string[] = [];
    const second: string[] = [];
    const sub = b.onMessage((text) => first.push(text));
    b.onMessage((text) => second.push(text));
    a.send("1");
    await flush();
    sub.dispose();
    sub.dispose(); // idempotent
    a.send("2");
    await flush();
    expect(first).toEqual(["1"]);
    expect(second).toEqual(["1", "2"]);
  });

  it("close runs both ends' close listeners once, with the code and reason; the peer's later", async () => {
    const [a, b] = createTransportPair();
    const atA: CloseInfo[] = [];
    const atB: CloseInfo[] = [];
    a.onClose((close) => atA.push(close));
    b.onClose((close) => atB.push(close));
    a.close(4000, "Heartbeat timeout");
    expect(a.closed).toBe(true);
    expect(atA).toEqual([{ code: 4000, reason: "Heartbeat timeout" }]);
    expect(atB).toEqual([]);
    await flush();
    expect(b.closed).toBe(true);
    expect(atB).toEqual([{ code: 4000, reason: "Heartbeat timeout" }]);
    a.close(1000, "again");
    b.close(1001, "and again");
    await flush();
    expect(atA).toHaveLength(1);
    expect(atB).toHaveLength(1);
  });

  it("drops frames sent after close, and frames in flight when the receiver closed", async () => {
    const [a, b] = createTransportPair();
    const got: string[] = [];
    b.onMessage((text) => got.push(text));
    a.send("in flight");
    b.close(1000, "");
    a.send("after close");
    await flush();
    expect(got).toEqual([]);
    a.send("later");
    expect(a.sent).toEqual(["in flight", "after close"]);
  });

  it("drop loses the link without a close frame: both ends see 1006 at once", () => {
    const [a, b] = createTransportPair();
    const closes: string[] = [];
    a.onClose((close) => closes.push(`a ${close.code} ${JSON.stringify(close.reason)}`));
    b.onClose((close) => closes.push(`b ${close.code} ${JSON.stringify(close.reason)}`));
    b.drop();
    expect(closes.sort()).toEqual(['a 1006 ""', 'b 1006 ""']);
    expect(a.closed && b.closed).toBe(true);
  });

  it("a disposed close listener does not run", async () => {
    const [a, b] = createTransportPair();
    const closes: CloseInfo[] = [];
    b.onClose((close) => closes.push(close)).dispose();
    a.close(1000, "bye");
    await flush();
    expect(closes).toEqual([]);
  });

  it("defaults to 1000 with an empty reason", async () => {
    const [a, b] = createTransportPair();
    const closes: CloseInfo[] = [];
    b.onClose((close) => closes.push(close));
    (a.close as (code?: number, reason?: string) => void)();
    await flush();
    expect(closes).toEqual([{ code: 1000, reason: "" }]);
  });
});
