import { header } from "./header.js";
import { isAppFrame, isCommand, isEvent, isServerFrame, type SchemaFile } from "./load.js";
import { validatorName } from "./emit-validators.js";

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

export function emitRegistry(schemas: SchemaFile[]): string {
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
    typeList("TRANSPORT_COMMAND_TYPES", "Commands of the runtime connection itself (schema/transport): a server sends them, never an app.", commands.filter((s) => s.folder === "transport"), "CommandTypeMap"),
    typeList("ENVELOPED_EVENT_TYPES", "Events the runtime routes through its outbound queue: they carry the event envelope.", events.filter((s) => s.enveloped), "EventTypeMap"),
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
    validatorTable("COMMAND_VALIDATORS", "Command type", commands, "CommandTypeMap"),
    validatorTable("EVENT_VALIDATORS", "Event type", events, "EventTypeMap"),
    validatorTable("APP_FRAME_VALIDATORS", "App frame type (client endpoint)", appFrames, "AppFrameTypeMap"),
    validatorTable("SERVER_FRAME_VALIDATORS", "Server frame type (client endpoint)", serverFrames, "ServerFrameTypeMap"),
    "/** HTTP body name (file name under schema/http) → validator. */",
    `export const HTTP_VALIDATORS = ${validatorMap(http, (s) => s.name)} as const;`,
    "",
  ].join("\n");
}
