import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { columnOf, jsonErrorIndex, pointerIndex } from "../src/commands/validate/locate.js";

const fixtures = resolve(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const realLines = readdirSync(fixtures)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) => readFileSync(join(fixtures, f), "utf8").split("\n").filter(Boolean));

/** What V8 says about `text`: undefined when it parses, else the position its message names (null when none). */
function v8(text: string): number | null | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const at = /at position (\d+)/.exec((err as Error).message);
    return at ? Number(at[1]) : null;
  }
}

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("jsonErrorIndex", () => {
  it.each([
    ["{oops", 1],
    ['{"a":}', 5],
    ["[1,2,", 5],
    ['"abc', 4],
    ['{"a":1}x', 7],
    ["01", 1],
    ["-", 1],
    ['{"a" 1}', 5],
    ["[1,]", 3],
    ['"\\x"', 2],
    ['"\\u12g4"', 5],
    ["tru", 3],
    ["trUe", 2],
    ['{"a":1,}', 7],
    ['"a\tb"', 2],
    ["", 0],
    ["  ", 2],
    ["[1 2]", 3],
    ["1.", 2],
    ["1e+", 3],
    ['{"a":[1,{"b":nul}]}', 16],
    ["\uFEFF{}", 0],
    ["\u00A0{}", 0],
  ])("%j stops being JSON at %i", (text, index) => {
    expect(jsonErrorIndex(text)).toBe(index);
    expect(v8(text)).not.toBeUndefined();
  });

  it("finds nothing wrong in JSON, whitespace, escapes, numbers and lone surrogates included", () => {
    for (const text of [
      ' {"a" : [ 1 , -0.5e+3 , true , false , null , "\\u00e9\\n\\"\\\\\\/" ] } ',
      "0",
      "-0",
      "1E5",
      '"\uD800"',
      "[]",
      "{}",
      "[[[]]]",
      ...realLines,
    ]) {
      expect(v8(text)).toBeUndefined();
      expect(jsonErrorIndex(text)).toBeUndefined();
    }
  });

  it("agrees with JSON.parse on thousands of mutated real frames, and with V8's position whenever it gives one", () => {
    const next = random(15);
    const pieces = ['"', "\\", "{", "}", "[", "]", ",", ":", "0", "-", ".", "e", "t", "n", " ", "\t", "\u0001", "x", "é"];
    let checked = 0;
    let positioned = 0;
    for (let n = 0; n < 4000; n++) {
      let text = realLines[Math.floor(next() * realLines.length)]!;
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * (text.length + 1));
        const piece = pieces[Math.floor(next() * pieces.length)]!;
        const op = next();
        text =
          op < 0.4
            ? text.slice(0, at) + text.slice(at + 1)
            : op < 0.7
              ? text.slice(0, at) + piece + text.slice(at)
              : text.slice(0, at) + piece + text.slice(at + 1);
      }
      const expected = v8(text);
      const found = jsonErrorIndex(text);
      if (expected === undefined) expect(found, text).toBeUndefined();
      else expect(found, text).toBeTypeOf("number");
      if (typeof expected === "number") {
        expect(found, text).toBe(expected);
        positioned++;
      }
      checked++;
    }
    expect(checked).toBe(4000);
    // Most refusals name a position: the comparison above covered many of them.
    expect(positioned).toBeGreaterThan(1000);
  });

  it("walks a line nested 200,000 levels deep without recursion", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(199_999)}`;
    expect(jsonErrorIndex(deep)).toBe(deep.length);
    expect(jsonErrorIndex(`${deep}]`)).toBeUndefined();
  });
});

describe("pointerIndex", () => {
  const text = '{"type":"x", "a" : {"b/c": [10, {"~k": null}, "s"], "b": true}, "a~b": 1, "é": "ü"}';
  // Each pointer, and the text its value starts with (unique in the line).
  it.each([
    ["", '{"type"'],
    ["/type", '"x"'],
    ["/a", '{"b/c"'],
    ["/a/b~1c", "[10"],
    ["/a/b~1c/0", "10"],
    ["/a/b~1c/1", '{"~k"'],
    ["/a/b~1c/1/~0k", "null"],
    ["/a/b~1c/2", '"s"'],
    ["/a/b", "true"],
    ["/a~0b", '1, "é"'],
    ["/é", '"ü"'],
  ])("%j starts at %j", (pointer, start) => {
    expect(text.indexOf(start)).toBe(text.lastIndexOf(start));
    expect(pointerIndex(text, pointer)).toBe(text.indexOf(start));
  });

  it.each(["/missing", "/a/b~1c/3", "/a/b~1c/01", "/a/b~1c/-", "/type/x", "/a/b/c", "type", "/a/b~1c/1/~k", "/a/b~2c"])("%j names nothing", (pointer) => {
    expect(pointerIndex(text, pointer)).toBeUndefined();
  });

  it("takes the last of duplicate keys, as JSON.parse does, and reads escaped keys", () => {
    const dup = '{"a":1,"a":{"x":2},"\\u0062":3}';
    expect(JSON.parse(dup).a).toEqual({ x: 2 });
    expect(pointerIndex(dup, "/a")).toBe(11);
    expect(pointerIndex(dup, "/a/x")).toBe(16);
    expect(pointerIndex(dup, "/b")).toBe(28);
  });

  it("skips brackets and quotes inside strings, and leading whitespace", () => {
    const tricky = ' { "s": "}]\\"{[", "t" : [ "]" , {"u":"\\\\"} ] , "v": 5 }';
    expect(pointerIndex(tricky, "")).toBe(1);
    expect(pointerIndex(tricky, "/v")).toBe(tricky.indexOf("5"));
    expect(pointerIndex(tricky, "/t/1/u")).toBe(tricky.indexOf('"\\\\"'));
  });

  it("points each issue of a real frame at its value: the text there parses to the value JSON.parse put there", () => {
    const line = realLines.find((l) => l.includes('"stream_delta"') && l.length > 300)!;
    const frame = JSON.parse(line);
    const pointers: string[] = [];
    const walk = (value: unknown, pointer: string) => {
      pointers.push(pointer);
      if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`);
      }
    };
    walk(frame, "");
    expect(pointers.length).toBeGreaterThan(10);
    for (const pointer of pointers) {
      const index = pointerIndex(line, pointer);
      expect(index, pointer).toBeTypeOf("number");
      const expected = pointer
        .split("/")
        .slice(1)
        .reduce((v, t) => v[t.replaceAll("~1", "/").replaceAll("~0", "~")], frame);
      // The scalar's own text starts there (a container's bracket does).
      const rest = line.slice(index);
      const token = /^(?:"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)/.exec(rest)?.[0];
      const parsed = token === undefined ? undefined : JSON.parse(token);
      if (typeof expected !== "object" || expected === null) expect(parsed, pointer).toEqual(expected);
      else expect(rest[0], pointer).toBe(Array.isArray(expected) ? "[" : "{");
    }
  });
});

describe("columnOf", () => {
  it("counts characters from 1, a surrogate pair as one", () => {
    expect(columnOf("abc", 0)).toBe(1);
    expect(columnOf("abc", 2)).toBe(3);
    expect(columnOf("abc", 3)).toBe(4);
    const emoji = '{"😀":"x", "k": 1}';
    expect(columnOf(emoji, emoji.indexOf("1"))).toBe(emoji.indexOf("1"));
    expect(columnOf("\uD800x", 1)).toBe(2);
  });
});
