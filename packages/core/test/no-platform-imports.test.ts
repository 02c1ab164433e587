import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// @byor/core runs in Node, browsers and workers alike. Its tsconfig has no "dom" lib and no Node types, so
// platform globals do not typecheck; this test also pins what it may import, in source and in the build.
const root = resolve(import.meta.dirname, "..");
const ALLOWED = /^(\.\.?\/|@byor\/protocol$)/;
const importsOf = (code: string) =>
  [...code.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );

describe("@byor/core has no platform dependency", () => {
  const sources = readdirSync(join(root, "src")).filter((f) => f.endsWith(".ts"));
  it.each(sources)("src/%s imports only relative modules and @byor/protocol", (file) => {
    const code = readFileSync(join(root, "src", file), "utf8");
    expect(importsOf(code).filter((spec) => !ALLOWED.test(spec))).toEqual([]);
    expect(code).not.toMatch(/\b(process|Buffer|window|document|navigator|localStorage)\s*[.[]/);
  });

  it("its build imports nothing but @byor/protocol", () => {
    for (const file of ["index.js", "index.cjs"]) {
      const code = readFileSync(join(root, "dist", file), "utf8");
      expect(
        importsOf(code).filter((spec) => !ALLOWED.test(spec)),
        file,
      ).toEqual([]);
    }
  });
});
