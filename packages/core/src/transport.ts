import type { Disposable } from "./disposable.js";

/** How a connection ended: the WebSocket close code and reason (1006 when it dropped without a close frame). */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * The whole seam between the core and a socket: adapters (ws, the browser's WebSocket, the in-memory pair)
 * implement this and nothing else. Text frames only; adapters decode binary frames to text.
 */
export interface Transport {
  /** Sends one text frame. Adapters drop frames sent after close. */
  send(text: string): void;
  /** Closes the connection; `onClose` listeners then run once. */
  close(code: number, reason: string): void;
  onMessage(listener: (text: string) => void): Disposable;
  /** Runs once, when the connection is closed by either side or lost. */
  onClose(listener: (close: CloseInfo) => void): Disposable;
  /**
   * Optional: a sign of life that carries no message, such as a WebSocket protocol ping or pong. Adapters that can
   * see those implement it; heartbeat watchdogs count it like a frame (App Server runtimes ping only this way).
   */
  onActivity?(listener: () => void): Disposable;
}
