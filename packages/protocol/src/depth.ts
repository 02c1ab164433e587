import { clipPointer, type Issue } from "./issues.js";

/**
 * How deep objects and arrays may nest in a frame, the frame itself being level 1. A free-form field (a tool's
 * arguments, a file's JSON) would otherwise carry any depth, and the recursive code downstream (JSON.stringify
 * re-encoding an event for apps, structural equality in a state mirror) overflows the stack near 4,000 levels in
 * Node. Real frames nest fewer than 10 levels; 1,000 leaves both sides a wide margin.
 */
export const MAX_FRAME_DEPTH = 1000;

const escapeToken = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");
const isContainer = (value: unknown): value is object => value !== null && typeof value === "object";

/**
 * Whether text of this many characters could hold a frame nested deeper than the limit: every level opens a
 * bracket, so text with fewer than MAX_FRAME_DEPTH of them cannot. Most frames are answered by their length
 * alone, and a long one by a native scan that stops at the limit: far cheaper than walking the parsed value.
 */
function mayBeTooDeep(text: string): boolean {
  if (text.length < 2 * MAX_FRAME_DEPTH) return false;
  let brackets = 0;
  for (const open of ["{", "["]) {
    for (let i = text.indexOf(open); i !== -1; i = text.indexOf(open, i + 1)) if (++brackets >= MAX_FRAME_DEPTH) return true;
  }
  return false;
}

/** Level by level, without recursion (the value may be deeper than the stack) and without paths (the common case). */
function tooDeep(root: object): boolean {
  let level: object[] = [root];
  let next: object[] = [];
  for (let depth = 1; level.length; depth++) {
    for (const node of level) {
      if (Array.isArray(node)) {
        for (const child of node as unknown[]) if (isContainer(child)) next.push(child);
      } else {
        for (const key in node) {
          const child = (node as Record<string, unknown>)[key];
          if (isContainer(child)) next.push(child);
        }
      }
    }
    if (next.length && depth >= MAX_FRAME_DEPTH) return true;
    [level, next] = [next, level];
    next.length = 0;
  }
  return false;
}

/** The pointer of the first value below the limit, found depth first (only once a frame is known to be too deep). */
function firstTooDeep(root: object): string {
  const stack: { node: object; pointer: string; depth: number }[] = [{ node: root, pointer: "", depth: 1 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { node, pointer, depth } = top;
    if (depth > MAX_FRAME_DEPTH) return pointer;
    const entries: [string, unknown][] = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (isContainer(child)) stack.push({ node: child, pointer: `${pointer}/${escapeToken(key)}`, depth: depth + 1 });
    }
  }
  return "";
}

/**
 * The issue of a frame nested deeper than MAX_FRAME_DEPTH, if it is. `text` is its JSON when it came as text:
 * most frames are then cleared by their length or a scan, without a walk. A value without its text is walked.
 */
export function depthIssue(frame: object, text?: string): Issue | undefined {
  if (text !== undefined && !mayBeTooDeep(text)) return undefined;
  if (!tooDeep(frame)) return undefined;
  const pointer = clipPointer(firstTooDeep(frame));
  return { pointer, keyword: "maxDepth", expected: `at most ${MAX_FRAME_DEPTH} levels of nesting`, found: "a value nested deeper" };
}
