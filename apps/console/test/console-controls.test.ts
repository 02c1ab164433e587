// The console's logic behind providers, models, agents, ids and errors, without a browser.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AssembledMessage } from "@byor/browser";
import { StreamAssembler } from "@byor/core";
import type { ModelListEntry, ProviderEntry, RuntimeEvent } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { RuntimeCatalog, toAgentSummary, type CatalogSession } from "../src/catalog.js";
import { demoHandle, parseDemo } from "../src/demo-model.js";
import { collapseRepeatedErrors, errorHint } from "../src/error-messages.js";
import { contentText, presence, readableId, timeAgo } from "../src/format.js";
import { connectCommand, demoConnectCommand, isConnected, pickModel, providerInputs, sortProviders } from "../src/providers.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");

describe("ids", () => {
  it("keep the kind prefix and the first block of a uuid, the part that tells agents apart", () => {
    expect(readableId("agent-local-e8272d17-ae4c-481e-b710-e9ff9d52f88d")).toBe("agent-local-e8272d17…");
    expect(readableId("agent-6f1c2b0e-1d4a-4c7e-9a55-3f0b8e2d7c11")).toBe("agent-6f1c2b0e…");
    expect(readableId("7c1e5a90-2b3d-4f6a-8e9b-0c1d2e3f4a5b")).toBe("7c1e5a90…");
    // Two agents of one runtime differ in what is shown (they did not with `agent-lo…2f1d`).
    expect(readableId("agent-local-11111111-ae4c-481e-b710-e9ff9d522f1d")).not.toBe(readableId("agent-local-22222222-ae4c-481e-b710-e9ff9d522f1d"));
  });

  it("leave short ids whole and keep both ends of other long ones", () => {
    expect(readableId("default")).toBe("default");
    expect(readableId("local-conv-12")).toBe("local-conv-12");
    expect(readableId("agent-e2e")).toBe("agent-e2e");
    expect(readableId("conversation-with-a-very-long-name-0042")).toBe("conversation-wit…ame-0042");
  });
});

describe("times", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  it("say how long ago, rounded down to the unit", () => {
    expect(timeAgo("2026-03-01T11:59:58Z", now)).toBe("just now");
    expect(timeAgo("2026-03-01T11:59:14Z", now)).toBe("46s ago");
    expect(timeAgo("2026-03-01T11:57:01Z", now)).toBe("2m ago");
    expect(timeAgo("2026-03-01T09:30:00Z", now)).toBe("2h ago");
    expect(timeAgo("2026-02-26T12:00:00Z", now)).toBe("3d ago");
    expect(timeAgo(null, now)).toBe("");
    expect(timeAgo("not a date", now)).toBe("");
  });

  it("the runtime card reads 'connected 46s ago' or 'last seen 3m ago' (not 'seen since 46s ago')", () => {
    expect(presence({ online: true, connected_at: "2026-03-01T11:59:14Z", last_seen_at: "2026-03-01T11:59:59Z" }, now)).toEqual({
      label: "connected",
      value: "46s ago",
    });
    expect(presence({ online: false, connected_at: "2026-03-01T10:00:00Z", last_seen_at: "2026-03-01T11:57:00Z" }, now)).toEqual({
      label: "last seen",
      value: "3m ago",
    });
    expect(presence({ online: false }, now)).toEqual({ label: "last seen", value: "—" });
  });

  it("queued content reads as text, from a string or from content parts", () => {
    expect(contentText("hello")).toBe("hello");
    expect(contentText([{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }])).toBe("ab");
    expect(contentText(undefined)).toBe("");
  });
});

/** The events of a fixture, in order, as the runtime sent them. */
function fixtureEvents(name: string): RuntimeEvent[] {
  return readFileSync(join(FIXTURES, `${name}.runtime-to-server.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RuntimeEvent);
}

describe("one failure is told once", () => {
  it("the real runtime's loop_error, error_message and terminal loop_error of 'Provider is not configured' collapse into one", () => {
    const assembler = new StreamAssembler();
    for (const event of fixtureEvents("03a-turn-no-model-configured")) assembler.apply(event);
    const scope = { agent_id: "agent-local-6949674d-328b-4475-b049-be446d08fa84", conversation_id: "local-conv-1" };
    const messages = assembler.view(scope).messages;
    const errors = (list: readonly AssembledMessage[]) => list.filter((m) => m.kind === "error" || m.kind === "loop_error");
    const provider = (list: readonly AssembledMessage[]) => errors(list).filter((m) => "message" in m && m.message === "Provider is not configured: openai");
    expect(provider(messages)).toHaveLength(3); // what the console used to show

    const shown = collapseRepeatedErrors(messages);
    expect(provider(shown)).toHaveLength(1);
    const [one] = provider(shown);
    // In the place of the first, showing the last: the terminal one, with the final stop reason.
    expect(shown.indexOf(one!)).toBe(messages.indexOf(provider(messages)[0]!));
    expect(one).toMatchObject({ kind: "loop_error", isTerminal: true, stopReason: "error" });
    expect(shown.filter((m) => m.kind === "stop")).toEqual(messages.filter((m) => m.kind === "stop"));
    expect(shown).toHaveLength(messages.length - 2);
  });

  const loopError = (key: string, runId: string | undefined, message: string, isTerminal = false): AssembledMessage => ({
    key,
    id: key,
    ...(runId ? { runId } : {}),
    kind: "loop_error",
    message,
    stopReason: "error",
    isTerminal,
  });
  const error = (key: string, runId: string, message: string): AssembledMessage => ({ key, id: key, runId, kind: "error", message });
  const assistant = (key: string): AssembledMessage => ({ key, id: key, kind: "assistant", text: "hi" });

  it("keeps errors of different runs, and different errors of one run", () => {
    const list = [loopError("a", "run-1", "boom"), assistant("x"), loopError("b", "run-2", "boom"), error("c", "run-2", "another")];
    expect(collapseRepeatedErrors(list)).toBe(list); // nothing collapsed: the same array, nothing re-renders
  });

  it("collapses errors without a run only when nothing but a stop came between them", () => {
    const stop: AssembledMessage = { key: "s", id: "s", kind: "stop", stopReason: "error" };
    const a = loopError("a", undefined, "Agent x not found");
    const b = loopError("b", undefined, "Agent x not found", true);
    expect(collapseRepeatedErrors([a, stop, b]).map((m) => m.key)).toEqual(["b", "s"]);
    expect(collapseRepeatedErrors([a, assistant("x"), b])).toHaveLength(3);
  });

  it("collapses an error arriving after later messages into its first place", () => {
    const list = [error("e1", "run-1", "Provider down"), assistant("x"), loopError("e2", "run-1", "Provider down", true), assistant("y")];
    expect(collapseRepeatedErrors(list).map((m) => m.key)).toEqual(["e2", "x", "y"]);
  });

  it("says what to do about a model the runtime cannot reach", () => {
    expect(errorHint("Provider is not configured: openai")).toMatch(/Connect a model provider/);
    expect(errorHint("Incorrect API key provided")).toMatch(/Connect a model provider/);
    expect(errorHint("Model not found. Provide a valid model_id")).toMatch(/Pick one of the runtime's models/);
    expect(errorHint("The model provider is down")).toBeUndefined();
  });
});

describe("the demo model a server announces", () => {
  it("is read from the fragment: a loopback base URL and a model name", () => {
    expect(parseDemo({ demo: "http://127.0.0.1:41234/v1", demo_model: "byor-demo" })).toEqual({ baseUrl: "http://127.0.0.1:41234/v1", model: "byor-demo" });
    expect(parseDemo({ demo: "http://localhost:41234/v1/", demo_model: "byor-demo" })).toEqual({ baseUrl: "http://localhost:41234/v1", model: "byor-demo" });
    expect(demoHandle({ baseUrl: "http://127.0.0.1:1/v1", model: "byor-demo" })).toBe("openai-compatible/byor-demo");
  });

  it("refuses anything a link could use to point the runtime elsewhere", () => {
    expect(parseDemo({ demo: "https://models.example.com/v1", demo_model: "byor-demo" })).toBeUndefined();
    expect(parseDemo({ demo: "http://127.0.0.1.example.com/v1", demo_model: "byor-demo" })).toBeUndefined();
    expect(parseDemo({ demo: "file:///etc/passwd", demo_model: "byor-demo" })).toBeUndefined();
    expect(parseDemo({ demo: "not a url", demo_model: "byor-demo" })).toBeUndefined();
    expect(parseDemo({ demo: "http://127.0.0.1:1/v1", demo_model: "a model with spaces" })).toBeUndefined();
    expect(parseDemo({ demo: "http://127.0.0.1:1/v1" })).toBeUndefined();
  });
});

const provider = (over: Partial<ProviderEntry> & { id: string }): ProviderEntry => ({
  display_name: over.id,
  description: "",
  provider_type: over.id,
  provider_name: over.id,
  provider_names: [over.id],
  requires_api_key: true,
  connected: { is_connected: false },
  connected_providers: [],
  ...over,
});

const OPENAI_COMPATIBLE = provider({
  id: "openai-compatible",
  display_name: "OpenAI-compatible API",
  requires_api_key: false,
  fields: [
    { key: "apiKey", label: "API Key", secret: true, required: false },
    { key: "baseUrl", label: "Base URL", required: true },
  ],
});
const BEDROCK = provider({
  id: "amazon-bedrock",
  display_name: "Amazon Bedrock",
  auth_methods: [
    {
      id: "iam",
      label: "AWS Access Keys",
      description: "",
      fields: [
        { key: "accessKey", label: "AWS Access Key ID", required: true },
        { key: "region", label: "AWS Region", required: true },
      ],
    },
    { id: "profile", label: "AWS Profile", description: "", fields: [{ key: "profile", label: "Profile Name", required: true }] },
  ],
});
const CHATGPT = provider({ id: "chatgpt", display_name: "ChatGPT", is_oauth: true, connected: { is_connected: true, provider_name: "chatgpt-plus-pro" } });
const ANTHROPIC = provider({ id: "anthropic", display_name: "Anthropic", fields: [{ key: "apiKey", label: "API Key", secret: true, required: true }] });

describe("providers", () => {
  it("list the usual ones first, then by name", () => {
    expect(sortProviders([BEDROCK, CHATGPT, ANTHROPIC, OPENAI_COMPATIBLE]).map((p) => p.id)).toEqual([
      "openai-compatible",
      "anthropic",
      "amazon-bedrock",
      "chatgpt",
    ]);
    expect(isConnected(CHATGPT)).toBe(true);
    expect(isConnected(ANTHROPIC)).toBe(false);
  });

  it("ask for their fields, or those of the chosen auth method", () => {
    expect(providerInputs(OPENAI_COMPATIBLE).fields.map((f) => f.key)).toEqual(["apiKey", "baseUrl"]);
    expect(providerInputs(BEDROCK)).toMatchObject({ authMethodId: "iam", fields: [{ key: "accessKey" }, { key: "region" }] });
    expect(providerInputs(BEDROCK, "profile")).toMatchObject({ authMethodId: "profile", fields: [{ key: "profile" }] });
  });

  it("connect with the values typed: trimmed, empty optional ones left out (the schema's connect_provider)", () => {
    expect(connectCommand(OPENAI_COMPATIBLE, { baseUrl: " http://127.0.0.1:9/v1 ", apiKey: "" })).toEqual({
      type: "connect_provider",
      target: "local",
      provider_id: "openai-compatible",
      fields: { baseUrl: "http://127.0.0.1:9/v1" },
    });
    expect(connectCommand(BEDROCK, { profile: "work" }, "profile")).toEqual({
      type: "connect_provider",
      target: "local",
      provider_id: "amazon-bedrock",
      auth_method_id: "profile",
      fields: { profile: "work" },
    });
  });

  it("refuse, with the reason, a required field left empty, an unknown field, and OAuth providers", () => {
    expect(() => connectCommand(ANTHROPIC, { apiKey: "  " })).toThrow("API Key is required for Anthropic");
    expect(() => connectCommand(ANTHROPIC, { apiKey: "k", baseUrl: "x" })).toThrow('Anthropic has no field "baseUrl"');
    expect(() => connectCommand(CHATGPT, {})).toThrow(/login flow \(OAuth\)/);
  });

  it("the demo model connects as an OpenAI-compatible endpoint", () => {
    expect(demoConnectCommand({ baseUrl: "http://127.0.0.1:5/v1", model: "byor-demo" })).toEqual({
      type: "connect_provider",
      target: "local",
      provider_id: "openai-compatible",
      fields: { baseUrl: "http://127.0.0.1:5/v1", apiKey: "byor-demo" },
    });
  });
});

const model = (handle: string, over: Partial<ModelListEntry> = {}): ModelListEntry => ({ id: handle, handle, label: handle, description: "", ...over });

describe("models", () => {
  it("keep the one picked while it is offered, else the default, else the first", () => {
    const list = [model("openai-compatible/a"), model("anthropic/b", { isDefault: true }), model("openai-compatible/c")];
    expect(pickModel(list, "openai-compatible/c")).toBe("openai-compatible/c");
    expect(pickModel(list, "gone/model")).toBe("anthropic/b");
    expect(pickModel([model("x/1"), model("x/2")], undefined)).toBe("x/1");
    expect(pickModel([], "x/1")).toBeUndefined();
  });
});

describe("the runtime catalog", () => {
  /** A session that answers from a table of responses, recording the commands. */
  function fakeSession(answer: (command: { type: string; [k: string]: unknown }) => unknown) {
    const sent: { runtimeId: string; command: { type: string; [k: string]: unknown } }[] = [];
    const session = {
      request: async (runtimeId: string, command: { type: string }) => {
        sent.push({ runtimeId, command });
        const response = answer(command);
        if (response instanceof Error) throw response;
        return response;
      },
    } as unknown as CatalogSession;
    return { session, sent };
  }

  it("lists models and preselects one; connecting a provider refreshes them (force)", async () => {
    let entries: ModelListEntry[] = [];
    const { session, sent } = fakeSession((command) => {
      if (command.type === "list_models") return { type: "list_models_response", success: true, entries };
      if (command.type === "connect_provider") {
        entries = [model("openai-compatible/byor-demo")];
        return { type: "connect_provider_response", success: true, target: "local", providers: [OPENAI_COMPATIBLE], models_may_have_changed: true };
      }
      throw new Error(`unexpected ${command.type}`);
    });
    let changes = 0;
    const catalog = new RuntimeCatalog(
      () => session,
      () => changes++,
    );
    await catalog.loadModels("rt-1");
    expect(catalog.models("rt-1")).toEqual({ state: "ready", value: [] });
    expect(catalog.chosenModel("rt-1")).toBeUndefined();

    await catalog.connect("rt-1", demoConnectCommand({ baseUrl: "http://127.0.0.1:5/v1", model: "byor-demo" }));
    expect(catalog.providers("rt-1").value).toEqual([OPENAI_COMPATIBLE]);
    expect(catalog.models("rt-1").value?.map((m) => m.handle)).toEqual(["openai-compatible/byor-demo"]);
    expect(catalog.chosenModel("rt-1")).toBe("openai-compatible/byor-demo");
    expect(sent.map((s) => s.command)).toEqual([
      { type: "list_models" },
      { type: "connect_provider", target: "local", provider_id: "openai-compatible", fields: { baseUrl: "http://127.0.0.1:5/v1", apiKey: "byor-demo" } },
      { type: "list_models", force: true },
    ]);
    expect(changes).toBeGreaterThan(0);
    expect(catalog.models("rt-2").state).toBe("idle"); // per runtime
  });

  it("keeps the reason of a failed list, and the last good value", async () => {
    let fail = false;
    const { session } = fakeSession(() =>
      fail ? new Error("request_timeout: no answer") : { success: true, agents: [{ id: "agent-1", name: "Memo", model: "anthropic/x" }, { name: "no id" }] },
    );
    const catalog = new RuntimeCatalog(
      () => session,
      () => {},
    );
    await catalog.loadAgents("rt");
    expect(catalog.agents("rt").value).toEqual([{ id: "agent-1", name: "Memo", model: "anthropic/x" }]);
    expect(catalog.modelOf("rt", { agent_id: "agent-1", conversation_id: "default" })).toBe("anthropic/x");
    fail = true;
    await catalog.loadAgents("rt");
    expect(catalog.agents("rt")).toEqual({
      state: "error",
      error: "request_timeout: no answer",
      value: [{ id: "agent-1", name: "Memo", model: "anthropic/x" }],
    });
  });

  it("drops an answer that a newer load or a forget() overtook", async () => {
    const pending: ((value: unknown) => void)[] = [];
    const session = { request: () => new Promise((resolve) => pending.push(resolve)) } as unknown as CatalogSession;
    const catalog = new RuntimeCatalog(
      () => session,
      () => {},
    );
    const first = catalog.loadModels("rt");
    const second = catalog.loadModels("rt", true);
    pending[1]!({ success: true, entries: [model("new/one")] });
    await second;
    pending[0]!({ success: true, entries: [model("old/one")] });
    await first;
    expect(catalog.models("rt").value?.map((m) => m.handle)).toEqual(["new/one"]);

    const third = catalog.loadAgents("rt");
    catalog.forget("rt");
    pending[2]!({ success: true, agents: [{ id: "agent-1" }] });
    await third;
    expect(catalog.agents("rt").state).toBe("idle");
  });

  it("notes models per agent and per conversation", () => {
    const catalog = new RuntimeCatalog(
      () => undefined,
      () => {},
    );
    const scope = { agent_id: "agent-1", conversation_id: "conv-1" };
    catalog.noteModel("rt", { agent_id: "agent-1", conversation_id: "default" }, "a/agent-model");
    expect(catalog.modelOf("rt", scope)).toBe("a/agent-model");
    catalog.noteModel("rt", scope, "b/conv-model", "conversation");
    expect(catalog.modelOf("rt", scope)).toBe("b/conv-model");
    expect(catalog.modelOf("rt", { agent_id: "agent-1", conversation_id: "default" })).toBe("a/agent-model");
    expect(toAgentSummary({ id: "agent-2" })).toEqual({ id: "agent-2", name: "agent-2" });
    expect(toAgentSummary(null)).toBeUndefined();
  });
});
