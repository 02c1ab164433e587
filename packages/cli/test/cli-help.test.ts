import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import * as serve from "../src/commands/serve.js";
import * as validate from "../src/commands/validate.js";
import { GLOBAL_OPTIONS } from "../src/main.js";
import { byor, launcher } from "./byor.js";

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8")) as { version: string };

/** Does `help` name this option as an option (`--dial` is not found inside `--dial-name`)? */
const names = (help: string, flag: string) => new RegExp(`(^|[\\s\\[,(|])${flag.replace(/[-]/g, "\\-")}(?![\\w-])`, "m").test(help);

// Every option each command's parser takes: the tables their parseArgs calls are given.
const COMMANDS = { serve: serve.OPTIONS, validate: validate.OPTIONS } as const;

describe("byor --version", () => {
  it("prints the version in package.json, from dist/bin.js and from the committed bin/byor.js launcher", () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const entry of [undefined, launcher]) {
      for (const flag of ["--version", "-v"]) {
        const r = byor([flag], undefined, { ...(entry ? { entry } : {}), cwd: "/" });
        expect(r).toEqual({ code: 0, out: `${pkg.version}\n`, err: "" });
      }
    }
  });

  it("is the same through the package's CommonJS entry (the version is inlined, no package.json read at run time)", async () => {
    const { run } = createRequire(import.meta.url)("../dist/index.cjs") as typeof import("../src/index.js");
    let out = "";
    const code = await run(["--version"], { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: () => true }, stdin: new PassThrough() });
    expect({ code, out }).toEqual({ code: 0, out: `${pkg.version}\n` });
    expect(readFileSync(resolve(import.meta.dirname, "../dist/index.cjs"), "utf8")).not.toMatch(/(require\(|readFileSync\(|import\()[^)]*package\.json/);
  });
});

describe("byor --help", () => {
  const full = byor(["--help"]);

  it("lists every command with a summary, and the global options", () => {
    expect(full.code).toBe(0);
    expect(full.err).toBe("");
    const commands = /\nCommands:\n((?: {2}\S+ +.+\n)+)/.exec(full.out)?.[1];
    expect(
      commands
        ?.split("\n")
        .filter(Boolean)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(Object.keys(COMMANDS));
    for (const o of GLOBAL_OPTIONS) {
      expect(names(full.out, `--${o.name}`), o.name).toBe(true);
      if (o.short) expect(names(full.out, `-${o.short}`), o.short).toBe(true);
    }
  });

  it("prints each command's own help in full: every option its parser takes, serve's included", () => {
    for (const [command, options] of Object.entries(COMMANDS)) {
      const own = byor([command, "--help"]);
      expect(own.code).toBe(0);
      expect(full.out).toContain(`── byor ${command} ──\n\n${own.out}`);
      expect(Object.keys(options).length).toBeGreaterThan(3);
      for (const name of Object.keys(options)) {
        // Every command takes --help: the usage says so once ("byor <command> --help"), a command's help need not.
        if (name !== "help") expect(names(own.out, `--${name}`), `byor ${command} --help names --${name}`).toBe(true);
        expect(names(full.out, `--${name}`), `byor --help names --${name}`).toBe(true);
      }
    }
  });

  it("names the short forms of validate's options, its directions and its formats", () => {
    const help = byor(["validate", "--help"]).out;
    for (const o of Object.values(validate.OPTIONS)) if (o.short) expect(names(help, `-${o.short}`)).toBe(true);
    for (const d of ["event", "command", "app", "server", "any"]) expect(help).toMatch(new RegExp(`\\n {2}${d} +\\S`));
    for (const f of ["text", "json", "junit", "github"]) expect(help).toMatch(new RegExp(`\\n {2}${f} +\\S`));
  });

  it("answers `byor help <command>` like `byor <command> --help`, and -h like --help", () => {
    expect(byor(["help", "validate"]).out).toBe(byor(["validate", "--help"]).out);
    expect(byor(["-h"]).out).toBe(full.out);
    expect(byor(["help"]).out).toBe(full.out);
    expect(byor(["validate", "-h"]).out).toBe(byor(["validate", "--help"]).out);
  });

  it("exits 2 with the usage on stderr when there is no command, or an unknown one", () => {
    const none = byor([]);
    expect(none.code).toBe(2);
    expect(none.out).toBe("");
    expect(none.err).toMatch(/^Usage: byor <command>/);
    expect(none.err).toContain('Run "byor --help" for every command\'s options.');
    const unknown = byor(["nonsense"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^byor: unknown command "nonsense"\n\nUsage: byor <command>/);
    expect(byor(["--bogus"]).err).toMatch(/^byor: unknown option "--bogus"/);
    expect(byor(["help", "nonsense"]).code).toBe(2);
    expect(byor(["constructor"]).code).toBe(2);
  });
});
