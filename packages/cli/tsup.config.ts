import { defineConfig } from "tsup";

export default defineConfig([
  { entry: { index: "src/index.ts" }, format: ["esm", "cjs"], dts: true, sourcemap: false, clean: true, target: "node20", platform: "node" },
  // The bin stays ESM; each subcommand is its own chunk, loaded only when that subcommand runs.
  { entry: { bin: "src/bin.ts" }, format: ["esm"], sourcemap: false, target: "node20", platform: "node", splitting: true },
]);
