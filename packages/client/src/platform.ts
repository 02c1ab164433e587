// The WebSocket and the few globals this package uses, typed structurally: the browser's WebSocket, Node 22's
// global one and the `ws` package all fit, and tests can pass small fakes.

/** What the adapter needs of a WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /**
   * Node's `ws` only: its events beyond the browser's. Used, when present, to see protocol pings (life) and the
   * HTTP status of a refused upgrade, which a browser never shows a page.
   */
  on?(event: string, listener: (...args: never[]) => void): unknown;
  off?(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * A WebSocket constructor. The third argument is `ws`'s options (`{ headers }`); a browser's constructor takes two
 * and cannot send headers.
 */
export type WebSocketConstructorLike = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike;

/** WebSocket.OPEN. */
export const OPEN = 1;

/** The parts of a WHATWG URL used here. */
export interface UrlLike {
  protocol: string;
  hostname: string;
  pathname: string;
  search: string;
  hash: string;
  username: string;
  password: string;
  readonly href: string;
  readonly searchParams: { set(name: string, value: string): void };
}

interface Globals {
  URL: new (url: string, base?: string) => UrlLike;
  WebSocket?: WebSocketConstructorLike;
  location?: { origin?: string; href?: string };
  TextDecoder?: new () => { decode(input: ArrayBuffer | Uint8Array): string };
  TextEncoder?: new () => { encode(input: string): Uint8Array };
  crypto?: { subtle?: SubtleLike };
  btoa?: (data: string) => string;
}

/** What HS256 signing needs of WebCrypto. */
export interface SubtleLike {
  importKey(format: "raw", key: Uint8Array, algorithm: { name: "HMAC"; hash: "SHA-256" }, extractable: false, usages: ["sign"]): Promise<unknown>;
  sign(algorithm: "HMAC", key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

/** The platform's globals, looked up on each call (tests stub them). */
export const globals = (): Globals => globalThis as unknown as Globals;
