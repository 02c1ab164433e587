// `byor serve` for the console tests: the real CLI as a child process (scripts/byor-serve.ts), on 127.0.0.1.
import { startServe as startByorServe, type ServeProcess } from "../../../../scripts/byor-serve.js";

export type Served = ServeProcess;

/**
 * Port 0 lets the system pick; a restart passes the port the first run got. `demo` adds --demo (a scripted model);
 * `args` are more options (e.g. `--runtime-token`, `--tokens-file`).
 */
export const startServe = (options: { token: string; port?: number; demo?: boolean; args?: string[] }): Promise<Served> =>
  startByorServe([
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port ?? 0),
    "--token",
    options.token,
    ...(options.demo ? ["--demo"] : []),
    ...(options.args ?? []),
  ]);
