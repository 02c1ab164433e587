// A Node app of `byor serve`: picks a runtime, starts a conversation on it, sends one message and prints the answer
// as it streams in, then exits.
//
//   byor serve                                   # prints its token and the `letta remote …` line to start a runtime
//   BYOR_TOKEN=<token> npx tsx examples/node-client.ts "What files should I inspect first?"
//
// BYOR_URL     the server (default http://127.0.0.1:8284)
// BYOR_TOKEN   its token (required)
// BYOR_RUNTIME a runtime's id or --env-name (default: the first online one)
// BYOR_AGENT_ID an existing agent to talk to (default: runtime_start creates one)
import { connectClient } from "@byor/client";
import { SESSION_VIEWS, sameScope } from "@byor/core";
import type { ByorRuntimeInfo, TurnFinishedEvent } from "@byor/protocol";
import { setTimeout as sleep } from "node:timers/promises";

const url = process.env.BYOR_URL ?? "http://127.0.0.1:8284";
const token = process.env.BYOR_TOKEN;
if (!token) {
  console.error("set BYOR_TOKEN (byor serve prints it)");
  process.exit(2);
}
const text = process.argv.slice(2).join(" ") || "Hello! What can you do?";

// `views: SESSION_VIEWS` keeps a state mirror and a stream assembler per runtime: assembled messages, not raw deltas.
const client = connectClient({ url, token, views: SESSION_VIEWS });
await client.ready({ timeoutMs: 10_000 }); // rejects with a ByorError "unauthorized" on a wrong token
const { session } = client;

// 1. A runtime: the one named by BYOR_RUNTIME, or the first online one (waiting up to 30 s for one to connect). The
// server announces every runtime that (re)connects: listen before listing, so one connecting meanwhile is not missed.
const wanted = process.env.BYOR_RUNTIME;
const fits = (r: ByorRuntimeInfo) => r.online && (!wanted || r.id === wanted || r.connection_name === wanted);
const announced = new Promise<ByorRuntimeInfo>((resolve) => session.on("runtime", (r) => fits(r) && resolve(r)));
const listed = (await session.listRuntimes()).find(fits);
if (!listed) console.log("waiting for a runtime to come online…");
const runtime = listed ?? (await Promise.race([announced, sleep(30_000, undefined, { ref: false })]));
if (!runtime) {
  console.error(wanted ? `no online runtime named ${wanted}` : "no runtime is online: start one with `letta remote` (byor serve prints how)");
  process.exit(1);
}
console.log(`runtime: ${runtime.connection_name} (${runtime.id})`);

// 2. A conversation: runtime_start creates the agent (or takes BYOR_AGENT_ID) and a conversation, and answers with
// their ids: the scope every later command and event carries. Then subscribe, so the server relays its events.
const agentId = process.env.BYOR_AGENT_ID;
const started = await session.request(
  runtime.id,
  { type: "runtime_start", ...(agentId ? { agent_id: agentId } : { create_agent: { body: { name: "byor-example" } } }), create_conversation: {} },
  { timeoutMs: 60_000 }, // creating an agent can take a while
);
const scope = started.runtime!; // set whenever success is true (a failed start rejects)
await session.subscribe(runtime.id, scope);
console.log(`conversation: ${scope.agent_id} / ${scope.conversation_id}`);

// 3. Print the assistant's text as it grows: the assembler folds the stream_delta events into messages.
const printed = new Map<string, number>();
session.assembler(runtime.id).on("change", ({ scope: changed, message }) => {
  if (message?.kind !== "assistant" || !sameScope(changed, scope)) return;
  process.stdout.write(message.text.slice(printed.get(message.key) ?? 0));
  printed.set(message.key, message.text.length);
});
const finished = new Promise<TurnFinishedEvent>((resolve) =>
  session.onEvent("turn_finished", (event, id) => id === runtime.id && sameScope(event.runtime, scope) && resolve(event)),
);

// 4. Send the message; the runtime accepts it (input_accepted), streams the answer, and ends with turn_finished.
console.log(`> ${text}`);
await session.request(runtime.id, { type: "input", runtime: scope, payload: { kind: "create_message", messages: [{ role: "user", content: text }] } });
const turn = await finished;
console.log(`\n(turn finished: ${turn.stop_reason})`);
client.close();
