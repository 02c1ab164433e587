#!/usr/bin/env node
// The `byor` command. A committed file rather than the build output, so that package managers link it at install
// time, before `pnpm build` has made dist/ (the workspace's examples call `byor` from their npm scripts).
import "../dist/bin.js";
