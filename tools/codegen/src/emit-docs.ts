import { SchemaError } from "./conventions.js";
import { isAppFrame, isCommand, type SchemaFile } from "./load.js";
import type { Privileges } from "./privileges.js";

/** The generated section of PROTOCOL.md sits between these lines; the rest of the file is written by hand. */
export const DOC_BEGIN = "<!-- BEGIN GENERATED: commands (pnpm codegen writes this section from schema/; edit the schemas, not it) -->";
export const DOC_END = "<!-- END GENERATED: commands -->";

/** Markdown table cells hold one line and no bare `|`. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
const code = (text: string) => `\`${text}\``;
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** Prose wrapped at 118 columns, like the hand-written parts of PROTOCOL.md. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= 118) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

function requestId(s: SchemaFile): string {
  const props = s.json.properties as Record<string, unknown> | undefined;
  if (!props?.request_id) return "—";
  return (s.json.required as string[] | undefined)?.includes("request_id") ? "required" : "optional";
}

/** The body of the generated section: privilege classes and roles, then every command with its class and answer. */
export function emitCommandDocs(schemas: SchemaFile[], privileges: Privileges): string {
  const commands = schemas.filter((s) => isCommand(s) && s.folder === "commands").sort((a, b) => a.wireType!.localeCompare(b.wireType!));
  const count = (name: string) => commands.filter((s) => s.privilege === name).length;
  const appFrames = schemas.filter(isAppFrame);
  const framesNeeding = (value: string) =>
    appFrames
      .filter((s) => s.privilege === value)
      .map((s) => code(s.wireType!))
      .join(", ");
  const fireAndForget = commands.filter((s) => !s.response);
  const lines = [
    "## Commands: privileges, requests and fire-and-forget",
    "",
    "Generated from `schema/` by `pnpm codegen` (`x-byor-privilege`, `x-byor-response`, `schema/privileges.json`);",
    "`pnpm codegen:check` fails when this section no longer matches. In code: `COMMAND_PRIVILEGES`, `RESPONSE_TYPES`,",
    "`BUILTIN_ROLES`, `privilegeOf`, `roleAllows`, `resolveRole` from `@byor/protocol`.",
    "",
    "### Privilege classes and roles",
    "",
    "Every command an app may send has one privilege class: the most sensitive thing it can do. A role is a set of",
    "classes; the classes do not nest (a role holds each one it grants).",
    "",
    row(["class", "commands", "what it allows"]),
    row(["---", "---", "---"]),
    ...privileges.classes.map((c) => row([code(c.name), String(count(c.name)), cell(c.description)])),
    "",
    row(["built-in role", "classes", ""]),
    row(["---", "---", "---"]),
    ...privileges.roles.map((r) =>
      row([code(r.name), r.classes.length === privileges.classes.length ? "all" : r.classes.map(code).join(", "), cell(r.description)]),
    ),
    "",
    ...wrap(
      `App frames: \`byor.send\` needs the class of the command it carries; ${privileges.classes
        .map((c) => [c.name, framesNeeding(c.name)] as const)
        .filter(([, frames]) => frames)
        .map(([name, frames]) => `${frames} need ${code(name)}`)
        .join("; ")}; ${framesNeeding("none")} need none (every principal may send them). The transport commands ` +
        "(`pong`, `listener_ready`) belong to the runtime connection: no app may send them.",
    ),
    "",
    "### Commands",
    "",
    ...wrap(
      "A **request** is answered by exactly one response event carrying the command's `request_id` (where the " +
        "`request_id` is optional, a command sent without one gets no answer it can be matched with: see the command's " +
        "schema). A **fire-and-forget** command has no paired answer; what may follow it is listed after the table. " +
        "Either kind may also change state the runtime then pushes (`update_*` snapshots, stream deltas).",
    ),
    "",
    row(["command", "class", "answered by", "`request_id`"]),
    row(["---", "---", "---", "---"]),
    ...commands.map((s) => row([code(s.wireType!), code(s.privilege!), s.response ? code(s.response) : "fire-and-forget", requestId(s)])),
    "",
    "Fire-and-forget commands:",
    "",
    ...fireAndForget.map((s) => `- ${code(s.wireType!)}: ${cell(String(s.json.description))}`),
  ];
  return lines.join("\n");
}

/** Replaces the generated section of a document (between DOC_BEGIN and DOC_END) with `body`. */
export function spliceSection(document: string, body: string, file = "PROTOCOL.md"): string {
  const begin = document.indexOf(DOC_BEGIN);
  const end = document.indexOf(DOC_END);
  if (begin < 0 || end < begin || document.indexOf(DOC_BEGIN, begin + 1) >= 0) {
    throw new SchemaError(`${file} needs exactly one generated section: a line ${DOC_BEGIN} and, after it, a line ${DOC_END}`);
  }
  return `${document.slice(0, begin + DOC_BEGIN.length)}\n\n${body}\n\n${document.slice(end)}`;
}
