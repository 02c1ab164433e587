// emitTypes exports only names that schema titles declare: a schema with a combinator beside its own properties
// compiles to an intersection with an inline object (json-schema-to-typescript alone numbers the parts), and any
// other invented name stops codegen.
import { describe, expect, it } from "vitest";
import { emitTypes } from "../src/emit-types.js";
import { SCHEMA_BASE, SchemaError, type SchemaFile } from "../src/load.js";

const schema = (name: string, json: object): SchemaFile => {
  const id = `${SCHEMA_BASE}defs/${name}.json`;
  return {
    path: `schema/defs/${name}.json`,
    folder: "defs",
    name,
    id,
    title: name,
    enveloped: false,
    json: { $id: id, title: name, description: `${name} doc`, ...json },
  };
};

const base = schema("Base", { type: "object", properties: { id: { type: "string" } } });
const text = schema("TextPart", { type: "object", required: ["type", "text"], properties: { type: { const: "text" }, text: { type: "string" } } });
const image = schema("ImagePart", { type: "object", required: ["type", "url"], properties: { type: { const: "image" }, url: { type: "string" } } });
// allOf + own properties: json-schema-to-typescript alone emits `Derived = Base & Derived1`.
const derived = schema("Derived", { type: "object", allOf: [{ $ref: "Base.json" }], required: ["kind"], properties: { kind: { const: "derived" } } });
// oneOf + own properties: alone it emits `Tagged = Tagged1 & Tagged2`.
const tagged = schema("Tagged", {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string" } },
  discriminator: { propertyName: "type" },
  oneOf: [{ $ref: "TextPart.json" }, { $ref: "ImagePart.json" }],
});
// A plain discriminated union: no own properties, nothing to split.
const part = schema("Part", { type: "object", discriminator: { propertyName: "type" }, oneOf: [{ $ref: "TextPart.json" }, { $ref: "ImagePart.json" }] });

const exportedNames = (ts: string) => [...ts.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1]);

describe("generated type names", () => {
  it("combinators beside own properties become intersections with inline objects, under the schema's title", async () => {
    const ts = await emitTypes([base, text, image, derived, tagged, part]);
    const names = exportedNames(ts).filter((n) => !/TypeMap$|^(RuntimeCommand|RuntimeEvent|AppFrame|ServerFrame|EnvelopedEvent)$/.test(n!));
    expect(names.sort()).toEqual(["Base", "Derived", "ImagePart", "Part", "Tagged", "TextPart"]);
    expect(ts).toMatch(/export type Derived = Base & \{\n {2}kind: "derived";\n\};/);
    expect(ts).toMatch(/export type Tagged = \(TextPart \| ImagePart\) & \{\n {2}type: string;\n\};/);
    expect(ts).toMatch(/export type Part = TextPart \| ImagePart;/);
    expect(ts).toContain("/**\n * Derived doc\n */\nexport type Derived");
  });

  it("a name no title declares stops codegen", async () => {
    const nested = schema("Outer", { type: "object", properties: { inner: { title: "Inner", type: "object", properties: { a: { type: "string" } } } } });
    await expect(emitTypes([nested])).rejects.toThrow(SchemaError);
    await expect(emitTypes([nested])).rejects.toThrow(/named types no schema title declares: Inner\./);
  });
});
