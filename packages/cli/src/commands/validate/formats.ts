import { renderGithub } from "./formats/github.js";
import { renderJson } from "./formats/json.js";
import { renderJunit } from "./formats/junit.js";
import { renderText } from "./formats/text.js";
import type { ValidationRun } from "./report.js";

export interface Format {
  name: string;
  /** Its line in `--help`. */
  text: string;
  /** It lists every frame, valid ones too: the run keeps a record of each. */
  everyFrame?: boolean;
  render(run: ValidationRun): string;
}

/** The values of `--format`; the first is the default. */
export const FORMATS = [
  { name: "text", text: "(default) one line per problem: file:line: type (code): /pointer: expected …, found …;\nthen a summary", render: renderText },
  { name: "json", text: "one JSON report: the counts, and each problem with its line, column and issues", render: renderJson },
  {
    name: "junit",
    text: "JUnit XML for CI test reports: a testsuite per file, a testcase per frame,\na failure per invalid frame",
    everyFrame: true,
    render: renderJunit,
  },
  {
    name: "github",
    text: "GitHub Actions annotations: an ::error workflow command per problem, at its file,\nline and column (give paths relative to the repository's root)",
    render: renderGithub,
  },
] as const satisfies readonly Format[];

export type FormatName = (typeof FORMATS)[number]["name"];
