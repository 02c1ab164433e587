import type { Logger } from "./logger.js";

/**
 * Failures caused by what a peer sent, logged at most once per interval and kind, with a count of the ones not
 * logged in between: a peer that triggers the same fault on every frame costs one line, not a flood.
 */
export class FaultLog {
  readonly #last = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `kind` groups faults (e.g. "app frame"); `what` is this one's line. */
  report(kind: string, what: string, error: unknown): void {
    const now = this.now();
    const last = this.#last.get(kind);
    if (last && now - last.at < this.intervalMs) {
      last.skipped++;
      return;
    }
    const skipped = last?.skipped ?? 0;
    this.#last.set(kind, { at: now, skipped: 0 });
    const more = skipped > 0 ? ` (${skipped} more ${kind} faults since the last line)` : "";
    this.logger.error(`${what}: ${describeError(error)}${more}`);
  }
}

/** An exception as one short line: its name and message, never a whole (possibly huge) value. */
export function describeError(error: unknown): string {
  try {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    return "an unprintable exception";
  }
}
