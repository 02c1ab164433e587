import type { IncomingMessage, ServerResponse } from "node:http";

/** Writes a JSON answer. `no-store`: nothing here (tokens, runtime lists) belongs in a cache. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/**
 * A JSON error. The runtime shows `message` (or `error`) when it gives up, so `message` says what to do.
 * Shape: `{ error: "<code>", message: "<sentence>", issues?: [...] }`.
 */
export function sendError(res: ServerResponse, status: number, error: string, message: string, extra: Record<string, unknown> = {}): void {
  const headers: Record<string, string> = {};
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="byor"';
  // The runtime honours Retry-After on 429/5xx.
  if (status === 503) headers["retry-after"] = "5";
  sendJson(res, status, { error, message, ...extra }, headers);
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads and parses a JSON request body of at most `limit` bytes. Throws a BodyError to answer with. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    throw new BodyError(415, "unsupported_media_type", `expected content-type application/json, got ${type}`);
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new BodyError(413, "payload_too_large", `request body is larger than ${limit} bytes`);
  // Events rather than for-await: leaving a for-await early destroys the socket before the 413 can be written.
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.resume(); // discard the rest
      reject(new BodyError(413, "payload_too_large", `request body is larger than ${limit} bytes`));
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
  const text = body.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BodyError(400, "invalid_json", `request body is not valid JSON: ${(err as Error).message}`);
  }
}
