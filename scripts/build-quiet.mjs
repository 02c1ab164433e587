// `pnpm build` without its logs (about 190 lines), for `pnpm start`, `pnpm test:unit` and the first `byor` of a fresh
// clone: one line on stderr when it worked; the failing tasks' logs, and its exit status, when it did not. Arguments
// go to `turbo run build` (e.g. `--filter=@byor/cli...`). `pnpm build` still prints everything.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const turbo = join(root, "node_modules/.bin/turbo");
if (!existsSync(turbo)) {
  console.error(`${turbo} is missing: install the workspace first (npx -y pnpm@10 install)`);
  process.exit(1);
}
// turbo runs each package's build with pnpm. Where pnpm is not on PATH (`npx byor` on a fresh clone, with only npm),
// a shim on PATH runs it through npx, as the README's commands do.
const env = { ...process.env };
let shim;
if (spawnSync("pnpm", ["--version"], { stdio: "ignore" }).status !== 0) {
  shim = mkdtempSync(join(tmpdir(), "byor-pnpm-"));
  writeFileSync(join(shim, "pnpm"), '#!/bin/sh\nexec npx -y pnpm@10 "$@"\n', { mode: 0o755 });
  env.PATH = `${shim}${delimiter}${env.PATH ?? ""}`;
}
const started = Date.now();
process.stderr.write("Building the packages (pnpm build shows the logs)… ");
const build = spawnSync(turbo, ["run", "build", "--output-logs=errors-only", ...process.argv.slice(2)], {
  cwd: root,
  env,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
  maxBuffer: 256 * 1024 * 1024,
});
if (shim) rmSync(shim, { recursive: true, force: true });
if (build.status === 0) {
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else {
  process.stderr.write("failed:\n");
  process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}${build.error ? `${build.error.message}\n` : ""}`);
  process.exit(build.status ?? 1);
}
