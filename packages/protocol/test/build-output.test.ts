import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const dist = resolve(import.meta.dirname, "../dist");

describe("the built package", () => {
  const esm = readdirSync(dist).filter((f) => f.endsWith(".js"));
  it("has an ESM build", () => expect(esm).toContain("validators.js"));
  it.each(esm)("%s: no require(), eval or new Function (strict CSPs, native ESM)", (file) => {
    const code = readFileSync(join(dist, file), "utf8");
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/\beval\s*\(/);
    expect(code).not.toMatch(/new\s+Function\b/);
  });
});
