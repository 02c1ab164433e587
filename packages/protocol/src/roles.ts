// Roles and privilege classes, for access control on a BYOR server's client endpoint. Pure data and functions, no
// I/O: the server enforces them and a page uses them to show only what its role may do.
import {
  APP_FRAME_PRIVILEGES,
  BUILTIN_ROLE_DEFINITIONS,
  COMMAND_PRIVILEGES,
  PRIVILEGE_CLASSES,
  type AppCommandType,
  type PrivilegeClass,
} from "./generated/registry.js";
import type { AppFrame } from "./generated/types.js";

export type BuiltinRoleName = keyof typeof BUILTIN_ROLE_DEFINITIONS;

/** What a principal may do: the privilege classes it holds. Built-in ones are in BUILTIN_ROLES; resolveRole makes others. */
export interface Role {
  readonly name: string;
  /** Each class once, in PRIVILEGE_CLASSES order. */
  readonly classes: readonly PrivilegeClass[];
  readonly description?: string;
}

/** A custom role as configured: the list of its classes, or an object holding it. */
export type RoleDefinition = readonly PrivilegeClass[] | { readonly classes: readonly PrivilegeClass[]; readonly description?: string };

/** An app frame, decoded or not yet: only `type` (and for byor.send, `command.type`) is read. */
export type AppFrameLike = AppFrame | { readonly type: string; readonly command?: unknown };

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const known: ReadonlySet<string> = /* @__PURE__ */ new Set(PRIVILEGE_CLASSES);

export const isPrivilegeClass = (value: unknown): value is PrivilegeClass => typeof value === "string" && known.has(value);
export const isBuiltinRoleName = (name: string): name is BuiltinRoleName => hasOwn(BUILTIN_ROLE_DEFINITIONS, name);

function makeRole(name: string, classes: readonly PrivilegeClass[], description?: string): Role {
  const held = new Set(classes);
  const role: Role = { name, classes: Object.freeze(PRIVILEGE_CLASSES.filter((c) => held.has(c))), ...(description === undefined ? {} : { description }) };
  return Object.freeze(role);
}

const builtinRoles = () =>
  Object.freeze(Object.fromEntries(Object.entries(BUILTIN_ROLE_DEFINITIONS).map(([name, r]) => [name, makeRole(name, r.classes, r.description)]))) as {
    readonly [K in BuiltinRoleName]: Role;
  };

/** The built-in roles: viewer (observe), operator (observe, converse), admin (every class). */
export const BUILTIN_ROLES: { readonly [K in BuiltinRoleName]: Role } = /* @__PURE__ */ builtinRoles();

/** The privilege class of a command type, or undefined for a type no app may send (unknown, or a transport command). */
export function privilegeOf(commandType: AppCommandType): PrivilegeClass;
export function privilegeOf(commandType: string): PrivilegeClass | undefined;
export function privilegeOf(commandType: string): PrivilegeClass | undefined {
  return hasOwn(COMMAND_PRIVILEGES, commandType) ? COMMAND_PRIVILEGES[commandType as AppCommandType] : undefined;
}

/**
 * The class an app frame needs: for `byor.send` the class of the command it carries; null for the session's own
 * frames (`byor.hello`, `byor.ack`, `byor.ping`, `byor.pong`), which every principal may send; undefined for a frame
 * no role may send (an unknown type, or a `byor.send` of a command apps may not send).
 */
export function privilegeOfAppFrame(frame: AppFrameLike): PrivilegeClass | null | undefined {
  if (!hasOwn(APP_FRAME_PRIVILEGES, frame.type)) return undefined;
  const needs = APP_FRAME_PRIVILEGES[frame.type as keyof typeof APP_FRAME_PRIVILEGES];
  if (needs !== "command") return needs;
  const type = ((frame as { command?: unknown }).command as { type?: unknown } | null | undefined)?.type;
  return typeof type === "string" ? privilegeOf(type) : undefined;
}

/** Does the role hold this class? */
export const roleAllows = (role: Role, privilege: PrivilegeClass): boolean => role.classes.includes(privilege);

/** May the role send this command type? False for types no app may send. */
export function roleAllowsCommand(role: Role, commandType: string): boolean {
  const privilege = privilegeOf(commandType);
  return privilege !== undefined && roleAllows(role, privilege);
}

/** May the role send this app frame (for `byor.send`: the command inside)? */
export function roleAllowsAppFrame(role: Role, frame: AppFrameLike): boolean {
  const privilege = privilegeOfAppFrame(frame);
  return privilege === null || (privilege !== undefined && roleAllows(role, privilege));
}

const classList = () => PRIVILEGE_CLASSES.join(", ");

/** Checks a configured role and freezes it. Throws a TypeError that names the role and the bad value. */
function defineRole(name: string, definition: unknown): Role {
  const classes = Array.isArray(definition) ? definition : (definition as { classes?: unknown } | null | undefined)?.classes;
  if (!Array.isArray(classes)) {
    throw new TypeError(`role "${name}" must be a list of privilege classes or { classes: [...] } (classes: ${classList()})`);
  }
  if (classes.length === 0) throw new TypeError(`role "${name}" grants no privilege class (classes: ${classList()})`);
  for (const c of classes) {
    if (!isPrivilegeClass(c)) throw new TypeError(`role "${name}": ${JSON.stringify(c)} is not a privilege class (classes: ${classList()})`);
  }
  const description = Array.isArray(definition) ? undefined : (definition as { description?: unknown }).description;
  if (description !== undefined && typeof description !== "string") throw new TypeError(`role "${name}": description must be a string`);
  return makeRole(name, classes as PrivilegeClass[], description);
}

/**
 * A role from its name (built-in, or a key of `customRoles`) or from a definition. Custom roles may not reuse a
 * built-in name. Throws a TypeError for an unknown name or a bad definition, so configuration errors surface when it
 * is read.
 */
export function resolveRole(role: string | RoleDefinition, customRoles?: Readonly<Record<string, RoleDefinition>>): Role {
  if (typeof role !== "string") return defineRole("custom", role);
  const custom = customRoles ?? {};
  const customNames = Object.keys(custom);
  const shadowing = customNames.find(isBuiltinRoleName);
  if (shadowing) throw new TypeError(`custom role "${shadowing}" has the name of a built-in role; pick another name`);
  if (isBuiltinRoleName(role)) return BUILTIN_ROLES[role];
  if (hasOwn(custom, role)) return defineRole(role, custom[role]);
  const names = Object.keys(BUILTIN_ROLES).join(", ");
  throw new TypeError(`unknown role "${role}": the built-in roles are ${names}${customNames.length ? `; custom roles: ${customNames.join(", ")}` : ""}`);
}

/** Checks every custom role at once (e.g. when a configuration file is read) and returns them with the built-in ones. */
export function defineRoles(customRoles: Readonly<Record<string, RoleDefinition>> = {}): Readonly<Record<string, Role>> {
  const roles: Record<string, Role> = { ...BUILTIN_ROLES };
  for (const name of Object.keys(customRoles)) roles[name] = resolveRole(name, customRoles);
  return Object.freeze(roles);
}
