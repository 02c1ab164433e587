import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  define: { __BYOR_NODE_SERVER_VERSION__: JSON.stringify(version) },
  // Workspace packages and ws stay external: one copy of the validators and of ws per app.
  external: ["@byor/core", "@byor/protocol", "ws"],
});
