import type { Issue } from "@byor/protocol";

/** The longest id the server accepts (device ids are UUIDs, names and instance ids short). */
export const MAX_ID_LENGTH = 256;

/**
 * Why an id the runtime presents (a device id, connection name, listener instance id) cannot be used, or
 * undefined: it must hold a visible character, no control character, and at most MAX_ID_LENGTH characters. The
 * schema only says "string", so an empty id would otherwise register and then be refused at the socket.
 */
export function idProblem(value: string): { expected: string; found: string } | undefined {
  if (value.trim().length === 0) return { expected: "a non-empty id", found: value.length === 0 ? "an empty string" : "only whitespace" };
  if (value.length > MAX_ID_LENGTH) return { expected: `at most ${MAX_ID_LENGTH} characters`, found: `${value.length} characters` };
  if (/[\u0000-\u001f\u007f]/.test(value)) return { expected: "no control characters", found: "a control character" };
  return undefined;
}

/** The register body's id fields that cannot be used, as issues (the shape of a byor.error's). */
export function idIssues(body: { deviceId: string; connectionName: string; listenerInstanceId?: string | undefined }): Issue[] {
  const issues: Issue[] = [];
  for (const field of ["deviceId", "connectionName", "listenerInstanceId"] as const) {
    const value = body[field];
    if (value === undefined) continue;
    const problem = idProblem(value);
    if (problem) issues.push({ pointer: `/${field}`, keyword: "format", ...problem });
  }
  return issues;
}
