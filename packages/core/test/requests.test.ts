import { ByorError, isByorError } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RequestTracker } from "../src/requests.js";

/** The rejection of a promise (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<ByorError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.error).toBeInstanceOf(ByorError);
  return outcome.error as ByorError;
}

const syncResponse = (request_id: unknown, success: unknown = true) => ({
  type: "sync_response",
  request_id,
  runtime: { agent_id: "agent-x", conversation_id: "default" },
  success,
});

describe("RequestTracker", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives unique ids with its prefix", () => {
    const tracker = new RequestTracker({ idPrefix: "srv" });
    const ids = Array.from({ length: 1000 }, () => tracker.nextId());
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toBe("srv-1");
    expect(ids[1]).toBe("srv-2");
    expect(new RequestTracker().nextId()).toMatch(/^req-\d+$/);
  });

  it("resolves with the response of the same request_id and type", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("r1", "sync_response");
    expect(tracker.pending).toBe(1);
    // Another id, or the same id on another response type, does not settle it.
    expect(tracker.handle(syncResponse("r2"))).toBe(false);
    expect(tracker.handle({ type: "agent_list_response", request_id: "r1", success: true })).toBe(false);
    expect(tracker.handle({ type: "update_queue" })).toBe(false);
    expect(tracker.pending).toBe(1);
    const event = syncResponse("r1");
    expect(tracker.handle(event)).toBe(true);
    await expect(response).resolves.toBe(event);
    expect(tracker.pending).toBe(0);
    // A duplicate response settles nothing.
    expect(tracker.handle(event)).toBe(false);
  });

  it("ignores responses whose request_id is not a string", () => {
    const tracker = new RequestTracker();
    void tracker.track("1", "sync_response").catch(() => {});
    expect(tracker.handle(syncResponse(1))).toBe(false);
    expect(tracker.handle(syncResponse(undefined))).toBe(false);
    expect(tracker.pending).toBe(1);
    tracker.dispose();
  });

  it("keeps requests with the same id but different response types apart", async () => {
    const tracker = new RequestTracker();
    const a = tracker.track("same", "sync_response");
    const b = tracker.track("same", "agent_list_response");
    expect(tracker.pending).toBe(2);
    const bEvent = { type: "agent_list_response", request_id: "same", success: true };
    tracker.handle(bEvent);
    await expect(b).resolves.toBe(bEvent);
    expect(tracker.pending).toBe(1);
    tracker.handle(syncResponse("same"));
    await expect(a).resolves.toMatchObject({ type: "sync_response" });
  });

  it("refuses to track the same request twice", async () => {
    const tracker = new RequestTracker();
    const first = tracker.track("dup", "sync_response");
    expect((await rejection(tracker.track("dup", "sync_response"))).code).toBe("invalid_state");
    tracker.handle(syncResponse("dup"));
    await expect(first).resolves.toBeDefined();
  });

  it("fail() rejects the request of that id with the given error, and nothing else", async () => {
    const tracker = new RequestTracker();
    const refused = tracker.track("r-1", "sync_response");
    const other = tracker.track("r-10", "sync_response");
    const error = new ByorError("request_failed", "server refused it");
    expect(tracker.fail("r-1", error)).toBe(true);
    await expect(refused).rejects.toBe(error);
    expect(tracker.fail("r-1", error)).toBe(false);
    expect(tracker.fail("r-2", error)).toBe(false);
    expect(tracker.pending).toBe(1);
    tracker.handle({ type: "sync_response", request_id: "r-10", success: true });
    await expect(other).resolves.toMatchObject({ request_id: "r-10" });
  });

  it("rejects with request_failed on success:false, with the response as cause", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("r1", "sync_response");
    const event = { ...syncResponse("r1", false), error: "runtime is closing" };
    expect(tracker.handle(event)).toBe(true);
    const error = await rejection(response);
    expect(error.code).toBe("request_failed");
    expect(error.cause).toBe(event);
    expect(error.message).toContain("runtime is closing");
  });

  it("rejects with request_failed on accepted:false (input_accepted)", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("in-1", "input_accepted");
    const event = { type: "input_accepted", request_id: "in-1", runtime: { agent_id: "a", conversation_id: "default" }, accepted: false, error: "busy" };
    tracker.handle(event);
    const error = await rejection(response);
    expect(error.code).toBe("request_failed");
    expect(error.cause).toBe(event);
  });

  it("resolves accepted:true and responses without a success flag", async () => {
    const tracker = new RequestTracker();
    const a = tracker.track("a", "input_accepted");
    const b = tracker.track("b", "conversation_messages_list_response");
    tracker.handle({ type: "input_accepted", request_id: "a", accepted: true });
    tracker.handle({ type: "conversation_messages_list_response", request_id: "b" });
    await expect(a).resolves.toMatchObject({ accepted: true });
    await expect(b).resolves.toMatchObject({ request_id: "b" });
  });

  it("times out after the default 30 s, by the clock", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("slow", "sync_response");
    const settled = vi.fn();
    response.then(settled, settled);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error = await rejection(response);
    expect(error.code).toBe("request_timeout");
    expect(tracker.pending).toBe(0);
    // A late answer settles nothing.
    expect(tracker.handle(syncResponse("slow"))).toBe(false);
  });

  it("takes per-tracker and per-request timeouts; Infinity waits forever", async () => {
    const tracker = new RequestTracker({ timeoutMs: 1_000 });
    const byTracker = rejection(tracker.track("a", "sync_response"));
    const byRequest = rejection(tracker.track("b", "sync_response", { timeoutMs: 5_000 }));
    const forever = tracker.track("c", "sync_response", { timeoutMs: Infinity });
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await byTracker).code).toBe("request_timeout");
    expect(tracker.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect((await byRequest).code).toBe("request_timeout");
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(tracker.pending).toBe(1);
    tracker.handle(syncResponse("c"));
    await expect(forever).resolves.toBeDefined();
  });

  it("clears the timer once answered", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("r", "sync_response");
    expect(vi.getTimerCount()).toBe(1);
    tracker.handle(syncResponse("r"));
    await response;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with request_aborted when the signal aborts, and at once if it already has", async () => {
    const tracker = new RequestTracker();
    const controller = new AbortController();
    const response = tracker.track("r", "sync_response", { signal: controller.signal });
    controller.abort(new Error("user left"));
    const error = await rejection(response);
    expect(error.code).toBe("request_aborted");
    expect((error.cause as Error).message).toBe("user left");
    expect(tracker.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect((await rejection(tracker.track("r2", "sync_response", { signal: controller.signal }))).code).toBe("request_aborted");
    expect(tracker.pending).toBe(0);
  });

  it("an abort after the answer changes nothing", async () => {
    const tracker = new RequestTracker();
    const controller = new AbortController();
    const response = tracker.track("r", "sync_response", { signal: controller.signal });
    tracker.handle(syncResponse("r"));
    controller.abort();
    await expect(response).resolves.toMatchObject({ success: true });
  });

  it("rejectAll fails every pending request with the given code", async () => {
    const tracker = new RequestTracker();
    const all = ["a", "b", "c"].map((id) => rejection(tracker.track(id, "sync_response")));
    tracker.rejectAll("connection_closed", "socket lost");
    for (const response of all) {
      const error = await response;
      expect(isByorError(error, "connection_closed")).toBe(true);
      expect(error.message).toBe("socket lost");
    }
    expect(tracker.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // The tracker is still usable.
    const next = tracker.track("d", "sync_response");
    tracker.handle(syncResponse("d"));
    await expect(next).resolves.toBeDefined();
  });

  it("dispose rejects pending requests and later ones with connection_closed", async () => {
    const tracker = new RequestTracker();
    const response = tracker.track("a", "sync_response");
    tracker.dispose();
    expect((await rejection(response)).code).toBe("connection_closed");
    expect((await rejection(tracker.track("b", "sync_response"))).code).toBe("connection_closed");
    expect(tracker.pending).toBe(0);
  });

  it("uses an injected clock for its timers", async () => {
    vi.useRealTimers();
    const timers: (() => void)[] = [];
    const tracker = new RequestTracker({
      clock: { now: () => 0, setTimeout: (cb) => timers.push(cb), clearTimeout: () => {} },
      timeoutMs: 10,
    });
    const response = tracker.track("a", "sync_response");
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect((await rejection(response)).code).toBe("request_timeout");
  });
});
