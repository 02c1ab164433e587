import { WebSocket, type ClientOptions } from "ws";

export type Json = Record<string, unknown> & { type: string };

/** A WebSocket client that records what it receives and can wait for a frame. */
export class TestSocket {
  readonly received: Json[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      this.received.push(JSON.parse(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString()) as Json);
      for (const wake of [...this.#waiters]) wake();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("error", () => {});
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first received frame (from index `from` on) that matches, waiting up to `timeoutMs`. */
  async next(match: (frame: Json) => boolean, { timeoutMs = 5_000, from = 0 } = {}): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; received: ${this.received.map((f) => f.type).join(", ")}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  ofType(type: string): Json[] {
    return this.received.filter((f) => f.type === type);
  }

  close(code = 1000, reason = ""): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    return this.closed;
  }
}

/** Opens a socket; resolves when open, or rejects with the HTTP status of a refused upgrade. */
export function connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<TestSocket> {
  const { protocols, ...rest } = options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols ?? [], rest);
    const socket = new TestSocket(ws);
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once("error", (error) => reject(error));
  });
}

/** The HTTP status a refused upgrade got. */
export async function refusedStatus(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<{ status: number; body: string }> {
  try {
    const socket = await connect(url, options);
    await socket.close();
  } catch (error) {
    const e = error as { status?: number; body?: string };
    if (e.status !== undefined) return { status: e.status, body: e.body ?? "" };
    throw error;
  }
  throw new Error(`upgrade to ${url} was accepted`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true. */
export async function until(check: () => boolean, { timeoutMs = 5_000, what = "condition" } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
