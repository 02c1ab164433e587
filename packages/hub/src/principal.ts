import { BUILTIN_ROLES, PRIVILEGE_CLASSES, type PrivilegeClass, type Role } from "@byor/protocol";
import type { Logger } from "./logger.js";

/** Who an app is, as the server authenticated it, and the role that says what it may do. */
export interface Principal {
  /** Its name, for logs and the audit log (a token's name, a user from an `authenticate` hook). */
  readonly name: string;
  /** A built-in role (BUILTIN_ROLES) or one from `resolveRole` / `defineRoles` of @byor/protocol. */
  readonly role: Role;
}

/**
 * An app accepted without a principal (embedded, or a hub driven directly): the admin role, as before access
 * control existed. A server with access control always passes one.
 */
export const UNRESTRICTED: Principal = Object.freeze({ name: "unrestricted", role: BUILTIN_ROLES.admin });

/** One line of the audit log: who did what to which runtime, and whether the role allowed it. Never a payload. */
export interface AuditRecord {
  /** ISO time. */
  time: string;
  principal: string;
  role: string;
  /** The privilege class the frame needed. */
  class: PrivilegeClass;
  /** The command's type (byor.send), or the frame's (byor.subscribe, byor.list_runtimes). */
  command: string;
  runtime_id: string | null;
  request_id?: string;
  allowed: boolean;
  /** Why it was refused. */
  reason?: string;
}

/** Classes whose allowed commands the audit log records by default: every one but `observe`. Refusals always are. */
export const DEFAULT_AUDITED_CLASSES: ReadonlySet<PrivilegeClass> = new Set(PRIVILEGE_CLASSES.filter((c) => c !== "observe"));

/**
 * A warning at most once per interval, with the count of the ones left out: a principal sending forbidden frames
 * in a loop costs one line per interval, not a flood (the audit log, if any, has each one).
 */
export function throttledWarn(logger: Pick<Logger, "warn">, intervalMs = 10_000, now: () => number = Date.now): (line: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (line) => {
    const at = now();
    if (at - last < intervalMs) return void skipped++;
    logger.warn(skipped > 0 ? `${line} (${skipped} more refusals since the last line)` : line);
    last = at;
    skipped = 0;
  };
}
