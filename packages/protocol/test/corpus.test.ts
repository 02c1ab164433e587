import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeAppFrame, decodeCommand, decodeEvent, decodeServerFrame, type DecodeResult } from "../src/index.js";
import type { SchemaEntry } from "./corpus.js";
import { HTTP_VALIDATORS } from "../src/validators.js";
import { fixtureFiles, jsonl, schemaEntries } from "./corpus.js";

const entries = schemaEntries();

/** The decoders that must accept a frame of this schema (both ways for a `both` frame). */
function decodersFor(entry: SchemaEntry): ((frame: object) => DecodeResult<unknown>)[] {
  const direction = entry.json["x-byor-direction"];
  if (entry.folder === "broker") return direction === "both" ? [decodeAppFrame, decodeServerFrame] : [direction === "app" ? decodeAppFrame : decodeServerFrame];
  return direction === "both" ? [decodeEvent, decodeCommand] : [direction === "event" ? decodeEvent : decodeCommand];
}
const messages = entries.filter((e) => e.folder !== "defs");

describe("examples beside each schema", () => {
  it.each(messages.map((e) => [`${e.folder}/${e.name}`, e] as const))("%s has examples, all valid", (_, entry) => {
    const examples = jsonl(entry.path.replace(/\.json$/, ".examples.jsonl"));
    expect(examples.length).toBeGreaterThan(0);
    const direction = entry.json["x-byor-direction"];
    for (const { line, text } of examples) {
      const frame = JSON.parse(text);
      if (direction === "http") {
        const validate = HTTP_VALIDATORS[entry.name as keyof typeof HTTP_VALIDATORS];
        expect(validate(frame), `${entry.name}.examples.jsonl:${line} ${JSON.stringify(validate.errors)}`).toBe(true);
        continue;
      }
      for (const r of decodersFor(entry).map((decode) => decode(frame)))
        expect(r.ok ? "valid" : r.error.lines().join("; "), `${entry.name}.examples.jsonl:${line}`).toBe("valid");
      expect(frame.type).toBe(entry.name);
    }
  });
});

describe("frames the real runtime sent and accepted (fixtures/)", () => {
  const files = fixtureFiles();
  it("exist", () => expect(files.length).toBeGreaterThan(0));
  it.each(files.map((f) => [basename(f.path), f] as const))("%s: every frame validates", (_, file) => {
    const decode = file.direction === "event" ? decodeEvent : decodeCommand;
    const bad = jsonl(file.path)
      .map(({ line, text }) => ({ line, result: decode(text) }))
      .filter((r) => !r.result.ok)
      .map((r) => `${r.line}: ${r.result.ok ? "" : r.result.error.lines().join("; ")}`);
    expect(bad).toEqual([]);
  });
});

describe("invalid cases beside each schema", () => {
  const cases = messages.flatMap((e) =>
    jsonl(e.path.replace(/\.json$/, ".invalid.jsonl")).map(({ line, text }) => ({
      entry: e,
      line,
      c: JSON.parse(text) as { def?: string; frame: object; pointer: string; why: string },
    })),
  );

  it("cover every shared shape in schema/defs", () => {
    const covered = new Set(cases.map((c) => c.c.def));
    const defs = entries.filter((e) => e.folder === "defs").map((e) => e.name);
    expect(defs.filter((d) => !covered.has(d))).toEqual([]);
    for (const { c } of cases) if (c.def !== undefined) expect(defs, `unknown def ${c.def}`).toContain(c.def);
  });

  it.each(cases.map((c) => [`${c.entry.name}.invalid.jsonl:${c.line} (${c.c.why})`, c] as const))("%s is rejected at its pointer", (_, { entry, c }) => {
    const result = decodersFor(entry)[0]!(c.frame);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("invalid_message");
    expect(result.error.type).toBe(entry.name);
    expect(result.error.issues.map((i) => i.pointer)).toContain(c.pointer);
  });
});
