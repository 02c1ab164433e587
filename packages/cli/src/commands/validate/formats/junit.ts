import { formatIssue } from "@byor/protocol";
import { xmlAttributes, xmlText } from "../../../format/xml.js";
import { type FrameProblem, type FrameRecord, type InputRecord, type ValidationRun } from "../report.js";

// A type is the peer's text, of any length: a test case's name quotes its start only.
const shortType = (type: string) => (type.length > 64 ? `${type.slice(0, 64)}…` : type);

/** `file:line:column: detail`, one line per issue: the body of a failure. */
function failureBody(p: FrameProblem): string {
  const at = (column: number | undefined) => `${p.file}:${p.line}${column !== undefined ? `:${column}` : ""}`;
  const lines = p.issues.length ? p.issues.map((i) => `${at(i.column)}: ${formatIssue(i)}`) : [`${at(p.column)}: ${p.message}`];
  if (p.moreIssues) lines.push(`and ${p.moreIssues} more`);
  return lines.join("\n");
}

function testcase(input: InputRecord, frame: FrameRecord): string {
  const name = `line ${frame.line}${frame.type !== undefined ? `: ${shortType(frame.type)}` : ""}`;
  const head = `    <testcase${xmlAttributes({ name, classname: input.file, file: input.file, line: frame.line })}`;
  const p = frame.problem;
  if (!p) return `${head}/>`;
  const failure = `<failure${xmlAttributes({ message: p.message, type: p.code })}>${xmlText(failureBody(p))}</failure>`;
  return `${head}>\n      ${failure}\n    </testcase>`;
}

function testsuite(input: InputRecord): { xml: string; tests: number; failures: number; errors: number } {
  const cases = input.frames.map((frame) => testcase(input, frame));
  const failures = input.frames.filter((f) => f.problem).length;
  const errors = input.unreadable ? 1 : 0;
  if (input.unreadable) {
    // A read error is an error of the suite's last case (JUnit has no suite-level failure element readers agree on).
    const error = `<error${xmlAttributes({ message: input.unreadable.message, type: input.unreadable.code })}/>`;
    cases.push(`    <testcase${xmlAttributes({ name: "read the file", classname: input.file, file: input.file })}>\n      ${error}\n    </testcase>`);
  }
  const tests = cases.length;
  const open = `  <testsuite${xmlAttributes({ name: input.file, tests, failures, errors })}`;
  return { xml: tests ? `${open}>\n${cases.join("\n")}\n  </testsuite>` : `${open}/>`, tests, failures, errors };
}

/**
 * JUnit XML, the format CI servers read test results in: one testsuite per input, one testcase per frame (named
 * `line N: type`), a failure for each invalid frame (its message, and each issue as `file:line:column: …`), an
 * error for an input that could not be read.
 */
export function renderJunit(run: ValidationRun): string {
  const suites = run.inputs.map(testsuite);
  const sum = (key: "tests" | "failures" | "errors") => suites.reduce((n, s) => n + s[key], 0);
  const open = `<testsuites${xmlAttributes({ name: "byor validate", tests: sum("tests"), failures: sum("failures"), errors: sum("errors") })}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}\n${suites.map((s) => `${s.xml}\n`).join("")}</testsuites>\n`;
}
