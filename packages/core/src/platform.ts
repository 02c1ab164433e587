// The few platform features the core uses, typed structurally: the core's tsconfig has neither lib "dom" nor
// Node's types (so nothing platform-specific can creep in), and users pass their platform's real objects.

/** What the core needs of an AbortSignal; a real AbortSignal (Node or browser) fits. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Runs `callback` in a microtask (after the current call stack), as a socket would deliver a frame. */
export const queueMicrotask = (callback: () => void): void => (globalThis as unknown as { queueMicrotask(cb: () => void): void }).queueMicrotask(callback);
