import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emitCommandDocs, spliceSection } from "./emit-docs.js";
import { emitRegistry } from "./emit-registry.js";
import { emitTypes } from "./emit-types.js";
import { emitValidators } from "./emit-validators.js";
import { loadSchemas, SchemaError } from "./load.js";
import { loadPrivileges } from "./privileges.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const generatedDir = "packages/protocol/src/generated";
const protocolDoc = "PROTOCOL.md";

/** Every file codegen owns (path from the repo root → its text); PROTOCOL.md only between its markers. */
async function generate(): Promise<Map<string, string>> {
  const privileges = loadPrivileges(repoRoot);
  const schemas = loadSchemas(repoRoot, privileges);
  const { js, dts } = emitValidators(schemas);
  const doc = readFileSync(join(repoRoot, protocolDoc), "utf8");
  return new Map([
    [`${generatedDir}/types.ts`, await emitTypes(schemas)],
    [`${generatedDir}/validators.js`, js],
    [`${generatedDir}/validators.d.ts`, dts],
    [`${generatedDir}/registry.ts`, emitRegistry(schemas, privileges)],
    [protocolDoc, spliceSection(doc, emitCommandDocs(schemas, privileges), protocolDoc)],
  ]);
}

async function main(): Promise<number> {
  const check = process.argv.includes("--check");
  let files: Map<string, string>;
  try {
    files = await generate();
  } catch (err) {
    if (err instanceof SchemaError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  if (check) {
    const stale = [...files].filter(([name, text]) => {
      const path = join(repoRoot, name);
      return !existsSync(path) || readFileSync(path, "utf8") !== text;
    });
    if (stale.length) {
      console.error(`codegen:check: ${stale.map(([n]) => n).join(", ")} differ from schema/. Run \`pnpm codegen\` and commit the result.`);
      return 1;
    }
    console.log(`codegen:check: ${files.size} generated files match schema/.`);
    return 0;
  }
  mkdirSync(join(repoRoot, generatedDir), { recursive: true });
  const written = [...files].filter(([name, text]) => {
    const path = join(repoRoot, name);
    if (existsSync(path) && readFileSync(path, "utf8") === text) return false;
    writeFileSync(path, text);
    return true;
  });
  console.log(`codegen: ${written.length ? `wrote ${written.map(([n]) => n).join(", ")}` : "everything was up to date"}.`);
  return 0;
}

process.exitCode = await main();
