/** Where the server writes what happens. Lines are for people; every line passes through `redact` first. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** One line per message with a time and level, e.g. `15:04:05 warn  unknown request GET /v1/agents`. */
export function streamLogger(stream: { write(text: string): unknown }): Logger {
  const line = (level: string) => (message: string) => {
    const time = new Date().toISOString().slice(11, 19);
    stream.write(`${time} ${level.padEnd(5)} ${message}\n`);
  };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

/** Secrets removed: the token wherever it appears, and any `token=` query value (someone else's wrong token too). */
export function redact(text: string, token: string | undefined): string {
  let out = text.replace(/([?&]token=)[^&#\s"']*/gi, "$1***");
  if (token) out = out.split(token).join("***");
  return out;
}

/** A logger that redacts before writing. The server only ever logs through one of these. */
export function redactingLogger(inner: Logger, token: string): Logger {
  return {
    info: (m) => inner.info(redact(m, token)),
    warn: (m) => inner.warn(redact(m, token)),
    error: (m) => inner.error(redact(m, token)),
  };
}
