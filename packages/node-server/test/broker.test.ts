import { ClientSession, type Transport } from "@byor/core";
import { DecodeError, decodeServerFrame, type ByorError } from "@byor/protocol";
import { WebSocket } from "ws";
import { wsTransport } from "../src/index.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { TOKEN, startServer } from "./helpers/server.js";
import { until, type Json, type TestSocket } from "./helpers/sockets.js";

let ctx: Awaited<ReturnType<typeof startServer>>;
let runtime: FakeRuntime;
const scope = { agent_id: "agent-1", conversation_id: "conv-1" };
const other = { agent_id: "agent-1", conversation_id: "conv-2" };

beforeEach(async () => {
  ctx = await startServer();
  runtime = new FakeRuntime(ctx.base, TOKEN, undefined, "laptop");
  await runtime.connect();
});
afterEach(() => ctx.server.close());

/** Every frame an app got must be a valid server frame. */
const expectValid = (app: TestSocket) => {
  for (const frame of app.received) {
    const result = decodeServerFrame(frame);
    if (!result.ok) throw new Error(`invalid server frame ${JSON.stringify(frame)}: ${result.error.message}`);
  }
};

const events = (app: TestSocket, type?: string) =>
  app
    .ofType("byor.event")
    .map((f) => f.event as Json)
    .filter((e) => type === undefined || e.type === type);

/**
 * A barrier on one app's socket: a byor.ping answered means every frame the server wrote to it before is in.
 * Used after the server has certainly handled a frame, to check what did (not) reach this app.
 */
async function drained(app: TestSocket): Promise<void> {
  const from = app.received.length;
  app.send({ type: "byor.ping" });
  await app.next((f) => f.type === "byor.pong", { from });
}

/** A barrier on the runtime leg: a valid command sent after the others has reached the runtime, so they would have. */
async function forwarded(send: (command: { type: "get_experiments"; request_id: string }) => void): Promise<void> {
  send({ type: "get_experiments", request_id: "barrier" });
  await until(() => runtime.commands.some((c) => c.type === "get_experiments"), { what: "barrier command" });
}

async function subscribed(app: TestSocket, s = scope, requestId = "sub-1") {
  app.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope: s, request_id: requestId });
  return app.next((f) => f.type === "byor.subscribed" && f.request_id === requestId);
}

describe("bad frames from an app", () => {
  it("malformed JSON and unknown types get a clear byor.error, and the session and other apps go on", async () => {
    const bad = await ctx.app();
    const good = await ctx.app();
    await subscribed(good);

    bad.send("{nope");
    expect(await bad.next((f) => f.type === "byor.error")).toMatchObject({ code: "invalid_json", message: expect.stringMatching(/JSON/) });
    bad.send({ type: "byor.teleport", request_id: "t-1" });
    expect(await bad.next((f) => f.type === "byor.error" && f.code === "unknown_type")).toMatchObject({ frame_type: "byor.teleport", request_id: "t-1" });
    bad.send("[1,2]");
    await bad.next((f) => f.type === "byor.error" && f.code === "not_an_object");
    bad.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope: { agent_id: 42, conversation_id: "" } });
    const invalid = await bad.next((f) => f.type === "byor.error" && f.code === "invalid_message");
    expect((invalid.issues as unknown[]).length).toBeGreaterThan(0);

    // Still served.
    bad.send({ type: "byor.list_runtimes", request_id: "l-1" });
    expect(await bad.next((f) => f.type === "byor.runtimes")).toMatchObject({ request_id: "l-1", runtimes: [{ id: runtime.deviceId, online: true }] });
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    // The other app still gets its scope's frames.
    runtime.emit(runtime.snapshots(scope)[1]!);
    await until(() => events(good, "update_loop_status").length >= 2, { what: "second loop status" });
    expectValid(bad);
    expectValid(good);
  });

  it("an invalid runtime command gets byor.error with issues, pointing into the command, and is not sent", async () => {
    const app = await ctx.app();
    app.send({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: { type: "sync", request_id: "s-1", runtime: { agent_id: 42, conversation_id: "c" } },
    });
    const error = await app.next((f) => f.type === "byor.error");
    expect(error).toMatchObject({ code: "invalid_message", request_id: "s-1", frame_type: "byor.send" });
    expect((error.issues as { pointer: string }[])[0]!.pointer).toMatch(/^\/command\/runtime/);
    app.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "bogus_command" } });
    expect(await app.next((f) => f.type === "byor.error" && f.code === "unknown_type")).toBeTruthy();
    app.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "pong" } });
    await app.next((f) => f.type === "byor.error" && String(f.message).includes("sent by the server"));
    await forwarded((command) => app.send({ type: "byor.send", runtime_id: runtime.deviceId, command }));
    expect(runtime.commands.filter((c) => c.type !== "sync" && c.type !== "get_experiments")).toEqual([]);
    expectValid(app);
  });

  it("a ClientSession that leaves validation to the server gets its refusal as a DecodeError pointing into the command", async () => {
    const session = new ClientSession({
      connect: () =>
        new Promise<Transport>((resolve, reject) => {
          const ws = new WebSocket(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
          ws.once("error", reject);
          ws.once("open", () => resolve(wsTransport(ws, { maxBufferedBytes: 1 << 20, overflowClose: { code: 1013, reason: "full" } })));
        }),
    });
    const errors: ByorError[] = [];
    session.on("error", (error) => void errors.push(error));
    session.start();
    try {
      await until(() => session.state.status === "open", { what: "session open" });
      const refused = session.request(runtime.deviceId, { type: "sync", runtime: { agent_id: 42, conversation_id: "c" } } as never);
      await expect(refused).rejects.toBeInstanceOf(DecodeError);
      const error = (await refused.catch((e: unknown) => e)) as DecodeError;
      expect(error).toMatchObject({ code: "invalid_message", direction: "command" });
      expect(error.issues.map((i) => i.pointer)).toContain("/runtime/agent_id");
      session.send(runtime.deviceId, { type: "bogus_command" } as never);
      await until(() => errors.length > 0, { what: "error event" });
      expect(errors[0]).toMatchObject({ code: "unknown_type" });
      await forwarded((command) => session.send(runtime.deviceId, command));
      expect(runtime.commands.filter((c) => c.type !== "sync" && c.type !== "get_experiments")).toEqual([]);
    } finally {
      session.close();
    }
  });

  it("an unknown or offline runtime gets byor.error", async () => {
    const app = await ctx.app();
    app.send({ type: "byor.send", runtime_id: "nobody", command: { type: "sync", request_id: "s", runtime: scope } });
    expect(await app.next((f) => f.type === "byor.error")).toMatchObject({ code: "unknown_runtime", request_id: "s" });
    await runtime.socket!.close();
    await until(() => !ctx.server.runtimes()[0]!.online, { what: "offline" });
    app.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "x" });
    expect(await app.next((f) => f.type === "byor.error" && f.request_id === "x")).toMatchObject({ code: "runtime_offline" });
  });
});

describe("subscribe", () => {
  it("syncs the scope, relays the snapshots, then answers byor.subscribed", async () => {
    const app = await ctx.app();
    const answer = await subscribed(app);
    expect(answer).toMatchObject({ runtime_id: runtime.deviceId, scope, success: true });
    const sync = runtime.commands.find((c) => c.type === "sync");
    expect(sync).toMatchObject({ runtime: scope, request_id: expect.any(String) });
    const types = events(app).map((e) => e.type);
    expect(types).toEqual(["update_device_status", "update_loop_status", "update_queue", "update_subagent_state"]);
    // The snapshots came before the answer; the server's own sync_response is not relayed.
    const order = app.received.map((f) => f.type);
    expect(order.indexOf("byor.subscribed")).toBeGreaterThan(order.lastIndexOf("byor.event"));
    expect(events(app, "sync_response")).toEqual([]);
    expectValid(app);
  });

  it("a repeated subscribe re-syncs; when that re-sync fails, the earlier subscription stays", async () => {
    const app = await ctx.app();
    await subscribed(app);
    runtime.failSyncs = true;
    expect(await subscribed(app, scope, "sub-2")).toMatchObject({ success: false, error: expect.stringMatching(/sync refused/) });
    expect(ctx.server.runtimes()[0]!.watchedScopes).toEqual([scope]);
    const from = app.received.length;
    const [, loop] = runtime.snapshots(scope);
    runtime.emit(loop!);
    expect((await app.next((f) => f.type === "byor.event", { from })).event).toEqual(loop);
  });

  it("fans scoped frames out to every subscriber of the scope and nobody else", async () => {
    const [a, b, c] = [await ctx.app(), await ctx.app(), await ctx.app()];
    await subscribed(a);
    await subscribed(b);
    await subscribed(c, other);
    const before = { a: a.received.length, b: b.received.length, c: c.received.length };
    const delta = runtime.snapshots(scope)[1]!;
    runtime.emit(delta);
    await a.next((f) => f.type === "byor.event", { from: before.a });
    await b.next((f) => f.type === "byor.event", { from: before.b });
    await drained(c);
    expect(c.received.slice(before.c).filter((f) => f.type === "byor.event")).toEqual([]);
  });

  it("relays only runtime frames that pass validation (apps may trust byor.event), and logs the others", async () => {
    const app = await ctx.app();
    await subscribed(app);
    const from = app.received.length;
    const [, loop] = runtime.snapshots(scope);
    runtime.emit(JSON.stringify({ ...loop, loop_status: { status: 42 } }));
    runtime.emit(JSON.stringify({ type: "stream_delta", runtime: scope, delta: null }));
    runtime.emit(loop!);
    const relayed = await app.next((f) => f.type === "byor.event", { from });
    expect(relayed.event).toEqual(loop);
    // Frames are relayed in order, so an invalid one would have arrived before the valid one that followed it.
    expect(app.received.slice(from).filter((f) => f.type === "byor.event")).toHaveLength(1);
    expect(ctx.logger.lines.filter((l) => l.includes("sent an invalid frame"))).toHaveLength(2);
    expectValid(app);
  });

  it("unsubscribe stops the relay", async () => {
    const app = await ctx.app();
    await subscribed(app);
    app.send({ type: "byor.unsubscribe", runtime_id: runtime.deviceId, scope });
    await drained(app);
    const before = app.received.length;
    runtime.emit(runtime.snapshots(scope)[1]!);
    // An unscoped frame after it still reaches the app (it follows the runtime): once it is in, the scoped one
    // would have been too.
    runtime.emit({ type: "terminal_exited", terminal_id: "term-9", exitCode: 0 });
    await app.next((f) => f.type === "byor.event" && (f.event as Json).type === "terminal_exited", { from: before });
    expect(app.received.slice(before).map((f) => (f.event as Json).type)).toEqual(["terminal_exited"]);
    expect(ctx.server.runtimes()[0]!.watchedScopes).toEqual([]);
  });
});

describe("send", () => {
  it("forwards the request_id of a command the runtime does not answer as it is, and keeps no route for it", async () => {
    const app = await ctx.app();
    const answer = { type: "external_tool_call_response", request_id: "external-tool-7", result: { content: [{ type: "text", text: "42" }] } };
    app.send({ type: "byor.send", runtime_id: runtime.deviceId, command: answer });
    // More never-answered commands than an app may have requests waiting (256): none takes a route.
    for (let i = 0; i < 300; i++)
      app.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "watch_file", request_id: `watch-${i}`, path: `/src/${i}.ts` } });
    app.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "sync", request_id: "after", runtime: scope } });
    const synced = await app.next((f) => f.type === "byor.event" && (f.event as Json).type === "sync_response");
    expect((synced.event as Json).request_id).toBe("after");
    expect(app.ofType("byor.error")).toEqual([]);
    expect(runtime.commands.find((c) => c.type === "external_tool_call_response")).toEqual(answer);
    const watched = runtime.commands.filter((c) => c.type === "watch_file").map((c) => (c as { request_id: string }).request_id);
    expect(watched).toEqual(Array.from({ length: 300 }, (_, i) => `watch-${i}`));
  });

  it("routes a response to the app that asked, with its own request_id, even when two apps use the same id", async () => {
    const [a, b] = [await ctx.app(), await ctx.app()];
    const input = (text: string) => ({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: { type: "input", request_id: "1", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: text }] } },
    });
    a.send(input("from a"));
    b.send(input("from b"));
    const acceptedA = (await a.next((f) => f.type === "byor.event" && (f.event as Json).type === "input_accepted")).event as Json;
    const acceptedB = (await b.next((f) => f.type === "byor.event" && (f.event as Json).type === "input_accepted")).event as Json;
    expect(acceptedA.request_id).toBe("1");
    expect(acceptedB.request_id).toBe("1");
    // Each turn ends with turn_finished after its input_accepted: once both are in, a stray copy would be too.
    await a.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished");
    await b.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished");
    await drained(a);
    await drained(b);
    expect(events(a, "input_accepted")).toHaveLength(1);
    expect(events(b, "input_accepted")).toHaveLength(1);
    // The runtime saw two distinct ids.
    const ids = runtime.commands.filter((c) => c.type === "input").map((c) => (c as { request_id?: string }).request_id);
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain("1");
    expectValid(a);
  });

  it("a scoped command subscribes the app: the turn's events reach it, and the scope is watched", async () => {
    const app = await ctx.app();
    app.send({
      type: "byor.send",
      runtime_id: runtime.deviceId,
      command: { type: "input", request_id: "in-1", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] } },
    });
    await app.next((f) => f.type === "byor.event" && (f.event as Json).type === "turn_finished");
    expect(events(app, "stream_delta")).toHaveLength(1);
    expect(ctx.server.runtimes()[0]!.watchedScopes).toEqual([scope]);
    // The server synced the scope before the command.
    expect(runtime.commands.map((c) => c.type)).toEqual(["sync", "input"]);
  });

  it("unscoped frames go to every app following the runtime", async () => {
    const [a, b] = [await ctx.app(), await ctx.app()];
    await subscribed(a);
    b.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "get_experiments", request_id: "e" } });
    await until(() => runtime.commands.some((c) => c.type === "get_experiments"), { what: "command" });
    const bystander = await ctx.app();
    bystander.send({ type: "byor.hello" });
    runtime.emit({ type: "terminal_exited", terminal_id: "term-2", exitCode: 0 });
    await a.next((f) => f.type === "byor.event" && (f.event as Json).type === "terminal_exited");
    await b.next((f) => f.type === "byor.event" && (f.event as Json).type === "terminal_exited");
    await drained(bystander);
    expect(bystander.ofType("byor.event")).toEqual([]);
  });
});

describe("runtime status", () => {
  it("every app hears a runtime go offline and come back, and the watched scopes are re-synced on the same entry", async () => {
    const app = await ctx.app();
    const idle = await ctx.app();
    // Nothing reaches an app before its first frame (the hello decides whether frames are numbered).
    idle.send({ type: "byor.hello" });
    await idle.next((f) => f.type === "byor.welcome");
    await subscribed(app);
    await runtime.socket!.close(1001);
    await app.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).online === false);
    await idle.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).online === false);
    const mark = app.received.length;
    const syncsBefore = runtime.commands.filter((c) => c.type === "sync").length;
    await runtime.connect(); // same device, no new registration
    await app.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).online === true, { from: mark });
    await idle.next((f) => f.type === "byor.runtime_status" && (f.runtime as Json).online === true);
    await app.next((f) => f.type === "byor.event" && (f.event as Json).type === "update_subagent_state", { from: mark });
    expect(runtime.commands.filter((c) => c.type === "sync").length).toBe(syncsBefore + 1);
    expect(ctx.server.runtimes()).toHaveLength(1);
    expectValid(app);
  });
});

describe("many runtimes", () => {
  it("keeps them apart", async () => {
    const second = new FakeRuntime(ctx.base, TOKEN, undefined, "desktop");
    await second.connect();
    const app = await ctx.app();
    app.send({ type: "byor.subscribe", runtime_id: second.deviceId, scope, request_id: "s2" });
    await app.next((f) => f.type === "byor.subscribed");
    const witness = await ctx.app();
    await subscribed(witness);
    const from = witness.received.length;
    runtime.emit(runtime.snapshots(scope)[1]!);
    await witness.next((f) => f.type === "byor.event", { from });
    await drained(app);
    expect(app.ofType("byor.event").length).toBeGreaterThan(0);
    expect(app.ofType("byor.event").every((f) => f.runtime_id === second.deviceId)).toBe(true);
    expect(runtime.commands.map((c) => c.type)).toEqual(["sync"]); // the witness's subscription
    expect(
      ctx.server
        .runtimes()
        .map((r) => r.connectionName)
        .sort(),
    ).toEqual(["desktop", "laptop"]);
  });
});
