// Small pieces the real-runtime tests share: the scripted model's answers chosen by a marker in the user's message
// (or, for a continuation, by the tool call it follows), and readers of the runtime's stream_delta frames.
import type { ChatCompletionRequest, ModelReply } from "../../src/scripted-model.js";

/**
 * A reply function for createScriptedModel: `#marker` keys answer a user message containing the marker,
 * `tool:<call id>` keys answer the model call that follows that tool's result. A retried or extra model call
 * cannot shift the script; anything unscripted gets a 400 saying so.
 */
export function markerReplies(replies: Record<string, ModelReply>): (request: ChatCompletionRequest) => ModelReply {
  return (request) => {
    const last = request.messages?.at(-1);
    if (last?.role === "tool")
      return replies[`tool:${last.tool_call_id}`] ?? { error: { status: 400, message: `no script for tool call ${last.tool_call_id}` } };
    const text = JSON.stringify(last?.content ?? "");
    const marker = Object.keys(replies).find((key) => key.startsWith("#") && text.includes(key));
    return marker ? replies[marker]! : { error: { status: 400, message: `no script for ${text.slice(-80)}` } };
  };
}

export type Delta = {
  message_type?: string;
  content?: unknown;
  tool_call_id?: string;
  status?: string;
  tool_return?: string;
  message?: string;
  run_id?: string;
};

/** The delta of a stream_delta frame (decoded event or raw JSON). */
export const deltaOf = (frame: { type: string; delta?: unknown }): Delta | undefined => (frame.type === "stream_delta" ? (frame.delta as Delta) : undefined);
export const isDelta =
  (kind: string) =>
  (frame: { type: string; delta?: unknown }): boolean =>
    deltaOf(frame)?.message_type === kind;
/** The text of a delta: a string, or the joined text parts of `[{ type: "text", text }]`. */
export const textOf = (delta: Delta | undefined): string =>
  typeof delta?.content === "string"
    ? delta.content
    : Array.isArray(delta?.content)
      ? (delta.content as { text?: string }[]).map((p) => p.text ?? "").join("")
      : "";
