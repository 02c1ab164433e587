import type { AssembledMessage } from "@byor/browser";

type ErrorMessage = Extract<AssembledMessage, { kind: "error" | "loop_error" }>;

const isError = (message: AssembledMessage): message is ErrorMessage => message.kind === "error" || message.kind === "loop_error";

/**
 * One failure, told once. The runtime reports a failed model call three times: a `loop_error` (not terminal), an
 * `error_message` and, after turn_finished, a terminal `loop_error`, all of one run and with the same text. They
 * collapse into one entry at the place of the first, showing the latest (the terminal one: the final stop reason).
 * Errors without a run collapse only when nothing but stops came between them. The input array comes back as is when
 * nothing collapsed, so a list that renders by identity re-renders nothing.
 */
export function collapseRepeatedErrors(messages: readonly AssembledMessage[]): readonly AssembledMessage[] {
  let out: AssembledMessage[] | undefined;
  const placeOf = new Map<string, number>();
  let lastAnonymous: { key: string; index: number } | undefined;
  messages.forEach((message, i) => {
    const index = out ? out.length : i;
    if (!isError(message)) {
      if (message.kind !== "stop") lastAnonymous = undefined;
      out?.push(message);
      return;
    }
    const key = message.runId !== undefined ? `${message.runId}\u0000${message.message}` : undefined;
    const earlier = key !== undefined ? placeOf.get(key) : lastAnonymous && lastAnonymous.key === message.message ? lastAnonymous.index : undefined;
    if (earlier !== undefined) {
      out ??= messages.slice(0, i);
      out[earlier] = message;
      return;
    }
    if (key !== undefined) placeOf.set(key, index);
    else lastAnonymous = { key: message.message, index };
    out?.push(message);
  });
  return out ?? messages;
}

/** What to do about an error the console can help with: a model the runtime cannot reach yet. */
export function errorHint(text: string): string | undefined {
  if (/provider is not configured|no api key|api key (is )?(missing|required)|incorrect api key|invalid api key|unauthorized/i.test(text)) {
    return "Connect a model provider for this runtime (sidebar: Model provider), pick a model, then create an agent with it or use it for this conversation.";
  }
  if (/model not found|unknown model/i.test(text)) return "Pick one of the runtime's models (sidebar: Model) and use it for this conversation.";
  return undefined;
}
