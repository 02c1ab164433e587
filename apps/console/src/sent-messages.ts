import type { AssembledMessage } from "@byor/browser";

/** The assembled conversation with the user's own messages put back where they were sent (unless echoed). */
export function withSent(messages: readonly AssembledMessage[], sent: readonly { at: number; message: AssembledMessage }[]): readonly AssembledMessage[] {
  if (!sent.length) return messages;
  const echoed = new Set(messages.flatMap((m) => (m.kind === "user" && m.otid ? [m.otid] : [])));
  const pending = sent.filter((entry) => !echoed.has(entry.message.id));
  const out: AssembledMessage[] = [];
  let next = 0;
  messages.forEach((message, i) => {
    while (next < pending.length && pending[next]!.at <= i) out.push(pending[next++]!.message);
    out.push(message);
  });
  while (next < pending.length) out.push(pending[next++]!.message);
  return out;
}
