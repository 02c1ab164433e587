import { compile } from "json-schema-to-typescript";
import { header } from "./header.js";
import { isAppFrame, isCommand, isEvent, isServerFrame, SchemaError, type SchemaFile } from "./load.js";
import { mapSchema } from "./schema-walk.js";

/** Keywords that shape an object, as opposed to the combinators beside them. */
const OBJECT_KEYWORDS = ["type", "properties", "required", "additionalProperties", "patternProperties"];

/**
 * json-schema-to-typescript turns a titled schema that has both a combinator (allOf, oneOf, anyOf) and properties of
 * its own into `Name = Name1 & Name2`, exporting the numbered parts. For the types only (validation reads schema/
 * as is), such a schema becomes an `allOf` of its combinators and one untitled object with its own keywords, which
 * is the same set of values and compiles to `Name = Base & { ... }` or `Name = (A | B) & { ... }`.
 */
function splitCombinators(node: Record<string, unknown>): Record<string, unknown> {
  const combinators = ["allOf", "oneOf", "anyOf"].filter((k) => Array.isArray(node[k]));
  const own = OBJECT_KEYWORDS.filter((k) => k in node);
  if (!combinators.length || !own.some((k) => k !== "type")) return node;
  const rest = Object.fromEntries(Object.entries(node).filter(([k]) => !combinators.includes(k) && !own.includes(k)));
  const members = [
    ...((node.allOf as unknown[] | undefined) ?? []),
    ...(["oneOf", "anyOf"] as const).filter((k) => node[k]).map((k) => ({ [k]: node[k] })),
    Object.fromEntries(own.map((k) => [k, node[k]])),
  ];
  return { ...rest, allOf: members };
}

/** Rewrites every relative `$ref` into a `#/$defs/<Title>` pointer of one bundled root schema. */
function bundle(schemas: SchemaFile[]): Record<string, unknown> {
  const titleById = new Map(schemas.map((s) => [s.id, s.title]));
  const rewrite = (node: unknown, base: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, base));
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    // A $ref with a description beside it would make json-schema-to-typescript emit a copy of the referenced type
    // (LettaErrorMessage1, 2, ...): the shared type keeps its own description instead.
    const isRef = typeof (node as { $ref?: unknown }).$ref === "string";
    for (const [k, v] of Object.entries(node)) {
      if (k === "$id" || k === "$schema" || k.startsWith("x-byor-")) continue;
      if (isRef && (k === "description" || k === "title")) continue;
      if (k === "$ref" && typeof v === "string") {
        const [target, fragment = ""] = new URL(v, base).href.split("#");
        const title = titleById.get(target!);
        if (!title) throw new Error(`unresolved $ref ${v} in ${base}`);
        out.$ref = `#/$defs/${title}${fragment}`;
        continue;
      }
      out[k] = rewrite(v, base);
    }
    return out;
  };
  const $defs: Record<string, unknown> = {};
  for (const s of schemas) $defs[s.title] = mapSchema(rewrite(s.json, s.id), splitCombinators);
  return { title: "ByorProtocolSchemas", type: "object", $defs };
}

const union = (name: string, doc: string, members: string[]): string => `/** ${doc} */\nexport type ${name} =\n  | ${members.join("\n  | ")};\n`;

export async function emitTypes(schemas: SchemaFile[]): Promise<string> {
  let body = await compile(bundle(schemas) as never, "ByorProtocolSchemas", {
    additionalProperties: false, // types stay exact; the validators still accept unknown fields
    unreachableDefinitions: true,
    bannerComment: "",
    format: true,
    strictIndexSignatures: true,
    ignoreMinAndMaxItems: true, // no tuple unions for minItems/maxItems; the validators still check them
  });
  // The bundle root is only a container for $defs.
  body = body.replace(/export interface ByorProtocolSchemas \{[^}]*\}\n/, "");
  body = body.replaceAll(/\n \*\n \* This interface was referenced by `ByorProtocolSchemas`'s JSON-Schema\n \* via the `definition` "[^"]+"\./g, "");
  body = body.replaceAll(/\/\*\*\n \* This interface was referenced by `ByorProtocolSchemas`'s JSON-Schema\n \* via the `definition` "[^"]+"\.\n \*\/\n/g, "");

  // Every exported name must be a schema's title: a name json-schema-to-typescript made up (numbered, or from a
  // nested title) would be public API nobody chose.
  const titles = new Set(schemas.map((s) => s.title));
  const invented = [...body.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1]!).filter((name) => !titles.has(name));
  if (invented.length) {
    throw new SchemaError(
      `json-schema-to-typescript named types no schema title declares: ${invented.join(", ")}. Give the shape a defs/ file with a title, or ` +
        "drop the title of a nested schema.",
    );
  }

  const commands = schemas.filter(isCommand);
  const events = schemas.filter(isEvent);
  const appFrames = schemas.filter(isAppFrame);
  const serverFrames = schemas.filter(isServerFrame);
  const typeMap = (name: string, doc: string, items: SchemaFile[]) =>
    `/** ${doc} */\nexport interface ${name} {\n${items.map((s) => `  ${JSON.stringify(s.wireType)}: ${s.title};`).join("\n")}\n}\n`;
  const responses = commands.filter((s) => s.response);
  const byType = new Map(schemas.filter((s) => s.wireType).map((s) => [s.wireType!, s.title]));
  const tail = [
    union(
      "RuntimeCommand",
      "Every frame a server or app may send to the runtime.",
      commands.map((s) => s.title),
    ),
    union(
      "RuntimeEvent",
      "Every frame the runtime may send.",
      events.map((s) => s.title),
    ),
    typeMap("CommandTypeMap", "Command `type` → its message type.", commands),
    typeMap("EventTypeMap", "Event `type` → its message type.", events),
    union(
      "AppFrame",
      "Every frame an app may send to a BYOR server's client endpoint.",
      appFrames.map((s) => s.title),
    ),
    union(
      "ServerFrame",
      "Every frame a BYOR server may send to an app.",
      serverFrames.map((s) => s.title),
    ),
    typeMap("AppFrameTypeMap", "App frame `type` → its message type.", appFrames),
    typeMap("ServerFrameTypeMap", "Server frame `type` → its message type.", serverFrames),
    `/** Command \`type\` → the \`type\` of the one response the runtime pairs with it by \`request_id\`. */\nexport interface ResponseTypeMap {\n${responses.map((s) => `  ${s.wireType}: ${JSON.stringify(s.response)};`).join("\n")}\n}\n`,
    `/** Frames that carry the event envelope (runtime, event_seq, emitted_at, idempotency_key). */\nexport type EnvelopedEvent = ${
      events
        .filter((s) => s.enveloped)
        .map((s) => byType.get(s.wireType!))
        .join(" | ") || "never"
    };\n`,
  ].join("\n");
  return `${header("TypeScript types of every schema.")}\n${body.trim()}\n\n${tail}`;
}
