import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  target: "node20",
  platform: "node",
  // One copy of the core, the validators and ws, shared with the app under test.
  external: ["@byor/core", "@byor/protocol", "ws"],
});
