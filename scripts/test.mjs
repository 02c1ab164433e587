// The README's test command: every check CI runs, ending with the plain totals line `N passed, N failed`.
// Steps before vitest (codegen drift, build, typecheck, package lint) count as one test each.
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
}

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
