import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { chunksOf, type Scenario, type ScenarioTurn } from "./scenario.js";

/** A tool call the model makes. */
export interface ModelToolCall {
  /** Defaults to `call_<n>`. */
  id?: string;
  name: string;
  /** An object (sent as JSON) or the raw JSON text. Streamed in a few pieces, like real models do. */
  arguments: Record<string, unknown> | string;
}

/** One scripted answer to one `POST /v1/chat/completions`. */
export interface ModelReply {
  /** Reasoning chunks, streamed as `delta.reasoning_content` before the text. */
  reasoning?: string | readonly string[];
  /** Content chunks, one SSE event each. */
  text?: string | readonly string[];
  toolCalls?: readonly ModelToolCall[];
  /** Pause before each chunk, in ms. A large value makes a slow stream, for abort tests. */
  chunkDelayMs?: number;
  /**
   * Answer with this HTTP error instead (OpenAI error body; `type` defaults to invalid_request_error for 4xx and
   * server_error for 5xx). The real runtime retries 5xx and server_error bodies (3 retries per call, and the run
   * again: 16 calls in ~35 s), but fails at once on a 4xx invalid_request_error such as 401.
   */
  error?: { status: number; message?: string; type?: string; code?: string };
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Keep the stream open after the last chunk until the client goes away or the server closes. */
  stall?: boolean;
  /** Usage reported at the end of a stream (when the request asked for it) and in non-streamed answers. */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface ChatCompletionRequest {
  model?: string;
  messages?: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  stream?: boolean;
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** A request the model server received. `stream` tells what became of a streamed answer. */
export interface RecordedModelRequest {
  method: string;
  /** Path without the mount prefix, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ChatCompletionRequest | undefined;
  at: number;
  /** For chat completions: the index of the reply it got (0-based). */
  replyIndex?: number;
  stream?: { chunksSent: number; completed: boolean; clientClosed: boolean };
}

export type ReplySource = readonly ModelReply[] | ((request: ChatCompletionRequest, index: number) => ModelReply | Promise<ModelReply>);

export interface ScriptedModelOptions {
  /** 0 (default) picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Mount point, e.g. "/llm" to serve `/llm/v1/...` as the runtime expects in observed-runtime.md. Default "". */
  prefix?: string;
  /** Model ids listed by `GET /v1/models`. Default `["scripted-model"]`. */
  models?: readonly string[];
  /** A queue of replies (consumed in order), or a function of the request. */
  replies?: ReplySource;
  /** Shorthand for `replies: scenarioToModelReplies(scenario)`. */
  scenario?: Scenario;
  /** Answer once the queue is empty. Default: the text "No scripted reply left." */
  fallback?: ModelReply;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /**
   * Requests kept in `requests` (the oldest go first). Default: all, as tests inspect them; a long-running model
   * (`byor serve --demo`) keeps a few, so its memory does not grow with every turn.
   */
  maxRecorded?: number;
}

export interface ScriptedModel {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The OpenAI base URL: `http://127.0.0.1:<port><prefix>/v1`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: readonly RecordedModelRequest[];
  /** Chat completion requests only. */
  readonly completions: readonly RecordedModelRequest[];
  /** Appends replies to the queue (when `replies` is a queue or absent). */
  enqueue(...replies: ModelReply[]): void;
  /** Replies still queued. */
  readonly pending: number;
  /** Calls `listener` for each request as it arrives; returns a function that removes it. */
  onRequest(listener: (request: RecordedModelRequest) => void): () => void;
  close(): Promise<void>;
}

/** Flattens a scenario into the model calls the real runtime makes: one per turn, plus one after each tool call. */
export function scenarioToModelReplies(scenario: Scenario): ModelReply[] {
  const replies: ModelReply[] = [];
  let callCount = 0;
  const add = (turn: ScenarioTurn) => {
    if (turn.error) {
      replies.push({ error: { status: turn.error.status ?? 401, message: turn.error.message } });
      return;
    }
    const reply: ModelReply = {};
    if (turn.reasoning !== undefined) reply.reasoning = turn.reasoning;
    if (turn.text !== undefined) reply.text = turn.text;
    if (turn.chunkDelayMs !== undefined) reply.chunkDelayMs = turn.chunkDelayMs;
    if (turn.toolCall) {
      callCount++;
      reply.toolCalls = [{ id: turn.toolCall.id ?? `call_${callCount}`, name: turn.toolCall.name, arguments: turn.toolCall.input }];
    }
    replies.push(reply);
    if (turn.toolCall) add(turn.then ?? { text: "" });
  };
  for (const turn of scenario.turns) add(turn);
  return replies;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/** Splits JSON text into about three pieces, the way providers stream tool arguments. */
function pieces(text: string): string[] {
  if (text.length < 6) return [text];
  const step = Math.ceil(text.length / 3);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(text.slice(i, i + step));
  return out;
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 whose answers are scripted per test. Point the real
 * runtime at it with `connect_provider` (`provider_id: "openai-compatible"`, `fields.baseUrl: model.baseUrl`).
 */
export async function createScriptedModel(options: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  const models = options.models ?? ["scripted-model"];
  const fallback: ModelReply = options.fallback ?? { text: "No scripted reply left." };
  const source = options.replies ?? (options.scenario ? scenarioToModelReplies(options.scenario) : []);
  const queue: ModelReply[] = typeof source === "function" ? [] : [...source];
  const replyFn = typeof source === "function" ? source : undefined;
  const requests: RecordedModelRequest[] = [];
  const listeners = new Set<(request: RecordedModelRequest) => void>();
  const openResponses = new Set<ServerResponse>();
  let completionCount = 0;
  let toolCallCount = 0;

  async function pickReply(body: ChatCompletionRequest, index: number): Promise<ModelReply> {
    if (replyFn) return replyFn(body, index);
    return queue.shift() ?? fallback;
  }

  async function completions(req: IncomingMessage, res: ServerResponse, record: RecordedModelRequest): Promise<void> {
    const body = record.body ?? {};
    const index = completionCount++;
    record.replyIndex = index;
    const reply = await pickReply(body, index);
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    if (reply.error) {
      const { status, message = "Scripted error", type = status < 500 ? "invalid_request_error" : "server_error", code } = reply.error;
      sendJson(res, status, { error: { message, type, code: code ?? null, param: null } });
      return;
    }
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === "string" ? body.model : models[0];
    const toolCalls = (reply.toolCalls ?? []).map((call) => ({
      id: call.id ?? `call_${++toolCallCount}`,
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    }));
    const text = chunksOf(reply.text);
    const reasoning = chunksOf(reply.reasoning);
    const finishReason = toolCalls.length ? "tool_calls" : "stop";
    const usage = reply.usage ?? { prompt_tokens: 10, completion_tokens: Math.max(1, text.length + toolCalls.length) };
    const usageBody = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };

    if (!body.stream) {
      const message: Record<string, unknown> = { role: "assistant", content: text.length ? text.join("") : null };
      if (reasoning.length) message.reasoning_content = reasoning.join("");
      if (toolCalls.length) {
        message.tool_calls = toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
      }
      sendJson(res, 200, { id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: finishReason }], usage: usageBody });
      return;
    }

    const stream = { chunksSent: 0, completed: false, clientClosed: false };
    record.stream = stream;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    openResponses.add(res);
    res.on("close", () => {
      openResponses.delete(res);
      if (!stream.completed) stream.clientClosed = true;
    });
    const alive = () => !res.destroyed && !res.writableEnded;
    const delay = reply.chunkDelayMs ?? 0;
    const send = async (delta: Record<string, unknown>, finish: string | null = null, extra?: Record<string, unknown>) => {
      if (delay > 0) await sleep(delay);
      if (!alive()) return false;
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
      );
      stream.chunksSent++;
      return true;
    };

    if (!(await send({ role: "assistant", content: "" }))) return;
    for (const piece of reasoning) if (!(await send({ reasoning_content: piece }))) return;
    for (const piece of text) if (!(await send({ content: piece }))) return;
    for (const [i, call] of toolCalls.entries()) {
      if (!(await send({ tool_calls: [{ index: i, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }))) return;
      for (const part of pieces(call.arguments)) {
        if (!(await send({ tool_calls: [{ index: i, function: { arguments: part } }] }))) return;
      }
    }
    if (!(await send({}, finishReason))) return;
    if (body.stream_options?.include_usage && alive()) {
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usageBody })}\n\n`);
    }
    if (reply.stall) return; // left open; closed by the client or by close()
    if (!alive()) return;
    res.write("data: [DONE]\n\n");
    stream.completed = true;
    res.end();
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = await readBody(req);
      let body: ChatCompletionRequest | undefined;
      try {
        body = raw ? (JSON.parse(raw) as ChatCompletionRequest) : undefined;
      } catch {
        body = undefined;
      }
      const path = prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
      const record: RecordedModelRequest = { method: req.method ?? "GET", path, headers: req.headers, body, at: Date.now() };
      requests.push(record);
      if (options.maxRecorded !== undefined && requests.length > Math.max(0, options.maxRecorded))
        requests.splice(0, requests.length - Math.max(0, options.maxRecorded));
      for (const listener of listeners) listener(record);

      if (prefix && !url.pathname.startsWith(prefix)) return sendJson(res, 404, { error: { message: "Not found", type: "invalid_request_error" } });
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendJson(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
      }
      if (req.method === "GET" && path === "/v1/models") {
        return sendJson(res, 200, { object: "list", data: models.map((m) => ({ id: m, object: "model", created: 0, owned_by: "byor-testing" })) });
      }
      if (req.method === "POST" && path === "/v1/chat/completions") {
        if (raw && body === undefined) return sendJson(res, 400, { error: { message: "Invalid JSON body", type: "invalid_request_error" } });
        return completions(req, res, record);
      }
      sendJson(res, 404, { error: { message: `Unknown route ${req.method} ${path}`, type: "invalid_request_error" } });
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), type: "server_error" } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseUrl: `${url}${prefix}/v1`,
    port,
    requests,
    get completions() {
      return requests.filter((r) => r.path === "/v1/chat/completions");
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    get pending() {
      return queue.length;
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const res of openResponses) res.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
