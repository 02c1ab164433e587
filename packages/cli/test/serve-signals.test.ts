// Ctrl-C under a package manager (`pnpm start`): byor serve gets the terminal's SIGINT, then the copy pnpm or npm
// forwards to its child a few milliseconds later. It must close cleanly and exit 0 all the same; dying of the copy
// is what made pnpm end with "ELIFECYCLE Command failed".
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startServe } from "../../../scripts/byor-serve.js";

describe("byor serve and Ctrl-C", () => {
  it("takes SIGINTs repeated within a second as the one Ctrl-C: closes cleanly and exits 0", async () => {
    const s = await startServe(["--port", "0", "--token", "signals-test-token"], {}, { timeoutMs: 10_000 });
    const running = () => s.child.exitCode === null && s.child.signalCode === null;
    s.child.kill("SIGINT");
    // Copies at the delays a forwarding package manager shows (1-6 ms measured), during the close and after it.
    for (const delayMs of [0, 1, 3, 10, 50, 150]) {
      await sleep(delayMs);
      if (running()) s.child.kill("SIGINT");
    }
    expect(await s.stop()).toBe(0);
    expect(s.child.signalCode).toBeNull();
    expect(s.stderr()).toMatch(/SIGINT: shutting down/);
    expect(s.stderr()).toMatch(/^stopped$/m);
  });
});
