// The generated public types: names a person chose (schema titles), and content typed as precisely as the wire.
// The expectTypeOf lines are checked by `tsc -p tsconfig.test.json` (the package's typecheck).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type {
  LettaAssistantMessage,
  LettaContentPart,
  LettaImageContent,
  LettaMessageContent,
  LettaTextContent,
  LettaToolReturnMessage,
  LettaUserMessage,
  QueueMessage,
  StreamDelta,
} from "../src/index.js";
import { repoRoot, schemaEntries } from "./corpus.js";

const typesFile = readFileSync(join(repoRoot, "packages/protocol/src/generated/types.ts"), "utf8");
const exported = [...typesFile.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1]!);

describe("generated type names", () => {
  it("are schema titles or the unions and maps codegen adds; none is numbered", () => {
    const titles = new Set(schemaEntries().map((e) => e.json.title));
    const added = [
      "RuntimeCommand",
      "RuntimeEvent",
      "CommandTypeMap",
      "EventTypeMap",
      "AppFrame",
      "ServerFrame",
      "AppFrameTypeMap",
      "ServerFrameTypeMap",
      "ResponseTypeMap",
      "EnvelopedEvent",
    ];
    expect(exported.length).toBeGreaterThan(300);
    expect(exported.filter((name) => /\d$/.test(name))).toEqual([]);
    expect(exported.filter((name) => !titles.has(name) && !added.includes(name))).toEqual([]);
    expect(new Set(exported).size).toBe(exported.length);
  });
});

/** What a reader of content does: the text of its text parts, narrowed by `type`. */
function textOf(content: LettaMessageContent): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "image" && part.source.type === "base64") text += `[${part.source.media_type} image]`;
  }
  return text;
}

describe("content types", () => {
  it("are the part unions the wire carries", () => {
    expectTypeOf<LettaAssistantMessage["content"]>().toEqualTypeOf<string | LettaTextContent[]>();
    expectTypeOf<LettaUserMessage["content"]>().toEqualTypeOf<LettaMessageContent>();
    expectTypeOf<QueueMessage["content"]>().toEqualTypeOf<LettaMessageContent>();
    expectTypeOf<LettaMessageContent>().toEqualTypeOf<string | LettaContentPart[]>();
    type ToolResult = NonNullable<LettaToolReturnMessage["tool_returns"]>[number]["tool_return"];
    expectTypeOf<ToolResult>().toEqualTypeOf<string | (LettaTextContent | LettaImageContent)[]>();
    expectTypeOf<LettaContentPart["type"]>().toEqualTypeOf<
      "text" | "image" | "tool_call" | "tool_return" | "reasoning" | "redacted_reasoning" | "omitted_reasoning"
    >();
    expect(
      textOf([
        { type: "text", text: "see " },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } },
      ]),
    ).toBe("see [image/png image]");
  });

  it("narrow a stream delta by message_type down to typed content", () => {
    const delta = {
      type: "message",
      message_type: "assistant_message",
      id: "m-1",
      date: "2026-11-27T15:00:00.000Z",
      content: [{ type: "text", text: "hi" }],
    } satisfies StreamDelta;
    const read = (d: StreamDelta) =>
      d.message_type === "assistant_message" ? (typeof d.content === "string" ? d.content : d.content.map((p) => p.text).join("")) : "";
    expect(read(delta)).toBe("hi");
  });
});
