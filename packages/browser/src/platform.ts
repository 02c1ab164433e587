// The browser features this package uses, typed structurally: its tsconfig has neither lib "dom" nor Node's types,
// so the real objects fit and tests can pass small fakes.

/** What the adapter needs of a WebSocket; the browser's (and Node 22's global) WebSocket fits. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** WebSocket.OPEN. */
export const OPEN = 1;

export interface FetchResponseLike {
  readonly status: number;
}

/** What the token check needs of `fetch`. */
export type FetchLike = (
  url: string,
  init: { method: "GET"; headers: Record<string, string>; cache: "no-store"; credentials: "omit"; signal?: unknown },
) => Promise<FetchResponseLike>;

/** An EventTarget as far as the page watcher uses it. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
}

/** The parts of a WHATWG URL used here. */
export interface UrlLike {
  protocol: string;
  hostname: string;
  pathname: string;
  search: string;
  hash: string;
  readonly href: string;
  readonly searchParams: { set(name: string, value: string): void };
}

interface Globals {
  URL: new (url: string, base?: string) => UrlLike;
  WebSocket?: WebSocketConstructorLike;
  fetch?: FetchLike;
  location?: { origin?: string; href?: string };
  document?: EventTargetLike & { visibilityState?: string };
  navigator?: { onLine?: boolean };
  addEventListener?: EventTargetLike["addEventListener"];
  removeEventListener?: EventTargetLike["removeEventListener"];
  TextDecoder?: new () => { decode(input: ArrayBuffer | Uint8Array): string };
}

/** The platform's globals, looked up on each call (tests stub them). */
export const globals = (): Globals => globalThis as unknown as Globals;
