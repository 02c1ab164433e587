import { libraryConfig } from "../../tsup.base.js";

export default libraryConfig({ target: "es2022", platform: "neutral", external: ["@byor/core", "@byor/protocol"] });
