// Direct mode, from the "Self hosted remote API" page, written with this SDK: your app is the server `letta remote`
// connects to. It renders the runtime's events and sends commands back, in process, with no client socket.
// ByorServer does what the page's sketch leaves out: the runtime first POSTs /v1/environments/register and then
// dials the wsUrl it gets back (with its token); it pings and the server answers pong; it reconnects after a drop.
//
//   npx tsx examples/direct-mode.ts "What files should I inspect first?"
//   # then, in another terminal, run the `letta remote …` line it prints
//
// BYOR_PORT         where to listen (default 8284; 0 picks a free port)
// BYOR_TOKEN        the token the runtime must present (default: a random runtime token, printed in that line)
// EXAMPLE_ONE_TURN  1: stop after the first turn (the tests use it)
import { approve, type RuntimeSession } from "@byor/core";
import type { RuntimeEvent } from "@byor/protocol";
import { ByorServer, lettaRemoteCommand } from "@byor/node-server";

const text = process.argv.slice(2).join(" ") || "Hello! What can you do?";
const oneTurn = process.env.EXAMPLE_ONE_TURN === "1";

const server = await new ByorServer({ port: Number(process.env.BYOR_PORT ?? 8284) }).listen();
console.log(`listening on ${server.url}; start the runtime with:`);
console.log(`  ${lettaRemoteCommand({ baseUrl: server.url, token: server.runtimeToken, envName: "direct-mode" })}`);
process.once("SIGINT", () => void server.close());

// onRuntime runs each time a runtime's socket opens: its first connection and every reconnect. The session is the
// same object each time and outlives the sockets: on a reconnect it re-syncs every scope it watches by itself (it
// sends `sync`, the runtime replays its state), so there is nothing to do here but say so.
const started = new WeakSet<RuntimeSession>();
server.onRuntime(({ id, connectionName, session }) => {
  if (started.has(session)) return print(`[runtime] ${connectionName} reconnected: re-syncing what we watch`);
  started.add(session);
  print(`[runtime] ${connectionName} connected (${id})`);
  session.on("event", (event) => render(session, event));
  converse(session).catch((error) => print(`[error] ${error instanceof Error ? error.message : String(error)}`));
});

/** Starts a conversation (a new agent), watches it, and sends the message. */
async function converse(session: RuntimeSession): Promise<void> {
  const reply = await session.request(
    { type: "runtime_start", create_agent: { body: { name: "byor-example" } }, create_conversation: {} },
    { timeoutMs: 60_000 },
  );
  const scope = reply.runtime!; // { agent_id, conversation_id }: the scope of every later command and event
  await session.watch(scope); // synced now, and again after every reconnect
  print(`> ${text}`);
  session.send({ type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: text }] } });
}

// Rendering: status lines, and the assistant's text written as it streams in.
let lastDevice = "";
let lastLoop = "";
function render(session: RuntimeSession, event: RuntimeEvent): void {
  switch (event.type) {
    case "update_device_status": {
      const { is_processing, current_permission_mode } = event.device_status;
      const line = `[device] ${is_processing ? "busy" : "idle"}, permission mode ${current_permission_mode}`;
      if (line !== lastDevice) print((lastDevice = line));
      break;
    }
    case "update_loop_status":
      if (event.loop_status.status !== lastLoop) print(`[loop] ${(lastLoop = event.loop_status.status)}`);
      break;
    case "stream_delta":
      if (event.delta.message_type === "assistant_message") {
        const { content } = event.delta; // a string, or parts like { type: "text", text }
        write(typeof content === "string" ? content : content.map((part) => (part as { text?: string }).text ?? "").join(""));
      }
      break;
    case "control_request": {
      // A tool call waiting for approval. A real app asks its user; this one prints it and allows it.
      const { tool_name, input } = event.request;
      print(`[approval] ${tool_name} ${JSON.stringify(input)}: allowing`);
      session.request(approve(event)).catch((error) => print(`[error] approval: ${error instanceof Error ? error.message : String(error)}`));
      break;
    }
    case "turn_finished":
      print(`[turn] finished: ${event.stop_reason}`);
      if (oneTurn) void server.close(); // closes the runtime's socket (it retries until a server is back) and exits
      break;
  }
}

// Streamed text stays on its line until something else is printed.
let midLine = false;
function write(chunk: string): void {
  if (!midLine) process.stdout.write("[assistant] ");
  process.stdout.write(chunk);
  midLine = true;
}
function print(line: string): void {
  if (midLine) process.stdout.write("\n");
  midLine = false;
  console.log(line);
}
