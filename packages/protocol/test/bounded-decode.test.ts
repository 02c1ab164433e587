// Issue #10, decoding: validation errors are bounded in number and size whatever the frame, and decode never
// throws, whatever the nesting. No timings here: sizes and counts, which the old code got wrong.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeAppFrame,
  decodeCommand,
  decodeEvent,
  decodeFrame,
  DecodeError,
  MAX_FRAME_DEPTH,
  MAX_ISSUES,
  MAX_POINTER_LENGTH,
  toIssues,
  validateMessage,
  type AjvIssue,
} from "../src/index.js";
import { validateInputCommand } from "../src/validators.js";
import { schemaDir } from "./corpus.js";

const example = (path: string) => JSON.parse(readFileSync(join(schemaDir, `${path}.examples.jsonl`), "utf8").split("\n")[0]!) as Record<string, unknown>;
const input = example("commands/input") as { payload: object };
const launch = example("commands/launch_subagent") as { args: object };
const deviceStatus = example("events/update_device_status") as { device_status: object };

/** An input command whose payload holds `items` (the 63 KB frame of the issue has 32k of them). */
const inputWith = (extra: object) => ({ ...input, payload: { ...input.payload, ...extra } });
/** JSON text of objects and arrays nested `depth` levels (JSON.stringify itself overflows near 4,000). */
const nested = (depth: number): string => {
  let text = "1";
  for (let i = 0; i < depth; i++) text = i % 2 ? `[${text}]` : `{"a":${text}}`;
  return text;
};

function refused(result: { ok: boolean; error?: DecodeError }): DecodeError {
  expect(result.ok).toBe(false);
  return result.error!;
}

describe("a frame with 32k wrong items (issue #10)", () => {
  const command = inputWith({ client_tool_allowlist: Array(32_000).fill(1) });
  const send = JSON.stringify({ type: "byor.send", runtime_id: "d", command });

  it("lists the first MAX_ISSUES issues and counts the others", () => {
    const app = decodeAppFrame(send);
    expect(app.ok).toBe(true); // the command inside is open here; the server decodes it next
    for (const error of [refused(decodeCommand(command)), refused(decodeCommand(JSON.stringify(command)))]) {
      expect(error.code).toBe("invalid_message");
      expect(error.issues).toHaveLength(MAX_ISSUES);
      expect(error.issues[0]).toEqual({ pointer: "/payload/client_tool_allowlist/0", keyword: "type", expected: "string", found: "number 1" });
      expect(error.issues.length + error.moreIssues).toBe(32_000);
      expect(error.message.length).toBeLessThan(1_000);
      expect(error.message).toMatch(/\(and 31995 more\)$/);
      expect(error.lines().at(-1)).toBe("and 31980 more");
    }
  });

  it("the validator keeps 100 errors and counts them all, also through $ref'd items", () => {
    expect(validateInputCommand(command)).toBe(false);
    expect(validateInputCommand.errors).toHaveLength(100);
    expect(validateInputCommand.count).toBe(32_000);
    // Each item is a call to another validator: its errors were concatenated, copying the list per item.
    expect(validateInputCommand(inputWith({ messages: Array(32_000).fill(1) }))).toBe(false);
    expect(validateInputCommand.errors).toHaveLength(100);
    expect(validateInputCommand.count).toBe(32_000);
  });

  it("a union whose first branch fails still validates by its second (rollbacks; see tools/codegen for > 100 errors)", () => {
    // content: string | array of parts: the string branch fails, the array branch passes, and no error is left.
    const parts = Array.from({ length: 500 }, (_, i) => ({ type: "text", text: `part ${i}` }));
    expect(decodeCommand(inputWith({ messages: [{ role: "user", content: parts }] })).ok).toBe(true);
    const bad = refused(decodeCommand(inputWith({ messages: [{ role: "user", content: [...parts, 5] }] })));
    expect(bad.issues.map((i) => i.pointer)).toContain("/payload/messages/0/content/500");
  });

  it("toIssues is linear: de-duplicates and merges with maps (a call on 200k errors returns)", () => {
    const errors: AjvIssue[] = [];
    for (let i = 0; i < 100_000; i++) {
      errors.push({ instancePath: `/a/${i}`, schemaPath: "", keyword: "type", params: { type: "string" } });
      errors.push({ instancePath: `/a/${i}`, schemaPath: "", keyword: "type", params: { type: "null" } });
    }
    const issues = toIssues(errors, { a: Array(100_000).fill(1) });
    expect(issues).toHaveLength(100_000);
    expect(issues[7]).toEqual({ pointer: "/a/7", keyword: "type", expected: "string or null", found: "number 1" });
  });
});

describe("many unknown properties, huge keys and strings", () => {
  it("10k unknown properties where additionalProperties is false: bounded", () => {
    const args = { ...launch.args, ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])) };
    const error = refused(decodeCommand({ ...launch, args }));
    // The 100 errors kept say the same thing at one pointer: one issue (as before); the 9,900 others are counted.
    expect(error.issues).toEqual([{ pointer: "/args", keyword: "additionalProperties", expected: "only known properties", found: 'property "k0"' }]);
    expect(error.moreIssues).toBe(9_900);
    expect(error.message).toMatch(/\(and 9900 more\)$/);
  });

  it("a megabyte type is quoted by its start only", () => {
    const type = "t".repeat(1 << 20);
    for (const decode of [decodeEvent, decodeCommand, decodeAppFrame, decodeFrame]) {
      const error = refused(decode(JSON.stringify({ type })));
      expect(error.code).toBe("unknown_type");
      expect(error.message.length).toBeLessThan(200);
    }
  });

  it("a megabyte key is cut in the issue and the message", () => {
    const key = "k".repeat(1 << 20);
    const error = refused(decodeCommand(JSON.stringify({ ...launch, args: { ...launch.args, [key]: { [key]: 1 } } })));
    expect(error.message.length).toBeLessThan(1_000);
    for (const issue of error.issues) expect(JSON.stringify(issue).length).toBeLessThan(MAX_POINTER_LENGTH + 200);
  });
});

describe(`nesting deeper than MAX_FRAME_DEPTH (${MAX_FRAME_DEPTH}) in a free-form place`, () => {
  const frameText = (depth: number) =>
    JSON.stringify({ ...deviceStatus, device_status: { ...deviceStatus.device_status, x: "X" } }).replace('"X"', nested(depth));
  // The frame is level 1, device_status 2: x may hold MAX_FRAME_DEPTH - 2 more levels.
  const limit = MAX_FRAME_DEPTH - 2;

  it("a 10,000-deep value is refused with one clear issue, and no decoder throws", () => {
    const text = frameText(10_000);
    const bytes = new TextEncoder().encode(text);
    for (const result of [decodeEvent(text), decodeEvent(bytes), decodeFrame(text), decodeFrame(bytes.buffer)]) {
      const error = refused(result);
      expect(error.code).toBe("invalid_message");
      expect(error.issues).toHaveLength(1);
      const [issue] = error.issues;
      expect(issue!.keyword).toBe("maxDepth");
      expect(issue!.expected).toBe(`at most ${MAX_FRAME_DEPTH} levels of nesting`);
      expect(issue!.pointer).toMatch(/^\/device_status\/x(\/0\/a)+(\/0)?…$/);
      expect(issue!.pointer).toHaveLength(MAX_POINTER_LENGTH + 1);
      expect(error.message.length).toBeLessThan(1_000);
    }
  });

  it("the limit is exact, and what passes can be re-encoded", () => {
    const atLimit = decodeEvent(frameText(limit));
    expect(atLimit.ok).toBe(true);
    expect(() => JSON.stringify(atLimit.ok && atLimit.message)).not.toThrow();
    expect(refused(decodeEvent(frameText(limit + 1))).issues[0]!.keyword).toBe("maxDepth");
  });

  it("arrays alone, 100k deep, in an open command", () => {
    const text = JSON.stringify(inputWith({})).replace('"payload":{', `"payload":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)},`);
    expect(refused(decodeCommand(text)).issues[0]!.keyword).toBe("maxDepth");
  });
});

describe("decode never throws", () => {
  it("a getter that throws, a cyclic object, a revoked proxy", () => {
    const trap = {
      type: "sync",
      get runtime(): never {
        throw new RangeError("Maximum call stack size exceeded");
      },
    };
    const cyclic: Record<string, unknown> = { type: "sync", runtime: { agent_id: "a", conversation_id: "c" } };
    cyclic.self = cyclic;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [trap, proxy]) {
      for (const direction of ["command", "event", "app", "server"] as const) {
        const error = refused(validateMessage(value, direction));
        expect(error).toBeInstanceOf(DecodeError);
      }
      expect(refused(decodeFrame(value)).code).toBe("invalid_message");
      expect(refused(decodeCommand(value)).code).toBe("invalid_message");
    }
    // An object of the program is not walked for depth (only text from a wire is); it validates as it is.
    expect(decodeCommand(cyclic).ok).toBe(true);
  });
});
