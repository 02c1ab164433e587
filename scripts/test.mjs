// The README's test command: every check CI runs, ending with the plain totals line `N passed, N failed`.
// Steps before vitest (codegen drift, build, typecheck, package lint, packed-package check, API reference, format and
// lint, the browser and redis-server the tests need) count as one test each.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const pnpm = process.env.npm_execpath?.includes("pnpm") ? [process.execPath, process.env.npm_execpath] : ["npx", "-y", "pnpm@10"];
const run = (args) => spawnSync(pnpm[0], [...pnpm.slice(1), ...args], { stdio: "inherit" }).status === 0;

let passed = 0;
let failed = 0;
const step = (name, ok) => {
  if (ok) passed++;
  else {
    failed++;
    console.error(`\n✗ ${name} failed`);
  }
  return ok;
};

const built = step("build", run(["build"]));
step("codegen:check", run(["codegen:check"]));
if (built) {
  step("typecheck", run(["typecheck"]));
  step("publint + attw", run(["lint:packages"]));
  // The tarballs as published, installed into a fresh project and compiled under node16, node10 and bundler.
  step("pack:check", run(["pack:check"]));
  step("API reference (typedoc → docs/api)", run(["docs:api"]));
}

// Biome: formatting and lint, no writes (`pnpm format` writes the fixes).
step("format + lint (biome)", run(["lint"]));
// Chromium for the console's end-to-end tests and redis-server for @byor/redis's: found, else installed, else one loud
// failure here (their tests fail too, never skip).
step("test prerequisites (Chromium, redis-server)", run(["exec", "tsx", "scripts/test-prerequisites.ts"]));

mkdirSync(".cache", { recursive: true });
const report = ".cache/vitest-report.json";
rmSync(report, { force: true });
const vitestArgs = ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)];
const vitestOk = run(vitestArgs);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  if (!vitestOk && r.numFailedTests === 0) step("vitest (suite errors)", false);
} else {
  step("vitest", vitestOk);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
