import type { AssembledMessage, ConnectionStatus } from "@byor/browser";
import { ByorError } from "@byor/browser";
import { describe, expect, it } from "vitest";
import { connectionLabel, isRevoked } from "../src/connection-label.js";
import { withSent } from "../src/sent-messages.js";

const assistant = (key: string, text: string): AssembledMessage => ({ key, id: key, kind: "assistant", text });
const user = (id: string, text: string) => ({ key: `local-${id}`, id, kind: "user" as const, text, content: text, otid: id });

describe("the user's own messages", () => {
  it("go back where they were sent, before the turn they started", () => {
    const a = assistant("a", "first answer");
    const b = assistant("b", "second answer");
    const q1 = user("cm-1", "first question");
    const q2 = user("cm-2", "second question");
    expect(
      withSent(
        [a, b],
        [
          { at: 0, message: q1 },
          { at: 1, message: q2 },
        ],
      ).map((m) => m.key),
    ).toEqual(["local-cm-1", "a", "local-cm-2", "b"]);
    expect(withSent([a], [{ at: 1, message: q2 }]).map((m) => m.key)).toEqual(["a", "local-cm-2"]);
  });

  it("are not shown twice when the runtime echoes them (a queued input)", () => {
    const echo: AssembledMessage = { key: "u", id: "user-msg-1", kind: "user", text: "q", content: "q", otid: "cm-1" };
    expect(withSent([echo], [{ at: 0, message: user("cm-1", "q") }]).map((m) => m.key)).toEqual(["u"]);
  });
});

describe("the connection badge", () => {
  const label = (status: ConnectionStatus) => connectionLabel(status, 10_000);
  it("names the four states", () => {
    expect(label({ phase: "connecting", attempt: 0 })).toMatchObject({ state: "connecting", text: "connecting…" });
    expect(label({ phase: "live", resumed: false, since: 0 })).toMatchObject({ state: "live", text: "live" });
    expect(label({ phase: "live", resumed: true, since: 0 })).toMatchObject({ state: "resumed", text: "resumed" });
    expect(label({ phase: "waiting", attempt: 2, retryAt: 12_500, lastError: "server unreachable" })).toMatchObject({
      state: "offline",
      detail: "retrying in 3s · server unreachable",
      canRetry: true,
    });
    expect(label({ phase: "paused", reason: "hidden", attempt: 1 })).toMatchObject({ state: "offline", detail: "paused while the tab is hidden" });
  });

  it("tells a wrong token apart", () => {
    expect(label({ phase: "closed", error: new ByorError("unauthorized", "the server refused the token") })).toMatchObject({
      state: "error",
      text: "wrong token",
      detail: "the server refused the token",
    });
    expect(label({ phase: "closed" })).toMatchObject({ state: "closed" });
  });

  it("tells a revoked token (the server closed with 4401) from a wrong one", () => {
    const revoked: ConnectionStatus = {
      phase: "closed",
      close: { code: 4401, reason: "Credentials revoked" },
      error: new ByorError("connection_closed", "gave up reconnecting: not reconnecting after 4401 Credentials revoked"),
    };
    expect(isRevoked(revoked)).toBe(true);
    expect(label(revoked)).toMatchObject({
      state: "error",
      text: "token revoked",
      detail: "the server no longer accepts this token (4401 Credentials revoked)",
      canRetry: false,
    });
    // Refused at the upgrade: the client's own unauthorized error, also with 4401.
    const wrong: ConnectionStatus = {
      phase: "closed",
      close: { code: 4401, reason: "Unauthorized" },
      error: new ByorError("unauthorized", "the server refused the token"),
    };
    expect(isRevoked(wrong)).toBe(false);
    expect(label(wrong)).toMatchObject({ text: "wrong token" });
    expect(isRevoked({ phase: "closed", close: { code: 1000, reason: "" } })).toBe(false);
  });

  it("shows a role change (1012) as reconnecting, not offline", () => {
    expect(label({ phase: "waiting", attempt: 1, retryAt: 10_400, lastClose: { code: 1012, reason: "Credentials changed" } })).toMatchObject({
      state: "connecting",
      text: "reconnecting…",
      detail: "your access changed: reconnecting with the new role",
    });
    expect(label({ phase: "waiting", attempt: 1, retryAt: 10_400, lastClose: { code: 1006, reason: "" } })).toMatchObject({ state: "offline" });
  });
});
