import { afterEach, describe, expect, it } from "vitest";
import { createScriptedModel, scenarioToModelReplies, type ScriptedModel } from "../src/scripted-model.js";

/** Reads an SSE body into its `data:` payloads (JSON parsed, "[DONE]" kept as is). */
async function sse(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown };

const post = (model: ScriptedModel, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${model.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

let model: ScriptedModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

describe("createScriptedModel", () => {
  it("lists its models under the prefix and only there", async () => {
    model = await createScriptedModel({ prefix: "/llm", models: ["a", "b"] });
    expect(model.baseUrl).toBe(`http://127.0.0.1:${model.port}/llm/v1`);
    const res = await fetch(`${model.baseUrl}/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => [m.id, m.object])).toEqual([
      ["a", "model"],
      ["b", "model"],
    ]);
    expect((await fetch(`${model.url}/v1/models`)).status).toBe(404);
  });

  it("keeps only the last maxRecorded requests when told to (a long-running demo model)", async () => {
    model = await createScriptedModel({ maxRecorded: 2, replies: () => ({ text: "ok" }) });
    for (let i = 0; i < 5; i++) await (await post(model, { model: "scripted-model", stream: false, messages: [{ role: "user", content: `m${i}` }] })).text();
    expect(model.requests.map((r) => (r.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual(["m3", "m4"]);
  });

  it("streams a role delta, content chunks, the finish reason, usage and [DONE]", async () => {
    model = await createScriptedModel({ replies: [{ text: ["Hel", "lo"] }] });
    const res = await post(model, {
      model: "scripted-model",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = await sse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Chunk[];
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.slice(1, 3).map((c) => c.choices[0]!.delta.content)).toEqual(["Hel", "lo"]);
    expect(chunks[3]!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks[4]!.choices).toEqual([]);
    expect(chunks[4]!.usage).toMatchObject({ prompt_tokens: 10, total_tokens: 12 });
    expect(model.completions[0]!.stream).toEqual({ chunksSent: 4, completed: true, clientClosed: false });
    expect(model.completions[0]!.body?.messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("streams a tool call as id and name, then the arguments in pieces, and finishes with tool_calls", async () => {
    model = await createScriptedModel({
      replies: [{ reasoning: ["mm"], toolCalls: [{ id: "call_x", name: "Bash", arguments: { command: "touch a.txt", description: "make a file" } }] }],
    });
    const chunks = (await sse(await post(model, { stream: true, messages: [] }))).slice(0, -1) as Chunk[];
    const deltas = chunks.map((c) => c.choices[0]!.delta);
    expect(deltas[1]).toEqual({ reasoning_content: "mm" });
    const calls = deltas
      .filter((d) => d.tool_calls)
      .map((d) => (d.tool_calls as { index: number; id?: string; function: { name?: string; arguments: string } }[])[0]!);
    expect(calls[0]).toEqual({ index: 0, id: "call_x", type: "function", function: { name: "Bash", arguments: "" } });
    expect(calls.length).toBeGreaterThan(2);
    expect(JSON.parse(calls.map((c) => c.function.arguments).join(""))).toEqual({ command: "touch a.txt", description: "make a file" });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("answers without streaming when stream is false", async () => {
    model = await createScriptedModel({ replies: [{ text: ["a", "b"], toolCalls: [{ id: "c1", name: "Read", arguments: '{"path":"x"}' }] }] });
    const body = (await (await post(model, { messages: [] })).json()) as {
      object: string;
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]!.message).toEqual({
      role: "assistant",
      content: "ab",
      tool_calls: [{ id: "c1", type: "function", function: { name: "Read", arguments: '{"path":"x"}' } }],
    });
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("plays the queue in order, then the fallback; enqueue adds replies", async () => {
    model = await createScriptedModel({ replies: [{ text: "one" }], fallback: { text: "fallback" } });
    const text = async () => ((await (await post(model!, {})).json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    expect(await text()).toBe("one");
    expect(await text()).toBe("fallback");
    model.enqueue({ text: "two" });
    expect(model.pending).toBe(1);
    expect(await text()).toBe("two");
    expect(model.completions.map((r) => r.replyIndex)).toEqual([0, 1, 2]);
  });

  it("takes replies from a function of the request", async () => {
    model = await createScriptedModel({ replies: (req, i) => ({ text: `${i}:${(req.messages ?? []).length}` }) });
    const res = (await (
      await post(model, {
        messages: [
          { role: "user", content: "x" },
          { role: "user", content: "y" },
        ],
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(res.choices[0]!.message.content).toBe("0:2");
  });

  it("answers scripted HTTP errors with an OpenAI error body", async () => {
    model = await createScriptedModel({ replies: [{ error: { status: 429, message: "slow down", type: "rate_limit_error" } }] });
    const res = await post(model, { stream: true });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { message: "slow down", type: "rate_limit_error", code: null, param: null } });
  });

  it("checks the API key when one is set", async () => {
    model = await createScriptedModel({ apiKey: "sk-1", replies: [{ text: "ok" }] });
    expect((await post(model, {})).status).toBe(401);
    expect((await post(model, {}, { authorization: "Bearer sk-1" })).status).toBe(200);
  });

  it("paces slow streams and notices when the client goes away", async () => {
    model = await createScriptedModel({ replies: [{ text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 20 }] });
    const res = await post(model, { stream: true });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const seen = new Map<string, number>();
    while (!seen.has("w1 ")) {
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
      for (const word of ["w0 ", "w1 "]) if (!seen.has(word) && text.includes(`"${word}"`)) seen.set(word, Date.now());
    }
    expect(seen.get("w1 ")! - seen.get("w0 ")!).toBeGreaterThanOrEqual(15);
    await reader.cancel();
    const stream = model.completions[0]!.stream!;
    const deadline = Date.now() + 5000;
    while (!stream.clientClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(stream.clientClosed).toBe(true);
    expect(stream.completed).toBe(false);
    expect(stream.chunksSent).toBeLessThan(50);
  });

  it("drops the connection when asked", async () => {
    model = await createScriptedModel({ replies: [{ drop: true }] });
    await expect(post(model, {})).rejects.toThrow();
  });

  it("keeps a stalled stream open until the server closes", async () => {
    model = await createScriptedModel({ replies: [{ text: "x", stall: true }] });
    const res = await post(model, { stream: true });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    const closing = model.close();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return "ended";
      })(),
    ).rejects.toThrow();
    await closing;
    model = undefined;
  });
});

describe("scenarioToModelReplies", () => {
  it("turns each turn into one model call, plus one after each tool call", () => {
    const replies = scenarioToModelReplies({
      turns: [
        { text: ["Hel", "lo"] },
        { toolCall: { name: "Bash", input: { command: "touch x" } }, then: { text: ["done"] } },
        { toolCall: { name: "Bash", input: { command: "rm x" }, id: "mine" } },
        { error: { message: "nope" } },
      ],
    });
    expect(replies).toEqual([
      { text: ["Hel", "lo"] },
      { toolCalls: [{ id: "call_1", name: "Bash", arguments: { command: "touch x" } }] },
      { text: ["done"] },
      { toolCalls: [{ id: "mine", name: "Bash", arguments: { command: "rm x" } }] },
      { text: "" },
      { error: { status: 401, message: "nope" } },
    ]);
  });
});
