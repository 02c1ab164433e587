// The reliability suite, decoder part (issue #10): frames mutated from the real runtime's fixtures and the schema
// examples, through every decoder. Nothing throws, nothing pollutes Object.prototype, no frame takes long (a bound
// that catches quadratic blow-ups, not a speed measure), and what a decoder accepts is valid per ajv compiling
// schema/ on its own (and the other way round).
// Replay: BYOR_FUZZ_SEED=<seed>; soak: BYOR_FUZZ_FRAMES=<n> (default 1200).
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { isAppFrame, isCommand, isEvent, isServerFrame, loadSchemas, type SchemaFile } from "../../../tools/codegen/src/load.js";
import {
  APP_FRAME_TYPES,
  COMMAND_TYPES,
  decodeAppFrame,
  decodeCommand,
  decodeEvent,
  decodeFrame,
  decodeServerFrame,
  EVENT_TYPES,
  MAX_FRAME_DEPTH,
  parseFrame,
  SERVER_FRAME_TYPES,
  validateMessage,
  type DecodeResult,
  type Direction,
  type FrameInput,
} from "../src/index.js";
import { fixtureFiles, jsonl, repoRoot, schemaEntries } from "./corpus.js";

const SEED = Number(process.env.BYOR_FUZZ_SEED ?? 0x5eed10);
const FRAMES = Number(process.env.BYOR_FUZZ_FRAMES ?? 1200);
/**
 * Per decoder call, on top of 5x what JSON.parse alone takes on the same text (a 4 MiB frame takes a quarter of a
 * second just to parse on a loaded 2-core machine). Generous: a quadratic step on these sizes takes seconds.
 */
const BOUND_MS = 250;
/** Frames stay under 16 M characters (runtime frames may be 64 MiB; 16 keeps the soak's memory in bounds). */
const MAX_FRAME_CHARS = 16 * 1024 * 1024;

/** mulberry32: small, seeded, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// --- the seeds: every real frame and every example ---
const seeds = [
  ...fixtureFiles().flatMap((f) => jsonl(f.path).map((l) => l.text)),
  ...schemaEntries().flatMap((e) => jsonl(e.path.replace(/\.json$/, ".examples.jsonl")).map((l) => l.text)),
];
const ALL_TYPES = [...new Set([...EVENT_TYPES, ...COMMAND_TYPES, ...APP_FRAME_TYPES, ...SERVER_FRAME_TYPES])];

// --- plain ajv over schema/, one table per leg ---
const schemas = loadSchemas(repoRoot);
const ajv = new Ajv({ allErrors: false, strict: false, discriminator: true });
for (const s of schemas) ajv.addSchema(s.json);
const legTable = (pick: (s: SchemaFile) => boolean) =>
  new Map(schemas.filter(pick).map((s) => [s.wireType!, ajv.getSchema(s.id)!] as [string, ValidateFunction]));
const PLAIN: Record<Direction, Map<string, ValidateFunction>> = {
  event: legTable(isEvent),
  command: legTable(isCommand),
  app: legTable(isAppFrame),
  server: legTable(isServerFrame),
};
const plainValid = (direction: Direction, value: unknown): boolean => {
  const type = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
  const validate = typeof type === "string" ? PLAIN[direction].get(type) : undefined;
  return validate !== undefined && validate(value) === true;
};

/** Depth of nested objects and arrays, the value itself being level 1 (iterative: values here may be 20k deep). */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    max = Math.max(max, depth);
    for (const child of Object.values(node)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return max;
}

// --- mutations ---
type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
/** Sizes spread over orders of magnitude, mostly small. */
const size = (rand: Rand, max: number) => Math.floor(Math.exp(rand() * Math.log(max)));

const DEEP = "\u0001deep\u0001";
const TOKENS = ["{", "}", "[", "]", '"', ",", ":", "\\", "\\u", "\u0000", "\ud800", "null", "-", "1e999", " ", "\n", "é", "__proto__"];
const ODD_KEYS = ["__proto__", "constructor", "prototype", "type", "toString", "hasOwnProperty", "", "x"];

function randomValue(rand: Rand, depth = 0): unknown {
  switch (int(rand, 0, depth > 1 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick(rand, [0, -1, 1.5, 1e308, -0, 2 ** 53, 42]);
    case 3:
      return pick(rand, ["", " ", "x", "\u0000", "agent-1", "default", "\ud83d"]);
    case 4:
      return pick(rand, ALL_TYPES);
    case 5:
      return {};
    case 6:
      return Array.from({ length: int(rand, 0, 4) }, () => randomValue(rand, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(rand, 0, 4) }, () => [pick(rand, ODD_KEYS), randomValue(rand, depth + 1)]));
  }
}

/** Every (container, key) of a value, breadth first, up to a few thousand. */
function slots(root: object): [Record<string, unknown>, string][] {
  const out: [Record<string, unknown>, string][] = [];
  const queue: object[] = [root];
  for (let i = 0; i < queue.length && out.length < 4000; i++) {
    const node = queue[i] as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      out.push([node, key]);
      const child = node[key];
      if (child !== null && typeof child === "object") queue.push(child);
    }
  }
  return out;
}

/** An own property even for "__proto__" (plain assignment would set the prototype instead). */
const put = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

function mutateValue(rand: Rand, root: Record<string, unknown>): { kind: string; deep?: number } {
  const all = slots(root);
  const [parent, key] = all.length ? pick(rand, all) : [root, "type"];
  const kind = pick(rand, ["typeswap", "typeswap", "delete", "addkey", "addkey", "retype", "hugestring", "hugearray", "widen", "deep", "manykeys"]);
  switch (kind) {
    case "widen": {
      // An array of the frame grown to many items of one wrong (or right) kind: one problem per item.
      const arrays = all.filter(([p, k]) => Array.isArray(p[k]));
      const [p, k] = arrays.length ? pick(rand, arrays) : [parent, key];
      const items = p[k] as unknown[] | undefined;
      const item = rand() < 0.5 && Array.isArray(items) && items.length ? items[0] : randomValue(rand, 2);
      // At most ~4 MiB of copies (the app payload limit): a large item is copied fewer times.
      const itemSize = (JSON.stringify(item) ?? "null").length + 1;
      put(p, k, Array(Math.min(size(rand, 60_000), Math.ceil(MAX_FRAME_CHARS / 4 / itemSize))).fill(item));
      break;
    }
    case "typeswap":
      put(parent, key, randomValue(rand));
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case "addkey": {
      const target = parent[key] !== null && typeof parent[key] === "object" && !Array.isArray(parent[key]) ? (parent[key] as Record<string, unknown>) : root;
      put(target, pick(rand, ODD_KEYS), rand() < 0.5 ? { polluted: true, toString: "x" } : randomValue(rand));
      break;
    }
    case "retype":
      root.type = pick(rand, ALL_TYPES);
      break;
    case "hugestring":
      put(parent, key, pick(rand, [" ", "a", "\u0000", "\\", "é"]).repeat(size(rand, 512 * 1024)));
      break;
    case "hugearray":
      put(parent, key, Array(size(rand, 60_000)).fill(randomValue(rand, 2)));
      break;
    case "manykeys":
      put(parent, key, Object.fromEntries(Array.from({ length: size(rand, 20_000) }, (_, i) => [`${pick(rand, ["k", "__proto__", "type"])}${i}`, i])));
      break;
    case "deep": {
      put(parent, key, DEEP);
      return { kind, deep: int(rand, MAX_FRAME_DEPTH - 20, 20_000) };
    }
  }
  return { kind };
}

const deepText = (depth: number) => {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) [open, close] = i % 3 ? [`${open}[`, `]${close}`] : [`${open}{"a":`, `}${close}`];
  return `${open}1${close}`;
};

function mutateText(rand: Rand, text: string): { kind: string; text: string } {
  const kind = pick(rand, ["bitflip", "truncate", "splice", "garbage"]);
  switch (kind) {
    case "bitflip": {
      const chars = [...text];
      for (let n = int(rand, 1, 4); n > 0 && chars.length; n--) {
        const i = int(rand, 0, chars.length - 1);
        chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) ^ (1 << int(rand, 0, 7)));
      }
      return { kind, text: chars.join("") };
    }
    case "truncate":
      return { kind, text: text.slice(0, int(rand, 0, text.length)) };
    case "splice": {
      const i = int(rand, 0, text.length);
      return { kind, text: text.slice(0, i) + Array.from({ length: int(rand, 1, 6) }, () => pick(rand, TOKENS)).join("") + text.slice(i) };
    }
    default:
      return {
        kind,
        text: pick(rand, ["", " ", "null", "[]", "{}", "1e999", '"x"', "{", "[".repeat(int(rand, 1, 50_000)), "\u0000", '{"type":1}', '{"type":"__proto__"}']),
      };
  }
}

/** One fuzzed frame: text (mutated) and the input form a decoder gets. */
function nextFrame(rand: Rand): { kind: string; text: string; input: FrameInput } {
  const seed = pick(rand, seeds);
  let kind: string;
  let text: string;
  if (rand() < 0.3) {
    ({ kind, text } = mutateText(rand, seed));
  } else {
    const root = JSON.parse(seed) as Record<string, unknown>;
    const kinds: string[] = [];
    let deep: number | undefined;
    for (let n = int(rand, 1, 3); n > 0; n--) {
      const m = mutateValue(rand, root);
      kinds.push(m.kind);
      deep ??= m.deep;
    }
    kind = kinds.join("+");
    text = JSON.stringify(root);
    if (deep !== undefined) text = text.replace(JSON.stringify(DEEP), deepText(deep));
    // Mutations compound (a huge string copied by widen): past the payload limits, a frame says nothing new.
    if (text.length > MAX_FRAME_CHARS) ({ kind, text } = mutateText(rand, seed));
  }
  const form = rand();
  if (form < 0.1) return { kind, text, input: new TextEncoder().encode(text) };
  if (form < 0.15) return { kind, text, input: new TextEncoder().encode(text).buffer };
  if (form < 0.3) {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === "object") return { kind: `${kind} (object)`, text, input: value };
    } catch {
      // not JSON: stays text
    }
  }
  return { kind, text, input: text };
}

type Decoder = { name: string; direction?: Direction; run: (input: FrameInput) => DecodeResult<unknown> & { direction?: Direction } };
const DECODERS: Decoder[] = [
  { name: "decodeEvent", direction: "event", run: decodeEvent },
  { name: "decodeCommand", direction: "command", run: decodeCommand },
  { name: "decodeAppFrame", direction: "app", run: decodeAppFrame },
  { name: "decodeServerFrame", direction: "server", run: decodeServerFrame },
  { name: "decodeFrame", run: decodeFrame },
];
const DIRECTIONS: Direction[] = ["event", "command", "app", "server"];

function snapshot(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, proto] of Object.entries({ Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype })) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      out.set(`${name}.${String(key)}`, d.value ?? d.get);
    }
    out.set(`${name}.[[Prototype]]`, Object.getPrototypeOf(proto));
  }
  return out;
}

describe("decoder fuzz (reliability suite)", () => {
  it(`${FRAMES} mutated frames through every decoder: no throw, no pollution, bounded time, agreement with plain ajv`, () => {
    const rand = prng(SEED);
    const before = snapshot();
    const failures: string[] = [];
    let calls = 0;
    let accepted = 0;
    let refused = 0;
    let slowest = { ms: 0, what: "" };
    const fail = (i: number, kind: string, what: string) => failures.length < 20 && failures.push(`frame ${i} (${kind}): ${what}`);

    let bound = BOUND_MS;
    const call = (i: number, kind: string, bytes: number, name: string, run: () => DecodeResult<unknown>): DecodeResult<unknown> | undefined => {
      calls++;
      const start = performance.now();
      let result: DecodeResult<unknown>;
      try {
        result = run();
      } catch (err) {
        fail(i, kind, `${name} threw ${String(err)}`);
        return undefined;
      }
      let ms = performance.now() - start;
      // A slow call is timed again: a busy machine pauses a call now and then, a quadratic step is slow every time.
      for (let again = 0; again < 2 && ms > bound; again++) {
        const restart = performance.now();
        run();
        ms = Math.min(ms, performance.now() - restart);
      }
      if (ms > slowest.ms) slowest = { ms, what: `${name}, ${kind}, ${bytes} chars, JSON.parse alone ${((bound - BOUND_MS) / 5).toFixed(1)} ms` };
      if (ms > bound) fail(i, kind, `${name} took ${ms.toFixed(0)} ms on ${bytes} chars (bound ${bound.toFixed(0)} ms)`);
      if (result.ok) accepted++;
      else refused++;
      return result;
    };

    for (let i = 0; i < FRAMES; i++) {
      const { kind, text, input } = nextFrame(rand);
      const fromText = typeof input === "string" || input instanceof Uint8Array || input instanceof ArrayBuffer;
      let parsed: unknown;
      const parseStart = performance.now();
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      bound = BOUND_MS + 5 * (performance.now() - parseStart);
      const shallow = parsed !== undefined && depthOf(parsed) <= MAX_FRAME_DEPTH;
      for (const d of DECODERS) {
        const result = call(i, kind, text.length, d.name, () => d.run(input));
        if (!result) continue;
        const direction = d.direction ?? (result as { direction?: Direction }).direction;
        if (result.ok) {
          if (!direction || !plainValid(direction, result.message)) fail(i, kind, `${d.name} accepted a frame plain ajv refuses`);
          // From a wire: nothing deeper than the limit, so it can be encoded again (objects of the program are not walked).
          if (fromText && !shallow) fail(i, kind, `${d.name} accepted a frame deeper than ${MAX_FRAME_DEPTH}`);
          if (fromText) {
            try {
              JSON.stringify(result.message);
            } catch (err) {
              fail(i, kind, `${d.name} accepted a frame JSON.stringify cannot encode: ${String(err)}`);
            }
          }
        } else if (d.direction && fromText && shallow && plainValid(d.direction, parsed)) {
          fail(i, kind, `${d.name} refused a frame plain ajv accepts: ${result.error.message.slice(0, 200)}`);
        }
      }
      call(i, kind, text.length, "parseFrame", () => {
        const r = parseFrame(input);
        return r.ok ? { ok: true, message: r.value } : r;
      });
      if (parsed !== null && typeof parsed === "object") {
        for (const direction of DIRECTIONS) {
          const result = call(i, kind, text.length, `validateMessage(${direction})`, () => validateMessage(parsed as object, direction));
          if (result?.ok && !plainValid(direction, result.message)) fail(i, kind, `validateMessage(${direction}) accepted a frame plain ajv refuses`);
        }
      }
    }

    const after = snapshot();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    console.log(
      `reliability: decoder fuzz seed=${SEED} frames=${FRAMES} decoder calls=${calls} accepted=${accepted} refused=${refused} ` +
        `failures=${failures.length} prototypes changed=${changed.length} slowest=${slowest.ms.toFixed(1)} ms (${slowest.what})`,
    );
    expect(changed).toEqual([]);
    expect(failures).toEqual([]);
  });
});
