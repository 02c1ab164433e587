// The ESM and CJS builds are two copies of every class: an app that loads both (its own code imports, a dependency
// requires) must still recognise a ByorError made by either.
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

type Protocol = typeof import("../src/index.js");
const dist = resolve(import.meta.dirname, "../dist");
const esm = (await import(pathToFileURL(resolve(dist, "index.js")).href)) as Protocol;
const cjs = createRequire(import.meta.url)(resolve(dist, "index.cjs")) as Protocol;

describe("ByorError across the ESM and CJS builds", () => {
  it("loads two distinct copies of the class", () => {
    expect(esm.ByorError).not.toBe(cjs.ByorError);
  });

  it("isByorError accepts an error of the other copy, in both directions, and still checks the code", () => {
    const fromCjs = new cjs.ByorError("invalid_json", "from the CJS build");
    const fromEsm = new esm.ByorError("unauthorized", "from the ESM build");
    expect(esm.isByorError(fromCjs)).toBe(true);
    expect(esm.isByorError(fromCjs, "invalid_json")).toBe(true);
    expect(esm.isByorError(fromCjs, "unauthorized")).toBe(false);
    expect(cjs.isByorError(fromEsm)).toBe(true);
    expect(cjs.isByorError(fromEsm, "unauthorized")).toBe(true);
  });

  it("accepts subclasses from the other copy: a DecodeError from decoding", () => {
    const decoded = cjs.decodeEvent("{not json");
    expect(decoded.ok).toBe(false);
    const error = decoded.ok ? undefined : decoded.error;
    expect(error).toBeInstanceOf(cjs.DecodeError);
    expect(esm.isByorError(error)).toBe(true);
    expect(esm.isByorError(error, "invalid_json")).toBe(true);
  });

  it("refuses look-alikes: plain errors, objects with the same name and code, primitives, null-prototype objects", () => {
    const lookAlikes = [new Error("x"), { name: "ByorError", code: "invalid_json", message: "x" }, Object.create(null), null, undefined, "ByorError", 42];
    for (const value of lookAlikes) {
      expect(esm.isByorError(value)).toBe(false);
      expect(cjs.isByorError(value)).toBe(false);
    }
  });

  it("keeps the brand out of what an error serialises to", () => {
    const error = new esm.ByorError("rate_limited", "slow down");
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: "ByorError", code: "rate_limited" });
  });
});
