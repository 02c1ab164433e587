// Every command type an app may send × every built-in role, through the real server: the generated registry says
// which class each command needs, so a new command schema is covered here without touching this test.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUILTIN_ROLES, COMMAND_PRIVILEGES, roleAllows, type BuiltinRoleName } from "@byor/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { startServer } from "./helpers/server.js";
import { connect, type Json, type TestSocket } from "./helpers/sockets.js";

const SCHEMA = resolve(import.meta.dirname, "../../../schema/commands");
const RUNTIME_TOKEN = "runtime-token-for-the-privilege-matrix";
const ROLES = Object.keys(BUILTIN_ROLES) as BuiltinRoleName[];
const tokenOf = (role: string) => `token-of-the-${role}-role-0123456789`;

/** The first example of each command type, from schema/commands/*.examples.jsonl. */
function examples(): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const file of readdirSync(SCHEMA).filter((f) => f.endsWith(".examples.jsonl"))) {
    for (const line of readFileSync(join(SCHEMA, file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const frame = JSON.parse(line) as Json;
      if (!found.has(frame.type)) found.set(frame.type, frame);
    }
  }
  return found;
}

let ctx: Awaited<ReturnType<typeof startServer>>;
let runtime: FakeRuntime;
const apps = new Map<string, TestSocket>();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "byor-privileges-"));
  const tokensFile = join(dir, "tokens.json");
  writeFileSync(
    tokensFile,
    JSON.stringify({
      roles: { "terminal-only": ["terminal"] },
      tokens: [...ROLES, "terminal-only"].map((role) => ({ name: `${role}-user`, role, token: tokenOf(role) })),
    }),
  );
  ctx = await startServer({ runtimeToken: RUNTIME_TOKEN, tokensFile });
  runtime = new FakeRuntime(ctx.base, RUNTIME_TOKEN);
  await runtime.connect();
  for (const role of [...ROLES, "terminal-only"]) apps.set(role, await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${tokenOf(role)}` } }));
});
afterAll(async () => {
  for (const app of apps.values()) await app.close();
  await ctx?.server.close();
});

/** Sends one command as `role` and waits for its fate: relayed to the runtime, or refused (the byor.error). */
async function attempt(role: string, command: Json): Promise<{ relayed: boolean; error: Json | undefined }> {
  const app = apps.get(role)!;
  const errorsBefore = app.received.length;
  const commandsBefore = runtime.commands.filter((c) => c.type === command.type).length;
  app.send({ type: "byor.send", runtime_id: runtime.deviceId, command });
  const deadline = Date.now() + 5_000;
  for (;;) {
    const relayed = runtime.commands.filter((c) => c.type === command.type).length > commandsBefore;
    const error = app.received.slice(errorsBefore).find((f) => f.type === "byor.error");
    if (relayed || error) return { relayed, error };
    if (Date.now() > deadline) throw new Error(`${command.type} as ${role}: neither relayed nor refused`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("privileges through the real server", () => {
  const all = examples();
  const types = Object.keys(COMMAND_PRIVILEGES).sort();

  it("every command type an app may send has an example to send", () => {
    expect(types.filter((t) => !all.has(t))).toEqual([]);
    expect(types.length).toBeGreaterThan(90);
  });

  for (const role of ROLES) {
    it(`${role}: each command is relayed if and only if the role grants its class; else byor.error forbidden`, async () => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const type of types) {
        const needed = COMMAND_PRIVILEGES[type as keyof typeof COMMAND_PRIVILEGES];
        const { relayed, error } = await attempt(role, all.get(type)!);
        outcomes.push(`${type}: ${relayed ? "relayed" : `refused ${error!.code}`}`);
        expected.push(`${type}: ${roleAllows(BUILTIN_ROLES[role], needed) ? "relayed" : "refused forbidden"}`);
        if (error?.code === "forbidden") expect(error.message).toContain(`needs the ${needed} privilege, which role ${role} does not grant`);
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it("the matrix is not trivial: a viewer is refused most commands, an admin none", () => {
    const refused = (role: BuiltinRoleName) =>
      types.filter((t) => !roleAllows(BUILTIN_ROLES[role], COMMAND_PRIVILEGES[t as keyof typeof COMMAND_PRIVILEGES])).length;
    expect(refused("admin")).toBe(0);
    expect(refused("operator")).toBeGreaterThan(0);
    expect(refused("viewer")).toBeGreaterThan(refused("operator"));
  });

  it("subscribe and list need observe: every built-in role may, a custom role without it may not (nor see the list over HTTP)", async () => {
    const scope = { agent_id: "agent-1", conversation_id: "default" };
    for (const role of [...ROLES, "terminal-only"]) {
      const app = apps.get(role)!;
      const from = app.received.length;
      app.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: `s-${role}` });
      app.send({ type: "byor.list_runtimes", request_id: `l-${role}` });
      const answers = [await app.next((f) => f.request_id === `s-${role}`, { from }), await app.next((f) => f.request_id === `l-${role}`, { from })];
      const seen = answers.map((f) => (f.type === "byor.error" ? `error ${f.code}` : f.type));
      expect([role, ...seen]).toEqual(role === "terminal-only" ? [role, "error forbidden", "error forbidden"] : [role, "byor.subscribed", "byor.runtimes"]);
      const list = await fetch(`${ctx.base}/byor/v1/runtimes`, { headers: { authorization: `Bearer ${tokenOf(role)}` } });
      expect([role, list.status]).toEqual([role, role === "terminal-only" ? 403 : 200]);
    }
  });

  it("the welcome of each names its principal and the classes of its role", async () => {
    // Their first frame (a send, above) was an implicit hello.
    for (const role of ROLES) {
      const welcome = await apps.get(role)!.next((f) => f.type === "byor.welcome");
      expect(welcome.principal).toEqual({ name: `${role}-user`, role, privileges: [...BUILTIN_ROLES[role].classes] });
    }
  });
});
