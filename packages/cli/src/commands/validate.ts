import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { MAX_POINTER_LENGTH } from "@byor/protocol";
import { EXIT, UsageError, type Io } from "../io.js";
import { parseOptions, type ParseOptions } from "../format/help.js";
import { CHECKS, DIRECTIONS, isDirection, type Refusal, type ValidateDirection } from "./validate/directions.js";
import { FORMATS } from "./validate/formats.js";
import { VALIDATE_HELP, VALIDATE_OPTIONS } from "./validate/help.js";
import { columnOf, jsonErrorIndex, pointerIndex } from "./validate/locate.js";
import { runOk, type FrameProblem, type FrameRecord, type InputRecord, type TranscriptReport, type ValidationRun } from "./validate/report.js";

export type { FrameProblem, FrameRecord, LocatedIssue, TranscriptReport } from "./validate/report.js";
export type { ValidateDirection } from "./validate/directions.js";

/** The command's help and parser options (the top-level help prints the one, tests check the other against it). */
export const HELP = VALIDATE_HELP;
export const OPTIONS: ParseOptions = parseOptions(VALIDATE_OPTIONS);

const columnAtIndex = (text: string, index: number | undefined) => (index === undefined ? undefined : columnOf(text, index));

/**
 * The column where the value at `pointer` starts on the line, if it is there. A pointer longer than the protocol
 * keeps was cut (it ends in "…"): it names no value for sure, so it gets no column.
 */
const columnAtPointer = (text: string, pointer: string | undefined) =>
  pointer === undefined || pointer.length > MAX_POINTER_LENGTH ? undefined : columnAtIndex(text, pointerIndex(text, pointer));

function toProblem(file: string, line: number, text: string, refusal: Refusal): FrameProblem {
  const column = refusal.code === "invalid_json" ? columnAtIndex(text, jsonErrorIndex(text)) : columnAtPointer(text, refusal.pointer);
  const issues = refusal.issues.map((issue) => {
    const at = columnAtPointer(text, issue.pointer);
    return at === undefined ? issue : { ...issue, column: at };
  });
  return {
    file,
    line,
    ...(column !== undefined ? { column } : {}),
    ...(refusal.type !== undefined ? { type: refusal.type } : {}),
    code: refusal.code,
    message: refusal.message,
    issues,
    ...(refusal.moreIssues ? { moreIssues: refusal.moreIssues } : {}),
  };
}

/**
 * Validates the lines of one stream into `report`; `onFrame` (optional) sees every frame as it is checked. The
 * directions are `byor validate --direction`'s: `event` and `command` (the runtime leg), `app` and `server` (a BYOR
 * server's client endpoint), `any`.
 */
export async function validateTranscript(
  input: Readable,
  file: string,
  direction: ValidateDirection,
  report: TranscriptReport,
  onFrame?: (frame: FrameRecord) => void,
): Promise<void> {
  // Own keys only: "toString" is not a direction.
  const check = Object.hasOwn(CHECKS, direction) ? CHECKS[direction] : undefined;
  if (!check) throw new TypeError(`unknown direction "${String(direction)}": one of ${DIRECTIONS.map((d) => d.name).join(", ")}`);
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    report.frames++;
    const result = check(text);
    if (result.ok) {
      report.valid++;
      onFrame?.({ file, line, type: result.type });
      continue;
    }
    report.invalid++;
    const problem = toProblem(file, line, text, result.refusal);
    report.problems.push(problem);
    onFrame?.({ file, line, ...(problem.type !== undefined ? { type: problem.type } : {}), problem });
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const oneOf = (table: readonly { name: string }[]) => table.map((t) => `"${t.name}"`).join(", ");

export async function main(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const direction = (values.direction as string | undefined) ?? "any";
  if (!isDirection(direction)) throw new UsageError(`--direction must be one of ${oneOf(DIRECTIONS)}, not "${direction}"`);
  const formatName = (values.format as string | undefined) ?? (values.json ? "json" : FORMATS[0].name);
  const format = FORMATS.find((f) => f.name === formatName);
  if (!format) throw new UsageError(`--format must be one of ${oneOf(FORMATS)}, not "${formatName}"`);
  if (values.json && format.name !== "json") throw new UsageError(`--json means --format json: it cannot go with --format ${format.name}`);

  const files = positionals.length ? positionals : ["-"];
  const report: TranscriptReport = { files: files.length, frames: 0, valid: 0, invalid: 0, problems: [] };
  const inputs: InputRecord[] = [];
  let unreadable = 0;
  for (const file of files) {
    const input: InputRecord = { file: file === "-" ? "<stdin>" : file, frames: [] };
    inputs.push(input);
    const onFrame = "everyFrame" in format ? (frame: FrameRecord) => input.frames.push(frame) : undefined;
    try {
      await validateTranscript(file === "-" ? io.stdin : createReadStream(file), input.file, direction, report, onFrame);
    } catch (err) {
      unreadable++;
      input.unreadable = { file: input.file, line: 0, code: "unreadable", message: (err as Error).message, issues: [] };
      report.problems.push(input.unreadable);
    }
  }
  const run: ValidationRun = { direction, inputs, report, unreadable };
  io.stdout.write(format.render(run));
  return runOk(run) ? EXIT.ok : EXIT.failed;
}
