import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  treeshake: true,
  // One copy of the core, the validators and ws, shared with the app under test.
  external: ["@byor/core", "@byor/protocol", "ws"],
});
