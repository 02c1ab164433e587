#!/usr/bin/env node
import { run } from "./main.js";

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`byor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
