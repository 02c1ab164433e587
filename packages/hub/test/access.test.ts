// Access control in the hub, in memory: roles held to their privilege classes, the welcome naming the principal, the
// audit records, and a resume taking the privileges of the socket that resumed.
import { createTransportPair, type MemoryTransport } from "@byor/core";
import { BUILTIN_ROLES, resolveRole } from "@byor/protocol";
import { describe, expect, it } from "vitest";
import { Hub, type AuditRecord, type Principal } from "../src/index.js";
import { flush, hub, runtime, type Json } from "./helpers/memory-peers.js";

const SCOPE = { agent_id: "agent-1", conversation_id: "conv-1" };
const INPUT = {
  type: "input",
  request_id: "in-1",
  runtime: SCOPE,
  payload: { kind: "create_message", messages: [{ role: "user", content: "a payload that must not be audited", client_message_id: "cm-1" }] },
};

const viewer: Principal = { name: "vera", role: BUILTIN_ROLES.viewer };
const operator: Principal = { name: "otto", role: BUILTIN_ROLES.operator };
const admin: Principal = { name: "ada", role: BUILTIN_ROLES.admin };

async function app(h: Hub, principal: Principal | undefined, hello: object = { type: "byor.hello" }) {
  const [serverEnd, appEnd] = createTransportPair();
  h.acceptApp(serverEnd, "app", principal);
  const received: Json[] = [];
  appEnd.onMessage((text) => received.push(JSON.parse(text) as Json));
  const send = (frame: object) => appEnd.send(JSON.stringify(frame));
  send(hello);
  await flush();
  return { end: appEnd as MemoryTransport, received, send, last: (type: string) => received.filter((f) => f.type === type).at(-1) };
}

describe("access control in the hub", () => {
  it("the welcome names the principal, its role and the classes it holds; without one it names nobody", async () => {
    const h = hub();
    expect((await app(h, operator)).last("byor.welcome")).toMatchObject({ principal: { name: "otto", role: "operator", privileges: ["observe", "converse"] } });
    expect((await app(h, undefined)).last("byor.welcome")).not.toHaveProperty("principal");
  });

  it("a viewer watches but cannot send input; an operator can, but cannot open a terminal; an admin can", async () => {
    const h = hub();
    const r = runtime(h);
    const v = await app(h, viewer);
    v.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    v.send({ type: "byor.list_runtimes", request_id: "l1" });
    v.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    await flush();
    expect(v.last("byor.subscribed")).toMatchObject({ request_id: "s1", success: true });
    expect(v.last("byor.runtimes")).toMatchObject({ request_id: "l1" });
    expect(v.last("byor.error")).toMatchObject({ code: "forbidden", request_id: "in-1", frame_type: "byor.send" });
    expect(v.last("byor.error")!.message).toMatch(/input needs the converse privilege, which role viewer does not grant/);
    expect(r.commands.filter((c) => c.type === "input")).toHaveLength(0);

    const o = await app(h, operator);
    o.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    o.send({ type: "byor.send", runtime_id: "device-1", command: { type: "terminal_spawn", terminal_id: "t1", cols: 80, rows: 24, request_id: "t-1" } });
    await flush();
    expect(r.commands.filter((c) => c.type === "input")).toHaveLength(1);
    expect(o.last("byor.error")).toMatchObject({ code: "forbidden", request_id: "t-1" });
    expect(r.commands.filter((c) => c.type === "terminal_spawn")).toHaveLength(0);

    const a = await app(h, admin);
    a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "terminal_spawn", terminal_id: "t1", cols: 80, rows: 24, request_id: "t-2" } });
    await flush();
    expect(r.commands.filter((c) => c.type === "terminal_spawn")).toHaveLength(1);
    expect(a.last("byor.error")).toBeUndefined();
  });

  it("a role without observe may neither subscribe nor list, and a command it sends does not subscribe it", async () => {
    const h = hub();
    const r = runtime(h);
    const blind = await app(h, { name: "bot", role: resolveRole("talker", { talker: ["converse"] }) });
    blind.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    blind.send({ type: "byor.list_runtimes", request_id: "l1" });
    await flush();
    expect(blind.received.filter((f) => f.type === "byor.error").map((f) => [f.code, f.request_id, f.frame_type])).toEqual([
      ["forbidden", "s1", "byor.subscribe"],
      ["forbidden", "l1", "byor.list_runtimes"],
    ]);
    const o = await app(h, operator); // the same command subscribes an app that may observe
    blind.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    o.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    await flush();
    expect(r.commands.filter((c) => c.type === "input")).toHaveLength(2);
    r.send({ type: "update_queue", queue: [], removed: [], runtime: SCOPE, event_seq: 1, emitted_at: "2026-01-01T00:00:00.000Z", idempotency_key: "q:1" });
    await flush();
    const queued = (a: { received: Json[] }) => a.received.filter((f) => f.type === "byor.event" && (f.event as Json).type === "update_queue");
    expect(queued(o)).toHaveLength(1);
    expect(queued(blind)).toHaveLength(0);
  });

  it("audits privileged commands and every refusal, with no payload; observe is left out unless asked for", async () => {
    const records: AuditRecord[] = [];
    const h = hub({ audit: (r) => records.push(r) });
    runtime(h);
    const v = await app(h, viewer);
    const o = await app(h, operator);
    v.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    v.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    o.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    await flush();
    expect(records).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        principal: "vera",
        role: "viewer",
        class: "converse",
        command: "input",
        runtime_id: "device-1",
        request_id: "in-1",
        allowed: false,
        reason: "input needs the converse privilege, which role viewer does not grant",
      },
      {
        time: expect.any(String),
        principal: "otto",
        role: "operator",
        class: "converse",
        command: "input",
        runtime_id: "device-1",
        request_id: "in-1",
        allowed: true,
      },
    ]);
    expect(JSON.stringify(records)).not.toContain("a payload that must not be audited");

    const all: AuditRecord[] = [];
    const h2 = hub({ audit: (r) => all.push(r), auditClasses: new Set(["observe"]) });
    const v2 = await app(h2, viewer);
    v2.send({ type: "byor.list_runtimes", request_id: "l1" });
    await flush();
    expect(all).toMatchObject([{ principal: "vera", class: "observe", command: "byor.list_runtimes", runtime_id: null, request_id: "l1", allowed: true }]);
  });

  it("an audit sink that throws is reported; the command still goes through", async () => {
    const lines: string[] = [];
    const h = hub({
      audit: () => {
        throw new Error("disk full");
      },
      logger: { info: () => {}, warn: () => {}, error: (m) => lines.push(m) },
    });
    const r = runtime(h);
    const o = await app(h, operator);
    o.send({ type: "byor.send", runtime_id: "device-1", command: INPUT });
    await flush();
    expect(r.commands.filter((c) => c.type === "input")).toHaveLength(1);
    expect(lines.join("\n")).toMatch(/audit record of input by otto failed: Error: disk full/);
  });

  it("refusals are logged at most once per 10 s, with a count of the ones left out", async () => {
    const warnings: string[] = [];
    const h = hub({ logger: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} } });
    runtime(h);
    const v = await app(h, viewer);
    for (let i = 0; i < 5; i++) v.send({ type: "byor.send", runtime_id: "device-1", command: { ...INPUT, request_id: `in-${i}` } });
    await flush();
    expect(v.received.filter((f) => f.type === "byor.error" && f.code === "forbidden")).toHaveLength(5);
    expect(warnings.filter((w) => w.includes("refused input"))).toEqual([
      "app app (vera, role viewer): refused input: input needs the converse privilege, which role viewer does not grant",
    ]);
  });

  it("a resumed session takes the principal of the socket that resumed it, and its welcome names that one", async () => {
    const h = hub();
    const r = runtime(h);
    const first = await app(h, admin, { type: "byor.hello", seq_ack: true });
    const sessionId = first.last("byor.welcome")!.session_id as string;
    first.send({ type: "byor.subscribe", runtime_id: "device-1", scope: SCOPE, request_id: "s1" });
    await flush();
    first.end.close(4000, "dropped");
    await flush();
    const again = await app(h, viewer, { type: "byor.hello", seq_ack: true, resume: { session_id: sessionId, last_seq: 0 } });
    expect(again.last("byor.welcome")).toMatchObject({ session_id: sessionId, resumed: true, principal: { name: "vera", role: "viewer" } });
    again.send({ type: "byor.send", runtime_id: "device-1", command: { type: "terminal_spawn", terminal_id: "t1", cols: 80, rows: 24, request_id: "t-1" } });
    await flush();
    expect(again.last("byor.error")).toMatchObject({ code: "forbidden", request_id: "t-1" });
    expect(r.commands.filter((c) => c.type === "terminal_spawn")).toHaveLength(0);
  });
});

describe("agents' secrets", () => {
  const agent = { id: "agent-1", name: "a", secrets: [{ key: "API_KEY", value: "s3cret" }], tool_exec_environment_variables: [{ key: "T", value: "v" }] };

  it("an answer carrying agent objects loses their secret fields for a role without `secrets`, keeps them for one with it", async () => {
    const h = hub();
    const r = runtime(h);
    const apps = { viewer: await app(h, viewer), admin: await app(h, admin) };
    for (const [name, a] of Object.entries(apps)) {
      a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "agent_list", request_id: `list-${name}` } });
      a.send({ type: "byor.send", runtime_id: "device-1", command: { type: "agent_retrieve", request_id: `get-${name}`, agent_id: "agent-1" } });
    }
    await flush();
    for (const command of r.commands.filter((c) => c.type === "agent_list"))
      r.send({ type: "agent_list_response", request_id: command.request_id, success: true, agents: [agent] });
    for (const command of r.commands.filter((c) => c.type === "agent_retrieve"))
      r.send({ type: "agent_retrieve_response", request_id: command.request_id, success: true, agent });
    await flush();
    const answers = (a: { received: Json[] }) => a.received.filter((f) => f.type === "byor.event").map((f) => f.event as Json);
    const [viewerList, viewerGet] = answers(apps.viewer);
    expect(viewerList).toMatchObject({ type: "agent_list_response", request_id: "list-viewer", agents: [{ id: "agent-1", name: "a" }] });
    expect((viewerList!.agents as Json[])[0]).not.toHaveProperty("secrets");
    expect((viewerList!.agents as Json[])[0]).not.toHaveProperty("tool_exec_environment_variables");
    expect(viewerGet).toMatchObject({ type: "agent_retrieve_response", agent: { id: "agent-1" } });
    expect(viewerGet!.agent).not.toHaveProperty("secrets");
    expect(JSON.stringify(apps.viewer.received)).not.toContain("s3cret");
    const [adminList, adminGet] = answers(apps.admin);
    expect((adminList!.agents as Json[])[0]).toMatchObject({ secrets: [{ value: "s3cret" }] });
    expect(adminGet!.agent).toMatchObject({ secrets: [{ value: "s3cret" }] });
  });
});
