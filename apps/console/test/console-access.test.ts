// What the console shows each role: every control × viewer / operator / admin, derived from the protocol's registry.
import type { ByorPrincipal } from "@byor/core";
import { BUILTIN_ROLES, ByorError, type BuiltinRoleName, type PrivilegeClass } from "@byor/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONTROLS, allows, classesOf, describeError, isForbidden, lacking, principalLabel, type Control } from "../src/access.js";

const principal = (role: BuiltinRoleName, name = `${role}-token`): ByorPrincipal => ({ name, role, privileges: [...BUILTIN_ROLES[role].classes] });
const custom = (privileges: PrivilegeClass[]): ByorPrincipal => ({ name: "robot", role: "reviewer", privileges });

/** What each built-in role may use: the list (converse, admin, providers, observe controls). */
const EXPECTED: Record<Control, { viewer: boolean; operator: boolean; admin: boolean }> = {
  composer: { viewer: false, operator: true, admin: true },
  approve: { viewer: false, operator: true, admin: true },
  deny: { viewer: false, operator: true, admin: true },
  abort: { viewer: false, operator: true, admin: true },
  queueRemove: { viewer: false, operator: true, admin: true },
  switchModel: { viewer: false, operator: true, admin: true },
  permissionMode: { viewer: false, operator: false, admin: true },
  newAgent: { viewer: false, operator: false, admin: true },
  newConversation: { viewer: false, operator: false, admin: true },
  providers: { viewer: false, operator: false, admin: true },
  demo: { viewer: false, operator: false, admin: true },
  models: { viewer: true, operator: true, admin: true },
  agents: { viewer: true, operator: true, admin: true },
  conversations: { viewer: true, operator: true, admin: true },
  open: { viewer: true, operator: true, admin: true },
  runtimes: { viewer: true, operator: true, admin: true },
};

afterEach(() => {
  vi.doUnmock("@byor/protocol");
  vi.resetModules();
});

describe("what each role may use in the console", () => {
  it("the table covers every control", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...CONTROLS].sort());
  });

  for (const role of ["viewer", "operator", "admin"] as const) {
    it(`${role}: every control shown or hidden as its role allows`, () => {
      const p = principal(role);
      const got = Object.fromEntries(CONTROLS.map((control) => [control, allows(p, control)]));
      const want = Object.fromEntries(CONTROLS.map((control) => [control, EXPECTED[control][role]]));
      expect(got).toEqual(want);
    });
  }

  it("without a principal (a server without access control) everything stays", () => {
    for (const control of CONTROLS) expect(allows(undefined, control), control).toBe(true);
  });

  it("takes the classes from the schemas' registry: input converse, change_device_state and runtime_start admin, …", () => {
    expect(classesOf("composer")).toEqual(["converse"]);
    expect(classesOf("permissionMode")).toEqual(["admin"]);
    expect(classesOf("newAgent")).toEqual(["admin"]);
    expect(classesOf("providers")).toEqual(["providers"]);
    expect(classesOf("agents")).toEqual(["observe"]);
    expect(classesOf("open")).toEqual(["observe"]); // byor.subscribe, an app frame
  });

  it("follows a custom role's classes, not its name", () => {
    const p = custom(["observe", "providers"]);
    expect(allows(p, "providers")).toBe(true);
    expect(allows(p, "demo")).toBe(true);
    expect(allows(p, "composer")).toBe(false);
    expect(allows(p, "models")).toBe(true);
    const noObserve = custom(["converse"]);
    expect(allows(noObserve, "composer")).toBe(true);
    expect(allows(noObserve, "open")).toBe(false);
    expect(allows(noObserve, "runtimes")).toBe(false);
  });

  it("moves with the registry: a command moved to another class moves its control", async () => {
    vi.doMock("@byor/protocol", async (original) => {
      const actual = await original<typeof import("@byor/protocol")>();
      return { ...actual, privilegeOf: (type: string) => (type === "input" ? "admin" : actual.privilegeOf(type)) };
    });
    vi.resetModules();
    const moved = await import("../src/access.js");
    expect(moved.allows(principal("operator"), "composer")).toBe(false);
    expect(moved.allows(principal("admin"), "composer")).toBe(true);
    expect(moved.allows(principal("operator"), "abort")).toBe(true);
  });

  it("a control whose command no app may send is a loud error, not a silent yes", async () => {
    vi.doMock("@byor/protocol", async (original) => {
      const actual = await original<typeof import("@byor/protocol")>();
      return { ...actual, privilegeOf: (type: string) => (type === "abort_message" ? undefined : actual.privilegeOf(type)) };
    });
    vi.resetModules();
    const moved = await import("../src/access.js");
    expect(() => moved.allows(principal("admin"), "abort")).toThrow("console control abort: no app may send abort_message");
  });
});

describe("who the console is, and why something is missing", () => {
  it("labels the principal 'name (role)'", () => {
    expect(principalLabel(principal("operator", "alice"))).toBe("alice (operator)");
  });

  it("names the classes the role lacks", () => {
    expect(lacking(principal("viewer"), "composer")).toBe("your role (viewer) lacks converse");
    expect(lacking(principal("operator"), "permissionMode")).toBe("your role (operator) lacks admin");
    expect(lacking(principal("admin"), "permissionMode")).toBe("");
    expect(lacking(undefined, "composer")).toBe("");
  });
});

describe("a refusal for the role", () => {
  // What ClientSession makes of a byor.error: request_failed, with the frame as its cause.
  const refused = (code: string, message: string) =>
    new ByorError("request_failed", `server refused byor.send: ${code}: ${message}`, { cause: { type: "byor.error", code, message, frame_type: "byor.send" } });

  it("forbidden reads as 'your role can't do this', with the server's reason", () => {
    const error = refused("forbidden", "forbidden: input needs the converse privilege, which role viewer does not grant");
    expect(isForbidden(error)).toBe(true);
    expect(describeError(error)).toBe("your role can't do this (input needs the converse privilege, which role viewer does not grant)");
  });

  it("anything else keeps its message", () => {
    const error = refused("runtime_offline", "runtime dev-1 is offline");
    expect(isForbidden(error)).toBe(false);
    expect(describeError(error)).toBe("server refused byor.send: runtime_offline: runtime dev-1 is offline");
    expect(describeError(new Error("timeout"))).toBe("timeout");
    expect(describeError("plain")).toBe("plain");
  });
});
