// Reads the official 0.32.18 declarations (fetched into .cache/ by scripts/letta-code.ts) with the TypeScript
// compiler API: which wire types their unions name, and whether each official message type is assignable to ours.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { CACHE_DIR, ensureTypes } from "../../../scripts/letta-code.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const UNIONS = { command: "WsProtocolCommand", event: "WsProtocolMessage" } as const;

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: [],
};

/** The `type` literals of every member of the official command and message unions. */
export function officialWireTypes(): Record<keyof typeof UNIONS, string[]> {
  const file = join(ensureTypes(), "protocol_v2.d.ts");
  const program = ts.createProgram([file], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const result = { command: [] as string[], event: [] as string[] };
  for (const [direction, name] of Object.entries(UNIONS) as [keyof typeof UNIONS, string][]) {
    const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name);
    if (!alias) throw new Error(`${name} not found in ${file}`);
    const union = checker.getTypeAtLocation(alias.name);
    const members = union.isUnion() ? union.types : [union];
    const types = new Set<string>();
    for (const member of members) {
      const prop = checker.getPropertyOfType(member, "type");
      if (!prop) throw new Error(`a member of ${name} has no "type": ${checker.typeToString(member)}`);
      const t = checker.getTypeOfSymbol(prop);
      for (const lit of t.isUnion() ? t.types : [t]) {
        if (!lit.isStringLiteral()) throw new Error(`a member of ${name} has a non-literal type: ${checker.typeToString(t)}`);
        types.add(lit.value);
      }
    }
    result[direction] = [...types].sort();
  }
  return result;
}

/**
 * Compiles one assignment per wire type, official → ours, and returns the types whose official declaration is
 * not assignable to our generated type, with the compiler's explanation.
 */
export function unassignableTypes(wire: Record<keyof typeof UNIONS, string[]>): { type: string; direction: string; why: string }[] {
  const dir = join(CACHE_DIR, "type-check");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "official-to-ours.ts");
  const lines = [
    `import type { WsProtocolCommand, WsProtocolMessage } from ${JSON.stringify(join(CACHE_DIR, "package/dist/types/types/protocol_v2.js"))};`,
    `import type { CommandTypeMap, EventTypeMap } from ${JSON.stringify(join(repoRoot, "packages/protocol/src/generated/types.js"))};`,
    // readonly is a TypeScript modifier the wire does not have: compare shapes without it.
    "type Writable<T> = T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;",
    "declare function official<T>(): Writable<T>;",
  ];
  const where: { type: string; direction: string }[] = [];
  for (const type of wire.command) {
    where[lines.length] = { type, direction: "command" };
    lines.push(`export const c_${type}: CommandTypeMap[${JSON.stringify(type)}] = official<Extract<WsProtocolCommand, { type: ${JSON.stringify(type)} }>>();`);
  }
  for (const type of wire.event) {
    where[lines.length] = { type, direction: "event" };
    lines.push(`export const e_${type}: EventTypeMap[${JSON.stringify(type)}] = official<Extract<WsProtocolMessage, { type: ${JSON.stringify(type)} }>>();`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  const program = ts.createProgram([file], options);
  const out: { type: string; direction: string; why: string }[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const why = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file?.fileName !== file || d.start === undefined) {
      out.push({ type: "(setup)", direction: "", why: `${d.file?.fileName ?? ""}: ${why}` });
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    out.push({ ...(where[line] ?? { type: "(setup)", direction: "" }), why });
  }
  return out;
}
