import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { byor, scratch } from "./byor.js";

const broker = resolve(import.meta.dirname, "../../../schema/broker");
const fixtures = resolve(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const { file } = scratch("byor-validate-directions-");

/** Each client-endpoint schema's examples and counter-examples, with the direction its schema declares. */
const schemas = readdirSync(broker)
  .filter((f) => f.endsWith(".json"))
  .map((f) => {
    const name = f.slice(0, -".json".length);
    const lines = (suffix: string) => {
      try {
        return readFileSync(join(broker, `${name}.${suffix}.jsonl`), "utf8")
          .split("\n")
          .filter(Boolean);
      } catch {
        return [];
      }
    };
    const direction = JSON.parse(readFileSync(join(broker, f), "utf8"))["x-byor-direction"] as "app" | "server" | "both";
    return { name, direction, examples: lines("examples"), invalid: lines("invalid").map((l) => JSON.parse(l) as { frame: object; pointer: string }) };
  });
const sentBy = (direction: "app" | "server") => schemas.filter((s) => s.direction === direction || s.direction === "both");

/** The value at a JSON pointer of a parsed frame. */
const at = (frame: unknown, pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((v, t) => (v as Record<string, unknown>)[t.replaceAll("~1", "/").replaceAll("~0", "~")], frame);

function json(args: string[], stdin?: string) {
  const r = byor(["validate", "--format", "json", ...args], stdin);
  return { code: r.code, report: JSON.parse(r.out), err: r.err };
}

const fixtureLines = readdirSync(fixtures)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) => readFileSync(join(fixtures, f), "utf8").split("\n").filter(Boolean));
/** A frame of that type the real runtime sent or accepted. */
const runtimeFrame = (type: string) => fixtureLines.find((l) => JSON.parse(l).type === type)!;

describe("byor validate --direction app | server (a BYOR server's client endpoint)", () => {
  it("accepts the examples of every byor.* schema in the direction it declares, and in `any`", () => {
    for (const direction of ["app", "server"] as const) {
      const examples = sentBy(direction).flatMap((s) => s.examples);
      expect(examples.length).toBeGreaterThan(5);
      const path = file(`${direction}-examples.jsonl`, examples);
      const r = byor(["validate", "--direction", direction, path]);
      expect(r.out).toBe(`${examples.length} frames in 1 file: ${examples.length} valid, 0 invalid\n`);
      expect(r.code).toBe(0);
      expect(byor(["validate", path]).code).toBe(0);
    }
  });

  it("refuses a frame of the other direction as wrong_direction, with the column of its type", () => {
    const welcome = schemas.find((s) => s.name === "byor.welcome")!.examples[0]!;
    const hello = schemas.find((s) => s.name === "byor.hello")!.examples[0]!;
    const app = json(["--direction", "app"], `${welcome}\n`);
    expect(app.code).toBe(1);
    expect(app.report.problems[0]).toMatchObject({ line: 1, type: "byor.welcome", code: "wrong_direction", message: '"byor.welcome" is not sent by an app' });
    expect(welcome.slice(app.report.problems[0].column - 1)).toMatch(/^"byor\.welcome"/);
    const server = json(["--direction", "server"], `${hello}\n`);
    expect(server.report.problems[0]).toMatchObject({ type: "byor.hello", code: "wrong_direction", message: '"byor.hello" is not sent by a BYOR server' });
    // The runtime leg's directions do not know byor.* frames at all.
    expect(json(["--direction", "event"], `${hello}\n`).report.problems[0]).toMatchObject({ code: "unknown_type" });
  });

  it("refuses each counter-example kept beside the schemas at its pointer, with the column where that value starts", () => {
    const cases = schemas.flatMap((s) => s.invalid.map((c) => ({ ...c, direction: s.direction === "server" ? "server" : "app" })));
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const { frame, pointer, direction } of cases) {
      const line = JSON.stringify(frame);
      for (const args of [["--direction", direction], []]) {
        const { code, report } = json(args, `${line}\n`);
        expect(code, line).toBe(1);
        const issue = report.problems[0].issues.find((i: { pointer: string }) => i.pointer === pointer);
        expect(issue, `${line} ${JSON.stringify(report.problems[0].issues)}`).toBeDefined();
        expect(line.slice(issue.column - 1).startsWith(JSON.stringify(at(frame, pointer))), line).toBe(true);
      }
    }
  });

  it("checks the command inside a byor.send as the server does: its issues point into the frame", () => {
    const input = JSON.parse(runtimeFrame("input"));
    delete input.runtime.agent_id;
    const send = JSON.stringify({ type: "byor.send", runtime_id: "dev-1", command: { ...input, runtime: { ...input.runtime, conversation_id: 7 } } });
    const { code, report } = json(["--direction", "app"], `${send}\n`);
    expect(code).toBe(1);
    const [problem] = report.problems;
    expect(problem).toMatchObject({ type: "byor.send", code: "invalid_message" });
    expect(problem.message).toMatch(/^invalid byor\.send frame: \/command\/runtime/);
    const pointers = problem.issues.map((i: { pointer: string }) => i.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["/command/runtime/conversation_id"]));
    const issue = problem.issues.find((i: { pointer: string }) => i.pointer === "/command/runtime/conversation_id");
    expect(send.slice(issue.column - 1)).toMatch(/^7\}/);
    // The same command sent straight to a runtime is refused the same way.
    expect(
      json(["--direction", "command"], `${JSON.stringify(JSON.parse(send).command)}\n`).report.problems[0].issues.map(
        (i: { pointer: string }) => `/command${i.pointer}`,
      ),
    ).toEqual(pointers);
  });

  it("refuses a byor.send of a command an app may not send, or of an unknown type, at the command's type", () => {
    const lines = [
      JSON.stringify({ type: "byor.send", runtime_id: "dev-1", command: { type: "pong" } }),
      JSON.stringify({ type: "byor.send", runtime_id: "dev-1", command: { type: "make_coffee" } }),
      JSON.stringify({ type: "byor.send", runtime_id: "dev-1", command: JSON.parse(runtimeFrame("input")) }),
    ];
    const { code, report } = json(["--direction", "app"], lines.join("\n"));
    expect(code).toBe(1);
    expect(report).toMatchObject({ frames: 3, valid: 1, invalid: 2 });
    const [pong, coffee] = report.problems;
    expect(pong).toMatchObject({
      line: 1,
      code: "invalid_message",
      message: "command: pong is part of the runtime connection and is sent by the server itself",
    });
    expect(lines[0]!.slice(pong.column - 1)).toMatch(/^"pong"/);
    expect(coffee).toMatchObject({ line: 2, code: "unknown_type", message: 'command: "make_coffee" is not a type of the protocol' });
    expect(lines[1]!.slice(coffee.column - 1)).toMatch(/^"make_coffee"/);
  });

  it("checks the runtime event inside a byor.event", () => {
    const status = JSON.parse(runtimeFrame("update_loop_status"));
    const good = JSON.stringify({ type: "byor.event", runtime_id: "dev-1", event: status });
    const bad = JSON.stringify({ type: "byor.event", runtime_id: "dev-1", event: { ...status, loop_status: { ...status.loop_status, status: "NAPPING" } } });
    const { report } = json(["--direction", "server"], `${good}\n${bad}\n`);
    expect(report).toMatchObject({ frames: 2, valid: 1, invalid: 1 });
    expect(report.problems[0]).toMatchObject({ line: 2, type: "byor.event", code: "invalid_message" });
    const issue = report.problems[0].issues[0];
    expect(issue.pointer).toBe("/event/loop_status/status");
    expect(bad.slice(issue.column - 1)).toMatch(/^"NAPPING"/);
    // Without --direction, a byor.event is a server frame: the same verdict.
    expect(json([], `${good}\n${bad}\n`).report.problems).toEqual(report.problems);
  });

  it("without --direction, takes runtime frames and client-endpoint frames side by side", () => {
    const hello = schemas.find((s) => s.name === "byor.hello")!.examples[0]!;
    const welcome = schemas.find((s) => s.name === "byor.welcome")!.examples[0]!;
    const r = byor(["validate"], [runtimeFrame("update_loop_status"), hello, welcome, '{"type":"byor.nonsense"}'].join("\n"));
    expect(r.code).toBe(1);
    expect(r.out).toBe('<stdin>:4: byor.nonsense (unknown_type): "byor.nonsense" is not a type of the protocol\n4 frames in 1 file: 3 valid, 1 invalid\n');
  });

  it("keeps --direction event and command to the runtime leg, and accepts `any` by name", () => {
    const status = runtimeFrame("update_loop_status");
    expect(byor(["validate", "--direction", "event"], status).code).toBe(0);
    expect(json(["--direction", "command"], status).report.problems[0]).toMatchObject({
      code: "wrong_direction",
      column: status.indexOf('"update_loop_status"') + 1,
    });
    const any = json(["--direction", "any"], status);
    expect(any.code).toBe(0);
    expect(any.report.direction).toBe("any");
  });
});
