import { createWriteStream, type WriteStream } from "node:fs";
import type { AuditRecord } from "@byor/hub";

/**
 * Where the audit log goes: a file path (JSON lines, appended, created 0600), anything with a `write(line)` (a
 * stream), or a function that gets each record.
 */
export type AuditLogTarget = string | { write(line: string): unknown } | ((record: AuditRecord) => void);

/** The audit log's writer: one JSON line per record; `close` ends a file the server opened. */
export interface AuditLog {
  write(record: AuditRecord): void;
  close(): Promise<void>;
}

/** `onError`: a failing file (disk full, removed directory) is reported, not thrown at the app that sent a frame. */
export function openAuditLog(target: AuditLogTarget, onError: (error: Error) => void): AuditLog {
  if (typeof target === "function") return { write: target, close: async () => {} };
  if (typeof target === "string") {
    const stream: WriteStream = createWriteStream(target, { flags: "a", mode: 0o600 });
    stream.on("error", onError);
    return {
      write: (record) => void stream.write(`${JSON.stringify(record)}\n`),
      close: () =>
        new Promise<void>((resolve) => {
          if (stream.destroyed) return resolve();
          stream.once("error", () => resolve());
          stream.end(() => resolve());
        }),
    };
  }
  if (typeof target?.write !== "function") throw new TypeError("auditLog must be a file path, a writable (with write(line)), or a function");
  return { write: (record) => void target.write(`${JSON.stringify(record)}\n`), close: async () => {} };
}
