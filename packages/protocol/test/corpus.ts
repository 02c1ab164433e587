// The test corpus: schema/ files with their examples and invalid cases, and the real runtime's frames.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../..");
export const schemaDir = join(repoRoot, "schema");
export const fixturesDir = join(repoRoot, "fixtures");

export interface SchemaEntry {
  folder: string;
  name: string;
  path: string;
  json: { title: string; "x-byor-direction"?: string; [k: string]: unknown };
}

export function schemaEntries(): SchemaEntry[] {
  return readdirSync(schemaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(schemaDir, d.name))
        .filter((f) => f.endsWith(".json"))
        .map((f) => {
          const path = join(schemaDir, d.name, f);
          return { folder: d.name, name: f.slice(0, -5), path, json: JSON.parse(readFileSync(path, "utf8")) };
        }),
    );
}

/** Non-blank lines of a JSONL file with their 1-based line numbers. */
export function jsonl(path: string): { line: number; text: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .map((text, i) => ({ line: i + 1, text }))
    .filter((l) => l.text.trim() !== "");
}

/** Every fixture file of the real runtime, with the direction its frames travelled. */
export function fixtureFiles(): { path: string; direction: "event" | "command" }[] {
  return readdirSync(fixturesDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ path: join(fixturesDir, f), direction: f.includes("runtime-to-server") ? ("event" as const) : ("command" as const) }));
}
