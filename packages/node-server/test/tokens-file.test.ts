// The tokens file: named app tokens with roles, checked when read, reloaded without a restart; a bad edit keeps the
// previous tokens; sockets of a removed token are closed (4401), of a token whose role changed closed to reconnect.
import { createHash } from "node:crypto";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ByorServer, parseTokensFile } from "../src/index.js";
import { startServer, TOKEN } from "./helpers/server.js";
import { connect, refusedStatus, until } from "./helpers/sockets.js";

const ALICE = "alice-token-0123456789abcdef";
const BOB = "bob-token-0123456789abcdef";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const file = (value: unknown) => JSON.stringify(value);
const parse = (value: unknown, conflict?: (digest: string) => string | undefined) =>
  parseTokensFile(typeof value === "string" ? value : file(value), {}, conflict);

describe("parseTokensFile", () => {
  it("reads named tokens, given as themselves or as their SHA-256, with built-in and custom roles", () => {
    const set = parse({
      roles: { reviewer: ["observe", "files"] },
      tokens: [
        { name: "alice", role: "viewer", token: ALICE },
        { name: "bob", role: "reviewer", sha256: sha256(BOB) },
      ],
    });
    expect(set.byDigest.get(sha256(ALICE))!.principal).toMatchObject({ name: "alice", role: { name: "viewer", classes: ["observe"] } });
    expect(set.byDigest.get(sha256(BOB))!.principal).toMatchObject({ name: "bob", role: { name: "reviewer", classes: ["observe", "files"] } });
  });

  it("names the first problem", () => {
    const one = (entry: object) => parse({ tokens: [entry] });
    expect(() => parse("{")).toThrow(/not valid JSON/);
    expect(() => parse({ token: [] })).toThrow(/unknown key "token"/);
    expect(() => one({ name: "a", role: "boss", token: ALICE })).toThrow(/tokens\[0\] \(a\)\.role must be one of viewer, operator, admin/);
    expect(() => one({ name: "a", role: "viewer", token: "short" })).toThrow(/\.token must be 16 to 1024 characters/);
    expect(() => one({ name: "a", role: "viewer" })).toThrow(/exactly one of "token" and "sha256"/);
    expect(() => one({ name: "a", role: "viewer", sha256: "ABC" })).toThrow(/sha256 must be 64 lowercase hex digits/);
    expect(() => one({ name: "owner", role: "viewer", token: ALICE })).toThrow(/"owner" is reserved/);
    expect(() => one({ name: "a b", role: "viewer", token: ALICE })).toThrow(/name must be/);
    expect(() => one({ name: "a", role: "viewer", token: ALICE, note: 1 })).toThrow(/unknown key "note"/);
    expect(() =>
      parse({
        tokens: [
          { name: "a", role: "viewer", token: ALICE },
          { name: "a", role: "viewer", token: BOB },
        ],
      }),
    ).toThrow(/used twice/);
    expect(() =>
      parse({
        tokens: [
          { name: "a", role: "viewer", token: ALICE },
          { name: "b", role: "viewer", sha256: sha256(ALICE) },
        ],
      }),
    ).toThrow(/the same token as a/);
    expect(() => parse({ roles: { admin: ["observe"] }, tokens: [] })).toThrow(/name of a built-in role/);
    expect(() => parse({ roles: { x: ["everything"] }, tokens: [] })).toThrow(/"everything" is not a privilege class/);
    expect(() => parse({ tokens: [{ name: "a", role: "viewer", token: ALICE }] }, () => "this is the runtime token")).toThrow(
      /tokens\[0\] \(a\): this is the runtime token/,
    );
  });
});

describe("a server with a tokens file", () => {
  let ctx: Awaited<ReturnType<typeof startServer>> | undefined;
  afterEach(async () => {
    await ctx?.server.close();
    ctx = undefined;
  });

  const setup = async (content: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), "byor-tokens-"));
    const path = join(dir, "tokens.json");
    writeFileSync(path, file(content));
    // Editors write a temporary file and rename it over the old one: the watcher must survive that.
    const edit = (next: unknown) => {
      const temp = join(dir, "tokens.json.tmp");
      writeFileSync(temp, typeof next === "string" ? next : file(next));
      renameSync(temp, path);
    };
    ctx = await startServer({ tokensFile: path, tokensFilePollMs: 100 });
    return { path, edit };
  };

  it("refuses to start on a bad file, naming it, and on a token that is the runtime token", () => {
    const dir = mkdtempSync(join(tmpdir(), "byor-tokens-"));
    const path = join(dir, "tokens.json");
    expect(() => new ByorServer({ token: TOKEN, tokensFile: path })).toThrow(/cannot read the tokens file .*tokens\.json/);
    writeFileSync(path, file({ tokens: [{ name: "a", role: "viewer", token: "runtime-secret-0123456789" }] }));
    expect(() => new ByorServer({ token: TOKEN, runtimeToken: "runtime-secret-0123456789", tokensFile: path })).toThrow(
      /tokens\.json: tokens\[0\] \(a\): this is the runtime token/,
    );
  });

  it("reloads an edit: a removed token's socket is closed with 4401 and refused after; a changed role's closed with 1012; a bad edit keeps them", async () => {
    const { edit } = await setup({
      tokens: [
        { name: "alice", role: "viewer", token: ALICE },
        { name: "bob", role: "viewer", token: BOB },
      ],
    });
    const alice = await connect(ctx!.clientUrl, { headers: { authorization: `Bearer ${ALICE}` } });
    const bob = await connect(ctx!.clientUrl, { headers: { authorization: `Bearer ${BOB}` } });
    bob.send({ type: "byor.hello" });
    expect((await bob.next((f) => f.type === "byor.welcome")).principal).toMatchObject({ name: "bob", role: "viewer" });

    edit("{ this is not json");
    await until(() => ctx!.logger.lines.some((l) => l.includes("keeping the previous 2 tokens")), { what: "the bad edit to be reported" });
    const stillBob = await connect(ctx!.clientUrl, { headers: { authorization: `Bearer ${BOB}` } });
    await stillBob.close();
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);

    edit({ tokens: [{ name: "bob", role: "operator", token: BOB }] });
    expect(await alice.closed).toEqual({ code: 4401, reason: "Credentials revoked" });
    expect(await bob.closed).toEqual({ code: 1012, reason: "Credentials changed" });
    expect((await refusedStatus(ctx!.clientUrl, { headers: { authorization: `Bearer ${ALICE}` } })).status).toBe(401);
    const bobAgain = await connect(ctx!.clientUrl, { headers: { authorization: `Bearer ${BOB}` } });
    bobAgain.send({ type: "byor.hello" });
    expect((await bobAgain.next((f) => f.type === "byor.welcome")).principal).toMatchObject({
      name: "bob",
      role: "operator",
      privileges: ["observe", "converse"],
    });
    await bobAgain.close();
    expect(ctx!.logger.lines.join("\n")).not.toMatch(new RegExp(`${ALICE}|${BOB}`));
  });

  it("the owner's token keeps working beside the file's, and a file may not reuse it", async () => {
    const { edit } = await setup({ tokens: [{ name: "alice", role: "viewer", token: ALICE }] });
    const owner = await connect(ctx!.clientUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    owner.send({ type: "byor.hello" });
    expect((await owner.next((f) => f.type === "byor.welcome")).principal).toMatchObject({ name: "owner", role: "admin" });
    edit({ tokens: [{ name: "mallory", role: "viewer", token: TOKEN }] });
    await until(() => ctx!.logger.lines.some((l) => l.includes("this is the owner's app token")), { what: "the conflict to be reported" });
    expect(ctx!.server.reloadTokensFile()).toBe(false);
    await owner.close();
  });
});
