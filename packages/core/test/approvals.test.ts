import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ByorError, decodeCommand, decodeEvent, encodeCommand, type ControlRequestEvent, type InputCommand } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { approve, deny } from "../src/approvals.js";

// The schema's control_request examples: the Bash one is the frame the real runtime sent in 03d.
const examples = readFileSync(resolve(import.meta.dirname, "../../../schema/events/control_request.examples.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => {
    const result = decodeEvent(line);
    if (!result.ok || result.message.type !== "control_request") throw new Error(`not a control_request: ${line}`);
    return result.message;
  });
const bash = examples.find((request) => request.request.tool_name === "Bash")!;

/** Encodes like a session would (validating) and decodes like the runtime's side would. */
function roundTrip(command: InputCommand): unknown {
  const decoded = decodeCommand(encodeCommand(command));
  if (!decoded.ok) throw decoded.error;
  return decoded.message;
}

describe("approve", () => {
  it("builds the input the real runtime accepted in 03d", () => {
    // server-to-runtime 03d: {"type":"input","request_id":"approve-1","runtime":{…},"payload":{"kind":"approval_response","request_id":"perm-call_cap_2","decision":{"behavior":"allow"}}}
    expect(roundTrip(approve(bash, { requestId: "approve-1" }))).toEqual({
      type: "input",
      request_id: "approve-1",
      runtime: { agent_id: bash.runtime.agent_id, conversation_id: bash.runtime.conversation_id },
      payload: { kind: "approval_response", request_id: "perm-call_cap_2", decision: { behavior: "allow" } },
    });
  });

  it("leaves out request_id when none is given (then the runtime sends no input_accepted)", () => {
    const command = approve(bash);
    expect(command).not.toHaveProperty("request_id");
    expect(roundTrip(command)).toEqual(command);
  });

  it("carries edited input, a note and remembered suggestions", () => {
    const command = approve(bash, {
      updatedInput: { command: "touch other.txt", description: "edited" },
      message: "ok, but elsewhere",
      selectedPermissionSuggestionIds: ["save-default"],
      requestId: "approve-2",
    });
    expect(roundTrip(command)).toMatchObject({
      request_id: "approve-2",
      payload: {
        kind: "approval_response",
        request_id: "perm-call_cap_2",
        decision: {
          behavior: "allow",
          updated_input: { command: "touch other.txt", description: "edited" },
          message: "ok, but elsewhere",
          selected_permission_suggestion_ids: ["save-default"],
        },
      },
    });
  });

  it.each(examples.map((request) => [request.request.tool_name, request] as const))(
    "answers the %s example in the scope it came from, as a valid command",
    (_name, request) => {
      const command = approve(request);
      expect(command.runtime).toEqual({ agent_id: request.runtime.agent_id, conversation_id: request.runtime.conversation_id });
      expect(() => encodeCommand(command)).not.toThrow();
    },
  );

  it("fills a null agent in the envelope from the request's own agent_id", () => {
    const request: ControlRequestEvent = { ...bash, runtime: { agent_id: null, conversation_id: "default" }, agent_id: "agent-7" };
    expect(approve(request).runtime).toEqual({ agent_id: "agent-7", conversation_id: "default" });
  });
});

describe("deny", () => {
  it("builds a deny decision with the message for the agent", () => {
    expect(roundTrip(deny(bash, "Not in this repo", { requestId: "deny-1" }))).toEqual({
      type: "input",
      request_id: "deny-1",
      runtime: { agent_id: bash.runtime.agent_id, conversation_id: bash.runtime.conversation_id },
      payload: { kind: "approval_response", request_id: "perm-call_cap_2", decision: { behavior: "deny", message: "Not in this repo" } },
    });
  });

  it("refuses an empty message with a ByorError", () => {
    let error: unknown;
    try {
      deny(bash, "");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ByorError);
    expect((error as ByorError).code).toBe("invalid_message");
  });
});
