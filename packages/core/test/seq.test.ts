import { describe, expect, it } from "vitest";
import { EventDeduper } from "../src/event-deduper.js";
import { ReplayBuffer, SeqReceiver } from "../src/seq.js";

const event = (n: number) => ({ type: "byor.event", runtime_id: "dev-1", event: { type: "update_queue", n } });
const seqOf = (text: string) => (JSON.parse(text) as { seq: number }).seq;

describe("ReplayBuffer", () => {
  it("numbers frames from 1 and returns the text to send", () => {
    const buffer = new ReplayBuffer();
    expect(buffer.lastSeq).toBe(0);
    const frame = event(1);
    const text = buffer.push(frame);
    expect(JSON.parse(text)).toEqual({ ...event(1), seq: 1 });
    expect((frame as { seq?: number }).seq).toBe(1);
    expect(seqOf(buffer.push(event(2)))).toBe(2);
    expect(buffer.lastSeq).toBe(2);
    expect(buffer.frames).toBe(2);
    expect(buffer.bytes).toBe(text.length + JSON.stringify({ ...event(2), seq: 2 }).length);
  });

  it("numbers a frame serialised without seq the same way (pushEncoded)", () => {
    const buffer = new ReplayBuffer();
    buffer.push(event(1));
    const text = buffer.pushEncoded(JSON.stringify(event(2)));
    expect(JSON.parse(text)).toEqual({ ...event(2), seq: 2 });
    expect(JSON.parse(buffer.pushEncoded("{}"))).toEqual({ seq: 3 });
    expect(buffer.replayAfter(1)).toEqual({ ok: true, texts: [text, '{"seq":3}'] });
  });

  it("drops acknowledged frames and ignores stale or out-of-range acks", () => {
    const buffer = new ReplayBuffer();
    for (let i = 1; i <= 5; i++) buffer.push(event(i));
    buffer.ack(3);
    expect(buffer.ackedSeq).toBe(3);
    expect(buffer.frames).toBe(2);
    buffer.ack(2); // stale
    buffer.ack(9); // never sent
    buffer.ack(3.5);
    expect(buffer.ackedSeq).toBe(3);
    expect(buffer.frames).toBe(2);
    buffer.ack(5);
    expect(buffer.frames).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  it("replays exactly the frames after the app's last seq", () => {
    const buffer = new ReplayBuffer();
    for (let i = 1; i <= 5; i++) buffer.push(event(i));
    buffer.ack(1);
    const replay = buffer.replayAfter(3);
    expect(replay.ok && replay.texts.map(seqOf)).toEqual([4, 5]);
    const all = buffer.replayAfter(1);
    expect(all.ok && all.texts.map(seqOf)).toEqual([2, 3, 4, 5]);
    const none = buffer.replayAfter(5);
    expect(none).toEqual({ ok: true, texts: [] });
  });

  it("refuses a resume from before the acknowledged or evicted frames, or past the last seq", () => {
    const buffer = new ReplayBuffer({ maxFrames: 3 });
    for (let i = 1; i <= 5; i++) buffer.push(event(i)); // 1 and 2 evicted
    expect(buffer.frames).toBe(3);
    expect(buffer.overflowed).toBe(true);
    expect(buffer.replayAfter(1)).toEqual({ ok: false, reason: "buffer_overrun" });
    const ok = buffer.replayAfter(2);
    expect(ok.ok && ok.texts.map(seqOf)).toEqual([3, 4, 5]);
    expect(buffer.replayAfter(6)).toEqual({ ok: false, reason: "buffer_overrun" });
    buffer.ack(4);
    expect(buffer.replayAfter(3)).toEqual({ ok: false, reason: "buffer_overrun" });
  });

  it("stays within maxBytes, keeping at least the newest frame", () => {
    const size = JSON.stringify({ ...event(1), seq: 1 }).length;
    const buffer = new ReplayBuffer({ maxBytes: size * 2 + 1 });
    for (let i = 1; i <= 4; i++) buffer.push(event(i));
    expect(buffer.frames).toBe(2);
    expect(buffer.bytes).toBeLessThanOrEqual(size * 2 + 1);
    const tiny = new ReplayBuffer({ maxBytes: 10 });
    tiny.push(event(1));
    expect(tiny.frames).toBe(1);
    expect(tiny.overflowed).toBe(false);
    tiny.push(event(2));
    expect(tiny.frames).toBe(1);
    expect(tiny.overflowed).toBe(true);
  });

  it("clears overflowed once the app acknowledges past the evicted frames", () => {
    const buffer = new ReplayBuffer({ maxFrames: 2 });
    for (let i = 1; i <= 4; i++) buffer.push(event(i));
    expect(buffer.overflowed).toBe(true);
    buffer.ack(2);
    expect(buffer.overflowed).toBe(false);
    expect(buffer.replayAfter(2).ok).toBe(true);
  });

  it("keeps memory bounded over many pushes and acks (queue compaction)", () => {
    const buffer = new ReplayBuffer({ maxFrames: 100 });
    for (let i = 1; i <= 10_000; i++) {
      buffer.push(event(i));
      if (i % 7 === 0) buffer.ack(i - 3);
    }
    expect(buffer.frames).toBeLessThanOrEqual(100);
    const replay = buffer.replayAfter(9_997);
    expect(replay.ok && replay.texts.map(seqOf)).toEqual([9_998, 9_999, 10_000]);
  });
});

describe("SeqReceiver", () => {
  it("has a cursor of 0 before the first frame and delivers only the next seq", () => {
    const receiver = new SeqReceiver();
    expect(receiver.lastSeq).toBe(0);
    expect(receiver.accept(1)).toBe("deliver");
    expect(receiver.accept(2)).toBe("deliver");
    expect(receiver.accept(2)).toBe("duplicate");
    expect(receiver.accept(1)).toBe("duplicate");
    expect(receiver.accept(4)).toBe("gap");
    expect(receiver.lastSeq).toBe(2);
    expect(receiver.accept(3)).toBe("deliver");
    expect(receiver.lastSeq).toBe(3);
  });

  it("resets to 0 or to a given seq", () => {
    const receiver = new SeqReceiver();
    receiver.accept(1);
    receiver.reset();
    expect(receiver.lastSeq).toBe(0);
    expect(receiver.accept(1)).toBe("deliver");
    receiver.reset(10);
    expect(receiver.accept(10)).toBe("duplicate");
    expect(receiver.accept(11)).toBe("deliver");
  });
});

describe("EventDeduper", () => {
  const keyed = (key: string) => ({ type: "update_queue", idempotency_key: key }) as never;

  it("reports an idempotency_key seen before", () => {
    const deduper = new EventDeduper();
    expect(deduper.seen(keyed("a"))).toBe(false);
    expect(deduper.seen(keyed("b"))).toBe(false);
    expect(deduper.seen(keyed("a"))).toBe(true);
  });

  it("never treats events without a key as duplicates", () => {
    const deduper = new EventDeduper();
    const direct = { type: "sync_response", request_id: "r", success: true } as never;
    expect(deduper.seen(direct)).toBe(false);
    expect(deduper.seen(direct)).toBe(false);
    expect(deduper.size).toBe(0);
  });

  it("with refresh: false forgets the first key seen, however often it came back", () => {
    const deduper = new EventDeduper({ capacity: 2, refresh: false });
    deduper.seen(keyed("a"));
    deduper.seen(keyed("b"));
    expect(deduper.seen(keyed("a"))).toBe(true); // not refreshed
    deduper.seen(keyed("c")); // evicts a
    expect(deduper.seen(keyed("b"))).toBe(true);
    expect(deduper.seen(keyed("a"))).toBe(false);
  });

  it("forgets the least recently seen key beyond its capacity", () => {
    const deduper = new EventDeduper({ capacity: 2 });
    deduper.seen(keyed("a"));
    deduper.seen(keyed("b"));
    expect(deduper.seen(keyed("a"))).toBe(true); // refreshes a
    deduper.seen(keyed("c")); // evicts b
    expect(deduper.size).toBe(2);
    expect(deduper.seen(keyed("a"))).toBe(true);
    expect(deduper.seen(keyed("b"))).toBe(false);
  });
});
