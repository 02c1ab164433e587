import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeEvent, type RuntimeEvent } from "@byor/protocol";

const dir = resolve(import.meta.dirname, "../../../../fixtures/real-runtime-0.32.18");

/** The frames the real runtime sent in one captured scenario, decoded (they are all valid). */
export function realFrames(scenario: string): RuntimeEvent[] {
  return readFileSync(resolve(dir, `${scenario}.runtime-to-server.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const result = decodeEvent(line);
      if (!result.ok) throw result.error;
      return result.message;
    });
}

/** The first real frame of a type, as a template. */
export function realFrame<T extends RuntimeEvent["type"]>(scenario: string, type: T): Extract<RuntimeEvent, { type: T }> {
  const frame = realFrames(scenario).find((f) => f.type === type);
  if (!frame) throw new Error(`no ${type} in ${scenario}`);
  return structuredClone(frame) as Extract<RuntimeEvent, { type: T }>;
}
