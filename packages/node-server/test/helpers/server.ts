import { ByorServer, type ByorServerOptions, type Logger } from "../../src/index.js";
import { connect, type TestSocket } from "./sockets.js";

export const TOKEN = "test-token-0123456789";

/** A logger that keeps every line, to assert on (and to check the token never shows). */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
  };
}

/** A server on a free port of 127.0.0.1, with a known token and a capturing logger. */
export async function startServer(options: ByorServerOptions = {}) {
  const logger = captureLogger();
  const server = await new ByorServer({ port: 0, token: TOKEN, logger, ...options }).listen();
  const base = server.url;
  const ws = base.replace(/^http/, "ws");
  return {
    server,
    logger,
    base,
    clientUrl: `${ws}/byor/v1/client`,
    /** An app on the client endpoint, authenticated with the header. */
    app: (headers: Record<string, string> = {}): Promise<TestSocket> =>
      connect(`${ws}/byor/v1/client`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } }),
  };
}
