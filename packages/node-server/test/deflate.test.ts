import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { ByorServer } from "../src/index.js";
import { TOKEN, startServer } from "./helpers/server.js";

/** What the server answers a `ws` client's offer with (in any order). */
const TERMS = ["client_max_window_bits=13", "client_no_context_takeover", "permessage-deflate", "server_max_window_bits=13", "server_no_context_takeover"];

let server: ByorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An app socket that offers permessage-deflate as `ws` (and the runtime) does, with the terms the server answered. */
function offerDeflate(url: string): Promise<WebSocket & { terms: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` }, perMessageDeflate: true }) as WebSocket & { terms: string };
    ws.once("upgrade", (res) => void (ws.terms = String(res.headers["sec-websocket-extensions"] ?? "")));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** The next frame's text. */
function nextText(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(data.toString())));
}

describe("permessage-deflate", () => {
  it("is negotiated without context takeover on either side, with a 13-bit window", async () => {
    const ctx = await startServer();
    server = ctx.server;
    const ws = await offerDeflate(ctx.clientUrl);
    expect(ws.terms.split(/;\s*/).sort()).toEqual(TERMS);
    ws.close();
  });

  it("large frames cross intact both ways, small ones are left uncompressed (the threshold applies)", async () => {
    const ctx = await startServer();
    server = ctx.server;
    const ws = await offerDeflate(ctx.clientUrl);
    let wire = 0;
    // Bytes read off the TCP socket: compressed frames are smaller than their text.
    (ws as unknown as { _socket: { on(e: "data", f: (b: Buffer) => void): void } })._socket.on("data", (b) => void (wire += b.length));
    ws.send(JSON.stringify({ type: "byor.hello" }));
    await nextText(ws);
    // A big frame from the app: refused (unknown runtime) with its request id echoed, so it was inflated whole.
    const id = `big-${"x".repeat(60_000)}`.slice(0, 200);
    ws.send(JSON.stringify({ type: "byor.subscribe", runtime_id: "nope".repeat(10_000), scope: { agent_id: "a", conversation_id: "c" }, request_id: id }));
    const refusal = JSON.parse(await nextText(ws)) as { code: string; request_id: string };
    expect(refusal).toMatchObject({ code: "unknown_runtime", request_id: id });
    // A small answer is sent as it is: the bytes on the wire are at least its text.
    const before = wire;
    ws.send(JSON.stringify({ type: "byor.ping" }));
    const pong = await nextText(ws);
    expect(wire - before).toBeGreaterThanOrEqual(pong.length);
    ws.close();
  });

  it("perMessageDeflate: false never negotiates it", async () => {
    const ctx = await startServer({ perMessageDeflate: false });
    server = ctx.server;
    const ws = await offerDeflate(ctx.clientUrl);
    expect(ws.terms).toBe("");
    expect(ws.extensions).toBe("");
    ws.close();
  });
});
