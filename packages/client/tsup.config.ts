import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  // Two entry points with one API: the "node" export condition defaults to ws, every other to the global WebSocket.
  entry: { node: "src/node.ts", browser: "src/browser.ts" },
  target: "es2022",
  platform: "neutral",
  external: ["@byor/core", "@byor/protocol", "isomorphic-ws", "ws"],
});
