import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * `pnpm test:unit`, the fast loop: every test except those that need the real Letta Code runtime, Chromium, a
 * redis-server or several `byor serve` processes, and the 1,000-fault soak. `pnpm test` runs them all (the gate).
 * A new test file that needs one of those belongs in this list.
 */
export const SLOW_TESTS = [
  // Chromium (and the real runtime, for console-real-runtime)
  "apps/console/test/*.e2e.test.ts",
  // the real runtime (scripts/letta-code.ts installs Node 22 and @letta-ai/letta-code into .cache/)
  "packages/node-server/test/interop-real-runtime.test.ts",
  "packages/testing/test/conformance.test.ts",
  "packages/testing/test/interop-app-server.test.ts",
  "packages/testing/test/interop-scenarios.test.ts",
  "packages/testing/test/app-server-harness.test.ts",
  "examples/test/examples.test.ts",
  // a real redis-server; scale-out also runs three byor serve processes
  "packages/redis/test/**",
  "packages/testing/test/scale-out.test.ts",
  // streams through 1,000 injected network faults (about 40 s)
  "packages/testing/test/reliability/fault-proxy.test.ts",
];

export default mergeConfig(
  base,
  defineConfig({
    // Test files share their worker's module cache (each one otherwise loads the protocol's validators again): about
    // 95 s instead of 155 s on 2 cores. `pnpm test` keeps every file isolated.
    test: { exclude: [...configDefaults.exclude, ...SLOW_TESTS], isolate: false },
  }),
);
