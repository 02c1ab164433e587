// The browser entry point where there is no browser: what a caller is told when the platform lacks a WebSocket,
// or has one that cannot send the headers an App Server with --ws-auth needs.
import { describe, expect, it } from "vitest";
import * as browserEntry from "../src/browser.js";

const TOKEN = "client-test-token_0123";

describe("the browser entry outside a browser", () => {
  it("with no WebSocket anywhere, says what to pass", () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect(() => browserEntry.connectClient({ url: "http://127.0.0.1:1", token: TOKEN })).toThrow(
        /no WebSocket implementation found: pass the `WebSocket` option/,
      );
      expect(() => browserEntry.connectAppServer({ url: "ws://127.0.0.1:1" })).toThrow(/no WebSocket implementation found/);
    } finally {
      if (saved) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });

  it("refuses App Server auth with a WebSocket that cannot send headers", () => {
    class PageSocket {}
    (globalThis as { WebSocket?: unknown }).WebSocket ??= PageSocket;
    try {
      expect(() => browserEntry.connectAppServer({ url: "ws://127.0.0.1:1", auth: { token: "t" } })).toThrow(
        /cannot send the Authorization header.*byor serve --dial/,
      );
    } finally {
      if ((globalThis as { WebSocket?: unknown }).WebSocket === PageSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
    }
  });
});
