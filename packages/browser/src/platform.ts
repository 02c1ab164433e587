import type { FetchLike, WebSocketConstructorLike } from "@byor/client";

// The browser features this package uses, typed structurally: its tsconfig has neither lib "dom" nor Node's types,
// so the real objects fit and tests can pass small fakes.

/** An EventTarget as far as the page watcher uses it. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
}

interface Globals {
  WebSocket?: WebSocketConstructorLike;
  fetch?: FetchLike;
  document?: EventTargetLike & { visibilityState?: string };
  navigator?: { onLine?: boolean };
  addEventListener?: EventTargetLike["addEventListener"];
  removeEventListener?: EventTargetLike["removeEventListener"];
}

/** The platform's globals, looked up on each call (tests stub them). */
export const globals = (): Globals => globalThis as unknown as Globals;
