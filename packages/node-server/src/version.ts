declare const __BYOR_NODE_SERVER_VERSION__: string | undefined;

/** This package's version, set at build time (tsup `define`); "dev" when run from source. */
export const VERSION: string = typeof __BYOR_NODE_SERVER_VERSION__ === "string" ? __BYOR_NODE_SERVER_VERSION__ : "dev";
