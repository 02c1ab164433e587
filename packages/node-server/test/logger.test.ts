import { describe, expect, it } from "vitest";
import { redact } from "../src/index.js";
import { escapeControl, redactingLogger } from "../src/logger.js";

const TOKEN = "s3cr3t-T0ken_value";
const percent = (text: string, upper = false) => [...text].map((c) => `%${c.charCodeAt(0).toString(16)[upper ? "toUpperCase" : "toLowerCase"]()}`).join("");

describe("redact", () => {
  it("the token in every form a decoder turns into it", () => {
    for (const line of [
      `GET /byor/v1/runtimes?token=${TOKEN}`,
      `GET /byor/v1/runtimes?%74oken=${percent(TOKEN)}`,
      `GET /byor/v1/runtimes?%74%6F%6B%65%6E=${percent(TOKEN, true)}`,
      `GET /x?a=1&TOKEN=${TOKEN.slice(0, 3)}${percent(TOKEN.slice(3))}`,
      `GET /x?Token=${TOKEN}&b=2`,
      `offered byor.token.${TOKEN}`,
      `authorization: Bearer ${TOKEN}`,
      `just the token ${TOKEN} in a sentence`,
      `half encoded ${TOKEN.slice(0, 5)}${percent(TOKEN.slice(5), true)}`,
    ]) {
      const out = redact(line, TOKEN);
      expect(out).not.toContain(TOKEN);
      expect(decodeURIComponent(out)).not.toContain(TOKEN);
      expect(out).toContain("***");
    }
  });

  it("someone else's (wrong) token too, and nothing else", () => {
    expect(redact("GET /x?%54oKeN=wrong-one&q=keep", TOKEN)).toBe("GET /x?%54oKeN=***&q=keep");
    expect(redact("offered byor.v1, byor.token.wrong", TOKEN)).toBe("offered byor.v1, byor.token.***");
    expect(redact("Bearer wrong", TOKEN)).toBe("Bearer ***");
    expect(redact("GET /v1/health?x=1 → 200", TOKEN)).toBe("GET /v1/health?x=1 → 200");
  });
});

describe("escapeControl", () => {
  it("newlines, carriage returns, ANSI escapes, C1 controls, line separators and bidi overrides become visible", () => {
    expect(escapeControl("a\nb\rc\u001b[31md\u0085e\u2028f\u202eg\th")).toBe("a\\x0ab\\x0dc\\x1b[31md\\x85e\\u2028f\\u202eg\\x09h");
    expect(escapeControl("plain – text ✓")).toBe("plain – text ✓");
  });

  it("the server's logger escapes and redacts every line, and survives a logger that throws", () => {
    const lines: string[] = [];
    const logger = redactingLogger(
      {
        info: (m) => void lines.push(m),
        warn: () => {
          throw new Error("disk full");
        },
        error: (m) => void lines.push(m),
      },
      TOKEN,
    );
    logger.info(`runtime registered (linux\n00:00:00 error forged ${TOKEN})`);
    expect(() => logger.warn("lost")).not.toThrow();
    expect(lines).toEqual(["runtime registered (linux\\x0a00:00:00 error forged ***)"]);
  });
});
