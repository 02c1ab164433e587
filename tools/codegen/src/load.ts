import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { SCHEMA_BASE, SchemaError } from "./conventions.js";
import { loadPrivileges, privilegeProblem, type Privileges } from "./privileges.js";

export { SCHEMA_BASE, SchemaError };
export const FOLDERS = ["defs", "transport", "commands", "events", "http", "broker"] as const;
export type Folder = (typeof FOLDERS)[number];
/** Runtime leg: command, event, both (file_ops), http. Client endpoint (broker/): app, server, both. */
export type Direction = "command" | "event" | "both" | "http" | "app" | "server";

export interface SchemaFile {
  /** Path relative to the repo root, for messages. */
  path: string;
  folder: Folder;
  /** File name without `.json`: the wire type for messages. */
  name: string;
  id: string;
  title: string;
  /** Absent for shared shapes in defs/. */
  direction?: Direction;
  /** Wire `type` const, for frames. */
  wireType?: string;
  response?: string;
  /** `x-byor-privilege`: a class (commands), or also `command` / `none` (app frames). */
  privilege?: string;
  enveloped: boolean;
  json: Record<string, unknown>;
}

/** Reads schema/ and checks the conventions in schema/README.md that codegen relies on. */
export function loadSchemas(repoRoot: string, privileges: Privileges = loadPrivileges(repoRoot)): SchemaFile[] {
  const root = join(repoRoot, "schema");
  const out: SchemaFile[] = [];
  const problems: string[] = [];
  for (const folder of FOLDERS) {
    const dir = join(root, folder);
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    for (const file of names) {
      const path = join(dir, file);
      const rel = relative(repoRoot, path);
      const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      const name = file.slice(0, -".json".length);
      const id = `${SCHEMA_BASE}${folder}/${file}`;
      if (json.$id !== id) problems.push(`${rel}: $id must be ${id}`);
      if (typeof json.title !== "string") problems.push(`${rel}: title missing`);
      if (typeof json.description !== "string") problems.push(`${rel}: description missing`);
      const direction = json["x-byor-direction"] as Direction | undefined;
      if (folder !== "defs" && !direction) problems.push(`${rel}: x-byor-direction missing`);
      const props = json.properties as Record<string, { const?: unknown }> | undefined;
      const wireType = folder === "defs" || folder === "http" ? undefined : props?.type?.const;
      if (wireType !== undefined && wireType !== name) problems.push(`${rel}: type const ${String(wireType)} differs from the file name`);
      if (folder !== "defs" && folder !== "http" && wireType === undefined) problems.push(`${rel}: properties.type.const missing`);
      out.push({
        path: rel,
        folder,
        name,
        id,
        title: json.title as string,
        direction,
        wireType: wireType as string | undefined,
        response: json["x-byor-response"] as string | undefined,
        privilege: json["x-byor-privilege"] as string | undefined,
        enveloped: json["x-byor-enveloped"] === true,
        json,
      });
    }
  }
  // The validators count string lengths in UTF-16 units (see createAjv): exact for minLength 1 only.
  for (const s of out) {
    const limits = JSON.stringify(s.json).match(/"(minLength|maxLength)":\s*\d+/g) ?? [];
    for (const l of limits) if (!/"minLength":\s*1$/.test(l)) problems.push(`${s.path}: ${l} is not supported (only minLength 1)`);
  }
  const byTitle = new Map<string, string>();
  for (const s of out) {
    const seen = byTitle.get(s.title);
    if (seen) problems.push(`${s.path}: title ${s.title} also used by ${seen}`);
    byTitle.set(s.title, s.path);
  }
  for (const s of out) {
    const problem = privilegeProblem(s, privileges);
    if (problem) problems.push(problem);
  }
  const wireTypes = new Set(out.map((s) => s.wireType).filter(Boolean));
  for (const s of out) {
    if (s.response && !wireTypes.has(s.response)) problems.push(`${s.path}: x-byor-response ${s.response} has no schema`);
  }
  if (problems.length) throw new SchemaError(`schema/ breaks its conventions:\n  ${problems.join("\n  ")}`);
  return out;
}

export const isFrame = (s: SchemaFile): boolean => s.wireType !== undefined;
const runtimeLeg = (s: SchemaFile) => isFrame(s) && s.folder !== "broker";
const brokerLeg = (s: SchemaFile) => isFrame(s) && s.folder === "broker";
export const isCommand = (s: SchemaFile): boolean => runtimeLeg(s) && (s.direction === "command" || s.direction === "both");
export const isEvent = (s: SchemaFile): boolean => runtimeLeg(s) && (s.direction === "event" || s.direction === "both");
/** Sent by an app to a BYOR server's client endpoint. */
export const isAppFrame = (s: SchemaFile): boolean => brokerLeg(s) && (s.direction === "app" || s.direction === "both");
/** Sent by a BYOR server to an app. */
export const isServerFrame = (s: SchemaFile): boolean => brokerLeg(s) && (s.direction === "server" || s.direction === "both");
