import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  target: "es2022",
  platform: "browser",
  // Shared with the app's other BYOR imports: one copy of the core and of the validators.
  external: ["@byor/client", "@byor/core", "@byor/protocol"],
});
