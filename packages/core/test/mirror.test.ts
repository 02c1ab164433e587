import { decodeCommand, decodeEvent, encodeCommand, type ControlRequestEvent, type DeviceStatus, type PendingControlRequest } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { approve } from "../src/approvals.js";
import type { Clock } from "../src/clock.js";
import { StateMirror, type MirrorChange } from "../src/mirror.js";
import { A, B, Frames, realDeviceStatus, type Scope } from "./helpers/frames.js";

const frames = new Frames();
const frame: Frames["frame"] = (...args) => frames.frame(...args);

const body = (toolCallId: string) => ({
  subtype: "can_use_tool",
  tool_name: "Bash",
  input: { command: `touch ${toolCallId}` },
  tool_call_id: toolCallId,
  permission_suggestions: [{ id: "save-default", text: "Yes, and don't ask again" }],
  blocked_path: null,
});
const controlRequest = (toolCallId: string, scope: Scope = A) =>
  frame(
    "control_request",
    { request_id: `perm-${toolCallId}`, request: body(toolCallId), agent_id: scope.agent_id, conversation_id: scope.conversation_id },
    scope,
  ) as ControlRequestEvent;
const deviceStatus = (pending: string[], patch: Partial<DeviceStatus> = {}, scope: Scope = A) =>
  frame(
    "update_device_status",
    {
      device_status: {
        ...realDeviceStatus,
        ...patch,
        pending_control_requests: pending.map(
          (id): PendingControlRequest => ({ request_id: `perm-${id}`, request: body(id) as PendingControlRequest["request"] }),
        ),
      },
    },
    scope,
  );
const loopStatus = (status: string, scope: Scope = A) =>
  frame("update_loop_status", { loop_status: { status, active_run_ids: [], executing_tool_call_ids: [] } }, scope);

function fakeClock(start = 1000): Clock & { t: number } {
  return {
    t: start,
    now() {
      return this.t;
    },
    setTimeout: () => 0,
    clearTimeout: () => {},
  };
}

function record(mirror: StateMirror): MirrorChange[] {
  const changes: MirrorChange[] = [];
  mirror.on("change", (change) => changes.push(change));
  return changes;
}

const ids = (requests: ControlRequestEvent[]) => requests.map((r) => r.request_id);

describe("StateMirror snapshots", () => {
  it("keeps the latest snapshot of each kind per scope, stamped with the clock", () => {
    const clock = fakeClock();
    const mirror = new StateMirror({ clock });
    const changes = record(mirror);

    expect(mirror.apply(deviceStatus([]))).toBe(true);
    clock.t = 2000;
    expect(mirror.apply(loopStatus("SENDING_API_REQUEST"))).toBe(true);
    clock.t = 3000;
    expect(
      mirror.apply(
        frame("update_queue", {
          queue: [{ id: "q-1", client_message_id: "cm-2", kind: "message", source: "user", content: "next", enqueued_at: "2026-11-27T15:00:00.000Z" }],
          removed: [{ client_message_id: "cm-1", disposition: "dequeued" }],
        }),
      ),
    ).toBe(true);
    expect(mirror.apply(frame("update_subagent_state", { subagents: [] }))).toBe(true);
    expect(mirror.apply(loopStatus("WAITING_ON_INPUT", B))).toBe(true);

    const a = mirror.get(A)!;
    expect(a.scope).toEqual(A);
    expect(a.deviceStatus?.current_connection_id).toBe("conn-cap-1");
    expect(a.loopStatus?.status).toBe("SENDING_API_REQUEST");
    expect(a.queue).toEqual({
      items: [expect.objectContaining({ id: "q-1", client_message_id: "cm-2" })],
      lastRemoved: [{ client_message_id: "cm-1", disposition: "dequeued" }],
    });
    expect(a.subagents).toEqual([]);
    expect(a.pendingApprovals).toEqual([]);
    expect(a.updatedAt).toBe(3000);
    expect(mirror.get(B)?.loopStatus?.status).toBe("WAITING_ON_INPUT");
    expect(mirror.get(B)?.deviceStatus).toBeUndefined();
    expect(mirror.all().map((s) => s.scope)).toEqual([A, B]);
    expect(changes.map((c) => [c.scope.conversation_id, c.keys])).toEqual([
      ["conv-1", ["deviceStatus"]],
      ["conv-1", ["loopStatus"]],
      ["conv-1", ["queue"]],
      ["conv-1", ["subagents"]],
      ["conv-2", ["loopStatus"]],
    ]);
    expect(changes[4]!.state).toBe(mirror.get(B));
  });

  it("does not count a re-sent identical snapshot as a change (sync replays them)", () => {
    const clock = fakeClock();
    const mirror = new StateMirror({ clock });
    mirror.apply(deviceStatus([]));
    mirror.apply(loopStatus("WAITING_ON_INPUT"));
    const before = mirror.get(A)!;
    const changes = record(mirror);
    clock.t = 5000;
    expect(mirror.apply(deviceStatus([]))).toBe(false);
    expect(mirror.apply(loopStatus("WAITING_ON_INPUT"))).toBe(false);
    expect(changes).toEqual([]);
    expect(mirror.get(A)).toBe(before);
    expect(mirror.get(A)!.updatedAt).toBe(1000);
  });

  it("drops a relayed duplicate even when it arrives late (same idempotency_key)", () => {
    const mirror = new StateMirror();
    const old = loopStatus("SENDING_API_REQUEST");
    expect(mirror.apply(old)).toBe(true);
    expect(mirror.apply(loopStatus("WAITING_ON_INPUT"))).toBe(true);
    expect(mirror.apply(old)).toBe(false);
    expect(mirror.apply(JSON.parse(JSON.stringify(old)))).toBe(false);
    expect(mirror.get(A)!.loopStatus!.status).toBe("WAITING_ON_INPUT");
    // The same content under a new key (a new emission) is applied.
    expect(mirror.apply(loopStatus("SENDING_API_REQUEST"))).toBe(true);
  });

  it("replaces the state object on change and leaves the previous one as it was", () => {
    const mirror = new StateMirror({ clock: fakeClock() });
    mirror.apply(loopStatus("SENDING_API_REQUEST"));
    const before = mirror.get(A)!;
    mirror.apply(loopStatus("WAITING_ON_INPUT"));
    expect(before.loopStatus?.status).toBe("SENDING_API_REQUEST");
    expect(mirror.get(A)!.loopStatus?.status).toBe("WAITING_ON_INPUT");
    expect(mirror.get(A)).not.toBe(before);
  });

  it("ignores frames that are not state (responses, stream output, pings)", () => {
    const mirror = new StateMirror();
    const changes = record(mirror);
    const sync = decodeEvent({ type: "sync_response", request_id: "s-1", runtime: A, success: true });
    const ping = decodeEvent({ type: "ping" });
    expect(sync.ok && ping.ok).toBe(true);
    if (!sync.ok || !ping.ok) return;
    expect(mirror.apply(sync.message)).toBe(false);
    expect(mirror.apply(ping.message)).toBe(false);
    expect(
      mirror.apply(
        frame("stream_delta", { delta: { message_type: "status", id: "lifecycle-1", date: "2026-11-27T15:00:00.000Z", message: "hi", level: "info" } }),
      ),
    ).toBe(false);
    expect(mirror.all()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it("stops notifying a disposed handler", () => {
    const mirror = new StateMirror();
    let calls = 0;
    const sub = mirror.on("change", () => calls++);
    mirror.apply(loopStatus("SENDING_API_REQUEST"));
    sub.dispose();
    mirror.apply(loopStatus("WAITING_ON_INPUT"));
    expect(calls).toBe(1);
  });

  it("clear(scope) forgets one scope and clear() all, each with a change carrying an empty state", () => {
    const mirror = new StateMirror({ clock: fakeClock() });
    mirror.apply(loopStatus("WAITING_ON_INPUT", A));
    mirror.apply(controlRequest("call_1", A));
    mirror.apply(loopStatus("WAITING_ON_INPUT", B));
    const changes = record(mirror);

    mirror.clear(A);
    expect(mirror.get(A)).toBeUndefined();
    expect(mirror.get(B)).toBeDefined();
    expect(mirror.pendingApprovals()).toEqual([]);
    expect(changes).toEqual([{ scope: A, keys: ["loopStatus", "pendingApprovals"], state: { scope: A, pendingApprovals: [], updatedAt: 1000 } }]);

    mirror.clear();
    expect(mirror.all()).toEqual([]);
    expect(changes.map((c) => c.scope)).toEqual([A, B]);
    // After a clear the same request is new again.
    expect(mirror.apply(controlRequest("call_1", A))).toBe(true);
  });
});

describe("StateMirror pending approvals", () => {
  it("adds control_requests in arrival order and drops re-sent copies", () => {
    const mirror = new StateMirror();
    const changes = record(mirror);
    const first = controlRequest("call_1");
    expect(mirror.apply(first)).toBe(true);
    expect(mirror.apply(controlRequest("call_2", B))).toBe(true);
    expect(mirror.apply(controlRequest("call_3"))).toBe(true);
    // The runtime re-sends pending requests after a reconnect and on sync, with a new envelope.
    expect(mirror.apply(controlRequest("call_1"))).toBe(false);

    expect(ids(mirror.get(A)!.pendingApprovals)).toEqual(["perm-call_1", "perm-call_3"]);
    expect(mirror.get(A)!.pendingApprovals[0]).toBe(first);
    expect(ids(mirror.pendingApprovals())).toEqual(["perm-call_1", "perm-call_2", "perm-call_3"]);
    expect(changes.map((c) => c.keys)).toEqual([["pendingApprovals"], ["pendingApprovals"], ["pendingApprovals"]]);
  });

  it("answered() drops the request; a stale device status still listing it does not bring it back", () => {
    const mirror = new StateMirror();
    mirror.apply(controlRequest("call_1"));
    mirror.apply(deviceStatus(["call_1"]));
    expect(ids(mirror.get(A)!.pendingApprovals)).toEqual(["perm-call_1"]);

    expect(mirror.answered("perm-call_1")).toBe(true);
    expect(mirror.answered("perm-call_1")).toBe(false);
    expect(mirror.answered("perm-unknown")).toBe(false);
    expect(mirror.get(A)!.pendingApprovals).toEqual([]);

    // Written before the runtime handled the answer: still lists it.
    mirror.apply(deviceStatus(["call_1"], { is_processing: true }));
    expect(mirror.get(A)!.pendingApprovals).toEqual([]);
    // The runtime confirms: no longer listed. The answer is forgotten, so a later listing of that id is pending again.
    mirror.apply(deviceStatus([], { is_processing: true }));
    expect(mirror.get(A)!.pendingApprovals).toEqual([]);
    mirror.apply(deviceStatus(["call_1"]));
    expect(ids(mirror.get(A)!.pendingApprovals)).toEqual(["perm-call_1"]);
  });

  it("a control_request re-sent after answered() makes it pending again (the answer never reached the runtime)", () => {
    const mirror = new StateMirror();
    mirror.apply(controlRequest("call_1"));
    mirror.answered("perm-call_1");
    expect(mirror.apply(controlRequest("call_1"))).toBe(true);
    expect(ids(mirror.pendingApprovals())).toEqual(["perm-call_1"]);
    // And a device status listing it keeps it.
    mirror.apply(deviceStatus(["call_1"]));
    expect(ids(mirror.pendingApprovals())).toEqual(["perm-call_1"]);
  });

  it("prunes requests the device status no longer lists, in that scope only", () => {
    const mirror = new StateMirror();
    mirror.apply(controlRequest("call_1", A));
    mirror.apply(controlRequest("call_2", A));
    mirror.apply(controlRequest("call_3", B));
    const changes = record(mirror);

    expect(mirror.apply(deviceStatus(["call_2"], {}, A))).toBe(true);
    expect(ids(mirror.get(A)!.pendingApprovals)).toEqual(["perm-call_2"]);
    expect(ids(mirror.get(B)!.pendingApprovals)).toEqual(["perm-call_3"]);
    expect(changes.at(-1)!.keys).toEqual(["deviceStatus", "pendingApprovals"]);

    // Same device status, same list: nothing changes.
    expect(mirror.apply(deviceStatus(["call_2"], {}, A))).toBe(false);
    // The list is part of the device status: both change.
    expect(mirror.apply(deviceStatus([], {}, A))).toBe(true);
    expect(changes.at(-1)!.keys).toEqual(["deviceStatus", "pendingApprovals"]);
    expect(mirror.get(A)!.deviceStatus!.pending_control_requests).toEqual([]);
    expect(ids(mirror.pendingApprovals())).toEqual(["perm-call_3"]);
  });

  it("does not drop a request because the loop left WAITING_ON_APPROVAL: the device status decides", () => {
    const mirror = new StateMirror();
    mirror.apply(loopStatus("WAITING_ON_APPROVAL"));
    mirror.apply(controlRequest("call_1"));
    mirror.apply(loopStatus("EXECUTING_CLIENT_SIDE_TOOL"));
    mirror.apply(loopStatus("WAITING_ON_INPUT"));
    expect(ids(mirror.pendingApprovals())).toEqual(["perm-call_1"]);
    mirror.apply(deviceStatus([]));
    expect(mirror.pendingApprovals()).toEqual([]);
  });

  it("adds a request listed by the device status that never came as control_request, answerable as is", () => {
    const mirror = new StateMirror();
    const status = deviceStatus(["call_9"]);
    mirror.apply(status);
    const [pending] = mirror.pendingApprovals();
    expect(pending).toMatchObject({
      type: "control_request",
      request_id: "perm-call_9",
      request: { tool_name: "Bash", tool_call_id: "call_9" },
      runtime: A,
      agent_id: "agent-1",
      conversation_id: "conv-1",
    });
    // It is a valid control_request frame ...
    expect(decodeEvent(pending!).ok).toBe(true);
    // ... and answering it yields a valid input.
    const decoded = decodeCommand(encodeCommand(approve(pending!)));
    expect(decoded.ok && decoded.message).toEqual({
      type: "input",
      runtime: A,
      payload: { kind: "approval_response", request_id: "perm-call_9", decision: { behavior: "allow" } },
    });
    // The real control_request arriving later does not duplicate it.
    expect(mirror.apply(controlRequest("call_9"))).toBe(false);
    expect(mirror.pendingApprovals()).toHaveLength(1);
  });
});

describe("StateMirror on deep values", () => {
  /** `{"a":{"a":…leaf}}`, built without recursion; deeper than any recursive walk survives. */
  const nested = (depth: number, leaf: unknown) => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };
  // Added after decoding: the mirror must hold up whatever a decoder lets through.
  const withDeep = <E extends object>(event: E, path: (e: E) => Record<string, unknown>, leaf: unknown) => {
    path(event).extra = nested(100_000, leaf);
    return event;
  };

  it("the same device status twice, with a field 100,000 levels deep, is one change and no crash", () => {
    const mirror = new StateMirror({ clock: fakeClock() });
    const changes = record(mirror);
    const deep = (leaf: unknown) => withDeep(deviceStatus([]), (e) => (e as unknown as { device_status: Record<string, unknown> }).device_status, leaf);
    expect(mirror.apply(deep("x"))).toBe(true);
    expect(mirror.apply(deep("x"))).toBe(false);
    expect(mirror.apply(deep("y"))).toBe(true);
    expect(changes.map((c) => c.keys)).toEqual([["deviceStatus"], ["deviceStatus"]]);
  });

  it("a loop status compares at any depth too", () => {
    const mirror = new StateMirror({ clock: fakeClock() });
    const deep = (leaf: unknown) =>
      withDeep(loopStatus("WAITING_ON_INPUT"), (e) => (e as unknown as { loop_status: Record<string, unknown> }).loop_status, leaf);
    expect(mirror.apply(deep(1))).toBe(true);
    expect(mirror.apply(deep(1))).toBe(false);
    expect(mirror.apply(deep(2))).toBe(true);
  });
});
