import { defineConfig, type Options } from "tsup";

/**
 * What every published package builds: ESM + CJS with types, from src/index.ts.
 *
 * No source maps: the output is unminified ES2022 with the original names, readable in a stack trace as it is, and
 * maps could only point at src/, which the tarballs do not ship (with sourcesContent they tripled @byor/protocol
 * to 24 MB). See docs/releasing.md, "Package sizes".
 */
export const libraryConfig = (options: Options) =>
  defineConfig({
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: false,
    clean: true,
    treeshake: true,
    ...options,
  });
