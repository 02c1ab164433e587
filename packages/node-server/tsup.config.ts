import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { libraryConfig } from "../../tsup.base.js";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
/** The web console's build (apps/console), shipped inside this package and served at `/`. */
const CONSOLE = "../../apps/console/dist";

export default libraryConfig({
  target: "node20",
  platform: "node",
  // import.meta.url in the CJS build too: the console is found next to the module.
  shims: true,
  define: { __BYOR_NODE_SERVER_VERSION__: JSON.stringify(version) },
  // Workspace packages and ws stay external: one copy of the validators and of ws per app.
  external: ["@byor/core", "@byor/protocol", "ws"],
  // turbo builds @byor/console first (a devDependency), so `pnpm build` and `pnpm start` need no extra step.
  onSuccess: async () => {
    rmSync("dist/console", { recursive: true, force: true });
    if (existsSync(`${CONSOLE}/index.html`)) cpSync(CONSOLE, "dist/console", { recursive: true });
    else console.warn(`@byor/node-server: ${CONSOLE} is not built; the server will serve a placeholder at /`);
  },
});
