import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emitRegistry } from "./emit-registry.js";
import { emitTypes } from "./emit-types.js";
import { emitValidators } from "./emit-validators.js";
import { loadSchemas, SchemaError } from "./load.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const outDir = join(repoRoot, "packages/protocol/src/generated");

async function generate(): Promise<Map<string, string>> {
  const schemas = loadSchemas(repoRoot);
  const { js, dts } = emitValidators(schemas);
  return new Map([
    ["types.ts", await emitTypes(schemas)],
    ["validators.js", js],
    ["validators.d.ts", dts],
    ["registry.ts", emitRegistry(schemas)],
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
      const path = join(outDir, name);
      return !existsSync(path) || readFileSync(path, "utf8") !== text;
    });
    if (stale.length) {
      console.error(`codegen:check: ${stale.map(([n]) => `packages/protocol/src/generated/${n}`).join(", ")} differ from schema/. Run \`pnpm codegen\` and commit the result.`);
      return 1;
    }
    console.log(`codegen:check: ${files.size} generated files match schema/.`);
    return 0;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  console.log(`codegen: wrote ${[...files.keys()].join(", ")} to packages/protocol/src/generated/`);
  return 0;
}

process.exitCode = await main();
