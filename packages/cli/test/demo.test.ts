// `byor serve --demo`: the scripted model it starts (its answers, over HTTP) and what serve prints about it.
import { describe, expect, it } from "vitest";
import { startServe } from "../../../scripts/byor-serve.js";
import { DEMO_COMMAND, DEMO_MODEL, demoAnswer, demoReply, startDemoModel } from "../src/commands/demo.js";

const reminder = { type: "text", text: "<system-reminder>\nThis is an automated message. Run ls to see the files.\n</system-reminder>" };

/** Text chunks of a streamed chat completion (SSE), in order. */
async function streamedText(baseUrl: string, messages: unknown[]): Promise<{ chunks: string[]; toolCalls: string[] }> {
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer anything" },
    body: JSON.stringify({ model: DEMO_MODEL, stream: true, messages }),
  });
  expect(res.status).toBe(200);
  const chunks: string[] = [];
  const toolCalls: string[] = [];
  for (const line of (await res.text()).split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const delta = (
      JSON.parse(line.slice(6)) as { choices: { delta: { content?: string; tool_calls?: { function?: { name?: string; arguments?: string } }[] } }[] }
    ).choices[0]?.delta;
    if (delta?.content) chunks.push(delta.content);
    for (const call of delta?.tool_calls ?? []) toolCalls.push(`${call.function?.name ?? ""}${call.function?.arguments ?? ""}`);
  }
  return { chunks, toolCalls };
}

describe("the demo model's script", () => {
  it("answers a message with a short text in several chunks, quoting what the user said (not the runtime's reminders)", () => {
    const reply = demoReply({
      messages: [
        { role: "system", content: "You are Letta Code." },
        { role: "user", content: [reminder, { type: "text", text: "Hello there" }] },
      ],
    });
    expect(reply.toolCalls).toBeUndefined();
    expect(reply.text).toEqual(demoAnswer("Hello there"));
    expect((reply.text as string[]).length).toBeGreaterThan(4);
    expect((reply.text as string[]).join("")).toContain('You said: "Hello there".');
    expect(reply.chunkDelayMs).toBeGreaterThan(0); // streamed visibly, not in one go
  });

  it("calls Bash with its one command (which needs approval) when asked to run something", () => {
    for (const ask of ["Please run a command", "can you execute something?", "Show me a tool call"]) {
      const reply = demoReply({ messages: [{ role: "user", content: ask }] });
      expect(reply.toolCalls, ask).toEqual([{ name: "Bash", arguments: { command: DEMO_COMMAND, description: "Write byor-demo.txt (BYOR demo)" } }]);
    }
    // The word in a reminder does not count; only what the user wrote.
    expect(demoReply({ messages: [{ role: "user", content: [reminder, { type: "text", text: "Hi" }] }] }).toolCalls).toBeUndefined();
  });

  it("continues after the tool: what it returned, or that it did not run", () => {
    const after = (result: string) =>
      (
        demoReply({
          messages: [
            { role: "user", content: "run it" },
            { role: "assistant", content: null, tool_calls: [{}] },
            { role: "tool", tool_call_id: "call_1", content: result },
          ],
        }).text as string[]
      ).join("");
    expect(after("(Command completed with no output)")).toBe("The tool answered: (Command completed with no output)");
    expect(after("Denied from the BYOR console")).toBe("Understood: I did not run it.");
    expect(after("Not now, thanks")).toBe("The tool answered: Not now, thanks"); // a reason that does not say so
    expect(after("")).toBe("The tool answered: (no output)");
  });
});

describe("the demo model server", () => {
  it("serves byor-demo on 127.0.0.1 as an OpenAI-compatible endpoint, streaming its script", async () => {
    const demo = await startDemoModel();
    try {
      expect(demo.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(demo.handle).toBe("openai-compatible/byor-demo");
      expect(new URLSearchParams(demo.fragment).get("demo")).toBe(demo.baseUrl);
      expect(new URLSearchParams(demo.fragment).get("demo_model")).toBe("byor-demo");
      const models = (await (await fetch(`${demo.baseUrl}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(["byor-demo"]);

      const text = await streamedText(demo.baseUrl, [{ role: "user", content: "Hi" }]);
      expect(text.chunks).toEqual(demoAnswer("Hi"));
      const tool = await streamedText(demo.baseUrl, [{ role: "user", content: "run something" }]);
      expect(tool.toolCalls.join("")).toBe(`Bash${JSON.stringify({ command: DEMO_COMMAND, description: "Write byor-demo.txt (BYOR demo)" })}`);
    } finally {
      await demo.close();
    }
    await expect(fetch(`${demo.baseUrl}/models`)).rejects.toThrow();
  });
});

describe("byor serve --demo", () => {
  it("prints the demo model and how to connect it, puts it in the console URL's fragment, and stops it with the server", async () => {
    const s = await startServe(["--port", "0", "--token", "demo-token", "--demo"], {}, { timeoutMs: 15_000 });
    const baseUrl = /Demo model \(scripted, offline\): (http:\/\/127\.0\.0\.1:\d+\/v1) serves byor-demo/.exec(s.stdout())?.[1];
    expect(baseUrl).toBeDefined();
    expect(s.stdout()).toContain(`http://127.0.0.1:${new URL(baseUrl!).port}/v1, any API key; then pick openai-compatible/byor-demo.`);
    expect(s.consoleUrl).toBe(`${s.url}/#token=demo-token&demo=${encodeURIComponent(baseUrl!)}&demo_model=byor-demo`);
    expect(((await (await fetch(`${baseUrl}/models`)).json()) as { data: { id: string }[] }).data[0]?.id).toBe("byor-demo");
    expect(await s.stop("SIGTERM")).toBe(0);
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
  });

  it("without --demo starts no model and leaves the console URL as it was", async () => {
    const s = await startServe(["--port", "0", "--token", "demo-token"], {}, { timeoutMs: 15_000 });
    expect(s.stdout()).not.toContain("Demo model");
    expect(s.consoleUrl).toBe(`${s.url}/#token=demo-token`);
    expect(await s.stop("SIGTERM")).toBe(0);
  });

  it("with BYOR_TOKEN: the console URL carries only the demo, and the page asks for the token", async () => {
    const s = await startServe(["--port", "0", "--demo"], { BYOR_TOKEN: "from-the-environment-123" }, { timeoutMs: 15_000 });
    expect(s.stdout()).toMatch(
      /Console: http:\/\/127\.0\.0\.1:\d+\/#demo=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fv1&demo_model=byor-demo \(it asks for the token: the value of BYOR_TOKEN\)/,
    );
    expect(s.stdout()).not.toContain("from-the-environment-123");
    expect(await s.stop("SIGTERM")).toBe(0);
  });
});
