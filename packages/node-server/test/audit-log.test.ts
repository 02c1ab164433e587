// The audit log through the real server: one JSON line per privileged command and per refusal, never a payload.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../src/index.js";
import { FakeRuntime } from "./helpers/fake-runtime.js";
import { startServer, TOKEN } from "./helpers/server.js";
import { connect, until } from "./helpers/sockets.js";

const VIEWER = "viewer-token-0123456789abcdef";
const SECRET_TEXT = "the payload of this input must stay out of the audit log";
const scope = { agent_id: "agent-1", conversation_id: "default" };
const input = (requestId: string) => ({
  type: "input",
  request_id: requestId,
  runtime: scope,
  payload: { kind: "create_message", messages: [{ role: "user", content: SECRET_TEXT, client_message_id: `cm-${requestId}` }] },
});

let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await ctx?.server.close();
  ctx = undefined;
});

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "byor-audit-")), "tokens.json");
  writeFileSync(path, JSON.stringify({ tokens: [{ name: "vera", role: "viewer", token: VIEWER }] }));
  return path;
}

describe("the audit log", () => {
  it("a file (0600) of JSON lines: privileged commands allowed, refusals of any class; observe left out; no payload", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "byor-audit-")), "audit.jsonl");
    ctx = await startServer({ auditLog: path, tokensFile: tokensFile() });
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    await runtime.connect();
    const owner = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    const vera = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${VIEWER}` } });
    owner.send({ type: "byor.send", runtime_id: runtime.deviceId, command: input("in-owner") });
    owner.send({ type: "byor.send", runtime_id: runtime.deviceId, command: { type: "list_models", request_id: "models" } }); // observe
    vera.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "sub" }); // observe
    vera.send({ type: "byor.send", runtime_id: runtime.deviceId, command: input("in-vera") });
    await vera.next((f) => f.type === "byor.error" && f.request_id === "in-vera");
    await until(() => runtime.commands.some((c) => c.type === "list_models"));
    await ctx.server.close(); // flushes and closes the file
    const text = readFileSync(path, "utf8");
    const records = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(records).toEqual([
      {
        time: expect.any(String),
        principal: "owner",
        role: "admin",
        class: "converse",
        command: "input",
        runtime_id: runtime.deviceId,
        request_id: "in-owner",
        allowed: true,
      },
      {
        time: expect.any(String),
        principal: "vera",
        role: "viewer",
        class: "converse",
        command: "input",
        runtime_id: runtime.deviceId,
        request_id: "in-vera",
        allowed: false,
        reason: "input needs the converse privilege, which role viewer does not grant",
      },
    ]);
    expect(Date.parse(records[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(VIEWER);
    if (process.platform !== "win32") expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("a callback, with auditClasses all: observe frames too", async () => {
    const records: AuditRecord[] = [];
    ctx = await startServer({ auditLog: (r) => records.push(r), auditClasses: "all" });
    const runtime = new FakeRuntime(ctx.base, TOKEN);
    await runtime.connect();
    const owner = await connect(ctx.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    owner.send({ type: "byor.list_runtimes", request_id: "l1" });
    owner.send({ type: "byor.subscribe", runtime_id: runtime.deviceId, scope, request_id: "s1" });
    await owner.next((f) => f.type === "byor.subscribed");
    expect(records.map((r) => [r.command, r.class, r.runtime_id, r.request_id, r.allowed])).toEqual([
      ["byor.list_runtimes", "observe", null, "l1", true],
      ["byor.subscribe", "observe", runtime.deviceId, "s1", true],
    ]);
  });

  it("refuses a bad auditClasses, naming it", async () => {
    await expect(startServer({ auditClasses: ["observe", "everything"] as never })).rejects.toThrow(/auditClasses: "everything" is not a privilege class/);
  });
});
