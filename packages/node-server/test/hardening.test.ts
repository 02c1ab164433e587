// Issue #10: every untrusted entry point is fenced (an exception while handling a frame, an HTTP request or an
// upgrade never reaches the process), faults are logged rate-limited, and what reaches wsUrl and the logs is checked.
import { request } from "node:http";
import { systemClock, type Clock } from "@byor/core";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../src/index.js";
import { FakeRuntime, registerBody } from "./helpers/fake-runtime.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { connect, refusedStatus, type Json, type TestSocket } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(() => ctx?.server.close());

const scope = { agent_id: "agent-1", conversation_id: "conv-1" };

/** A clock whose `now()` throws while armed (`once`: only the next call): an injected fault inside the server. */
function faultyClock(): Clock & { arm(once?: boolean): void; disarm(): void; thrown: number } {
  let armed: "once" | "always" | undefined;
  const clock = {
    thrown: 0,
    now: () => {
      if (armed) {
        if (armed === "once") armed = undefined;
        clock.thrown++;
        throw new Error("injected fault");
      }
      return Date.now();
    },
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
    arm: (once = true) => void (armed = once ? "once" : "always"),
    disarm: () => void (armed = undefined),
  };
  return clock;
}

/** A runtime, and an app subscribed to its scope that completes a command round trip. */
async function bystanders() {
  const runtime = new FakeRuntime(ctx!.base, TOKEN);
  await runtime.connect();
  const app = await ctx!.app();
  app.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "sub" });
  await app.next((f) => f.type === "byor.subscribed");
  let n = 0;
  const roundTrip = async () => {
    const id = `rt-${++n}`;
    const from = app.received.length;
    app.send({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: { type: "input", request_id: id, runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] } },
    });
    await app.next((f) => f.type === "byor.event" && (f.event as Json).request_id === id, { from });
    await app.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished", { from });
  };
  await roundTrip();
  return { runtime, app, roundTrip };
}

const faultLines = () => ctx!.logger.lines.filter((l) => l.includes("injected fault"));

describe("fenced entry points", () => {
  it("an app frame whose handling throws in the session: byor.error internal_error, one log line for many, the rest carry on", async () => {
    const clock = faultyClock();
    ctx = await startServer({ appSessions: { clock } });
    const { roundTrip } = await bystanders();
    clock.arm(false); // every hello throws now (the session's start reads the clock)
    const attackers: TestSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const attacker = await ctx.app();
      attacker.send({ type: "byor.hello" });
      expect(await attacker.next((f) => f.type === "byor.error")).toMatchObject({ code: "internal_error" });
      attackers.push(attacker);
    }
    expect(clock.thrown).toBe(20);
    await roundTrip(); // the bystanders never read that clock while it throws
    clock.disarm();
    expect(faultLines()).toHaveLength(1);
    expect(faultLines()[0]).toMatch(/^error handling a frame of app #\d+ .* failed; answered internal_error: Error: injected fault$/);
    for (const attacker of attackers) await attacker.close();
  });

  it("an app frame whose routing throws in the broker: byor.error internal_error for that frame only", async () => {
    const clock = faultyClock();
    ctx = await startServer({ clock });
    const { runtime, app, roundTrip } = await bystanders();
    clock.arm(); // the next request route reads the clock and throws
    const from = app.received.length;
    app.send({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: { type: "input", request_id: "doomed", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: "x" }] } },
    });
    expect(await app.next((f) => f.type === "byor.error", { from })).toMatchObject({ code: "internal_error", frame_type: "byor.send" });
    expect(clock.thrown).toBe(1);
    await roundTrip();
  });

  it("an accepted runtime socket whose setup throws is closed with 1011 (never 1008), and the runtime reconnects", async () => {
    const clock = faultyClock();
    ctx = await startServer({ clock });
    const { app, roundTrip } = await bystanders();
    const other = new FakeRuntime(ctx.base, TOKEN, undefined, "other");
    expect((await other.register()).status).toBe(200);
    clock.arm(); // attaching the socket reads the clock
    const socket = await other.connect();
    expect((await socket.closed).code).toBe(1011);
    expect(clock.thrown).toBe(1);
    await other.connect();
    app.send({ type: "byor.list_runtimes", request_id: "l" });
    const list = await app.next((f) => f.type === "byor.runtimes");
    expect((list.runtimes as Json[]).find((r) => r.id === other.deviceId)).toMatchObject({ online: true });
    await roundTrip();
  });

  it("an HTTP request whose handling throws: 500 with a JSON body", async () => {
    const clock = faultyClock();
    ctx = await startServer({ clock });
    clock.arm(); // registering reads the clock
    const res = await new FakeRuntime(ctx.base, TOKEN).register();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal_error", message: "the server failed to answer this request" });
    expect((await fetch(`${ctx.base}/v1/health`)).status).toBe(200);
  });

  it("an upgrade whose handling throws: refused with 500 and a JSON body, the server carries on", async () => {
    // An option hook that throws: the Origin allow-list, consulted for a browser's upgrade.
    const allowedOrigins = new Proxy<string[]>([], {
      get: (target, key) =>
        key === "includes"
          ? () => {
              throw new Error("injected fault");
            }
          : Reflect.get(target, key),
    });
    ctx = await startServer({ allowedOrigins });
    const { roundTrip } = await bystanders();
    const refused = await refusedStatus(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}`, origin: "https://elsewhere.example" } });
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.body)).toEqual({ error: "internal_error", message: "the server failed to handle this upgrade" });
    expect(faultLines()).toHaveLength(1);
    await roundTrip();
  });

  it("a logger that throws on every line (logRequests on): nothing reaches the process", async () => {
    const broken: Logger = {
      info: () => {
        throw new Error("log 1");
      },
      warn: () => {
        throw new Error("log 2");
      },
      error: () => {
        throw new Error("log 3");
      },
    };
    ctx = await startServer({ logger: broken, logRequests: true });
    const { roundTrip, app } = await bystanders();
    app.send("{not json");
    await app.next((f) => f.type === "byor.error");
    expect((await fetch(`${ctx.base}/nowhere`)).status).toBe(404);
    await roundTrip();
  });
});

describe("what peers control", () => {
  const registerWith = (headers: Record<string, string>, body: unknown) =>
    new Promise<{ status: number; json: Json }>((resolve, reject) => {
      const req = request(`${ctx!.base}/v1/environments/register`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Json }));
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });

  it("Host goes into wsUrl only when it is a plain host[:port]", async () => {
    ctx = await startServer();
    const own = new URL(ctx.base).host;
    const hostOf = async (host: string, i: number) => new URL((await registerWith({ host }, registerBody(`dev-${i}`, `n-${i}`))).json.wsUrl as string).host;
    const cases: [string, string][] = [
      ["byor.example.com:8443", "byor.example.com:8443"],
      ["[::1]:9000", "[::1]:9000"],
      ["10.0.0.2", "10.0.0.2"],
      ["evil.example/x?", own],
      ["evil.example@other", own],
      ["a b", own],
      ["host:99999", own],
      ["", own],
    ];
    for (const [i, [given, expected]] of cases.entries()) expect(await hostOf(given, i)).toBe(expected);
  });

  it("register refuses unusable ids with 400 and issues, listenerInstanceId and connectionName too", async () => {
    ctx = await startServer();
    const base = registerBody("dev-ok", "name");
    const bad = await registerWith({}, { ...base, listenerInstanceId: "", connectionName: "\u0000x" });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: "invalid_message" });
    expect((bad.json.issues as Json[]).map((i) => i.pointer)).toEqual(["/connectionName", "/listenerInstanceId"]);
    expect((await registerWith({}, { ...base, deviceId: " \t " })).json.issues).toEqual([
      { pointer: "/deviceId", keyword: "format", expected: "a non-empty id", found: "only whitespace" },
    ]);
    expect((await registerWith({}, base)).status).toBe(200);
  });

  it("the runtime socket refuses a whitespace-only or overlong deviceId at the upgrade (400, never 1008)", async () => {
    ctx = await startServer();
    const socketUrl = (deviceId: string) =>
      `${ctx!.base.replace(/^http/, "ws")}/v1/environments/socket?connectionId=conn-x&deviceId=${encodeURIComponent(deviceId)}`;
    for (const id of ["   ", "x".repeat(300)]) {
      expect((await refusedStatus(socketUrl(id), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
    }
  });

  it("a token subprotocol is never selected: with byor.v1 that is selected, alone it is refused with 400", async () => {
    ctx = await startServer();
    const both = await connect(ctx.clientUrl, { protocols: ["byor.v1", `byor.token.${TOKEN}`] });
    expect(both.ws.protocol).toBe("byor.v1");
    await both.close();
    const alone = await refusedStatus(ctx.clientUrl, { protocols: [`byor.token.${TOKEN}`] });
    expect(alone.status).toBe(400);
    expect(JSON.parse(alone.body)).toMatchObject({ error: "invalid_request" });
    expect(alone.body).not.toContain(TOKEN);
    // Offers in any order, with the token first.
    const reversed = await connect(ctx.clientUrl, { protocols: [`byor.token.${TOKEN}`, "byor.v1"] });
    expect(reversed.ws.protocol).toBe("byor.v1");
    await reversed.close();
  });
});
