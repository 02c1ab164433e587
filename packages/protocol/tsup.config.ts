import { cpSync, rmSync } from "node:fs";
import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  entry: { index: "src/index.ts", validators: "src/validators.ts" },
  target: "es2022",
  platform: "neutral",
  // Both entries share one chunk of validators in each format (CJS too: without it, index.cjs and validators.cjs
  // each carried their own 2.9 MB copy).
  splitting: true,
  // Ship the JSON Schemas too, for tools in other languages (not committed here: schema/ is the source).
  onSuccess: async () => {
    rmSync("schema", { recursive: true, force: true });
    cpSync("../../schema", "schema", { recursive: true, filter: (src) => !/\.(jsonl|md)$/.test(src) });
  },
});
