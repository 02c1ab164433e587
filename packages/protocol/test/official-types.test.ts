import { beforeAll, describe, expect, it } from "vitest";
import { COMMAND_TYPES, EVENT_TYPES } from "../src/index.js";
import { officialWireTypes, unassignableTypes } from "./official.js";

// Where we follow the real runtime over its declarations, the official type is not assignable to ours. Each such
// difference is listed here with its evidence; the test fails on any other, and on an entry that no longer applies.
const KNOWN_DIFFERENCES: Record<string, string> = {
  "event control_request": "real frames carry the event envelope (observed-runtime.md); the declaration omits it",
  "event teleport_ready": "sent through the outbound queue, so enveloped; the declaration omits the envelope",
  "event stream_delta": "every real delta carries message_type, which the Letta declaration leaves optional; we require it so a switch narrows",
  "command set_experiment": "the runtime's validator accepts only three of the six declared experiment ids and drops the rest",
  "command update_model": "the runtime's validator requires model_id or model_handle; the declaration makes both optional",
  "command runtime_external_tools_update": "the runtime's validator requires a non-empty agent_id in each runtime; the declaration allows null",
  "command input":
    "Letta declares a content part's `type` optional; we require it so a switch narrows: every part the runtime builds has one, and its local backend takes a part without one for an image (userContentToStoredContent)",
  "event update_queue": "queued content is the input's own (see command input): its parts carry `type`",
};

// Not members of the official unions, but frames the runtime sends or accepts on its socket.
const TRANSPORT_COMMANDS = ["pong", "listener_ready", "message"];
const TRANSPORT_EVENTS = ["ping"];

describe("the official 0.32.18 declarations", () => {
  let official: ReturnType<typeof officialWireTypes>;
  beforeAll(() => {
    official = officialWireTypes();
  }, 180_000);

  it("have a schema for every command type of WsProtocolCommand", () => {
    expect(official.command.length).toBeGreaterThan(90);
    expect(official.command.filter((t) => !(COMMAND_TYPES as readonly string[]).includes(t))).toEqual([]);
  });

  it("have a schema for every message type of WsProtocolMessage", () => {
    expect(official.event.length).toBeGreaterThan(100);
    expect(official.event.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t))).toEqual([]);
  });

  it("name every type we have, apart from the transport frames", () => {
    expect(COMMAND_TYPES.filter((t) => !official.command.includes(t) && !TRANSPORT_COMMANDS.includes(t))).toEqual([]);
    expect(EVENT_TYPES.filter((t) => !official.event.includes(t) && !TRANSPORT_EVENTS.includes(t))).toEqual([]);
  });

  it("are assignable to our generated type, message by message", () => {
    const problems = unassignableTypes(official);
    const unexpected = problems.filter((p) => !KNOWN_DIFFERENCES[`${p.direction} ${p.type}`]);
    expect(unexpected.map((p) => `${p.direction} ${p.type}: ${p.why.split("\n").slice(0, 4).join(" / ")}`)).toEqual([]);
    expect(Object.keys(KNOWN_DIFFERENCES).sort()).toEqual(problems.map((p) => `${p.direction} ${p.type}`).sort());
  }, 180_000);
});
