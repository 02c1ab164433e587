import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonEqual, stringifyDeep, stringifyJson } from "../src/deep-json.js";

/** `{"a":{"a":…{"a":leaf}}}`, `depth` objects deep, built without recursion. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Native JSON.stringify cannot encode it (the reason this module exists). */
const DEEP = 100_000;

describe("jsonEqual", () => {
  it("compares values 100,000 levels deep without running out of stack", () => {
    expect(() => JSON.stringify(nested(DEEP))).toThrow(RangeError);
    expect(jsonEqual(nested(DEEP), nested(DEEP))).toBe(true);
    expect(jsonEqual(nested(DEEP), nested(DEEP, 2))).toBe(false);
    const arrays = (leaf: unknown) => JSON.parse(`${"[".repeat(DEEP)}${JSON.stringify(leaf)}${"]".repeat(DEEP)}`) as unknown;
    expect(jsonEqual(arrays("x"), arrays("x"))).toBe(true);
    expect(jsonEqual(arrays("x"), arrays("y"))).toBe(false);
  });

  it("is structural equality of JSON values", () => {
    expect(jsonEqual({ a: [1, { b: null }], c: "x" }, { c: "x", a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(jsonEqual({ 0: 1 }, [1])).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual("1", 1)).toBe(false);
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(jsonEqual(a, structuredClone(a))).toBe(true);
        // Key order aside, JSON values are equal exactly when they encode the same with sorted keys.
        const sorted = (v: unknown): string =>
          JSON.stringify(v, (_k, x: unknown) =>
            x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x,
          );
        expect(jsonEqual(a, b)).toBe(sorted(a) === sorted(b));
      }),
      { numRuns: 300 },
    );
  });
});

describe("stringifyJson", () => {
  it("encodes a value 100,000 levels deep, which JSON.parse reads back", () => {
    const text = stringifyJson(nested(DEEP, "leaf"));
    expect(text.startsWith('{"a":{"a":')).toBe(true);
    expect(text.length).toBe(DEEP * 6 + 6);
    expect(jsonEqual(JSON.parse(text), nested(DEEP, "leaf"))).toBe(true);
    const arrays = `${"[".repeat(DEEP)}null,"x"${"]".repeat(DEEP)}`;
    expect(stringifyJson(JSON.parse(arrays))).toBe(arrays);
  });

  it("the iterative encoder writes what JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyDeep(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
    const odd = {
      u: undefined,
      f: () => 1,
      n: NaN,
      i: -Infinity,
      z: -0,
      list: [undefined, () => 1, Symbol("s")],
      d: new Date(0),
      nested: { toJSON: (key: string) => `key ${key}` },
      s: '"\\\n\u2028\ud800',
    };
    expect(stringifyDeep(odd)).toBe(JSON.stringify(odd));
    expect(stringifyDeep(undefined)).toBe(JSON.stringify(undefined));
    const shared = { x: 1 };
    expect(stringifyDeep([shared, shared, { shared }])).toBe(JSON.stringify([shared, shared, { shared }]));
  });

  it("still refuses what JSON.stringify cannot encode at all", () => {
    const cycle: Record<string, unknown> = { a: [] };
    (cycle.a as unknown[]).push(cycle);
    expect(() => stringifyDeep(cycle)).toThrow(TypeError);
    expect(() => stringifyJson({ n: 1n })).toThrow(TypeError);
  });
});
