// `byor serve --demo`: a scripted OpenAI-compatible model on 127.0.0.1, so a real Letta Code runtime can take a
// first turn offline. It answers with a short streamed text, and a message asking it to run something with a tool
// call that needs approval (outside the `unrestricted` mode new conversations start in).
import { createScriptedModel, type ChatCompletionRequest, type ModelReply } from "@byor/testing";

/** The model it serves: `openai-compatible/byor-demo` in the runtime's list_models once connected. */
export const DEMO_MODEL = "byor-demo";
/**
 * The one command it ever proposes: it writes a file in the conversation's working directory, so the runtime asks
 * before running it (read-only commands such as `ls` or `echo` run without asking in `standard` mode).
 */
export const DEMO_COMMAND = 'echo "Hello from the BYOR demo" > byor-demo.txt';
/** What a user message needs to say for the demo to call its tool. */
const ASKS_TO_RUN = /\b(run|execute|command|shell|tool|approv\w*)\b/i;

type ChatMessage = NonNullable<ChatCompletionRequest["messages"]>[number];

/** The text of message content: a string, or content parts (the runtime adds `<system-reminder>` parts, left out). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { type?: unknown; text?: unknown }) => (part?.type === "text" && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text && !text.trimStart().startsWith("<system-reminder>"))
    .join("\n");
}

const firstLine = (text: string, max = 160) => {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}…` : line;
};

/** The demo's answer to one chat-completions request (the whole conversation so far is in it). */
export function demoReply(request: ChatCompletionRequest): ModelReply {
  const messages = request.messages ?? [];
  const last: ChatMessage | undefined = messages.at(-1);
  if (last?.role === "tool") {
    const result = textOf(last.content);
    // A denial comes back as the tool's result too, carrying the user's reason (which may not say "denied").
    if (/\b(denied|rejected|declined|not approved)\b/i.test(result)) return { text: ["Understood: ", "I did not run it."], chunkDelayMs: 60 };
    return { text: ["The tool answered: ", firstLine(result) || "(no output)"], chunkDelayMs: 60 };
  }
  const said = firstLine(textOf([...messages].reverse().find((m) => m.role === "user")?.content), 60);
  if (ASKS_TO_RUN.test(said)) {
    return {
      text: ["Sure: ", "this command writes a file, ", "so the runtime asks you first."],
      toolCalls: [{ name: "Bash", arguments: { command: DEMO_COMMAND, description: "Write byor-demo.txt (BYOR demo)" } }],
      chunkDelayMs: 60,
    };
  }
  return { text: demoAnswer(said), chunkDelayMs: 80 };
}

/** The streamed answer to a message that does not ask to run anything, chunk by chunk. */
export function demoAnswer(said: string): string[] {
  return [
    "Hello! ",
    "I am the BYOR demo model, ",
    "a scripted stand-in for a real one, ",
    "answering from 127.0.0.1. ",
    ...(said ? [`You said: "${said}". `] : []),
    "Ask me to run something ",
    "and I will call a tool ",
    "that waits for your approval.",
  ];
}

export interface DemoModel {
  /** The OpenAI base URL the runtime calls: `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** The model's handle once connected: `openai-compatible/byor-demo`. */
  readonly handle: string;
  /** For the console URL's fragment: `demo=<base URL>&demo_model=<model>` (the console offers it in one click). */
  readonly fragment: string;
  /** What `byor serve` prints about it. */
  lines(): string[];
  close(): Promise<void>;
}

/** Starts the demo model on 127.0.0.1 (`port` 0, the default, picks a free one). */
export async function startDemoModel(options: { port?: number } = {}): Promise<DemoModel> {
  const model = await createScriptedModel({ port: options.port ?? 0, models: [DEMO_MODEL], replies: demoReply, maxRecorded: 20 });
  const handle = `openai-compatible/${DEMO_MODEL}`;
  return {
    baseUrl: model.baseUrl,
    model: DEMO_MODEL,
    handle,
    fragment: new URLSearchParams({ demo: model.baseUrl, demo_model: DEMO_MODEL }).toString(),
    lines: () => [
      `Demo model (scripted, offline): ${model.baseUrl} serves ${DEMO_MODEL}`,
      `  In the console: "Use the demo model". Or connect it yourself: provider OpenAI-compatible, base URL`,
      `  ${model.baseUrl}, any API key; then pick ${handle}.`,
      `  It streams a short answer; ask it to run something for a tool call that needs approval (switch the`,
      `  conversation's mode to standard first: new conversations start unrestricted, which asks for nothing).`,
    ],
    close: () => model.close(),
  };
}
