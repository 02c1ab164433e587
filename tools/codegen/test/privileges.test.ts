// Codegen refuses a schema/ whose commands lack a privilege class, and emits the privilege tables and PROTOCOL.md's
// generated section from it. Each case edits one file of a copy of schema/.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DOC_BEGIN, DOC_END, emitCommandDocs, spliceSection } from "../src/emit-docs.js";
import { emitRegistry } from "../src/emit-registry.js";
import { loadSchemas, SchemaError } from "../src/load.js";
import { loadPrivileges } from "../src/privileges.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "byor-codegen-"));
  cpSync(join(repoRoot, "schema"), join(root, "schema"), { recursive: true, filter: (src) => !src.endsWith(".jsonl") });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Rewrites one JSON file of the copy. */
function edit(file: string, change: (json: Record<string, unknown>) => void): void {
  const path = join(root, "schema", file);
  const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  change(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
}

function loadError(): string {
  try {
    loadSchemas(root);
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return (err as Error).message;
  }
  throw new Error("loadSchemas accepted the schemas");
}

describe("x-byor-privilege", () => {
  it("is on every command and app frame of schema/, with a known value", () => {
    const schemas = loadSchemas(root);
    const commands = schemas.filter((s) => s.folder === "commands");
    expect(commands.length).toBeGreaterThan(90);
    const classes = loadPrivileges(root).classes.map((c) => c.name);
    for (const s of commands) expect(classes, s.path).toContain(s.privilege);
    for (const s of schemas.filter((s) => s.folder === "broker" && s.direction !== "server")) expect(s.privilege, s.path).toBeDefined();
    for (const s of schemas.filter((s) => s.folder !== "commands" && s.folder !== "broker")) expect(s.privilege, s.path).toBeUndefined();
  });

  it("missing on a command: codegen stops and names the file and the classes", () => {
    edit("commands/read_file.json", (j) => delete j["x-byor-privilege"]);
    expect(loadError()).toMatch(
      /schema\/commands\/read_file\.json: x-byor-privilege missing: every command needs a privilege class \(observe, converse, files, .*admin; see schema\/privileges\.json\)/,
    );
  });

  it("an unknown class, or an app-frame value on a command, is refused", () => {
    edit("commands/terminal_spawn.json", (j) => (j["x-byor-privilege"] = "root"));
    edit("commands/sync.json", (j) => (j["x-byor-privilege"] = "none"));
    edit("commands/input.json", (j) => (j["x-byor-privilege"] = ["converse"]));
    const message = loadError();
    expect(message).toMatch(/commands\/terminal_spawn\.json: x-byor-privilege "root" is not a privilege class/);
    expect(message).toMatch(/commands\/sync\.json: x-byor-privilege "none" is not a privilege class/);
    expect(message).toMatch(/commands\/input\.json: x-byor-privilege \["converse"\] is not a privilege class/);
  });

  it("app frames need one too (command and none allowed); events, transport and server frames must not have one", () => {
    edit("broker/byor.subscribe.json", (j) => delete j["x-byor-privilege"]);
    edit("events/sync_response.json", (j) => (j["x-byor-privilege"] = "observe"));
    edit("transport/pong.json", (j) => (j["x-byor-privilege"] = "observe"));
    edit("broker/byor.welcome.json", (j) => (j["x-byor-privilege"] = "none"));
    const message = loadError();
    expect(message).toMatch(/broker\/byor\.subscribe\.json: x-byor-privilege missing: every app frame needs .*command, none/);
    expect(message).toMatch(/events\/sync_response\.json: x-byor-privilege is only for commands/);
    expect(message).toMatch(/transport\/pong\.json: x-byor-privilege is only for commands/);
    expect(message).toMatch(/broker\/byor\.welcome\.json: x-byor-privilege is only for commands/);
  });

  it("privileges.json: roles may only name its classes, class names are unique and described", () => {
    edit("privileges.json", (j) => {
      const roles = j["x-byor-roles"] as Record<string, { classes: string[] }>;
      roles.viewer!.classes = ["observe", "watch"];
      const classes = j.oneOf as { const: string; description?: string }[];
      classes.push({ const: "observe", description: "again" }, { const: "extra" }, { const: "none", description: "reserved" });
    });
    const message = loadError();
    expect(message).toMatch(/role "viewer" names unknown classes "watch"/);
    expect(message).toMatch(/class "observe" is listed twice/);
    expect(message).toMatch(/class "extra" needs a description/);
    expect(message).toMatch(/"none" is reserved for app frames/);
  });
});

describe("what codegen emits from the privileges", () => {
  it("the registry maps every command to its class and every app frame to what it needs", () => {
    edit("commands/list_models.json", (j) => (j["x-byor-privilege"] = "providers"));
    const privileges = loadPrivileges(root);
    const registry = emitRegistry(loadSchemas(root, privileges), privileges);
    const table = registry.slice(registry.indexOf("export const COMMAND_PRIVILEGES"), registry.indexOf("export const APP_FRAME_PRIVILEGES"));
    const section = (name: string) => table.slice(table.indexOf(`  ${name}: \``), table.indexOf("`,", table.indexOf(`  ${name}: \``)));
    expect(section("providers")).toMatch(/\blist_models\b/);
    expect(section("observe")).not.toMatch(/\blist_models\b/);
    expect(table).not.toMatch(/\bpong\b|\blistener_ready\b/);
    expect(registry).toContain('"byor.send": "command",');
    expect(registry).toContain('"byor.hello": null,');
    expect(registry).toContain("viewer: { description:");
  });

  it("PROTOCOL.md's section lists every command with its class and answer", () => {
    const privileges = loadPrivileges(root);
    const docs = emitCommandDocs(loadSchemas(root, privileges), privileges);
    expect(docs).toContain("| `sync` | `observe` | `sync_response` | optional |");
    expect(docs).toContain("| `terminal_spawn` | `terminal` | fire-and-forget | — |");
    expect(docs).toContain("| `read_file` | `files` | `read_file_response` | required |");
    expect(docs).toMatch(/^- `terminal_spawn`: Opens an interactive shell/m);
    expect(docs).not.toMatch(/\| `pong` \|/);
  });

  it("only the generated section of the document changes, and a document without markers is refused", () => {
    const doc = `# Title\n\nby hand\n\n${DOC_BEGIN}\nold\n${DOC_END}\n\n## After\n`;
    const once = spliceSection(doc, "new body");
    expect(once).toBe(`# Title\n\nby hand\n\n${DOC_BEGIN}\n\nnew body\n\n${DOC_END}\n\n## After\n`);
    expect(spliceSection(once, "new body")).toBe(once);
    expect(() => spliceSection("# no markers\n", "x")).toThrow(SchemaError);
    expect(() => spliceSection(`${DOC_END}\n${DOC_BEGIN}\n`, "x")).toThrow(/needs exactly one generated section/);
    expect(() => spliceSection(`${DOC_BEGIN}\n${DOC_END}\n${DOC_BEGIN}\n${DOC_END}\n`, "x")).toThrow(SchemaError);
  });
});
