import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { header } from "./header.js";
import type { SchemaFile } from "./load.js";
import { mapSchema } from "./schema-walk.js";

/** Annotation keywords of ours (schema/README.md); they carry metadata and never affect validation. */
export const BYOR_KEYWORDS = ["x-byor-direction", "x-byor-response", "x-byor-enveloped", "x-byor-privilege"];

const ANNOTATIONS = new Set(["title", "description", "examples", "default", "$comment", "$schema", ...BYOR_KEYWORDS]);
/** Drops annotation keywords from a schema (validation never reads them). */
const stripAnnotations = (schema: unknown): unknown =>
  mapSchema(schema, (node) => Object.fromEntries(Object.entries(node).filter(([k]) => !ANNOTATIONS.has(k))));

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
  code = boundErrors(code);
  imports.push(`import { appendErrors as ${APPEND_ERRORS} } from "../ajv-runtime.js";`);
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

/**
 * Errors a validator keeps (it still counts them all, in `validate.count`). ajv's `allErrors` keeps every error and
 * merges a callee's errors with `concat`: a frame with 32k wrong items cost seconds and megabytes before this.
 */
export const MAX_KEPT_ERRORS = 100;
const APPEND_ERRORS = "byorAppendErrors";
/** How many more errors the caller keeps: a callee past it builds none (an array of 2M wrong items builds 100). */
const ROOM = "byorRoom";

const PUSH = /const (err\d+) = (\{.*?\});if\(vErrors === null\)\{vErrors = \[\1\];\}else \{vErrors\.push\(\1\);\}errors\+\+;/g;
const CONCAT = /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);errors = vErrors\.length;/g;
const RESET = /errors = (_errs\d+);if\(vErrors !== null\)\{if\(\1\)\{vErrors\.length = \1;\}else \{vErrors = null;\}\}/g;
const RETURN = /(validate\d+)\.errors = vErrors;return errors === 0;/g;
const SIGNATURE = /\{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}/g;
const CALL = /(validate\d+)\(([\w.[\]]+), \{(instancePath[^{}]*)\}\)/g;

/**
 * Rewrites ajv's error bookkeeping so a validator keeps at most MAX_KEPT_ERRORS errors and counts the rest.
 * Invariant (per function): `vErrors` holds the first min(errors, room) errors, so ajv's own checks on the counter
 * (`errors === _errsN`: did a subschema fail?) and its rollbacks (an anyOf branch that failed before one passed)
 * keep their meaning. An error past the room is not even built. Each pattern must match every site it covers, or
 * codegen stops: a new ajv version that emits other shapes must be looked at, not silently left unbounded.
 */
export function boundErrors(code: string): string {
  const cap = MAX_KEPT_ERRORS;
  const sites = (re: RegExp) => code.match(re)?.length ?? 0;
  const expected = {
    push: sites(/const err\d+ = /g),
    concat: sites(/\.concat\(/g),
    reset: sites(/vErrors\.length = /g),
    fn: sites(/let vErrors = null;/g),
    signature: sites(/function validate\d+\(/g),
    call: sites(/validate\d+\(/g) - sites(/function validate\d+\(/g),
  };
  const found = { push: sites(PUSH), concat: sites(CONCAT), reset: sites(RESET), fn: sites(RETURN), signature: sites(SIGNATURE), call: sites(CALL) };
  for (const k of Object.keys(expected) as (keyof typeof expected)[]) {
    if (expected[k] !== found[k]) throw new Error(`ajv's standalone code has ${expected[k]} ${k} sites, the error cap rewrites ${found[k]}`);
  }
  return code
    .replace(
      PUSH,
      (_m, err: string, literal: string) =>
        `if(errors < ${ROOM}){const ${err} = ${literal};if(vErrors === null){vErrors = [${err}];}else {vErrors.push(${err});}}errors++;`,
    )
    .replace(CONCAT, (_m, fn: string) => `vErrors = ${APPEND_ERRORS}(vErrors, ${fn}.errors, ${ROOM});errors += ${fn}.count;`)
    .replace(
      RESET,
      (_m, errs: string) => `errors = ${errs};if(vErrors !== null){if(${errs}){if(${errs} < vErrors.length)vErrors.length = ${errs};}else {vErrors = null;}}`,
    )
    .replace(RETURN, (_m, fn: string) => `${fn}.errors = vErrors;${fn}.count = errors;return errors === 0;`)
    .replace(SIGNATURE, `{instancePath="", parentData, parentDataProperty, rootData=data, ${ROOM}=${cap}}={}`)
    .replace(CALL, (_m, fn: string, data: string, options: string) => `${fn}(${data}, {${options},${ROOM}:${ROOM}-errors})`);
}
