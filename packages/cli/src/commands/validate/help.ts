import { renderOptions, renderRows, type OptionHelp } from "../../format/help.js";
import { DIRECTIONS } from "./directions.js";
import { FORMATS } from "./formats.js";

const names = (table: readonly { name: string }[]) => table.map((t) => t.name).join("|");

/** What `byor validate` parses; its help is made from the same rows. */
export const VALIDATE_OPTIONS: readonly OptionHelp[] = [
  { name: "format", arg: "FORMAT", text: `how to report: ${FORMATS.map((f) => f.name).join(", ")} (see Formats; default ${FORMATS[0].name})` },
  { name: "json", text: "the same as --format json (kept for compatibility)" },
  { name: "direction", arg: "DIRECTION", text: "which way the frames travel (see Directions; default any)" },
  { name: "help", short: "h", text: "print this help" },
];

export const VALIDATE_HELP = `Usage: byor validate [--format ${names(FORMATS)}] [--direction ${names(DIRECTIONS)}] [FILE...]

Validates JSONL transcripts, one protocol frame per line (blank lines are skipped).
Reads stdin when no FILE is given, or for "-".

Options:
${renderOptions(VALIDATE_OPTIONS)}

Directions (--direction):
${renderRows(DIRECTIONS.map((d) => [d.name, d.text]))}

Formats (--format):
${renderRows(FORMATS.map((f) => [f.name, f.text]))}

Columns count characters from 1: where a line stops being JSON, or where the offending value starts.

Exit status: 0 all frames valid, 1 some frame invalid or a file unreadable, 2 usage error.
`;
