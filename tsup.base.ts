import { defineConfig, type Options } from "tsup";

/** What every published package builds: ESM + CJS with types and source maps, from src/index.ts. */
export const libraryConfig = (options: Options) =>
  defineConfig({
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    ...options,
  });
