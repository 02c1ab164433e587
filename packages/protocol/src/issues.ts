import type { AjvIssue, Validator } from "./validator.js";

/** One problem with a frame, located by a JSON pointer into it. */
export interface Issue {
  /** JSON pointer of the offending value ("" is the whole frame). */
  pointer: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `const`, ...). */
  keyword: string;
  /** What the schema wanted there, in words. */
  expected: string;
  /** What the frame had there, in words. */
  found: string;
}

/** Issues a DecodeError (and so a `byor.error`) lists at most; the others are counted in `moreIssues`. */
export const MAX_ISSUES = 20;

/** Pointers are cut to this many characters (ending in `…`): a key may be megabytes long, a path 1,000 levels deep. */
export const MAX_POINTER_LENGTH = 256;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
export const clipPointer = (pointer: string): string => clip(pointer, MAX_POINTER_LENGTH);

/** `"/runtime/agent_id: expected string or null, found number 42"`. */
export const formatIssue = (issue: Pick<Issue, "pointer" | "expected" | "found">): string =>
  `${issue.pointer || "(frame)"}: expected ${issue.expected}, found ${issue.found}`;

const unescape = (token: string) => token.replaceAll("~1", "/").replaceAll("~0", "~");

function at(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let node = root;
  for (const token of pointer.slice(1).split("/")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[unescape(token)];
  }
  return node;
}

/** A short, readable description of a JSON value. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

const quoteAll = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(" | ");

function toIssue(err: AjvIssue, frame: unknown): Issue {
  const issue = describeError(err, frame);
  return issue.pointer.length > MAX_POINTER_LENGTH ? { ...issue, pointer: clipPointer(issue.pointer) } : issue;
}

function describeError(err: AjvIssue, frame: unknown): Issue {
  const { instancePath: pointer, keyword, params } = err;
  const found = describe(at(frame, pointer));
  switch (keyword) {
    case "required":
      return { pointer, keyword, expected: `property ${JSON.stringify(params.missingProperty)}`, found: "it missing" };
    case "type":
      return { pointer, keyword, expected: String(params.type), found };
    case "const":
      return { pointer, keyword, expected: JSON.stringify(params.allowedValue), found };
    case "enum":
      return { pointer, keyword, expected: `one of ${quoteAll(params.allowedValues as unknown[])}`, found };
    case "additionalProperties":
      return { pointer, keyword, expected: "only known properties", found: `property ${JSON.stringify(clip(String(params.additionalProperty), 40))}` };
    case "minLength":
      return { pointer, keyword, expected: params.limit === 1 ? "a non-empty string" : `at least ${String(params.limit)} characters`, found };
    case "maxLength":
      return { pointer, keyword, expected: `at most ${String(params.limit)} characters`, found };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { pointer, keyword, expected: `a number ${String(params.comparison)} ${String(params.limit)}`, found };
    case "minItems":
      return { pointer, keyword, expected: `at least ${String(params.limit)} items`, found };
    case "maxItems":
      return { pointer, keyword, expected: `at most ${String(params.limit)} items`, found };
    case "pattern":
      return { pointer, keyword, expected: `a string matching ${String(params.pattern)}`, found };
    case "anyOf":
    case "oneOf":
      return { pointer, keyword, expected: "one of the allowed shapes", found };
    case "discriminator": {
      // ajv reports the union; point at its tag instead, which is what is wrong.
      const tag = String(params.tag);
      return { pointer: `${pointer}/${tag}`, keyword, expected: `a known ${JSON.stringify(tag)}`, found: describe(at(frame, `${pointer}/${tag}`)) };
    }
    default:
      return { pointer, keyword, expected: err.message ?? keyword, found };
  }
}

/**
 * Turns ajv's raw errors into few, readable issues: type errors at one pointer merge into
 * "string or null", and union noise is dropped when a branch said something more precise.
 * Linear in the number of errors (keyed maps, no pairwise comparison).
 */
export function toIssues(errors: readonly AjvIssue[], frame: unknown): Issue[] {
  const issues: Issue[] = [];
  const typeAt = new Map<string, Issue>();
  const seen = new Set<string>();
  for (const err of errors) {
    const issue = toIssue(err, frame);
    if (issue.keyword === "type") {
      const first = typeAt.get(issue.pointer);
      if (first) {
        if (!first.expected.split(" or ").includes(issue.expected)) first.expected += ` or ${issue.expected}`;
        continue;
      }
      typeAt.set(issue.pointer, issue);
    } else {
      // Type issues are one per pointer already; the others are told apart by what they say.
      const key = `${issue.pointer}\u0000${issue.keyword}\u0000${issue.expected}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    issues.push(issue);
  }
  const isUnion = (i: Issue) => i.keyword === "anyOf" || i.keyword === "oneOf";
  // Pointers of precise issues, and every ancestor of them (one entry per path token: linear in their length).
  const precise = new Set<string>();
  const besideType = new Set<string>();
  for (const i of issues) {
    if (isUnion(i)) continue;
    if (i.keyword !== "type") besideType.add(i.pointer);
    for (let p = i.pointer; !precise.has(p); p = p.slice(0, Math.max(0, p.lastIndexOf("/")))) {
      precise.add(p);
      if (!p) break;
    }
  }
  return issues.filter((i) => {
    // A union's summary says less than what its branches said.
    if (isUnion(i)) return !precise.has(i.pointer);
    // A type error next to another error at the same place comes from a union branch the value was not meant
    // for (an empty string fails `minLength` of the string branch and `type` of the null branch): keep the telling one.
    if (i.keyword === "type") return !besideType.has(i.pointer);
    return true;
  });
}

/** The issues of a value a validator refused: the first `limit`, and how many more it found. */
export interface IssueList {
  issues: Issue[];
  /**
   * Problems found beyond the listed issues. Those past the validator's own cap were never described, so they
   * are counted as ajv counts them (one per failed keyword): an estimate, not an exact number of issues.
   */
  moreIssues: number;
}

/** Issues of the value `validate` just refused, bounded in number whatever the value (see MAX_ISSUES). */
export function issuesOf(validate: Validator<unknown>, value: unknown, limit = MAX_ISSUES): IssueList {
  const errors = validate.errors ?? [];
  const all = toIssues(errors, value);
  const unkept = Math.max(0, (validate.count ?? errors.length) - errors.length);
  return all.length > limit ? { issues: all.slice(0, limit), moreIssues: all.length - limit + unkept } : { issues: all, moreIssues: unkept };
}
