import { describe, expect, it } from "vitest";
import {
  ByorError,
  decodeCommand,
  decodeEvent,
  decodeFrame,
  encodeCommand,
  isCommand,
  isCommandType,
  isEnvelopedType,
  isEvent,
  isEventType,
  responseTypeOf,
  RESPONSE_TYPES,
  type RuntimeEvent,
} from "../src/index.js";

const sync = { type: "sync", request_id: "s-1", runtime: { agent_id: "agent-1", conversation_id: "default" } };

describe("decode", () => {
  it("accepts a string, bytes, an ArrayBuffer or an object", () => {
    const text = JSON.stringify(sync);
    const bytes = new TextEncoder().encode(text);
    for (const input of [text, bytes, bytes.buffer, sync]) expect(decodeCommand(input).ok).toBe(true);
  });

  it("gives each kind of bad frame its own code and never throws", () => {
    const code = (r: { ok: true } | { ok: false; error: { code: string } }) => (r.ok ? "ok" : r.error.code);
    expect(code(decodeEvent("{not json"))).toBe("invalid_json");
    expect(code(decodeEvent("42"))).toBe("not_an_object");
    expect(code(decodeEvent("[]"))).toBe("not_an_object");
    expect(code(decodeEvent("null"))).toBe("not_an_object");
    expect(code(decodeEvent('{"kind":"x"}'))).toBe("missing_type");
    expect(code(decodeEvent('{"type":"no_such_type"}'))).toBe("unknown_type");
    expect(code(decodeEvent('{"type":"__proto__"}'))).toBe("unknown_type");
    expect(code(decodeCommand('{"type":"ping"}'))).toBe("wrong_direction");
    expect(code(decodeCommand('{"type":"ack","seq":3}'))).toBe("unknown_type");
    expect(code(decodeCommand({ ...sync, runtime: { agent_id: "", conversation_id: "default" } }))).toBe("invalid_message");
  });

  it("locates each problem with a pointer, what was expected and what was found", () => {
    const r = decodeCommand({ type: "sync", request_id: 7, runtime: { agent_id: 42, conversation_id: "" } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ByorError);
    expect(r.error.type).toBe("sync");
    expect(r.error.direction).toBe("command");
    expect(r.error.lines()).toEqual([
      "/runtime/agent_id: expected string or null, found number 42",
      '/runtime/conversation_id: expected a non-empty string, found string ""',
      "/request_id: expected string, found number 7",
    ]);
  });

  it("reports a missing property at the object that lacks it", () => {
    const r = decodeCommand({ type: "sync" });
    expect(r.ok ? [] : r.error.issues).toEqual([{ pointer: "", keyword: "required", expected: 'property "runtime"', found: "it missing" }]);
  });

  it("decodes either direction when not told which", () => {
    const ping = decodeFrame('{"type":"ping"}');
    expect(ping.ok && ping.direction).toBe("event");
    const s = decodeFrame(sync);
    expect(s.ok && s.direction).toBe("command");
    const bad = decodeFrame({ type: "sync" });
    expect(bad.ok ? "" : bad.error.code).toBe("invalid_message");
  });

  it("narrows by type in a switch", () => {
    const r = decodeEvent({ type: "sync_response", request_id: "s-1", runtime: sync.runtime, success: true });
    if (!r.ok) throw r.error;
    const event: RuntimeEvent = r.message;
    switch (event.type) {
      case "sync_response":
        expect(event.success).toBe(true);
        break;
      default:
        throw new Error("not narrowed");
    }
  });
});

describe("the client endpoint (broker) frames", () => {
  it("decode each way, and a frame of the other way is a wrong_direction", async () => {
    const { decodeAppFrame, decodeServerFrame } = await import("../src/index.js");
    expect(decodeAppFrame({ type: "byor.ack", seq: 3 }).ok).toBe(true);
    const wrong = decodeAppFrame({ type: "byor.welcome", session_id: "s", resumed: false, seq_ack: true });
    expect(wrong.ok ? "" : wrong.error.code).toBe("wrong_direction");
    const runtimeFrame = decodeServerFrame({ type: "sync_response" });
    expect(runtimeFrame.ok ? "" : runtimeFrame.error.code).toBe("unknown_type");
    expect(decodeServerFrame('{"type":"byor.pong"}').ok).toBe(true);
  });
});

describe("one leg at a time: validateEvent, validateCommand, validateAppFrame", () => {
  it("each checks its own direction, names the other way's types as wrong_direction, and everything else as unknown", async () => {
    const { validateAppFrame, validateCommand, validateEvent, validateMessage } = await import("../src/index.js");
    const sync = { type: "sync", runtime: { agent_id: "a", conversation_id: "c" } };
    expect(validateCommand(sync)).toEqual({ ok: true, message: sync });
    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? "ok" : r.error!.code);
    expect(code(validateEvent(sync))).toBe("wrong_direction");
    expect(code(validateCommand({ type: "sync_response" }))).toBe("wrong_direction");
    expect(code(validateAppFrame({ type: "byor.welcome" }))).toBe("wrong_direction");
    expect(code(validateEvent({ type: "byor.ping" }))).toBe("unknown_type");
    expect(code(validateAppFrame({ type: "sync" }))).toBe("unknown_type");
    const bad = validateCommand({ type: "sync", runtime: { agent_id: 42, conversation_id: "c" } });
    expect(bad.ok ? [] : bad.error.issues.map((i) => i.pointer)).toContain("/runtime/agent_id");
    expect(bad).toEqual(validateMessage({ type: "sync", runtime: { agent_id: 42, conversation_id: "c" } }, "command"));
    expect(code(validateEvent([] as never))).toBe("not_an_object");
  });
});

describe("encode and guards", () => {
  it("encodes a valid command and refuses an invalid one with the decode error", () => {
    expect(JSON.parse(encodeCommand(sync as never))).toEqual(sync);
    expect(() => encodeCommand({ type: "sync" } as never)).toThrowError(expect.objectContaining({ code: "invalid_message" }));
  });

  it("check full validity, type and pairing", () => {
    expect(isCommand(sync, "sync")).toBe(true);
    expect(isCommand(sync, "input")).toBe(false);
    expect(isEvent(sync)).toBe(false);
    expect(isEvent({ type: "ping" }, "ping")).toBe(true);
    expect(RESPONSE_TYPES.sync).toBe("sync_response");
    expect(RESPONSE_TYPES.input).toBe("input_accepted");
    for (const [command, response] of Object.entries(RESPONSE_TYPES)) {
      expect(isCommandType(command), command).toBe(true);
      expect(isEventType(response), response).toBe(true);
    }
    expect(responseTypeOf(sync as never)).toBe("sync_response");
    expect(isEnvelopedType("update_loop_status")).toBe(true);
    expect(isEnvelopedType("sync_response")).toBe(false);
  });
});
