/** Where the hub writes what happens: one line per call, for people. The server's logger redacts and escapes. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
