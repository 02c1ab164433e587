import { header } from "./header.js";
import { isAppFrame, isCommand, isEvent, isServerFrame, type SchemaFile } from "./load.js";
import { validatorName } from "./emit-validators.js";
import type { Privileges } from "./privileges.js";

const list = (items: string[]): string => `[\n${items.map((i) => `  ${JSON.stringify(i)},`).join("\n")}\n]`;

/** Space-separated words, wrapped at about 110 columns. */
function words(items: string[]): string {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + item.length < 110) lines[last] += ` ${item}`;
    else lines.push(`    ${item}`);
  }
  return lines.join("\n");
}

/** The privilege tables: classes, command → class, app frame → class, built-in roles. */
function privilegeTables(schemas: SchemaFile[], privileges: Privileges): string[] {
  const commands = schemas.filter((s) => isCommand(s) && s.folder !== "transport");
  const groups = privileges.classes
    .map((c) => ({ name: c.name, types: commands.filter((s) => s.privilege === c.name).map((s) => s.wireType!) }))
    .filter((g) => g.types.length);
  const byClass = groups.map((g) => `  ${g.name}: \`\n${words(g.types)}\n  \`,`);
  const descriptions = privileges.classes.map((c) => `  ${c.name}: ${JSON.stringify(c.description)},`);
  const appFrames = schemas.filter(isAppFrame).map((s) => `  ${JSON.stringify(s.wireType)}: ${s.privilege === "none" ? "null" : JSON.stringify(s.privilege)},`);
  const roles = privileges.roles.map(
    (r) => `  ${r.name}: { description: ${JSON.stringify(r.description)}, classes: [${r.classes.map((c) => JSON.stringify(c)).join(", ")}] },`,
  );
  const block = (lines: string[]) => `{\n${lines.join("\n")}\n}`;
  return [
    "/** Privilege classes (schema/privileges.json): what a command lets its sender do. A role is a set of them. */",
    `export const PRIVILEGE_CLASSES = ${list(privileges.classes.map((c) => c.name))} as const;`,
    "/** A privilege class. */",
    "export type PrivilegeClass = (typeof PRIVILEGE_CLASSES)[number];",
    "",
    "/** What each privilege class allows (the descriptions in schema/privileges.json). */",
    `export const PRIVILEGE_CLASS_DESCRIPTIONS: { readonly [K in PrivilegeClass]: string } = ${block(descriptions)};`,
    "",
    "/** Command types an app may send (in `byor.send`): every command but the transport ones. */",
    "export type AppCommandType = Exclude<keyof CommandTypeMap, (typeof TRANSPORT_COMMAND_TYPES)[number]>;",
    "",
    "/** Space-separated command types per class → a frozen command type → class table. */",
    "const byClass = (groups: Record<string, string>) =>",
    "  Object.freeze(Object.fromEntries(Object.entries(groups).flatMap(([c, types]) => types.trim().split(/\\s+/).map((t) => [t, c])))) as unknown as {",
    "    readonly [K in AppCommandType]: PrivilegeClass;",
    "  };",
    "",
    "/** Command type → its privilege class (`x-byor-privilege`). Transport commands have none: no app may send them. */",
    `export const COMMAND_PRIVILEGES: { readonly [K in AppCommandType]: PrivilegeClass } = /* @__PURE__ */ byClass(${block(byClass)});`,
    "",
    "/**",
    ' * App frame type → the class it needs: `"command"` for byor.send (the class of the command it carries), null for the',
    " * session's own frames, which every principal may send.",
    " */",
    `export const APP_FRAME_PRIVILEGES: { readonly [K in keyof AppFrameTypeMap]: PrivilegeClass | "command" | null } = /* @__PURE__ */ Object.freeze(${block(appFrames)});`,
    "",
    "/** Built-in roles (schema/privileges.json `x-byor-roles`): name → what it is for and the classes it grants. */",
    `export const BUILTIN_ROLE_DEFINITIONS = ${block(roles)} as const satisfies Record<string, { description: string; classes: readonly PrivilegeClass[] }>;`,
    "",
  ];
}

export function emitRegistry(schemas: SchemaFile[], privileges: Privileges): string {
  const commands = schemas.filter(isCommand);
  const events = schemas.filter(isEvent);
  const appFrames = schemas.filter(isAppFrame);
  const serverFrames = schemas.filter(isServerFrame);
  const frames = schemas.filter((s) => s.wireType);
  const http = schemas.filter((s) => s.direction === "http");
  const requests = commands.filter((s) => s.response);
  const irregular = requests.filter((s) => s.response !== `${s.wireType}_response`);
  const exceptions = `{ ${irregular.map((s) => `${JSON.stringify(s.wireType)}: ${JSON.stringify(s.response)}`).join(", ")} }`;
  const typeList = (name: string, doc: string, items: SchemaFile[], map: string) =>
    `/** ${doc} */\nexport const ${name} = ${list(items.map((s) => s.wireType!))} as const satisfies readonly (keyof ${map})[];\n`;
  const validatorMap = (items: SchemaFile[], key: (s: SchemaFile) => string) =>
    `{\n${items.map((s) => `  ${JSON.stringify(key(s))}: v.${validatorName(s)},`).join("\n")}\n}`;
  const validatorTable = (name: string, what: string, items: SchemaFile[], map: string) =>
    `/** ${what} → validator. */\nexport const ${name}: { readonly [K in keyof ${map}]: Validator<${map}[K]> } = ${validatorMap(items, (s) => s.wireType!)};\n`;
  return [
    header("Registry: every wire type with its direction, schema id and validator."),
    'import * as v from "./validators.js";',
    'import type { Validator } from "../validator.js";',
    'import type { AppFrameTypeMap, CommandTypeMap, EventTypeMap, ResponseTypeMap, ServerFrameTypeMap } from "./types.js";',
    "",
    typeList("COMMAND_TYPES", "Every `type` a server or app may send to the runtime.", commands, "CommandTypeMap"),
    typeList("EVENT_TYPES", "Every `type` the runtime may send.", events, "EventTypeMap"),
    typeList("APP_FRAME_TYPES", "Every `type` an app may send to a BYOR server's client endpoint.", appFrames, "AppFrameTypeMap"),
    typeList("SERVER_FRAME_TYPES", "Every `type` a BYOR server may send to an app.", serverFrames, "ServerFrameTypeMap"),
    typeList(
      "TRANSPORT_COMMAND_TYPES",
      "Commands of the runtime connection itself (schema/transport): a server sends them, never an app.",
      commands.filter((s) => s.folder === "transport"),
      "CommandTypeMap",
    ),
    typeList(
      "ENVELOPED_EVENT_TYPES",
      "Events the runtime routes through its outbound queue: they carry the event envelope.",
      events.filter((s) => s.enveloped),
      "EventTypeMap",
    ),
    "/** `<type>_response` unless listed among the exceptions: the table stays small in a page bundle. */",
    "const responseTypes = (types: string, exceptions: Record<string, string>) =>",
    "  Object.fromEntries(types.trim().split(/\\s+/).map((t) => [t, exceptions[t] ?? `${t}_response`])) as unknown as ResponseTypeMap;",
    "",
    "/** Command type → the response type the runtime pairs with it by `request_id`. */",
    `export const RESPONSE_TYPES: Readonly<ResponseTypeMap> = /* @__PURE__ */ responseTypes(\n  \`\n${words(requests.map((s) => s.wireType!))}\n  \`,\n  ${exceptions},\n);`,
    "",
    "/** Wire type → the `$id` of its schema (as published under schema/). */",
    `export const SCHEMA_IDS: Readonly<Record<string, string>> = {\n${frames.map((s) => `  ${JSON.stringify(s.wireType)}: ${JSON.stringify(s.id)},`).join("\n")}\n};`,
    "",
    ...privilegeTables(schemas, privileges),
    validatorTable("COMMAND_VALIDATORS", "Command type", commands, "CommandTypeMap"),
    validatorTable("EVENT_VALIDATORS", "Event type", events, "EventTypeMap"),
    validatorTable("APP_FRAME_VALIDATORS", "App frame type (client endpoint)", appFrames, "AppFrameTypeMap"),
    validatorTable("SERVER_FRAME_VALIDATORS", "Server frame type (client endpoint)", serverFrames, "ServerFrameTypeMap"),
    "/** HTTP body name (file name under schema/http) → validator. */",
    `export const HTTP_VALIDATORS = ${validatorMap(http, (s) => s.name)} as const;`,
    "",
  ].join("\n");
}
