// The same scenario, driven the same way, against the real Letta Code 0.32.18 runtime and against the simulated
// runtime; the sequences of message types, delta kinds and loop statuses must match step by step.
// Differences that are not worth simulating are listed in the package README and normalised here, by name.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeEvent } from "@byor/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scenario } from "../src/scenario.js";
import { createScriptedModel, type ScriptedModel } from "../src/scripted-model.js";
import { createSimulatedRuntime, type SimulatedRuntime } from "../src/simulated/runtime.js";
import { drive, type Step, type StepResult, type Target } from "./helpers/driver.js";
import { createLoggingServer } from "./helpers/logging-server.js";
import { ensureRuntime, startLettaRemote, type LettaRemote } from "../../../scripts/letta-code.js";
import { label } from "./helpers/sequence.js";

const TOKEN = "conformance-token";
const REPORT_DIR = join(import.meta.dirname, "../../../.cache/conformance");

type Frame = Record<string, unknown>;
const delta = (f: Frame) => f.delta as { message_type?: string; is_terminal?: boolean } | undefined;
const is = (type: string) => (f: Frame) => f.type === type;
const loopIs = (status: string) => (f: Frame) => (f.loop_status as { status?: string } | undefined)?.status === status;

interface Run {
  target: Target;
  stop(): Promise<void>;
  model?: ScriptedModel;
  frames(): Frame[];
}

/** The real runtime; with a scenario, its turns come from the scripted model instead of the deterministic executor. */
async function realRun(scenario?: Scenario): Promise<Run> {
  const server = await createLoggingServer({ token: TOKEN });
  const model = scenario ? await createScriptedModel({ prefix: "/llm", scenario, models: [scenario.model ?? "scripted-model"] }) : undefined;
  const env: Record<string, string> = scenario ? { LETTA_LOCAL_BACKEND_EXECUTOR: "" } : {};
  const runtime: LettaRemote = startLettaRemote({ baseUrl: server.url, token: TOKEN, envName: "conformance", env });
  await server.socket(0, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- runtime output ---\n${runtime.output().slice(-3000)}`);
  });
  return {
    target: { server, socket: () => server.sockets.filter((s) => !s.closed).at(-1) ?? server.sockets.at(-1)! },
    model,
    frames: () => server.received(),
    async stop() {
      await runtime.stop();
      await model?.close();
      await server.close();
    },
  };
}

async function simRun(scenario?: Scenario): Promise<Run> {
  const server = await createLoggingServer({ token: TOKEN });
  const sim: SimulatedRuntime = await createSimulatedRuntime({
    baseUrl: server.url,
    token: TOKEN,
    connectionName: "conformance",
    ...(scenario ? { scenario } : {}),
  });
  await server.socket(0);
  return {
    target: { server, socket: () => server.sockets.filter((s) => !s.closed).at(-1) ?? server.sockets.at(-1)! },
    frames: () => server.received(),
    async stop() {
      await sim.stop();
      await server.close();
    },
  };
}

/**
 * Labels of one step. Direct responses and enveloped events travel separately in the real runtime (responses skip
 * its outbound queue), so each is compared as its own sequence; see the README.
 */
function summarize(result: StepResult) {
  // Where timing decides how many chunks of a stream land in a step, a run of equal labels counts once.
  const collapse = (xs: string[]) => (result.timing ? xs.filter((x, i) => x !== xs[i - 1]) : xs);
  return {
    events: collapse(result.frames.filter((f) => "event_seq" in f).map(label)),
    responses: result.frames.filter((f) => !("event_seq" in f) && f.type !== "ping").map(label),
  };
}

function report(name: string, real: StepResult[], sim: StepResult[]) {
  mkdirSync(REPORT_DIR, { recursive: true });
  const steps = real.map((r, i) => ({ step: r.name, real: summarize(r), sim: summarize(sim[i]!) }));
  writeFileSync(join(REPORT_DIR, `${name}.json`), JSON.stringify({ steps, realFrames: real, simFrames: sim }, null, 1));
  return steps;
}

const scopeOf = (ctx: { runtime: { agent_id: string; conversation_id: string } }) => ctx.runtime;
const input = (id: string, text: string) => (ctx: { runtime: { agent_id: string; conversation_id: string } }) => [
  {
    type: "input",
    request_id: id,
    runtime: scopeOf(ctx),
    payload: { kind: "create_message", messages: [{ role: "user", content: text, client_message_id: `cm-${id}` }] },
  },
];
const approval = (id: string, behavior: "allow" | "deny", callId: string) => (ctx: { runtime: { agent_id: string; conversation_id: string } }) => [
  {
    type: "input",
    request_id: id,
    runtime: scopeOf(ctx),
    payload: {
      kind: "approval_response",
      request_id: `perm-${callId}`,
      decision: behavior === "allow" ? { behavior } : { behavior, message: "Not this time" },
    },
  },
];

const startSteps = (model?: string): Step[] => [
  ...(model
    ? [
        {
          name: "connect_provider",
          send: (ctx) => [
            {
              type: "connect_provider",
              request_id: "cp-1",
              target: "local",
              provider_id: "openai-compatible",
              fields: { baseUrl: ctx.vars.baseUrl, apiKey: "sk-scripted" },
            },
          ],
          until: is("connect_provider_response"),
        } satisfies Step,
      ]
    : []),
  {
    name: "runtime_start",
    send: () => [
      {
        type: "runtime_start",
        request_id: "rs-1",
        create_agent: { body: { name: "conformance-agent", ...(model ? { model: `openai-compatible/${model}` } : {}) } },
        create_conversation: {},
      },
    ],
    until: is("runtime_start_response"),
    quietMs: 800,
    timeoutMs: 60_000,
  },
];

const waitRuns = async (run: Run) => {
  // The real runtime keeps reading an aborted model stream to its end; start the next step after that.
  const streams = run.model?.completions ?? [];
  for (let i = 0; i < 100 && streams.some((r) => r.stream && !r.stream.completed && !r.stream.clientClosed); i++) await new Promise((r) => setTimeout(r, 100));
};

const deterministicSteps: Step[] = [
  ...startSteps(),
  { name: "sync", send: (ctx) => [{ type: "sync", request_id: "s-1", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "sync again (device status unchanged)", send: (ctx) => [{ type: "sync", request_id: "s-2", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "sync forced", send: (ctx) => [{ type: "sync", request_id: "s-3", runtime: scopeOf(ctx), force_device_status: true }], until: is("sync_response") },
  { name: "text turn", send: input("in-1", "hello"), until: is("turn_finished") },
  {
    name: "legacy message",
    send: (ctx) => [
      {
        type: "message",
        agentId: ctx.runtime.agent_id,
        conversationId: ctx.runtime.conversation_id,
        messages: [{ role: "user", content: "legacy", client_message_id: "cm-legacy" }],
      },
    ],
    until: is("turn_finished"),
  },
  {
    name: "sync of another scope",
    send: () => [{ type: "sync", request_id: "s-x", runtime: { agent_id: "agent-x", conversation_id: "default" } }],
    until: is("sync_response"),
  },
  {
    name: "invalid frames (no reply)",
    send: (ctx) => [
      "{oops",
      "42",
      "[]",
      { type: "ping" },
      { type: "ack", seq: 1 },
      { type: "bogus" },
      { type: "sync" },
      { type: "sync", request_id: "s", runtime: { agent_id: 42, conversation_id: "default" } },
      { type: "input", request_id: "bad-0", runtime: { ...scopeOf(ctx), conversation_id: "" }, payload: {} },
    ],
    quietMs: 800,
  },
  {
    name: "bad input payloads",
    send: (ctx) => [
      { type: "input", request_id: "bad-1", runtime: scopeOf(ctx), payload: "nope" },
      { type: "input", request_id: "bad-2", runtime: scopeOf(ctx), payload: { kind: "bogus" } },
      { type: "input", request_id: "bad-3", runtime: scopeOf(ctx), payload: { kind: "create_message" } },
      { type: "input", request_id: "bad-4", runtime: scopeOf(ctx), payload: { kind: "approval_response", request_id: "x" } },
    ],
    until: (f) => f.type === "stream_delta" && String((f.delta as { message?: string }).message).startsWith("Protocol violation: input.kind=approval_response"),
  },
  { name: "approval for nothing pending", send: approval("ap-none", "allow", "nope"), until: is("input_accepted") },
  { name: "idle abort", send: (ctx) => [{ type: "abort_message", request_id: "ab-idle", runtime: scopeOf(ctx) }], until: is("abort_message_response") },
  { name: "drop the socket while idle", act: (t) => t.socket().terminate(), quietMs: 800 },
  { name: "sync after the reconnect", send: (ctx) => [{ type: "sync", request_id: "s-4", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "close 1008 (re-register)", act: (t) => t.socket().close(1008, "policy"), quietMs: 800 },
  { name: "sync after re-register", send: (ctx) => [{ type: "sync", request_id: "s-5", runtime: scopeOf(ctx) }], until: is("sync_response") },
];

const MODEL = "scripted-model";
const modelScenario: Scenario = {
  model: MODEL,
  turns: [
    {
      toolCall: { name: "Bash", input: { command: "touch conformance-auto.txt", description: "Create a file" }, id: "call_auto" },
      then: { text: ["Auto-allowed."] },
    },
    { reasoning: ["Think", "ing"], text: ["Hel", "lo ", "world"] },
    {
      text: ["Let me"],
      toolCall: { name: "Bash", input: { command: "touch conformance-approved.txt", description: "Create a file" }, id: "call_allow" },
      then: { text: ["Done", "."] },
    },
    {
      toolCall: { name: "Bash", input: { command: "rm conformance-approved.txt", description: "Remove the file" }, id: "call_deny" },
      then: { text: ["OK, ", "kept it."] },
    },
    {
      toolCall: { name: "Bash", input: { command: "touch conformance-reconnect.txt", description: "Create another file" }, id: "call_drop" },
      then: { text: ["Created after the reconnect."] },
    },
    { error: { status: 401, message: "scripted failure" } },
    { text: Array.from({ length: 30 }, (_, i) => `w${i} `), chunkDelayMs: 60 },
    {
      toolCall: { name: "Bash", input: { command: "touch conformance-aborted.txt", description: "Never runs" }, id: "call_abort" },
      then: { text: ["unused"] },
    },
  ],
};

const modelSteps = (run: () => Run): Step[] => [
  ...startSteps(MODEL),
  { name: "tool call in unrestricted mode (auto-allowed)", send: input("in-0", "create a file, no questions"), until: is("turn_finished") },
  {
    name: "change_device_state standard",
    send: (ctx) => [{ type: "change_device_state", runtime: scopeOf(ctx), payload: { mode: "standard" } }],
    until: loopIs("WAITING_ON_INPUT"),
  },
  { name: "sync", send: (ctx) => [{ type: "sync", request_id: "s-1", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "streamed text turn", send: input("in-1", "say hello"), until: is("turn_finished") },
  { name: "tool call needing approval", send: input("in-2", "create a file"), until: is("control_request") },
  { name: "sync while waiting (replays the request)", send: (ctx) => [{ type: "sync", request_id: "s-2", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "allow", send: approval("ap-1", "allow", "call_allow"), until: is("turn_finished") },
  { name: "tool call to deny", send: input("in-3", "remove the file"), until: is("control_request") },
  { name: "deny", send: approval("ap-2", "deny", "call_deny"), until: is("turn_finished") },
  { name: "tool call, then the socket drops", send: input("in-4", "create another file"), until: is("control_request") },
  { name: "reconnect pushes the pending request", act: (t) => t.socket().terminate(), until: is("control_request"), quietMs: 600 },
  { name: "sync after the reconnect", send: (ctx) => [{ type: "sync", request_id: "s-3", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "allow on the new socket", send: approval("ap-3", "allow", "call_drop"), until: is("turn_finished") },
  { name: "model error", send: input("in-5", "fail please"), until: (f) => delta(f)?.is_terminal === true },
  { name: "slow stream", send: input("in-6", "talk slowly"), until: (f) => delta(f)?.message_type === "assistant_message", quietMs: 0 },
  {
    name: "abort mid-stream",
    send: (ctx) => [{ type: "abort_message", request_id: "ab-1", runtime: scopeOf(ctx) }],
    until: is("turn_finished"),
    act: async () => void (await waitRuns(run())),
    timing: true,
  },
  { name: "idle abort", send: (ctx) => [{ type: "abort_message", request_id: "ab-2", runtime: scopeOf(ctx) }], until: is("abort_message_response") },
  { name: "tool call to abort", send: input("in-7", "create a file you will not"), until: is("control_request") },
  {
    name: "abort while waiting for approval",
    send: (ctx) => [{ type: "abort_message", request_id: "ab-3", runtime: scopeOf(ctx) }],
    until: is("turn_finished"),
  },
  { name: "sync after that abort", send: (ctx) => [{ type: "sync", request_id: "s-4", runtime: scopeOf(ctx) }], until: is("sync_response") },
  { name: "answer to the aborted request", send: approval("ap-4", "allow", "call_abort"), until: is("input_accepted") },
];

beforeAll(() => {
  ensureRuntime(); // downloads on an empty cache (a failure fails the suite: the real runtime is the interop peer)
}, 180_000);

const runs: Run[] = [];
afterAll(async () => {
  await Promise.all(runs.map((r) => r.stop().catch(() => undefined)));
});

function compare(name: string, real: StepResult[], sim: StepResult[]) {
  const steps = report(name, real, sim);
  for (const [i, step] of steps.entries()) {
    expect.soft(real[i]!.timedOut, `${name} / ${step.step}: the real runtime's step timed out`).toBeUndefined();
    expect.soft(sim[i]!.timedOut, `${name} / ${step.step}: the simulated runtime's step timed out`).toBeUndefined();
    expect.soft(step.sim.events, `${name} / ${step.step}: events`).toEqual(step.real.events);
    expect.soft(step.sim.responses, `${name} / ${step.step}: responses`).toEqual(step.real.responses);
  }
  // What the real runtime sent validates with @byor/protocol too.
  for (const frame of real.flatMap((r) => r.frames)) {
    const decoded = decodeEvent(frame);
    expect.soft(decoded.ok ? "ok" : decoded.error.message, String(frame.type)).toBe("ok");
  }
}

describe.sequential("conformance: simulated runtime vs real Letta Code 0.32.18", () => {
  it("(a) deterministic executor", async () => {
    const real = await realRun();
    runs.push(real);
    const realResults = await drive(real.target, deterministicSteps);
    const sim = await simRun();
    runs.push(sim);
    const simResults = await drive(sim.target, deterministicSteps);
    compare("deterministic", realResults, simResults);
  }, 180_000);

  it("(b) scripted model: streamed text, approval allow and deny, reconnect mid-approval, model error, abort", async () => {
    let current: Run | undefined;
    const steps = modelSteps(() => current!);
    current = await realRun(modelScenario);
    runs.push(current);
    const model = current.model!;
    const realResults = await drive(current.target, steps, { baseUrl: model.baseUrl }).finally(() => {
      mkdirSync(REPORT_DIR, { recursive: true });
      const calls = model.completions.map((r) => ({ reply: r.replyIndex, last: r.body?.messages?.at(-1), stream: r.stream }));
      writeFileSync(join(REPORT_DIR, "scripted-model-calls.json"), JSON.stringify(calls, null, 1));
    });
    const realModelCalls = current.model!.completions.length;
    current = await simRun(modelScenario);
    runs.push(current);
    const simResults = await drive(current.target, steps, { baseUrl: "http://127.0.0.1:9/llm/v1" });
    compare("scripted-model", realResults, simResults);
    // One model call per turn plus one after each tool call: the scenario maps onto the real runtime's calls.
    expect(realModelCalls).toBe(12);
  }, 240_000);
});
