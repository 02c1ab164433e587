import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Answers a WebSocket upgrade with a plain HTTP error instead of accepting it: the only refusal the runtime
 * handles well (a failed attempt, retried with backoff), where an accepted-then-closed socket (1008) makes it
 * re-register in a tight loop. Browsers see a failed connection.
 */
export function refuseUpgrade(socket: Duplex, status: number, body: { error: string; message: string }, headers: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(text)}`,
    "Cache-Control: no-store",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${text}`);
  // Do not wait for a peer that never reads.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
