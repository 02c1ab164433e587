import { formatIssue } from "@byor/protocol";
import { problemTitle, summaryLine, type ValidationRun } from "../report.js";

/** `file:line: type (code): /pointer: expected …, found …`, one line per issue, then the summary. */
export function renderText(run: ValidationRun): string {
  let out = "";
  for (const p of run.report.problems) {
    const where = p.line ? `${p.file}:${p.line}` : p.file;
    const what = problemTitle(p);
    if (p.issues.length === 0) out += `${where}: ${what}: ${p.message}\n`;
    for (const i of p.issues) out += `${where}: ${what}: ${formatIssue(i)}\n`;
  }
  return `${out}${summaryLine(run)}\n`;
}
