// What the test command needs besides the workspace's packages, provided before vitest runs so that a missing one is
// one clear failure instead of silently skipped tests: the Chromium of the console's end-to-end tests, and the
// redis-server of @byor/redis's and the scale-out tests. Each is found on this machine or installed (see the helpers).
import { ensureChromium } from "./chromium.js";
import { ensureRedisServer } from "./redis-server.js";

let ok = true;
try {
  const chromium = ensureChromium();
  console.log(`chromium: ${chromium.path} (${chromium.version}; ${chromium.source})`);
} catch (err) {
  ok = false;
  console.error(`chromium: ${(err as Error).message}`);
}
try {
  console.log(`redis-server: ${ensureRedisServer()}`);
} catch (err) {
  ok = false;
  console.error(`redis-server: ${(err as Error).message}`);
}
process.exitCode = ok ? 0 : 1;
