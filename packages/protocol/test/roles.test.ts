import { describe, expect, it } from "vitest";
import {
  APP_FRAME_PRIVILEGES,
  APP_FRAME_TYPES,
  BUILTIN_ROLES,
  COMMAND_PRIVILEGES,
  COMMAND_TYPES,
  defineRoles,
  PRIVILEGE_CLASSES,
  privilegeOf,
  privilegeOfAppFrame,
  resolveRole,
  roleAllows,
  roleAllowsAppFrame,
  roleAllowsCommand,
  TRANSPORT_COMMAND_TYPES,
  type BuiltinRoleName,
  type PrivilegeClass,
} from "../src/index.js";

// What the built-in roles grant, written out here rather than read from the registry: a change to
// schema/privileges.json shows up as failing cases.
const GRANTED: Record<BuiltinRoleName, readonly PrivilegeClass[]> = {
  viewer: ["observe"],
  operator: ["observe", "converse"],
  admin: PRIVILEGE_CLASSES,
};
const roleNames = Object.keys(GRANTED) as BuiltinRoleName[];
const transport: readonly string[] = TRANSPORT_COMMAND_TYPES;
const appCommands = COMMAND_TYPES.filter((t) => !transport.includes(t));

// Every command a viewer or an operator may send. A schema that moves a command into (or out of) these classes has
// to be looked at here: it changes what the least trusted principals can do.
const OBSERVE = [
  "agent_list",
  "agent_retrieve",
  "app_server_info",
  "conversation_list",
  "conversation_messages_list",
  "conversation_retrieve",
  "cron_get",
  "cron_list",
  "cron_runs",
  "get_cwd_map",
  "get_experiments",
  "get_reflection_settings",
  "list_models",
  "sync",
  "teleport_probe",
];
const CONVERSE = [
  "abort_message",
  "conversation_compact",
  "conversation_create",
  "conversation_fork",
  "conversation_recompile",
  "conversation_update",
  "external_tool_call_response",
  "input",
  "message",
  "monitor_stop",
  "remove_queue_item",
  "resume_queue",
  "update_model",
  "update_toolset",
];
// Commands whose class is a security decision worth pinning (see schema/privileges.json for why).
const PINNED: Record<string, PrivilegeClass> = {
  read_file: "files",
  write_file: "files",
  file_ops: "files",
  checkout_branch: "files",
  terminal_spawn: "terminal",
  terminal_input: "terminal",
  read_memory_file: "memory",
  secret_list: "secrets",
  agent_list: "observe",
  agent_retrieve: "observe",
  connect_provider: "providers",
  list_connect_providers: "providers",
  channel_get_config: "channels",
  cron_add: "schedules",
  change_device_state: "admin",
  runtime_start: "admin",
  execute_command: "admin",
  agent_update: "admin",
  skill_enable: "admin",
  launch_subagent: "admin",
};

describe("every command type × every built-in role", () => {
  const cases = appCommands.flatMap((type) => roleNames.map((role) => [type, role] as const));
  it("covers every command an app may send", () => {
    expect(appCommands.length).toBeGreaterThan(90);
    expect(Object.keys(COMMAND_PRIVILEGES).sort()).toEqual([...appCommands].sort());
  });

  it.each(cases)("%s as %s", (type, roleName) => {
    const role = BUILTIN_ROLES[roleName];
    const privilege = privilegeOf(type);
    expect(PRIVILEGE_CLASSES).toContain(privilege);
    const allowed = GRANTED[roleName].includes(privilege!);
    expect(roleAllowsCommand(role, type)).toBe(allowed);
    expect(roleAllows(role, privilege!)).toBe(allowed);
    expect(roleAllowsAppFrame(role, { type: "byor.send", runtime_id: "device-1", command: { type } })).toBe(allowed);
  });
});

describe("privilege classes of commands", () => {
  it("viewers may send exactly the observe commands, operators also the converse ones", () => {
    const allowedTo = (name: BuiltinRoleName) => appCommands.filter((t) => roleAllowsCommand(BUILTIN_ROLES[name], t)).sort();
    expect(allowedTo("viewer")).toEqual(OBSERVE);
    expect(allowedTo("operator")).toEqual([...OBSERVE, ...CONVERSE].sort());
    expect(allowedTo("admin")).toEqual([...appCommands].sort());
  });

  it.each(Object.entries(PINNED))("%s is %s", (type, privilege) => {
    expect(privilegeOf(type)).toBe(privilege);
  });

  it("transport commands, unknown types and prototype keys have no class and no role may send them", () => {
    for (const type of [...transport, "no_such_command", "constructor", "__proto__", "toString", "hasOwnProperty", ""]) {
      expect(privilegeOf(type), type).toBeUndefined();
      for (const name of roleNames) {
        expect(roleAllowsCommand(BUILTIN_ROLES[name], type)).toBe(false);
        expect(roleAllowsAppFrame(BUILTIN_ROLES[name], { type: "byor.send", command: { type } })).toBe(false);
      }
    }
  });

  it("the tables cannot be changed at run time", () => {
    expect(Object.isFrozen(COMMAND_PRIVILEGES)).toBe(true);
    expect(Object.isFrozen(APP_FRAME_PRIVILEGES)).toBe(true);
    expect(Object.isFrozen(BUILTIN_ROLES)).toBe(true);
    for (const name of roleNames) expect(Object.isFrozen(BUILTIN_ROLES[name].classes)).toBe(true);
    expect(() => {
      (COMMAND_PRIVILEGES as Record<string, string>).terminal_spawn = "observe";
    }).toThrow(TypeError);
  });
});

describe("app frames", () => {
  const session = ["byor.ack", "byor.hello", "byor.ping", "byor.pong"];
  const observing = ["byor.list_runtimes", "byor.subscribe", "byor.unsubscribe"];

  it("every app frame has an entry: session frames need nothing, the observing ones observe, byor.send its command's", () => {
    expect(Object.keys(APP_FRAME_PRIVILEGES).sort()).toEqual([...APP_FRAME_TYPES].sort());
    for (const type of session) expect(privilegeOfAppFrame({ type })).toBeNull();
    for (const type of observing) expect(privilegeOfAppFrame({ type })).toBe("observe");
    expect(privilegeOfAppFrame({ type: "byor.send", command: { type: "terminal_spawn" } })).toBe("terminal");
    expect(privilegeOfAppFrame({ type: "byor.send", command: { type: "pong" } })).toBeUndefined();
    expect(privilegeOfAppFrame({ type: "byor.send" })).toBeUndefined();
    expect(privilegeOfAppFrame({ type: "byor.send", command: null })).toBeUndefined();
    expect(privilegeOfAppFrame({ type: "byor.welcome" })).toBeUndefined();
    expect(privilegeOfAppFrame({ type: "__proto__" })).toBeUndefined();
  });

  it("a role without observe may still keep its session alive, and nothing else", () => {
    const terminalOnly = resolveRole(["terminal"]);
    for (const type of session) expect(roleAllowsAppFrame(terminalOnly, { type })).toBe(true);
    for (const type of observing) expect(roleAllowsAppFrame(terminalOnly, { type })).toBe(false);
    expect(roleAllowsAppFrame(terminalOnly, { type: "byor.send", command: { type: "terminal_input" } })).toBe(true);
    expect(roleAllowsAppFrame(terminalOnly, { type: "byor.send", command: { type: "sync" } })).toBe(false);
    expect(roleAllowsAppFrame(BUILTIN_ROLES.viewer, { type: "byor.unknown" })).toBe(false);
  });
});

describe("resolveRole", () => {
  it("returns the built-in roles by name", () => {
    for (const name of roleNames) {
      const role = resolveRole(name);
      expect(role).toBe(BUILTIN_ROLES[name]);
      expect(role.name).toBe(name);
      expect(role.classes).toEqual(GRANTED[name]);
      expect(role.description).toEqual(expect.any(String));
    }
  });

  it("makes custom roles from a list or an object: each class once, in the documented order", () => {
    const custom = { reviewer: ["files", "observe", "files"], deployer: { classes: ["terminal", "observe"], description: "runs deploys" } } as const;
    const reviewer = resolveRole("reviewer", custom);
    expect(reviewer).toEqual({ name: "reviewer", classes: ["observe", "files"] });
    expect(roleAllowsCommand(reviewer, "read_file")).toBe(true);
    expect(roleAllowsCommand(reviewer, "terminal_spawn")).toBe(false);
    expect(roleAllowsCommand(reviewer, "input")).toBe(false);
    expect(resolveRole("deployer", custom)).toEqual({ name: "deployer", classes: ["observe", "terminal"], description: "runs deploys" });
    expect(resolveRole(["converse"])).toEqual({ name: "custom", classes: ["converse"] });
    expect(Object.isFrozen(reviewer) && Object.isFrozen(reviewer.classes)).toBe(true);
  });

  it("refuses unknown names and bad definitions with errors that say what is allowed", () => {
    expect(() => resolveRole("root")).toThrow(/unknown role "root": the built-in roles are viewer, operator, admin$/);
    expect(() => resolveRole("root", { reviewer: ["observe"] })).toThrow(/custom roles: reviewer/);
    expect(() => resolveRole("constructor")).toThrow(/unknown role "constructor"/);
    expect(() => resolveRole("x", { x: ["observe", "sudo"] as never })).toThrow(/role "x": "sudo" is not a privilege class \(classes: observe, converse,/);
    expect(() => resolveRole("x", { x: [] })).toThrow(/role "x" grants no privilege class/);
    expect(() => resolveRole("x", { x: "admin" as never })).toThrow(/role "x" must be a list of privilege classes/);
    expect(() => resolveRole("x", { x: { classes: ["observe"], description: 5 } as never })).toThrow(/description must be a string/);
    expect(() => resolveRole(null as never)).toThrow(TypeError);
    expect(() => resolveRole("viewer", { viewer: ["terminal"] })).toThrow(/custom role "viewer" has the name of a built-in role/);
  });

  it("defineRoles checks every custom role at once", () => {
    const roles = defineRoles({ reviewer: ["observe", "files"] });
    expect(Object.keys(roles)).toEqual([...roleNames, "reviewer"]);
    expect(roles.admin).toBe(BUILTIN_ROLES.admin);
    expect(() => defineRoles({ ok: ["observe"], bad: ["everything" as PrivilegeClass] })).toThrow(/role "bad"/);
    expect(defineRoles()).toEqual(BUILTIN_ROLES);
  });
});
