import type { AssembledMessage, AssembledToolCall } from "@byor/browser";
import { append, h, prettyJson } from "./dom.js";
import { errorHint } from "./error-messages.js";

const TOOL_STATUS: Record<AssembledToolCall["status"], string> = {
  requested: "requested",
  pending_approval: "waiting for approval",
  running: "running",
  success: "done",
  error: "failed",
  cancelled: "cancelled",
};

/** One assembled message as an element; rebuilt whenever the assembler hands out a new version of it. */
export function renderMessage(message: AssembledMessage): HTMLElement {
  const el = h("article", { class: `msg msg-${message.kind}`, "data-kind": message.kind, "data-key": message.key });
  switch (message.kind) {
    case "user":
      append(el, [h("div", { class: "who" }, "you"), h("div", { class: "text" }, message.text)]);
      break;
    case "assistant":
      append(el, [h("div", { class: "who" }, "assistant"), h("div", { class: "text" }, message.text)]);
      break;
    case "reasoning":
      append(el, [h("details", { class: "reasoning", open: true }, h("summary", {}, "reasoning"), h("div", { class: "text" }, message.text))]);
      break;
    case "hidden_reasoning":
      append(el, [h("div", { class: "note" }, `reasoning ${message.state}`)]);
      break;
    case "system":
    case "summary":
      append(el, [h("div", { class: "who" }, message.kind), h("div", { class: "text" }, message.text)]);
      break;
    case "tool_call":
      append(el, [renderToolCall(message)]);
      break;
    case "error":
      append(el, [
        h("div", { class: "who" }, "error"),
        h("div", { class: "text" }, message.message),
        message.detail ? h("pre", { class: "detail" }, message.detail) : null,
        hint(message.message),
      ]);
      break;
    case "loop_error":
      append(el, [
        h("div", { class: "who" }, `loop error · ${message.stopReason}${message.isTerminal ? " · terminal" : ""}`),
        h("div", { class: "text" }, message.message),
        message.detail ? h("details", {}, h("summary", {}, "details"), h("pre", { class: "detail" }, message.detail)) : null,
        hint(message.message),
      ]);
      break;
    case "status":
      append(el, [h("div", { class: "note" }, `${message.level}: ${message.message}`)]);
      break;
    case "stop":
      append(el, [h("div", { class: "note" }, `stopped: ${message.stopReason}`)]);
      break;
    case "retry":
      append(el, [
        h("div", { class: "note" }, `retrying (${message.attempt}/${message.maxAttempts}, ${Math.round(message.delayMs / 1000)}s): ${message.message}`),
      ]);
      break;
    case "event":
      append(el, [h("div", { class: "note" }, `event: ${message.eventType}`)]);
      break;
    case "command":
      append(el, [
        h("div", { class: "who" }, `${message.slash ? "slash command" : "command"} · ${message.status}`),
        h("pre", { class: "args" }, message.input),
        message.output ? h("pre", { class: "output" }, message.output) : null,
      ]);
      break;
  }
  return el;
}

function hint(text: string): HTMLElement | null {
  const what = errorHint(text);
  return what ? h("div", { class: "hint" }, what) : null;
}

function renderToolCall(call: AssembledToolCall): HTMLElement {
  const auto = call.approval?.state === "auto_allowed" ? " · auto-allowed" : call.approval?.state === "auto_denied" ? " · auto-denied" : "";
  const output = call.result ? [call.result.output, ...(call.result.stderr ?? [])].filter(Boolean).join("\n") : "";
  return h(
    "div",
    { class: `tool tool-${call.status}`, "data-tool-call-id": call.toolCallId },
    h(
      "div",
      { class: "tool-head" },
      h("span", { class: "tool-name" }, call.name || "tool"),
      h("span", { class: `chip chip-${call.status}` }, `${TOOL_STATUS[call.status]}${auto}`),
    ),
    call.arguments ? h("pre", { class: "args" }, prettyJson(call.arguments)) : null,
    call.result
      ? h(
          "div",
          { class: `tool-result result-${call.result.status}` },
          h("div", { class: "who" }, call.result.status === "success" ? "returned" : "returned an error"),
          h("pre", { class: "output" }, output || "(no output)"),
        )
      : null,
  );
}
