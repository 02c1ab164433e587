import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { byor, scratch } from "./byor.js";

const fixtures = resolve(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const fixtureFiles = readdirSync(fixtures)
  .filter((f) => f.endsWith(".jsonl"))
  .map((f) => join(fixtures, f));

const { dir: tmp, file } = scratch("byor-validate-");

describe("byor validate", () => {
  it("accepts every frame the real runtime sent and accepted", () => {
    const r = byor(["validate", ...fixtureFiles]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^\\d+ frames in ${fixtureFiles.length} files: \\d+ valid, 0 invalid\\n$`));
  });

  it("exits 1 on a corrupted copy, one line per problem with file:line, type and pointer", () => {
    const source = readFileSync(fixtureFiles.find((f) => f.includes("03c") && f.includes("runtime-to-server"))!, "utf8").split("\n");
    const lines = source.filter(Boolean).map((l) => JSON.parse(l));
    const at = lines.findIndex((l) => l.type === "update_loop_status");
    lines[at].loop_status.status = "NAPPING";
    const path = file("corrupted.jsonl", [...lines, "{oops"]);
    const r = byor(["validate", "--direction", "event", path]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${path}:${at + 1}: update_loop_status (invalid_message): /loop_status/status: expected one of "SENDING_API_REQUEST"`);
    expect(r.out).toContain(`${path}:${lines.length + 1}: invalid_json: frame is not valid JSON`);
    expect(r.out).toMatch(/: \d+ valid, 2 invalid\n$/);
  });

  it("with --direction command, rejects a ping, an ack and a sync without a usable agent_id", () => {
    const path = file("commands.jsonl", [
      { type: "ping" },
      { type: "ack", seq: 4 },
      { type: "sync", request_id: "s", runtime: { agent_id: 42, conversation_id: "default" } },
      { type: "sync", request_id: "s", runtime: { agent_id: "", conversation_id: "default" } },
      { type: "sync", request_id: "s", runtime: { conversation_id: "default" } },
      { type: "sync", request_id: "s", runtime: { agent_id: "agent-1", conversation_id: "default" } },
    ]);
    const r = byor(["validate", "--direction", "command", path]);
    expect(r.code).toBe(1);
    expect(r.out.split("\n")).toEqual([
      `${path}:1: ping (wrong_direction): "ping" is not sent to the runtime`,
      `${path}:2: ack (unknown_type): "ack" is not a type of the protocol`,
      `${path}:3: sync (invalid_message): /runtime/agent_id: expected string or null, found number 42`,
      `${path}:4: sync (invalid_message): /runtime/agent_id: expected a non-empty string, found string ""`,
      `${path}:5: sync (invalid_message): /runtime: expected property "agent_id", found it missing`,
      "6 frames in 1 file: 1 valid, 5 invalid",
      "",
    ]);
  });

  it("checks frames against both directions when not told one", () => {
    const r = byor(["validate", "-"], '{"type":"ping"}\n\n{"type":"pong"}\n');
    expect(r.code).toBe(0);
    expect(r.out).toBe("2 frames in 1 file: 2 valid, 0 invalid\n");
  });

  it("prints a machine-readable report with --json", () => {
    const r = byor(["validate", "--json", "--direction", "event"], '{"type":"ping"}\n{"type":"sync_response"}\n');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: false, direction: "event", files: 1, frames: 2, valid: 1, invalid: 1 });
    expect(report.problems[0]).toMatchObject({ file: "<stdin>", line: 2, type: "sync_response", code: "invalid_message" });
    expect(report.problems[0].issues).toContainEqual({ pointer: "", keyword: "required", expected: 'property "request_id"', found: "it missing", column: 1 });
  });

  it("--json is --format json, and goes with no other format", () => {
    const input = '{"type":"ping"}\n{"type":"sync_response"}\n';
    const viaFormat = byor(["validate", "--format", "json", "--direction", "event"], input);
    expect(viaFormat.code).toBe(1);
    expect(byor(["validate", "--json", "--direction", "event"], input).out).toBe(viaFormat.out);
    expect(byor(["validate", "--json", "--format", "json", "--direction", "event"], input).out).toBe(viaFormat.out);
    const clash = byor(["validate", "--json", "--format", "junit"], input);
    expect(clash.code).toBe(2);
    expect(clash.err).toContain("--json means --format json");
  });

  it("exits 2 on usage errors and 1 on an unreadable file", () => {
    const sideways = byor(["validate", "--direction", "sideways"]);
    expect(sideways.code).toBe(2);
    expect(sideways.err).toBe('byor validate: --direction must be one of "event", "command", "app", "server", "any", not "sideways"\n');
    const xml = byor(["validate", "--format", "xml"]);
    expect(xml.code).toBe(2);
    expect(xml.err).toBe('byor validate: --format must be one of "text", "json", "junit", "github", not "xml"\n');
    expect(byor(["validate", "--bogus"]).code).toBe(2);
    expect(byor(["nonsense"]).code).toBe(2);
    expect(byor([]).code).toBe(2);
    const missing = byor(["validate", join(tmp, "nope.jsonl")]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("unreadable");
  });

  it("validates the examples kept beside the schemas", () => {
    const schema = resolve(import.meta.dirname, "../../../schema");
    const examples = (dir: string) =>
      readdirSync(join(schema, dir))
        .filter((f) => f.endsWith(".examples.jsonl"))
        .map((f) => join(schema, dir, f));
    expect(byor(["validate", "--direction", "command", ...examples("commands")]).code).toBe(0);
    expect(byor(["validate", "--direction", "event", ...examples("events")]).code).toBe(0);
    expect(byor(["validate", ...examples("transport")]).code).toBe(0);
  });
});
