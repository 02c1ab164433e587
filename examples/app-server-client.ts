// The 20-line program: talk to a Letta Code runtime in App Server mode, with nothing in between. It starts a
// conversation, sends one message, prints the answer as it streams in, and exits.
//
//   letta server --listen ws://127.0.0.1:4500 --backend local
//   npx tsx examples/app-server-client.ts "What files should I inspect first?"
//
// APP_SERVER_URL   the runtime's listener (default ws://127.0.0.1:4500)
// APP_SERVER_TOKEN its token, for a runtime started with --ws-auth capability-token (loopback needs none)
import { connectAppServer } from "@byor/client";

const token = process.env.APP_SERVER_TOKEN;
const runtime = connectAppServer({ url: process.env.APP_SERVER_URL ?? "ws://127.0.0.1:4500", auth: token ? { token } : undefined });
const info = await runtime.ready({ timeoutMs: 10_000 }); // app_server_info_response; a refused token rejects here
console.log(`connected to Letta Code ${info.letta_code_version} (${info.backend} backend)`);

// runtime_start: a new agent and conversation; the answer names the scope (agent_id, conversation_id) to talk to.
const started = await runtime.session.request(
  { type: "runtime_start", create_agent: { body: { name: "byor-example" } }, create_conversation: {} },
  { timeoutMs: 60_000 },
);
const scope = started.runtime!;

// The answer arrives as stream_delta events; the turn ends with turn_finished.
runtime.session.onEvent("stream_delta", ({ delta }) => {
  if (delta.message_type !== "assistant_message") return;
  const { content } = delta; // a string, or parts like { type: "text", text }
  process.stdout.write(typeof content === "string" ? content : content.map((part) => (part as { text?: string }).text ?? "").join(""));
});
const finished = new Promise((resolve) => runtime.session.onEvent("turn_finished", resolve));

const text = process.argv.slice(2).join(" ") || "Hello! What can you do?";
runtime.session.send({ type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: text }] } });
await finished;
console.log();
runtime.close();
