import { cpSync, rmSync } from "node:fs";
import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  entry: { index: "src/index.ts", validators: "src/validators.ts" },
  target: "es2022",
  platform: "neutral",
  // Ship the JSON Schemas too, for tools in other languages (not committed here: schema/ is the source).
  onSuccess: async () => {
    rmSync("schema", { recursive: true, force: true });
    cpSync("../../schema", "schema", { recursive: true, filter: (src) => !/\.(jsonl|md)$/.test(src) });
  },
});
