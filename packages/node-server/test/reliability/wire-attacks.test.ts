// Wire attacks against a real server (issue #10): one attack at a time, and after each the server is still up and
// a bystander runtime and app complete a round trip (the app sends a command, the runtime answers, the app gets
// the answer and the turn). Prints one `reliability:` line with every attack and its outcome.
import { connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeRuntime, registerBody } from "../helpers/fake-runtime.js";
import { realFrame } from "../helpers/fixtures.js";
import { TOKEN, startServer } from "../helpers/server.js";
import { connect, until, type Json, type TestSocket } from "../helpers/sockets.js";

const MAX_APP_PAYLOAD = 1024 * 1024;
const MAX_RUNTIME_PAYLOAD = 4 * 1024 * 1024;
const scope = { agent_id: "agent-bystander", conversation_id: "conv-1" };
const quiet = { agent_id: "agent-bystander", conversation_id: "nobody-watches" };

let ctx: Awaited<ReturnType<typeof startServer>>;
let runtime: FakeRuntime;
let bystander: TestSocket;
const outcomes: string[] = [];
let trips = 0;

/** JSON text nested `depth` levels (objects and arrays in turn): deeper than JSON.stringify can re-encode. */
const nested = (depth: number): string => {
  let text = "1";
  for (let i = 0; i < depth; i++) text = i % 2 ? `[${text}]` : `{"a":${text}}`;
  return text;
};

/** An update_device_status of `where` whose device_status holds `x`, as the runtime would send it (JSON text). */
function deviceStatusWith(where: typeof scope, x: string, seq: number): string {
  const frame = realFrame("02b-sync-at-socket-open", "update_device_status");
  const text = JSON.stringify({ ...frame, runtime: where, event_seq: seq, device_status: { ...frame.device_status, x: "X" } });
  return text.replace('"X"', x);
}

const inputCommand = (requestId: string, extra: object = {}) => ({
  type: "input",
  request_id: requestId,
  runtime: scope,
  payload: { kind: "create_message", messages: [{ role: "user", content: "hello" }], ...extra },
});

/** The bystanders still work: a command goes through the server, the runtime answers, the app gets it all. */
async function roundTrip(): Promise<void> {
  const id = `trip-${++trips}`;
  const from = bystander.received.length;
  bystander.send({ type: "byor.send", runtime_id: runtime.deviceId, command: inputCommand(id) });
  const accepted = await bystander.next((f) => f.type === "byor.event" && (f.event as Json).request_id === id, { from, timeoutMs: 10_000 });
  expect((accepted.event as Json).type).toBe("input_accepted");
  await bystander.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished", { from, timeoutMs: 10_000 });
  const health = await fetch(`${ctx.base}/v1/health`);
  expect(health.status).toBe(200);
}

/** One attack; its outcome is recorded once the round trip after it succeeded. */
function attack(name: string, run: () => Promise<string>, timeoutMs = 20_000): void {
  it(
    name,
    async () => {
      const outcome = await run();
      await roundTrip();
      outcomes.push(`${name}: ${outcome}`);
    },
    timeoutMs,
  );
}

const app = (options: Parameters<typeof connect>[1] = {}) => connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` }, ...options });

describe("wire attacks: the server stays up and the bystanders keep working", () => {
  beforeAll(async () => {
    ctx = await startServer({ maxAppPayload: MAX_APP_PAYLOAD, maxRuntimePayload: MAX_RUNTIME_PAYLOAD, logRequests: true });
    runtime = new FakeRuntime(ctx.base, TOKEN, undefined, "bystander");
    await runtime.connect();
    bystander = await app();
    bystander.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "sub" });
    expect(await bystander.next((f) => f.type === "byor.subscribed")).toMatchObject({ success: true });
    await roundTrip();
  });

  afterAll(async () => {
    console.log(`reliability: wire attacks: ${outcomes.length} survived, ${trips} bystander round trips; ${outcomes.join("; ")}`);
    await ctx?.server.close();
  });

  attack("10,000-deep runtime event, app subscribed", async () => {
    const from = bystander.received.length;
    runtime.emit(deviceStatusWith(scope, nested(10_000), 9_000_001));
    await roundTrip(); // a barrier: the frame before it was handled
    const relayed = bystander.received.slice(from).some((f) => f.type === "byor.event" && (f.event as Json).event_seq === 9_000_001);
    return relayed ? "relayed" : "dropped";
  });

  attack("update_device_status twice with a 10,000-deep field, nobody subscribed", async () => {
    runtime.emit(deviceStatusWith(quiet, nested(10_000), 9_000_002));
    runtime.emit(deviceStatusWith(quiet, nested(10_000), 9_000_003));
    return "handled";
  });

  attack("63 KB byor.send with 32k wrong-typed items: a bounded reply", async () => {
    const frame = JSON.stringify({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: inputCommand("big", { client_tool_allowlist: Array(32_000).fill(1) }),
    });
    expect(frame.length).toBeGreaterThan(60_000);
    const attacker = await app();
    let size = 0;
    attacker.ws.on("message", (data: Buffer) => void (size = Math.max(size, data.length)));
    attacker.send(frame);
    const error = await attacker.next((f) => f.type === "byor.error", { timeoutMs: 15_000 });
    expect(error).toMatchObject({ code: "invalid_message", request_id: "big" });
    // At most 20 issues listed; the rest counted.
    expect((error.issues as unknown[]).length).toBeLessThanOrEqual(20);
    expect(error.more_issues).toBeGreaterThan(30_000);
    expect(size).toBeLessThan(16 * 1024);
    await attacker.close();
    return `byor.error of ${size} bytes`;
  });

  attack("register body with 32k wrong-typed items: a bounded 400", async () => {
    const body = registerBody("attacker-device", "attacker");
    const huge = JSON.stringify({ ...body, metadata: { ...body.metadata, supported_commands: Array(32_000).fill(1) } });
    const res = await fetch(`${ctx.base}/v1/environments/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: huge,
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).moreIssues).toBeGreaterThan(30_000);
    expect(text.length).toBeLessThan(16 * 1024);
    return `400 of ${text.length} bytes`;
  });

  attack("runtime event with 32k wrong-typed items", async () => {
    const frame = JSON.parse(deviceStatusWith(scope, "1", 9_000_004)) as { device_status: Record<string, unknown> };
    frame.device_status.available_toolsets = Array(32_000).fill(1);
    runtime.emit(JSON.stringify(frame));
    return "dropped";
  });

  attack("invalid-JSON flood from one app", async () => {
    const attacker = await app({ perMessageDeflate: false });
    let sent = 0;
    // As fast as the socket takes it, until the server closes it (or 50,000 frames).
    while (attacker.ws.readyState === attacker.ws.OPEN && sent < 50_000) {
      for (let i = 0; i < 500; i++) attacker.ws.send("{not json");
      sent += 500;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const close = await attacker.close();
    const started = Date.now();
    await roundTrip();
    return `closed ${close.code} after ${sent} frames; next round trip took ${Date.now() - started} ms`;
  });

  attack("an app that sends byor.ping and never reads", async () => {
    const attacker = await app({ perMessageDeflate: false });
    const tcp = (attacker.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    let sent = 0;
    const ping = JSON.stringify({ type: "byor.ping" });
    // Until the server stops reading it: its pings pile up on this side (or 1.2M of them, 31 MB).
    while (sent < 1_200_000 && attacker.ws.bufferedAmount < 4 * 1024 * 1024) {
      for (let i = 0; i < 1_000; i++) attacker.ws.send(ping);
      sent += 1_000;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(attacker.ws.bufferedAmount).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    // Now read what the server queued for it: a bounded number of pongs, then its close.
    tcp.resume();
    const close = await attacker.closed;
    const pongs = attacker.ofType("byor.pong").length;
    // 4008, or 1006 when the server had cut it (after a grace) before it read the close: its unread pings make
    // the kernel reset the connection.
    expect([4008, 1006]).toContain(close.code);
    expect(pongs).toBeLessThan(20_000);
    return `stalled after ${sent} pings; ${pongs} pongs queued, then closed ${close.code}`;
  });

  attack("a burst of 2,000 frames to an app that acks each one", async () => {
    const acker = await app();
    acker.ws.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Json;
      if (typeof frame.seq === "number") acker.send({ type: "byor.ack", seq: frame.seq });
    });
    acker.send({ type: "byor.hello", seq_ack: true });
    await acker.next((f) => f.type === "byor.welcome");
    acker.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "s" });
    await acker.next((f) => f.type === "byor.subscribed");
    const delta = realFrame("03c-turn-deterministic-executor", "stream_delta");
    const frames = Array.from({ length: 2_000 }, (_, i) => JSON.stringify({ ...delta, runtime: scope, event_seq: 10_000 + i }));
    for (const frame of frames) runtime.emit(frame);
    let closed: number | undefined;
    void acker.closed.then((c) => (closed = c.code));
    await until(
      () => closed !== undefined || acker.received.filter((f) => f.type === "byor.event" && ((f.event as Json).event_seq as number) >= 10_000).length === 2_000,
      {
        what: "2,000 frames",
        timeoutMs: 15_000,
      },
    );
    expect(closed).toBeUndefined();
    await acker.close();
    return "all 2,000 received, not closed";
  });

  attack("oversized frames from an app and from a runtime", async () => {
    const big = await app({ perMessageDeflate: false });
    big.send({ type: "byor.list_runtimes", request_id: "x".repeat(MAX_APP_PAYLOAD + 1) });
    const appClose = await big.closed;
    expect(appClose.code).toBe(1009);
    const intruder = new FakeRuntime(ctx.base, TOKEN, undefined, "oversized");
    const socket = await intruder.connect();
    socket.send(`{"type":"ping","pad":"${"x".repeat(MAX_RUNTIME_PAYLOAD)}"}`);
    const runtimeClose = await socket.closed;
    expect(runtimeClose.code).toBe(1009);
    return `app ${appClose.code}, runtime ${runtimeClose.code}`;
  });

  attack("binary frames: JSON and garbage, from an app and a runtime", async () => {
    const attacker = await app();
    attacker.ws.send(Buffer.from(JSON.stringify({ type: "byor.list_runtimes", request_id: "bin" })), { binary: true });
    expect(await attacker.next((f) => f.type === "byor.runtimes")).toMatchObject({ request_id: "bin" });
    attacker.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]), { binary: true });
    expect(await attacker.next((f) => f.type === "byor.error")).toMatchObject({ code: "invalid_json" });
    runtime.socket!.ws.send(Buffer.from([0xff, 0x00, 0x7b]), { binary: true });
    await attacker.close();
    return "answered / refused / dropped";
  });

  attack("half-open sockets: a stalled upgrade, and sockets cut without a close", async () => {
    // An upgrade request that never finishes its headers.
    const stalled = tcpConnect(ctx.server.port, "127.0.0.1");
    await new Promise<void>((resolve) => stalled.once("connect", resolve));
    stalled.write(`GET /byor/v1/client HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`);
    // An app and a runtime whose TCP connection vanishes without a close frame.
    const cut = await app();
    cut.send({ type: "byor.hello", seq_ack: true });
    await cut.next((f) => f.type === "byor.welcome");
    (cut.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    const ghost = new FakeRuntime(ctx.base, TOKEN, undefined, "ghost");
    const ghostSocket = await ghost.connect();
    (ghostSocket.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    await until(() => ctx.server.runtimes().some((r) => r.id === ghost.deviceId && !r.online), { what: "ghost offline" });
    stalled.destroy();
    return "survived";
  });

  attack("?%74oken= with a percent-encoded token: authenticates, never logged", async () => {
    const encoded = [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    const res = await fetch(`${ctx.base}/byor/v1/runtimes?%74oken=${encoded}`);
    expect(res.status).toBe(200);
    await until(() => ctx.logger.lines.some((l) => l.includes("/byor/v1/runtimes?")), { what: "request logged" });
    const logged = ctx.logger.lines.filter((l) => l.includes("/byor/v1/runtimes?"));
    for (const line of logged) {
      expect(line).not.toContain(encoded);
      expect(decodeURIComponent(line)).not.toContain(TOKEN);
    }
    return "redacted";
  });

  attack("register metadata with newlines and ANSI escapes: one escaped log line", async () => {
    const body = registerBody("forger-device", "forger");
    const forged = "linux\n00:00:00 error  FORGED LINE\u001b[31m";
    const res = await fetch(`${ctx.base}/v1/environments/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...body, metadata: { ...body.metadata, os: forged } }),
    });
    expect(res.status).toBe(200);
    const line = ctx.logger.lines.find((l) => l.includes("FORGED LINE"));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\n\r\u001b]/);
    expect(line).toContain("\\x0a00:00:00 error  FORGED LINE\\x1b[31m");
    return "escaped";
  });

  attack("a token-only subprotocol offer: refused, never echoed", async () => {
    const refused = await app({ headers: {}, protocols: [`byor.token.${TOKEN}`] }).then(
      () => undefined,
      (error: { status?: number; body?: string }) => error,
    );
    expect(refused?.status).toBe(400);
    expect(refused?.body).toContain("byor.v1");
    return "400";
  });

  attack("a forged Host header: not copied into wsUrl", async () => {
    const { request } = await import("node:http");
    const body = JSON.stringify(registerBody("host-device", "host"));
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${ctx.base}/v1/environments/register`, {
        method: "POST",
        headers: { host: "evil.example/?x=", "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(answer.status).toBe(200);
    const { wsUrl } = JSON.parse(answer.text) as { wsUrl: string };
    expect(new URL(wsUrl).host).toBe(new URL(ctx.base).host);
    return "server address used";
  });

  attack("register with empty and whitespace-only ids: 400", async () => {
    const statuses: number[] = [];
    for (const [deviceId, connectionName] of [
      ["", "n"],
      ["   ", "n"],
      ["d-ok", ""],
      ["x".repeat(10_000), "n"],
    ] as const) {
      const res = await fetch(`${ctx.base}/v1/environments/register`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(registerBody(deviceId, connectionName)),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400]);
    return statuses.join("/");
  });

  it("logged without flooding: at most a few hundred lines for all of the above", () => {
    expect(ctx.logger.lines.length).toBeLessThan(500);
  });
});
