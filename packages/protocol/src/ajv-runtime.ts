// The helper ajv's standalone validators need at run time (see tools/codegen/src/emit-validators.ts).

/** Structural equality of JSON values, for const, enum and uniqueItems. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A callee's errors appended to the caller's, keeping at most `cap` (see boundErrors in tools/codegen): in place,
 * where ajv's own `concat` copied the whole list for every failing item of an array. `more` is null when the
 * caller had no room left to give the callee.
 */
export function appendErrors<E>(kept: E[] | null, more: readonly E[] | null, cap: number): E[] | null {
  if (!more?.length || (kept?.length ?? 0) >= cap) return kept;
  const out = kept ?? [];
  for (let i = 0; i < more.length && out.length < cap; i++) out.push(more[i]!);
  return out;
}
