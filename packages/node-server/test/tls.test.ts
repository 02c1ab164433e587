import { request } from "node:https";
import { describe, expect, it } from "vitest";
import { TEST_CERT, TEST_KEY } from "./helpers/tls-cert.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { connect } from "./helpers/sockets.js";

describe("TLS", () => {
  it("serves HTTPS and WSS when given a key and certificate, and hands the runtime a wss:// URL", async () => {
    const ctx = await startServer({ tls: { key: TEST_KEY, cert: TEST_CERT } });
    try {
      expect(ctx.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = JSON.stringify({
        deviceId: "d-1",
        connectionName: "tls",
        metadata: {
          lettaCodeVersion: "0.32.18",
          os: "linux",
          nodeVersion: "v22",
          environmentMessageProtocol: "v2-input",
          supportsPairedListenerGenerations: true,
          supported_commands: [],
          self_update: { supported: false, writable: false, manual_command: "x" },
        },
      });
      const answer = await new Promise<{ status: number; json: { wsUrl: string } }>((resolve, reject) => {
        const req = request(
          `${ctx.base}/v1/environments/register`,
          { method: "POST", ca: TEST_CERT, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` } },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(text) as { wsUrl: string } }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      expect(answer.status).toBe(200);
      expect(answer.json.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/environments\/socket\?connectionId=conn-/);
      const app = await connect(ctx.clientUrl, { ca: TEST_CERT, headers: { authorization: `Bearer ${TOKEN}` } });
      app.send({ type: "byor.list_runtimes" });
      expect(await app.next((f) => f.type === "byor.runtimes")).toMatchObject({ runtimes: [{ connection_name: "tls" }] });
      await app.close();
    } finally {
      await ctx.server.close();
    }
  });
});
