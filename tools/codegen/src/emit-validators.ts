import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { header } from "./header.js";
import type { SchemaFile } from "./load.js";

/** Annotation keywords of ours (schema/README.md); they carry metadata and never affect validation. */
export const BYOR_KEYWORDS = ["x-byor-direction", "x-byor-response", "x-byor-enveloped"];

const ANNOTATIONS = new Set(["title", "description", "examples", "default", "$comment", "$schema", ...BYOR_KEYWORDS]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas", "$defs"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMAS = new Set(["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"]);

/** Drops annotation keywords from a schema, walking only schema positions (a property may be called "title"). */
function stripAnnotations(schema: unknown): unknown {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    if (SCHEMA_MAPS.has(k)) out[k] = Object.fromEntries(Object.entries(v as object).map(([name, sub]) => [name, stripAnnotations(sub)]));
    else if (SCHEMA_LISTS.has(k)) out[k] = (v as unknown[]).map(stripAnnotations);
    else if (SUBSCHEMAS.has(k)) out[k] = stripAnnotations(v);
    else out[k] = v;
  }
  return out;
}

export const validatorName = (s: SchemaFile): string => `validate${s.title}`;

/** Ajv instance shared by codegen and the tests that compile schema/ directly. */
export function createAjv(schemas: SchemaFile[], options: { standalone: boolean }): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    // oneOf unions told apart by a const property declare `discriminator`: only the meant branch is checked,
    // so errors speak of it alone.
    discriminator: true,
    // minLength/maxLength as string.length instead of a code-point count that walks every string: the same
    // answer for the only limit schema/ uses (minLength 1, checked in loadSchemas) and much faster.
    unicode: false,
    logger: { log: console.log, warn: (msg: unknown) => String(msg).includes("option unicode") || console.warn(msg), error: console.error },
    code: options.standalone ? { source: true, esm: true, lines: false, optimize: true } : undefined,
  });
  for (const keyword of BYOR_KEYWORDS) ajv.addKeyword(keyword);
  // Annotations do not change validation; leaving them out keeps the standalone code small.
  for (const s of schemas) ajv.addSchema(options.standalone ? (stripAnnotations(s.json) as object) : s.json);
  return ajv;
}

// Ajv's standalone output reaches for helpers of its own with require(), even in ESM mode. We serve the one it
// needs (ucs2length is not used: see `unicode: false`) from our own module, so the validators have no dependency
// and no require() in the ESM build.
const RUNTIME_HELPERS: Record<string, string> = {
  "ajv/dist/runtime/equal": "deepEqual",
};

export function emitValidators(schemas: SchemaFile[]): { js: string; dts: string } {
  const ajv = createAjv(schemas, { standalone: true });
  const exports = Object.fromEntries(schemas.map((s) => [validatorName(s), s.id]));
  let code = standaloneCode(ajv, exports);
  const imports: string[] = [];
  code = code.replace(/const (func\d+) = require\("([^"]+)"\)\.default;/g, (_m, local: string, mod: string) => {
    const helper = RUNTIME_HELPERS[mod];
    if (!helper) throw new Error(`ajv standalone needs an unknown runtime helper: ${mod}`);
    imports.push(`import { ${helper} as ${local} } from "../ajv-runtime.js";`);
    return "";
  });
  if (/\brequire\(/.test(code)) throw new Error("standalone validators still contain require()");
  code = code.replace(/^"use strict";/, "");
  const js = `${header("Standalone ajv validators, no eval at run time.")}/* eslint-disable */\n${imports.join("\n")}\n${code}\n`;

  const typed = schemas.map((s) => `export declare const ${validatorName(s)}: Validator<${s.title}>;`);
  const dts = [
    header("Declarations of the standalone validators."),
    'import type { Validator } from "../validator.js";',
    `import type { ${schemas.map((s) => s.title).join(", ")} } from "./types.js";`,
    "",
    ...typed,
    "",
  ].join("\n");
  return { js, dts };
}
