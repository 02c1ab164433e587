import { describe, expect, it } from "vitest";
import { TransportListeners } from "../src/transport-listeners.js";

describe("TransportListeners", () => {
  it("delivers to the listeners present when a frame arrives, not to one added while it is handled", () => {
    const listeners = new TransportListeners();
    const got: string[] = [];
    listeners.onMessage((text) => {
      got.push(`first ${text}`);
      listeners.onMessage((t) => got.push(`late ${t}`));
    });
    listeners.message("a");
    expect(got).toEqual(["first a"]);
  });

  it("reports the close once, then drops every listener and ignores new ones", () => {
    const listeners = new TransportListeners();
    const closes: number[] = [];
    const messages: string[] = [];
    listeners.onClose((c) => closes.push(c.code));
    listeners.onMessage((t) => messages.push(t));
    expect(listeners.close({ code: 1006, reason: "" })).toBe(true);
    expect(listeners.close({ code: 1000, reason: "" })).toBe(false);
    listeners.onClose((c) => closes.push(c.code));
    listeners.message("after");
    expect(closes).toEqual([1006]);
    expect(messages).toEqual([]);
    expect(listeners.closed).toBe(true);
  });

  it("stops delivering to a disposed listener", () => {
    const listeners = new TransportListeners();
    const got: string[] = [];
    listeners.onMessage((t) => got.push(t)).dispose();
    listeners.message("a");
    expect(got).toEqual([]);
  });
});
