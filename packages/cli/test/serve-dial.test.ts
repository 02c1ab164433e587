// `byor serve --dial`: the CLI dials App Server runtimes (here a stand-in over real sockets; the real runtime is
// dialled in @byor/testing's interop-app-server test) and lists them beside registered ones.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { startServe } from "../../../scripts/byor-serve.js";
import { startFakeAppServer } from "../../client/test/helpers/fake-app-server.js";

const bin = resolve(import.meta.dirname, "../dist/bin.js");
const TOKEN = "serve-dial-token-123";

describe("byor serve --dial", () => {
  it("dials each runtime with the auth options that follow its --dial, and lists it", async () => {
    const tokenRuntime = await startFakeAppServer({ auth: { token: "capability-0123" } });
    const jwtRuntime = await startFakeAppServer({ auth: { secret: "shared-secret-0123456789", issuer: "byor", audience: "letta" } });
    const dir = mkdtempSync(join(tmpdir(), "byor-dial-"));
    writeFileSync(join(dir, "token"), "capability-0123\n");
    writeFileSync(join(dir, "secret"), "shared-secret-0123456789\n");
    const s = await startServe(
      [
        "--port",
        "0",
        "--dial",
        tokenRuntime.url,
        "--dial-token-file",
        join(dir, "token"),
        "--dial-name",
        "with-token",
        "--dial",
        jwtRuntime.url,
        "--dial-secret-file",
        join(dir, "secret"),
        "--dial-issuer",
        "byor",
        "--dial-audience",
        "letta",
      ],
      { BYOR_TOKEN: TOKEN },
      { timeoutMs: 10_000 },
    );
    try {
      expect(s.stdout()).toContain(`Dialling 2 App Server runtimes: ${tokenRuntime.url}, ${jwtRuntime.url}`);
      let runtimes: { connectionName: string; online: boolean; mode: string; dialUrl: string }[] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${s.port}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${TOKEN}` } });
        runtimes = ((await res.json()) as { runtimes: typeof runtimes }).runtimes;
        if (runtimes.length === 2 && runtimes.every((r) => r.online)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(runtimes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ mode: "app_server", dialUrl: tokenRuntime.url, connectionName: "with-token", online: true }),
          expect.objectContaining({ mode: "app_server", dialUrl: jwtRuntime.url, online: true }),
        ]),
      );
      expect(tokenRuntime.authorizations).toEqual(["Bearer capability-0123"]);
      expect(jwtRuntime.authorizations[0]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(s.stderr()).not.toContain("capability-0123");
      expect(await s.stop("SIGTERM")).toBe(0);
    } finally {
      await s.stop("SIGKILL").catch(() => {});
      await tokenRuntime.stop();
      await jwtRuntime.stop();
    }
  });

  it("refuses dial options without a --dial, both auth files at once, and an unreadable file", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, "serve", "--port", "0", ...args], { encoding: "utf8" });
    const orphan = run("--dial-token-file", "/tmp/x", "--dial", "ws://127.0.0.1:4500");
    expect(orphan.status).toBe(2);
    expect(orphan.stderr).toMatch(/--dial-token-file goes after the --dial it is for/);
    const both = run("--dial", "ws://127.0.0.1:4500", "--dial-token-file", "/tmp/a", "--dial-secret-file", "/tmp/b");
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
    const missing = run("--dial", "ws://127.0.0.1:4500", "--dial-token-file", "/nonexistent/token");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --dial-token-file \/nonexistent\/token \(for --dial ws:\/\/127\.0\.0\.1:4500\): ENOENT/);
    const badUrl = run("--dial", "not a url");
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/not a URL/);
  });
});
