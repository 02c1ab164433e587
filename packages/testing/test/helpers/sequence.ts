// Frames → comparable labels: the message type, plus the delta kind, loop status or stop reason that matters.

type Frame = Record<string, unknown>;

export function label(frame: Frame): string {
  const type = String(frame.type);
  const delta = frame.delta as { message_type?: string; is_terminal?: boolean } | undefined;
  if (type === "stream_delta" && delta)
    return `stream_delta:${delta.message_type}${delta.message_type === "loop_error" ? (delta.is_terminal ? "(terminal)" : "") : ""}`;
  if (type === "update_loop_status") return `update_loop_status:${(frame.loop_status as { status: string }).status}`;
  if (type === "turn_finished") return `turn_finished:${frame.stop_reason}`;
  if (type === "input_accepted") return `input_accepted${frame.accepted === false ? "(refused)" : frame.disposition ? `:${frame.disposition}` : ""}`;
  if (type === "abort_message_response") return `abort_message_response:${frame.aborted ? "aborted" : "idle"}`;
  return type;
}

export const labels = (frames: readonly Frame[]) => frames.map(label);

/** Frames from the first one matching `start` (inclusive) up to the first one matching `end` after it (inclusive). */
export function between(frames: readonly Frame[], start: (f: Frame) => boolean, end: (f: Frame) => boolean): Frame[] {
  const i = frames.findIndex(start);
  if (i < 0) return [];
  const j = frames.findIndex((f, k) => k > i && end(f));
  return frames.slice(i, j < 0 ? undefined : j + 1);
}
