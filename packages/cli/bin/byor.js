#!/usr/bin/env node
// The `byor` command. A committed file rather than the build output, so that package managers link it at install
// time, before `pnpm build` has made dist/ (the workspace's examples call `byor` from their npm scripts).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(bin)) {
  // A clone of the repository before `pnpm build`: build @byor/cli and the packages it uses (one line on stderr, so
  // stdout stays the command's), then run it. A published package always has dist/.
  const build = new URL("../../../scripts/build-quiet.mjs", import.meta.url);
  if (!existsSync(build)) {
    process.stderr.write(`byor: ${fileURLToPath(bin)} is missing: this @byor/cli was never built; reinstall it\n`);
    process.exit(2);
  }
  process.stderr.write("byor: first run in this clone: building @byor/cli and the packages it uses\n");
  const built = spawnSync(process.execPath, [fileURLToPath(build), "--filter=@byor/cli..."], { stdio: ["ignore", "inherit", "inherit"] });
  if (built.status !== 0 || !existsSync(bin)) {
    process.stderr.write("byor: the build failed (see above); `npx -y pnpm@10 build` shows every log\n");
    process.exit(2);
  }
}
await import(bin.href);
