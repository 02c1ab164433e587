import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HTTP_VALIDATORS } from "@byor/protocol/validators";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerBody } from "./helpers/fake-runtime.js";
import { CONSOLE_CSP } from "../src/index.js";
import { TOKEN, startServer } from "./helpers/server.js";

let ctx: Awaited<ReturnType<typeof startServer>>;
beforeEach(async () => {
  ctx = await startServer();
});
afterEach(() => ctx.server.close());

const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const post = (path: string, body: unknown, headers: Record<string, string> = auth()) =>
  fetch(`${ctx.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("GET /v1/health", () => {
  it("answers a valid health body", async () => {
    const res = await fetch(`${ctx.base}/v1/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(HTTP_VALIDATORS["health-response"](body)).toBe(true);
    expect(body).toMatchObject({ status: "ok" });
  });
});

describe("POST /v1/environments/register", () => {
  const device = "7ba1fdb5-67b4-4562-bcd6-733470e4d4f1";

  it("refuses a missing or wrong token with 401 and a message the runtime can show", async () => {
    for (const headers of [{}, auth("wrong"), { authorization: TOKEN }]) {
      const res = await post("/v1/environments/register", registerBody(device, "x"), headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("unauthorized");
      expect(body.message).toMatch(/LETTA_API_KEY/);
    }
    expect(ctx.server.runtimes()).toEqual([]);
  });

  it("answers a valid registration with a conn- id, stable per device and listener, and this server's socket", async () => {
    const first = await post("/v1/environments/register", registerBody(device, "laptop"));
    expect(first.status).toBe(200);
    const body = (await first.json()) as { connectionId: string; wsUrl: string };
    expect(HTTP_VALIDATORS["register-response"](body)).toBe(true);
    expect(body.connectionId).toMatch(/^conn-[0-9a-f]{24}$/);
    expect(body.wsUrl).toBe(`${ctx.base.replace("http", "ws")}/v1/environments/socket?connectionId=${body.connectionId}`);
    // Neither split channels nor paired generations: one socket, no listener_ready handshake.
    expect(body).not.toHaveProperty("supportsSplitStatusChannels");

    const again = (await (await post("/v1/environments/register", registerBody(device, "laptop"))).json()) as { connectionId: string };
    expect(again.connectionId).toBe(body.connectionId);
    const other = (await (await post("/v1/environments/register", registerBody("0d9e3c1a-0000-4000-8000-000000000001", "laptop"))).json()) as {
      connectionId: string;
    };
    expect(other.connectionId).not.toBe(body.connectionId);

    const [runtime] = ctx.server.runtimes();
    expect(runtime).toMatchObject({ deviceId: device, connectionName: "laptop", connectionId: body.connectionId, online: false, lettaCodeVersion: "0.32.18" });
    expect(ctx.logger.lines.some((l) => l.includes(`registered as ${body.connectionId}`))).toBe(true);
  });

  it("refuses an invalid body with 400 and the issues, and bad JSON with 400", async () => {
    const res = await post("/v1/environments/register", { deviceId: device, connectionName: "x" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { pointer: string; keyword: string; expected: string; found: string }[] };
    expect(body.error).toBe("invalid_message");
    expect(body.issues).toContainEqual(expect.objectContaining({ pointer: "", keyword: "required", expected: 'property "metadata"', found: "it missing" }));
    expect(ctx.logger.lines.some((l) => l.includes("refused a registration: invalid body") && l.includes("metadata"))).toBe(true);

    const bad = await post("/v1/environments/register", "{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_json");
  });

  it("refuses a body over the limit with 413", async () => {
    await ctx.server.close();
    ctx = await startServer({ maxBodyBytes: 1024 });
    const res = await post("/v1/environments/register", { ...registerBody(device, "x"), padding: "x".repeat(4096) });
    expect(res.status).toBe(413);
  });

  it("answers GET with 405", async () => {
    const res = await fetch(`${ctx.base}/v1/environments/register`, { headers: auth() });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(((await res.json()) as { error: string }).error).toBe("method_not_allowed");
  });
});

describe("GET /v1/agents/{id}/runtime-status", () => {
  it("lets approval recovery go ahead for every conversation asked about", async () => {
    const res = await fetch(`${ctx.base}/v1/agents/agent-1/runtime-status?conversation_ids=local-conv-1,default`, { headers: auth() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statuses: { conversation_id: string; state: string; has_conflicting_listeners: boolean; active_harness: unknown }[] };
    expect(HTTP_VALIDATORS["runtime-status-response"](body)).toBe(true);
    expect(body.statuses.map((s) => s.conversation_id)).toEqual(["local-conv-1", "default"]);
    // The runtime's rule: the entry exists, no conflicting listeners, and IDLE (or this connection is the harness).
    for (const s of body.statuses) expect(!s.has_conflicting_listeners && s.state === "IDLE").toBe(true);
  });

  it("needs the token", async () => {
    const res = await fetch(`${ctx.base}/v1/agents/agent-1/runtime-status?conversation_ids=default`);
    expect(res.status).toBe(401);
  });
});

describe("everything else", () => {
  it("answers unknown paths with a JSON 404 and logs them", async () => {
    const res = await fetch(`${ctx.base}/v1/agents/agent-1/messages?limit=1`, { headers: auth() });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await res.json()) as { error: string }).error).toBe("not_found");
    expect(ctx.logger.lines).toContain("warn unknown request GET /v1/agents/agent-1/messages?limit=1 → 404");
  });

  it("answers a plain GET on a socket path with 426", async () => {
    const res = await fetch(`${ctx.base}/byor/v1/client`);
    expect(res.status).toBe(426);
  });

  it("serves an honest placeholder at / without a console build", async () => {
    const bare = await startServer({ console: false });
    const res = await fetch(`${bare.base}/`);
    const html = await res.text();
    await bare.server.close();
    expect(bare.server.hasConsole).toBe(false);
    expect(res.status).toBe(200);
    expect(html).toMatch(/not built/);
    expect(html).toContain('href="/byor/v1/runtimes"');
    expect(html).not.toContain(TOKEN);
  });
});

describe("the console", () => {
  /** A console build in a temporary directory, as apps/console's Vite build lays it out. */
  function fakeBuild(): string {
    const dir = mkdtempSync(join(tmpdir(), "byor-console-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), '<!doctype html><title>BYOR console</title><script type="module" src="./assets/index-abc.js"></script>');
    writeFileSync(join(dir, "assets/index-abc.js"), "console.log('hi')");
    writeFileSync(join(dir, "favicon.svg"), "<svg/>");
    return dir;
  }

  it("is served at / with a strict Content-Security-Policy, its assets cached for good", async () => {
    const site = await startServer({ console: fakeBuild() });
    try {
      expect(site.server.hasConsole).toBe(true);
      const page = await fetch(`${site.base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).toBe("no-cache");
      const csp = page.headers.get("content-security-policy")!;
      expect(csp).toBe(CONSOLE_CSP);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(csp).not.toMatch(/unsafe-(eval|inline)/);
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await page.text()).toContain("<title>BYOR console</title>");
      const script = await fetch(`${site.base}/assets/index-abc.js`);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(script.headers.get("cache-control")).toContain("immutable");
      expect(await script.text()).toBe("console.log('hi')");
      const head = await fetch(`${site.base}/favicon.svg`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe("image/svg+xml");
    } finally {
      await site.server.close();
    }
  });

  it("serves only the files of its build", async () => {
    const site = await startServer({ console: fakeBuild() });
    try {
      for (const path of ["/assets/missing.js", "/assets/../../etc/passwd", "/%2e%2e/package.json", "/index.html/x"]) {
        const res = await fetch(`${site.base}${path}`);
        expect(res.status, path).toBe(404);
        expect(res.headers.get("content-type"), path).toContain("application/json");
      }
      expect((await fetch(`${site.base}/`, { method: "POST" })).status).toBe(405);
    } finally {
      await site.server.close();
    }
  });

  it("ships inside the package build (dist/console) and is found by default", async () => {
    const site = await startServer();
    try {
      const page = await fetch(`${site.base}/`);
      const html = await page.text();
      expect(site.server.hasConsole).toBe(true);
      expect(html).toContain("<title>BYOR console</title>");
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(`${site.base}/${asset}`)).status).toBe(200);
    } finally {
      await site.server.close();
    }
  });
});

describe("GET /byor/v1/runtimes", () => {
  it("needs the token (header or ?token=)", async () => {
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`)).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: auth("nope") })).status).toBe(401);
    expect((await fetch(`${ctx.base}/byor/v1/runtimes?token=${TOKEN}`)).status).toBe(200);
  });

  it("lists runtimes with device id, names, connection id, online and times", async () => {
    await post("/v1/environments/register", registerBody("7ba1fdb5-67b4-4562-bcd6-733470e4d4f1", "laptop"));
    const res = await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: auth() });
    const { runtimes } = (await res.json()) as { runtimes: Record<string, unknown>[] };
    expect(runtimes).toHaveLength(1);
    expect(runtimes[0]).toMatchObject({
      deviceId: "7ba1fdb5-67b4-4562-bcd6-733470e4d4f1",
      connectionName: "laptop",
      connectionId: expect.stringMatching(/^conn-/),
      online: false,
      connectedAt: null,
      lastSeenAt: null,
    });
  });
});
