// An app embedded in the server (the seed page's "direct mode"): runtimes reached in process through
// server.onRuntime / server.runtime, with no client endpoint in between.
import { createSimulatedRuntime } from "@byor/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ByorServer, type ServerRuntime } from "../src/index.js";
import { captureLogger } from "./helpers/server.js";

const TOKEN = "embedded-test-token_01";
let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe("in-process runtimes", () => {
  it("onRuntime hands over each connected runtime's session; a throwing handler is logged and the others still run", async () => {
    const logger = captureLogger();
    const server = await new ByorServer({ port: 0, token: TOKEN, logger }).listen();
    cleanups.push(() => server.close());
    server.onRuntime(() => {
      throw new Error("handler bug");
    });
    const seen = new Promise<ServerRuntime>((resolve) => server.onRuntime(resolve));
    const runtime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: "embedded-sim" });
    cleanups.push(() => runtime.stop());

    const rt = await seen;
    expect(rt).toMatchObject({ mode: "remote", connectionName: "embedded-sim", online: true });
    expect(server.runtime(rt.id)).toBe(rt);
    expect(server.runtime("nope")).toBeUndefined();

    const scope = { agent_id: "agent-embedded", conversation_id: "default" };
    await expect(rt.session.watch(scope)).resolves.toMatchObject({ type: "sync_response", success: true });
    const text: string[] = [];
    rt.session.onEvent("stream_delta", (e) => {
      const delta = e.delta as { message_type?: string; content?: { text?: string }[] };
      if (delta.message_type === "assistant_message") text.push(...(delta.content ?? []).map((part) => part.text ?? ""));
    });
    const finished = new Promise((resolve) => rt.session.onEvent("turn_finished", resolve));
    rt.session.send({ type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: "hi" }] } } as never);
    await finished;
    expect(text.join("")).toBe("pong");
    expect(logger.lines.some((l) => l.includes("an onRuntime handler failed") && l.includes("handler bug"))).toBe(true);
  });
});
