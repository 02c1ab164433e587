// The error cap codegen writes into ajv's standalone validators (boundErrors): validity is exactly ajv's, at most
// MAX_KEPT_ERRORS errors are kept, the first ones, and all are counted. Checked against plain ajv on schemas made
// for it: unions whose first branch fails with more errors than the cap before another passes, $ref'd items.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitValidators, MAX_KEPT_ERRORS } from "../src/emit-validators.js";
import { SCHEMA_BASE, type SchemaFile } from "../src/load.js";

type Compiled = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string }[] | null; count?: number };

const schema = (name: string, json: object): SchemaFile => {
  const id = `${SCHEMA_BASE}defs/${name}.json`;
  return {
    path: `schema/defs/${name}.json`,
    folder: "defs",
    name,
    id,
    title: name,
    enveloped: false,
    json: { $id: id, title: name, description: name, ...json },
  };
};

const item = schema("Item", { type: "object", required: ["n"], properties: { n: { type: "number" } } });
const schemas = [
  item,
  // The first branch fails once per item, the second accepts the same array: a rollback past the cap.
  schema("Union", {
    anyOf: [
      { type: "array", items: { type: "string" } },
      { type: "array", items: { type: "number" } },
    ],
  }),
  // The same through $ref'd items, inside an object, then an error after the union.
  schema("RefUnion", {
    type: "object",
    required: ["list", "tail"],
    properties: {
      list: {
        anyOf: [
          { type: "array", items: { $ref: "Item.json" } },
          { type: "array", items: { type: "number" } },
        ],
      },
      tail: { type: "string" },
    },
  }),
  schema("Items", { type: "array", items: { $ref: "Item.json" } }),
  // A rollback once the cap is already reached: the kept list must not grow holes.
  schema("After", {
    type: "object",
    properties: {
      first: { type: "array", items: { type: "string" } },
      second: { anyOf: [{ type: "string" }, { type: "number" }] },
      third: { $ref: "Union.json" },
    },
  }),
];

let dir: string;
let compiled: Record<string, Compiled>;
const plain = new Ajv({ allErrors: true, strict: false });
for (const s of schemas) plain.addSchema(s.json);

beforeAll(async () => {
  const { js } = emitValidators(schemas);
  dir = mkdtempSync(join(tmpdir(), "byor-error-cap-"));
  const runtime = pathToFileURL(resolve(import.meta.dirname, "../../../packages/protocol/src/ajv-runtime.ts")).href;
  writeFileSync(join(dir, "validators.mjs"), js.replace('"../ajv-runtime.js"', JSON.stringify(runtime)));
  compiled = (await import(pathToFileURL(join(dir, "validators.mjs")).href)) as Record<string, Compiled>;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agrees(name: string, data: unknown): void {
  const ours = compiled[`validate${name}`]!;
  const theirs = plain.getSchema(`${SCHEMA_BASE}defs/${name}.json`)!;
  const valid = ours(data);
  expect(valid, `${name} ${JSON.stringify(data).slice(0, 80)}`).toBe(theirs(data));
  if (valid) return;
  const all = theirs.errors!;
  expect(ours.count).toBe(all.length);
  expect(ours.errors!.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(all.slice(0, MAX_KEPT_ERRORS).map((e) => `${e.instancePath} ${e.keyword}`));
}

describe("validators with the error cap", () => {
  const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
  it("a union whose first branch fails past the cap, then passes by the second", () => {
    for (const n of [0, 1, 99, 100, 101, 500]) agrees("Union", numbers(n));
    expect(compiled.validateUnion!(numbers(500))).toBe(true);
    expect(compiled.validateUnion!.errors).toBeNull();
  });

  it("the same with $ref'd items, and the errors after the union are still kept", () => {
    for (const n of [1, 150]) {
      agrees("RefUnion", { list: numbers(n), tail: "t" });
      agrees("RefUnion", { list: numbers(n), tail: 5 });
      agrees("RefUnion", { list: [...numbers(n), "x"], tail: 5 });
    }
    agrees("RefUnion", { list: [...numbers(150), { n: 1 }], tail: 5 });
  });

  it("keeps the first errors of many $ref'd items and counts them all", () => {
    for (const n of [50, 100, 101, 3000]) agrees("Items", Array(n).fill({ n: "x" }));
    agrees("Items", [...Array(120).fill({}), { n: 1 }, 7]);
    expect(compiled.validateItems!.errors).toHaveLength(MAX_KEPT_ERRORS);
  });

  it("rolls back a union that passes after the cap was reached", () => {
    for (const n of [99, 100, 101, 150]) {
      agrees("After", { first: numbers(n), second: 5, third: numbers(3) });
      agrees("After", { first: numbers(n), second: 5, third: [...numbers(3), {}] });
      agrees("After", { first: numbers(n), second: [], third: [] });
    }
    compiled.validateAfter!({ first: numbers(150), second: 5 });
    expect(compiled.validateAfter!.errors!.every(Boolean)).toBe(true);
  });

  it("agrees with plain ajv on random values", () => {
    let seed = 42;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // Long arrays at the top (past the cap), short ones below: a few thousand values in all.
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 2 || r < 0.3) return [1, "s", null, true, {}][Math.floor(rand() * 5)];
      if (r < 0.7) return Array.from({ length: Math.floor(rand() * (depth ? 4 : 250)) }, () => value(depth + 1));
      return {
        n: value(depth + 1),
        list: value(depth + 1),
        tail: value(depth + 1),
        first: value(depth + 1),
        second: value(depth + 1),
        third: value(depth + 1),
      };
    };
    for (let i = 0; i < 300; i++) {
      const v = value(0);
      for (const s of schemas) agrees(s.name, v);
    }
  });
});
