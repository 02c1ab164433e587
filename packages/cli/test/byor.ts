// Helpers of the cli tests: run the built command, make transcripts, read its structured outputs with parsers that
// are not its own (Python's expat for XML; the runner's unescaping rules for workflow commands).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const bin = resolve(import.meta.dirname, "../dist/bin.js");
export const launcher = resolve(import.meta.dirname, "../bin/byor.js");

export function byor(args: string[], stdin?: string, options: { cwd?: string; entry?: string } = {}) {
  const r = spawnSync(process.execPath, [options.entry ?? bin, ...args], { input: stdin, encoding: "utf8", cwd: options.cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh directory, and a way to write a transcript into it (objects as JSON lines, strings as they are). */
export function scratch(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string, lines: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
    return path;
  };
  return { dir, file };
}

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const PY_XML = `
import json, sys, xml.etree.ElementTree as ET
def el(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": e.text or "", "children": [el(c) for c in e]}
print(json.dumps(el(ET.fromstring(sys.stdin.buffer.read()))))
`;

/** Parses XML with Python's expat (strict: it refuses anything not well-formed); throws with its complaint. */
export function parseXml(xml: string): XmlElement {
  const r = spawnSync("python3", ["-c", PY_XML], { input: xml, encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`not well-formed XML: ${r.stderr}`);
  return JSON.parse(r.stdout) as XmlElement;
}

export interface Annotation {
  command: string;
  properties: Record<string, string>;
  message: string;
}

// The runner's unescaping (%25 last, so "%250A" stays "%0A" text).
const unescapeData = (s: string) => s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
const unescapeProperty = (s: string) => s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%3A", ":").replaceAll("%2C", ",").replaceAll("%25", "%");

/** A workflow command line (`::error k=v,k=v::message`) as the Actions runner reads it; undefined for other lines. */
export function parseWorkflowCommand(line: string): Annotation | undefined {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescapeData(match[3]!) };
}
