import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "browser",
  treeshake: true,
  // Shared with the app's other BYOR imports: one copy of the core and of the validators.
  external: ["@byor/core", "@byor/protocol"],
});
