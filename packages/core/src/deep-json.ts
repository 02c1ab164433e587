/**
 * Walks over JSON values that work at any depth. Values from the wire can nest as deep as a frame's size allows
 * (JSON.parse builds them without recursing); a recursive walk runs out of stack long before that, and a
 * RangeError there would take the whole server down. These keep their own stack instead.
 */

/** Structural equality of JSON values (plain objects, arrays, primitives), iterative. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: unknown[] = [a, b];
  while (stack.length) {
    const y = stack.pop();
    const x = stack.pop();
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push(x[i], y[i]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xk = Object.keys(x);
    if (xk.length !== Object.keys(y).length) return false;
    for (const k of xk) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
    }
  }
  return true;
}

/**
 * JSON.stringify for values of any depth: the native one (fast) first, and where it runs out of stack an iterative
 * encoder with the same output for JSON values (objects, arrays, strings, finite numbers, booleans, null; `toJSON`
 * honoured, `undefined` and functions left out of objects and written `null` in arrays). Still throws for what
 * JSON.stringify cannot encode at all (a BigInt, a cycle, a result over the engine's string limit).
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  return stringifyDeep(value);
}

/** An object or array being written: its members still to go. */
type Open = { owner: object; close: string; items: unknown[]; keys: string[] | undefined; index: number; first: boolean };

/** The iterative encoder (exported for tests). */
export function stringifyDeep(root: unknown): string {
  const out: string[] = [];
  const stack: Open[] = [];
  const seen = new Set<object>();
  // Writes a value, or opens it (pushes a frame) if it is an object or array. Returns false for a value JSON leaves out.
  const write = (input: unknown, key: string): boolean => {
    let value = input;
    if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function") {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    }
    switch (typeof value) {
      case "string":
        out.push(JSON.stringify(value));
        return true;
      case "number":
        out.push(Number.isFinite(value) ? String(value) : "null");
        return true;
      case "boolean":
        out.push(value ? "true" : "false");
        return true;
      case "bigint":
        throw new TypeError("Do not know how to serialize a BigInt");
      case "object":
        if (value === null) {
          out.push("null");
          return true;
        }
        if (seen.has(value)) throw new TypeError("Converting circular structure to JSON");
        seen.add(value);
        if (Array.isArray(value)) {
          out.push("[");
          stack.push({ owner: value, close: "]", items: value, keys: undefined, index: 0, first: true });
        } else {
          const keys = Object.keys(value);
          out.push("{");
          stack.push({ owner: value, close: "}", items: keys.map((k) => (value as Record<string, unknown>)[k]), keys, index: 0, first: true });
        }
        return true;
      default:
        return false; // undefined, functions, symbols
    }
  };
  if (!write(root, "")) return undefined as unknown as string; // as JSON.stringify(undefined)
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.index === top.items.length) {
      out.push(top.close);
      stack.pop();
      seen.delete(top.owner); // only ancestors count as a cycle: the same object may appear twice side by side
      continue;
    }
    const i = top.index++;
    const item = top.items[i];
    if (top.keys) {
      const mark = out.length;
      out.push(top.first ? "" : ",", JSON.stringify(top.keys[i]), ":");
      if (write(item, top.keys[i]!)) top.first = false;
      else out.length = mark; // a left-out member leaves nothing, not even its comma
    } else {
      out.push(top.first ? "" : ",");
      top.first = false;
      if (!write(item, String(i))) out.push("null");
    }
  }
  return out.join("");
}
