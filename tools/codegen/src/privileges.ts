import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_BASE, SchemaError } from "./conventions.js";

/** schema/privileges.json: the privilege classes (what a command lets its sender do) and the built-in roles. */
export const PRIVILEGES_FILE = "privileges.json";
/** The keyword every command schema and every app frame schema carries. */
export const PRIVILEGE_KEYWORD = "x-byor-privilege";
/**
 * Values only app frames (schema/broker) may use besides a class: `command` for byor.send (it needs the class of the
 * command it carries), `none` for the session's own frames (hello, ack, ping, pong), which every principal may send.
 */
export const APP_FRAME_PRIVILEGE_VALUES = ["command", "none"] as const;

export interface PrivilegeClassInfo {
  name: string;
  description: string;
}
export interface RoleInfo {
  name: string;
  description: string;
  classes: string[];
}
export interface Privileges {
  classes: PrivilegeClassInfo[];
  roles: RoleInfo[];
}

const NAME = /^[a-z][a-z_]*$/;

/** Reads schema/privileges.json and checks its shape: a `oneOf` of described `const`s and roles made of them. */
export function loadPrivileges(repoRoot: string): Privileges {
  const rel = `schema/${PRIVILEGES_FILE}`;
  const json = JSON.parse(readFileSync(join(repoRoot, rel), "utf8")) as {
    $id?: unknown;
    oneOf?: { const?: unknown; description?: unknown }[];
    "x-byor-roles"?: Record<string, { description?: unknown; classes?: unknown }>;
  };
  const problems: string[] = [];
  if (json.$id !== `${SCHEMA_BASE}${PRIVILEGES_FILE}`) problems.push(`${rel}: $id must be ${SCHEMA_BASE}${PRIVILEGES_FILE}`);
  const classes: PrivilegeClassInfo[] = [];
  for (const [i, entry] of (Array.isArray(json.oneOf) ? json.oneOf : []).entries()) {
    const name = entry?.const;
    if (typeof name !== "string" || !NAME.test(name)) problems.push(`${rel}: oneOf[${i}].const must be a lower_snake_case class name`);
    else if ((APP_FRAME_PRIVILEGE_VALUES as readonly string[]).includes(name)) problems.push(`${rel}: "${name}" is reserved for app frames, not a class`);
    else if (classes.some((c) => c.name === name)) problems.push(`${rel}: class "${name}" is listed twice`);
    else if (typeof entry.description !== "string" || !entry.description) problems.push(`${rel}: class "${name}" needs a description`);
    else classes.push({ name, description: entry.description });
  }
  if (!classes.length) problems.push(`${rel}: oneOf must list the privilege classes, each {"const": "<class>", "description": "..."}`);
  const known = new Set(classes.map((c) => c.name));
  const roles: RoleInfo[] = [];
  for (const [name, role] of Object.entries(json["x-byor-roles"] ?? {})) {
    const list = Array.isArray(role?.classes) ? (role.classes as unknown[]) : undefined;
    if (!NAME.test(name)) problems.push(`${rel}: role name "${name}" must be lower_snake_case`);
    if (typeof role?.description !== "string" || !role.description) problems.push(`${rel}: role "${name}" needs a description`);
    if (!list?.length) problems.push(`${rel}: role "${name}" needs a non-empty classes list`);
    const bad = (list ?? []).filter((c) => typeof c !== "string" || !known.has(c));
    if (bad.length) problems.push(`${rel}: role "${name}" names unknown classes ${bad.map((c) => JSON.stringify(c)).join(", ")}`);
    if (list && new Set(list).size !== list.length) problems.push(`${rel}: role "${name}" lists a class twice`);
    roles.push({ name, description: String(role?.description ?? ""), classes: (list ?? []) as string[] });
  }
  if (!roles.length) problems.push(`${rel}: x-byor-roles must define the built-in roles`);
  if (problems.length) throw new SchemaError(`schema/ breaks its conventions:\n  ${problems.join("\n  ")}`);
  return { classes, roles };
}

/**
 * Checks one schema's `x-byor-privilege`: required, and a known class, on every command an app may send (commands/)
 * and every app frame (broker/, where `command` and `none` are allowed too); absent everywhere else.
 */
export function privilegeProblem(
  s: { path: string; folder: string; direction?: string; json: Record<string, unknown> },
  privileges: Privileges,
): string | undefined {
  const value = s.json[PRIVILEGE_KEYWORD];
  const appFrame = s.folder === "broker" && (s.direction === "app" || s.direction === "both");
  const needed = s.folder === "commands" || appFrame;
  const classes = privileges.classes.map((c) => c.name);
  const allowed = appFrame ? [...classes, ...APP_FRAME_PRIVILEGE_VALUES] : classes;
  if (!needed) {
    return value === undefined ? undefined : `${s.path}: ${PRIVILEGE_KEYWORD} is only for commands an app may send (commands/) and app frames (broker/)`;
  }
  if (value === undefined) {
    return `${s.path}: ${PRIVILEGE_KEYWORD} missing: every ${appFrame ? "app frame" : "command"} needs a privilege class (${allowed.join(", ")}; see schema/${PRIVILEGES_FILE})`;
  }
  if (typeof value !== "string" || !allowed.includes(value)) {
    return `${s.path}: ${PRIVILEGE_KEYWORD} ${JSON.stringify(value)} is not a privilege class (${allowed.join(", ")}; see schema/${PRIVILEGES_FILE})`;
  }
  return undefined;
}
