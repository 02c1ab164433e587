// Fetches the real Letta Code runtime (our interop peer and the authority for the wire types) into an ignored
// cache folder, reusing it when present. Never commit what this writes.
//   tsx scripts/letta-code.ts types     # the tarball + @letta-ai/letta-client, for the type-level tests
//   tsx scripts/letta-code.ts runtime   # also Node 22 and ws, to run letta.js
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const LETTA_CODE_VERSION = "0.32.18";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE_DIR = join(repoRoot, ".cache", `letta-code-${LETTA_CODE_VERSION}`);
export const PACKAGE_DIR = join(CACHE_DIR, "package");
export const TYPES_DIR = join(PACKAGE_DIR, "dist/types/types");

const npm = (args: string[], cwd = CACHE_DIR) =>
  execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

/** Unpacks `@letta-ai/letta-code@0.32.18` and installs the client types its declarations import. */
export function ensureTypes(): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  // Its own package.json keeps npm from walking up into our pnpm workspace.
  const manifest = join(CACHE_DIR, "package.json");
  if (!existsSync(manifest)) writeFileSync(manifest, '{ "private": true, "description": "cache, not committed" }\n');
  if (!existsSync(join(PACKAGE_DIR, "package.json"))) {
    rmSync(PACKAGE_DIR, { recursive: true, force: true });
    const tgz = npm(["pack", `@letta-ai/letta-code@${LETTA_CODE_VERSION}`, "--silent"]).trim().split("\n").pop()!;
    execFileSync("tar", ["-xzf", tgz], { cwd: CACHE_DIR });
    rmSync(join(CACHE_DIR, tgz));
  }
  if (!existsSync(join(CACHE_DIR, "node_modules/@letta-ai/letta-client/package.json"))) {
    const range = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).dependencies["@letta-ai/letta-client"];
    npm(["install", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", `@letta-ai/letta-client@${range}`]);
  }
  return TYPES_DIR;
}

/** Also installs Node 22 (the runtime needs it) and ws beside the package; returns how to start letta.js. */
export function ensureRuntime(): { node: string; letta: string } {
  ensureTypes();
  const nodeBin = join(CACHE_DIR, "node_modules/node/bin/node");
  if (!existsSync(nodeBin) || !existsSync(join(CACHE_DIR, "node_modules/ws/package.json"))) {
    npm(["install", "--no-audit", "--no-fund", "--no-package-lock", "node@22", "ws@8"]);
  }
  // The runtime resolves `ws` from beside letta.js.
  if (!existsSync(join(PACKAGE_DIR, "node_modules/ws"))) {
    mkdirSync(join(PACKAGE_DIR, "node_modules"), { recursive: true });
    execFileSync("cp", ["-r", join(CACHE_DIR, "node_modules/ws"), join(PACKAGE_DIR, "node_modules/ws")]);
  }
  return { node: nodeBin, letta: join(PACKAGE_DIR, "letta.js") };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? "types";
  if (what === "runtime") console.log(ensureRuntime());
  else console.log(ensureTypes(), readdirSync(TYPES_DIR).length, "files");
}
