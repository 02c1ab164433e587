import { libraryConfig } from "../../tsup.base.js";

// The hub and ioredis stay external: one copy of each per app.
export default libraryConfig({ target: "node20", platform: "node", external: ["@byor/hub", "ioredis"] });
