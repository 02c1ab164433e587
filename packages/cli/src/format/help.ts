import type { ParseArgsConfig } from "node:util";

/**
 * One option of a command: its parser setting and its help line come from the same row, so an option cannot be
 * parsed without being documented (or the reverse).
 */
export interface OptionHelp {
  /** The long name, without the dashes. */
  name: string;
  short?: string;
  /** The placeholder of its value (`FILE`); a flag has none. */
  arg?: string;
  /** May be given more than once. */
  multiple?: boolean;
  /** What it does; `\n` starts a new line, indented under the first. */
  text: string;
}

export type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

/** The `node:util` parseArgs options of a table. */
export function parseOptions(table: readonly OptionHelp[]): ParseOptions {
  const options: ParseOptions = {};
  for (const o of table) {
    options[o.name] = {
      type: o.arg === undefined ? "boolean" : "string",
      ...(o.short !== undefined ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** `-h, --help` or `--format FORMAT`. */
export const optionLabel = (o: OptionHelp): string => `${o.short !== undefined ? `-${o.short}, ` : ""}--${o.name}${o.arg !== undefined ? ` ${o.arg}` : ""}`;

/**
 * Rows as an aligned two-column list: `  label    text`, continuation lines of a text indented under its start.
 * The label column is as wide as the widest label, so a new row never needs the others re-indented by hand.
 */
export function renderRows(rows: readonly (readonly [label: string, text: string])[], indent = 2): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2;
  const pad = " ".repeat(indent);
  return rows
    .map(([label, text]) => {
      const [first, ...rest] = text.split("\n");
      return [`${pad}${label.padEnd(width)}${first}`, ...rest.map((line) => `${pad}${" ".repeat(width)}${line}`)].join("\n").trimEnd();
    })
    .join("\n");
}

export const renderOptions = (table: readonly OptionHelp[], indent = 2): string =>
  renderRows(
    table.map((o) => [optionLabel(o), o.text]),
    indent,
  );
