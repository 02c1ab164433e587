import { cpSync, rmSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", validators: "src/validators.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
  treeshake: true,
  // Ship the JSON Schemas too, for tools in other languages (not committed here: schema/ is the source).
  onSuccess: async () => {
    rmSync("schema", { recursive: true, force: true });
    cpSync("../../schema", "schema", { recursive: true, filter: (src) => !/\.(jsonl|md)$/.test(src) });
  },
});
