import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { decodeCommand, decodeEvent, decodeFrame, formatIssue, type DecodeResult, type Direction, type Issue } from "@byor/protocol";
import { EXIT, UsageError, type Io } from "../io.js";

const HELP = `Usage: byor validate [--direction event|command] [--json] [FILE...]

Validates JSONL transcripts, one protocol frame per line (blank lines are skipped).
  --direction event    frames sent by the runtime
  --direction command  frames sent to the runtime
  (neither)            a frame passes if either direction accepts it
  --json               print a machine-readable report
Reads stdin when no FILE is given, or for "-".
Exit status: 0 all frames valid, 1 some frame invalid or a file unreadable, 2 usage error.
`;

export interface FrameProblem {
  file: string;
  line: number;
  /** The frame's `type`, when it has one. */
  type?: string;
  code: string;
  message: string;
  issues: readonly Issue[];
}

export interface TranscriptReport {
  files: number;
  frames: number;
  valid: number;
  invalid: number;
  problems: FrameProblem[];
}

/** The runtime leg's directions (the client endpoint's `app` / `server` frames are not transcripts of it). */
type RuntimeDirection = Extract<Direction, "event" | "command">;

const decoders: Record<RuntimeDirection | "any", (line: string) => DecodeResult<unknown>> = {
  event: decodeEvent,
  command: decodeCommand,
  any: decodeFrame,
};

/** Validates the lines of one stream into `report`. */
export async function validateTranscript(
  input: Readable,
  file: string,
  direction: RuntimeDirection | "any",
  report: TranscriptReport,
): Promise<void> {
  const decode = decoders[direction];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    report.frames++;
    const result = decode(text);
    if (result.ok) {
      report.valid++;
      continue;
    }
    report.invalid++;
    const { error } = result;
    report.problems.push({ file, line, type: error.type, code: error.code, message: error.message, issues: error.issues });
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { direction: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export async function main(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const direction = values.direction ?? "any";
  if (direction !== "event" && direction !== "command" && direction !== "any") {
    throw new UsageError(`--direction must be "event" or "command", not "${direction}"`);
  }
  const files = positionals.length ? positionals : ["-"];
  const report: TranscriptReport = { files: files.length, frames: 0, valid: 0, invalid: 0, problems: [] };
  let unreadable = 0;
  for (const file of files) {
    const name = file === "-" ? "<stdin>" : file;
    try {
      await validateTranscript(file === "-" ? io.stdin : createReadStream(file), name, direction, report);
    } catch (err) {
      unreadable++;
      report.problems.push({ file: name, line: 0, code: "unreadable", message: (err as Error).message, issues: [] });
    }
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ok: report.invalid === 0 && unreadable === 0, direction, ...report }, null, 2)}\n`);
  } else {
    for (const p of report.problems) {
      const where = p.line ? `${p.file}:${p.line}` : p.file;
      const what = p.type ? `${p.type} (${p.code})` : p.code;
      if (p.issues.length === 0) io.stdout.write(`${where}: ${what}: ${p.message}\n`);
      for (const i of p.issues) io.stdout.write(`${where}: ${what}: ${formatIssue(i)}\n`);
    }
    const unread = unreadable ? `, ${unreadable} unreadable file${unreadable === 1 ? "" : "s"}` : "";
    io.stdout.write(`${report.frames} frames in ${report.files} file${report.files === 1 ? "" : "s"}: ${report.valid} valid, ${report.invalid} invalid${unread}\n`);
  }
  return report.invalid === 0 && unreadable === 0 ? EXIT.ok : EXIT.failed;
}
