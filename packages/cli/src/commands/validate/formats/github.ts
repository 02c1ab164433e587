import { formatIssue } from "@byor/protocol";
import { workflowCommand } from "../../../format/github.js";
import { problemTitle, summaryLine, type FrameProblem, type ValidationRun } from "../report.js";

const TITLE = "byor validate";
const STDIN = "<stdin>";

/**
 * One `::error` annotation per issue (per problem when it has none) at its file, line and column, then the summary
 * as plain log text. Input from stdin has no file to point at: its annotations name `<stdin>:line` in the message.
 */
export function renderGithub(run: ValidationRun): string {
  let out = "";
  const annotate = (p: FrameProblem, column: number | undefined, detail: string) => {
    const what = `${problemTitle(p)}: ${detail}`;
    if (p.file === STDIN) {
      out += `${workflowCommand("error", { title: TITLE }, `${p.line ? `${STDIN}:${p.line}` : STDIN}: ${what}`)}\n`;
      return;
    }
    out += `${workflowCommand("error", { file: p.file, ...(p.line ? { line: p.line } : {}), ...(column !== undefined ? { col: column } : {}), title: TITLE }, what)}\n`;
  };
  for (const p of run.report.problems) {
    if (p.issues.length === 0) annotate(p, p.column, p.message);
    for (const i of p.issues) annotate(p, i.column, formatIssue(i));
  }
  return `${out}${summaryLine(run)}\n`;
}
