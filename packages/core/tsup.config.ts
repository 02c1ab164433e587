import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({
  target: "es2022",
  platform: "neutral",
  // The protocol package stays external: apps share one copy of the validators.
  external: ["@byor/protocol"],
});
