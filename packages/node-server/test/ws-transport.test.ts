import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { wsTransport, type WsTransportOptions } from "../src/index.js";
import { TestSocket, until } from "./helpers/sockets.js";

let http: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

/** A server socket wrapped by wsTransport, and a client connected to it. */
async function pair(options: Partial<WsTransportOptions> = {}) {
  http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  await new Promise<void>((resolve) => http!.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new TestSocket(new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, { perMessageDeflate: false }));
  await new Promise((resolve) => client.ws.once("open", resolve));
  const ws = await accepted;
  const transport = wsTransport(ws, { maxBufferedBytes: 16 * 1024 * 1024, overflowClose: { code: 4001, reason: "Slow consumer" }, ...options });
  return { ws, client, transport, close: () => (client.ws.terminate(), ws.terminate(), wss.close()) };
}

describe("wsTransport", () => {
  it("frames sent in one tick leave together when the tick ends (one write, not one per frame), all of them, in order", async () => {
    const { ws, transport, client, close } = await pair();
    try {
      const socket = (ws as unknown as { _socket: { writableCorked: number } })._socket;
      for (let i = 0; i < 50; i++) transport.send(JSON.stringify({ type: "n", i }));
      expect(socket.writableCorked).toBe(1); // held: nothing written yet
      await new Promise((resolve) => process.nextTick(resolve));
      expect(socket.writableCorked).toBe(0);
      await until(() => client.received.length === 50, { what: "50 frames" });
      expect(client.received.map((f) => f.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    } finally {
      close();
    }
  });

  it("fences its listeners: a frame whose handling throws goes to onFault, and the next frames are handled", async () => {
    const faults: unknown[] = [];
    const { transport, client, close } = await pair({ onFault: (error) => faults.push(error) });
    const seen: string[] = [];
    transport.onMessage((text) => {
      if (text === "boom") throw new RangeError("Maximum call stack size exceeded");
      seen.push(text);
      transport.send(JSON.stringify({ type: "echo", text }));
    });
    client.send("boom");
    client.send("after");
    expect(await client.next((f) => f.type === "echo")).toMatchObject({ text: "after" });
    expect(seen).toEqual(["after"]);
    expect(faults).toHaveLength(1);
    expect((faults[0] as Error).name).toBe("RangeError");
    close();
  });

  it("a throwing onFault does not escape either", async () => {
    const { transport, client, close } = await pair({
      onFault: () => {
        throw new Error("fault handler broke");
      },
    });
    transport.onMessage((text) => {
      if (text === "boom") throw new Error("boom");
      transport.send(JSON.stringify({ type: "echo", text }));
    });
    client.send("boom");
    client.send("after");
    expect(await client.next((f) => f.type === "echo")).toMatchObject({ text: "after" });
    close();
  });

  it("closes a peer over its frame budget with rateLimitClose, and handles none of its later frames", async () => {
    const now = 0;
    let limited = 0;
    const { transport, client, close } = await pair({
      budget: { framesPerSecond: 10, bytesPerSecond: 1e9 },
      rateLimitClose: { code: 4008, reason: "Rate limit exceeded" },
      onRateLimited: () => limited++,
      now: () => now,
    });
    let handled = 0;
    transport.onMessage(() => void handled++);
    // A burst of two seconds' worth passes; the frozen clock refills nothing.
    for (let i = 0; i < 25; i++) client.send(`{"n":${i}}`);
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4008, reason: "Rate limit exceeded" });
    expect(handled).toBe(20);
    expect(limited).toBe(1);
    close();
  });

  it("refills the budget with time: a steady peer under its rate is never closed", async () => {
    let now = 0;
    const { transport, client, close } = await pair({ budget: { framesPerSecond: 10, bytesPerSecond: 1e9 }, now: () => now });
    let handled = 0;
    transport.onMessage(() => void handled++);
    for (let i = 0; i < 100; i++) {
      now += 100; // 10 frames/s exactly
      client.send("{}");
      await until(() => handled === i + 1, { what: `frame ${i}` });
    }
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    close();
  });

  it("stops reading a peer that does not read what it is sent (pongs to its pings), so they cannot pile up", async () => {
    const { ws, transport, client, close } = await pair({ maxBufferedBytes: 4 * 1024 * 1024 });
    transport.onMessage(() => transport.send('{"type":"byor.pong"}'));
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let sent = 0;
    // Until the server has paused reading it (without the bound it reads and answers every ping).
    while (!ws.isPaused && sent < 2_000_000) {
      for (let i = 0; i < 1_000; i++) client.ws.send('{"type":"byor.ping"}');
      sent += 1_000;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ws.isPaused).toBe(true);
    // What waits in the server for this peer stays near the pause bound (1 MiB with overhead), far below the limit.
    expect(ws.bufferedAmount).toBeLessThan(256 * 1024);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    // Once the peer reads again, the server drains and reads it again.
    (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => !ws.isPaused, { what: "resumed", timeoutMs: 20_000 });
    close();
  }, 60_000);
});
