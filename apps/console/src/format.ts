// Text the console shows for ids, times and queued inputs. No DOM here, so the unit tests run it in Node.

/** `<kind prefix><8 hex>-<4>-<4>-<4>-<12 hex>`: the ids Letta gives agents (`agent-local-…`), devices, runs. */
const UUID_ID = /^(.*?)([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id short enough for a list and still telling two apart: the kind prefix and the first block of a uuid
 * (`agent-local-e8272d17…`), since agents of one runtime share everything before it. Short ids stay whole; other
 * long ids keep their start and end. Show the full id beside it (title, copy).
 */
export function readableId(id: string): string {
  const uuid = UUID_ID.exec(id);
  if (uuid) return `${uuid[1]}${uuid[2]}…`;
  return id.length > 28 ? `${id.slice(0, 16)}…${id.slice(-8)}` : id;
}

/** A short device id: `7c1e5a90…4a5b`. */
export const shortId = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** How long ago: `just now`, `46s ago`, `3m ago`, `2h ago`, `5d ago`; empty for a missing or invalid time. */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** The runtime card's connection line: when an online runtime connected, or when an offline one was last seen. */
export function presence(
  info: { online: boolean; connected_at?: string | null; last_seen_at?: string | null },
  now = Date.now(),
): { label: string; value: string } {
  if (info.online) return { label: "connected", value: timeAgo(info.connected_at, now) || "—" };
  return { label: "last seen", value: timeAgo(info.last_seen_at, now) || "—" };
}

/** The text of a message content (a string, or Letta content parts). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : ""))
    .join("");
}
