// The Chromium that the console's end-to-end tests drive through playwright-core (which downloads no browser). Found
// on this machine, else installed: Debian's package with apt-get (as root), else the headless Chromium shipped inside
// the npm package @sparticuz/chromium, unpacked into .cache/ with the libraries and fonts it ships. Never a silent
// skip: when no browser can be had, the error says what was tried and why each way failed.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliDecompressSync } from "node:zlib";

const repo = resolve(import.meta.dirname, "..");

/** The npm fallback, pinned: the newest release whose `engines` allow Node 20 (148 and later want Node 22). */
export const NPM_CHROMIUM = "@sparticuz/chromium@147.0.0";
const NPM_DIR = join(repo, ".cache/chromium-npm");
/** The launcher written after unpacking: sets the library and font paths, then runs the binary. */
const NPM_LAUNCHER = join(NPM_DIR, "147.0.0/chrome");

const ON_PATH = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const FIXED = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

const which = (name: string): string | undefined => {
  const found = spawnSync("which", [name], { encoding: "utf8" });
  return (found.status === 0 && found.stdout.trim()) || undefined;
};

/**
 * Its `--version` line, or why it does not run. Existing is not enough: Ubuntu's `chromium-browser` is a pointer to a
 * snap that containers cannot run.
 */
function probe(path: string): { version: string } | { error: string } {
  const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const version = run.stdout?.trim().split("\n").pop()?.trim();
  if (run.status === 0 && version) return { version };
  const why = run.error?.message ?? (run.stderr?.trim().split("\n").slice(-2).join(" ") || `exit ${run.status ?? run.signal}`);
  return { error: `${path} --version failed: ${why}` };
}

export interface FoundChromium {
  path: string;
  version: string;
  /** Where it came from: this machine, just installed with apt-get, or the npm package. */
  source: "system" | "apt" | "npm";
}

let cached: FoundChromium | undefined;

/**
 * A Chromium to drive, installing one when the machine has none. `BYOR_CHROMIUM` overrides the search: a path to an
 * executable, or `npm` for the build shipped in @sparticuz/chromium (the same browser on every Linux x64 machine).
 */
export function ensureChromium(): FoundChromium {
  if (cached) return cached;
  const tried: string[] = [];
  const choice = process.env.BYOR_CHROMIUM;
  if (choice && choice !== "npm") {
    const result = probe(choice);
    if ("error" in result) throw new Error(`BYOR_CHROMIUM=${choice} cannot be run: ${result.error}`);
    return (cached = { path: choice, version: result.version, source: "system" });
  }
  if (choice !== "npm") {
    const found = systemChromium(tried);
    if (found) return (cached = found);
    const installed = aptChromium(tried);
    if (installed) return (cached = installed);
  }
  const shipped = npmChromium(tried);
  if (shipped) return (cached = shipped);
  throw new Error(`no Chromium for the console's end-to-end tests:\n${tried.map((t) => `  - ${t}`).join("\n")}`);
}

function systemChromium(tried: string[]): FoundChromium | undefined {
  const candidates = [...new Set([...FIXED.filter((p) => existsSync(p)), ...ON_PATH.map(which).filter((p): p is string => !!p)])];
  for (const path of candidates) {
    const result = probe(path);
    if ("version" in result) return { path, version: result.version, source: "system" };
    tried.push(result.error);
  }
  if (candidates.length === 0) tried.push(`none on this machine (looked for ${ON_PATH.join(", ")} on PATH and in /usr/bin, and the macOS apps)`);
  return undefined;
}

/** Debian's `chromium` package (plus a font), as root where apt-get exists; `apt-get update` first when lists are stale. */
function aptChromium(tried: string[]): FoundChromium | undefined {
  if (process.platform !== "linux" || !which("apt-get")) return void tried.push("apt-get: not on this machine");
  if (process.getuid?.() !== 0) return void tried.push("apt-get: not root, so not run (as root: apt-get install chromium)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    });
  console.error("chromium: installing Debian's chromium package (apt-get install chromium)…");
  let result = install();
  if (result.status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "pipe"] });
    result = install();
  }
  if (result.status !== 0)
    return void tried.push(`apt-get install chromium failed (exit ${result.status}): ${result.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const path = which("chromium") ?? "/usr/bin/chromium";
  const probed = probe(path);
  if ("error" in probed) return void tried.push(`installed with apt-get, but ${probed.error}`);
  return { path, version: probed.version, source: "apt" };
}

/**
 * @sparticuz/chromium ships a headless Chromium for Linux x64 as brotli archives: the binary, the NSS libraries it
 * links, fonts, SwiftShader. Installed with npm into .cache/ once, unpacked next to a launcher that points the
 * dynamic linker and fontconfig at them (the machine's own fonts stay visible).
 */
function npmChromium(tried: string[]): FoundChromium | undefined {
  if (process.platform !== "linux" || process.arch !== "x64")
    return void tried.push(`${NPM_CHROMIUM}: ships Linux x64 only (this is ${process.platform} ${process.arch})`);
  if (!existsSync(NPM_LAUNCHER)) {
    const pkg = join(NPM_DIR, "node_modules/@sparticuz/chromium/bin");
    if (!existsSync(join(pkg, "chromium.br"))) {
      console.error(`chromium: installing ${NPM_CHROMIUM} from npm into .cache/chromium-npm (about 65 MB)…`);
      mkdirSync(NPM_DIR, { recursive: true });
      const npm = spawnSync(
        "npm",
        ["install", "--prefix", NPM_DIR, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", NPM_CHROMIUM],
        {
          encoding: "utf8",
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      if (npm.status !== 0 || !existsSync(join(pkg, "chromium.br"))) {
        return void tried.push(
          `npm install ${NPM_CHROMIUM} failed (exit ${npm.status ?? npm.error?.message}): ${npm.stderr?.trim().split("\n").slice(-3).join(" ")}`,
        );
      }
    }
    try {
      unpack(pkg, join(NPM_DIR, "147.0.0"));
    } catch (err) {
      return void tried.push(`unpacking ${NPM_CHROMIUM} failed: ${(err as Error).message}`);
    }
  }
  const probed = probe(NPM_LAUNCHER);
  if ("error" in probed) return void tried.push(`${NPM_CHROMIUM}: ${probed.error}`);
  return { path: NPM_LAUNCHER, version: probed.version, source: "npm" };
}

function unpack(from: string, to: string): void {
  const staging = `${to}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "chromium"), brotliDecompressSync(readFileSync(join(from, "chromium.br"))), { mode: 0o755 });
  // lib/ holds libnss3, libnspr4 and the rest the binary links; fonts/ a font and a fonts.conf made for Lambda.
  for (const archive of ["al2023.tar.br", "fonts.tar.br", "swiftshader.tar.br"]) {
    const tar = spawnSync("tar", ["-x", "--no-same-owner", "-C", staging], {
      input: brotliDecompressSync(readFileSync(join(from, archive))),
      stdio: ["pipe", "ignore", "pipe"],
    });
    if (tar.status !== 0) throw new Error(`tar -x ${archive}: ${tar.stderr?.toString().trim() || `exit ${tar.status}`}`);
  }
  writeFileSync(
    join(staging, "fonts.conf"),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${to}/fonts</dir>\n  <cachedir>${to}/fonts-cache</cachedir>\n</fontconfig>\n`,
  );
  const launcher = [
    "#!/bin/sh",
    `# Written by scripts/chromium.ts: ${NPM_CHROMIUM}'s headless Chromium with the libraries and fonts it ships.`,
    `LD_LIBRARY_PATH="${to}/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" FONTCONFIG_FILE="${to}/fonts.conf" exec "${to}/chromium" "$@"`,
    "",
  ].join("\n");
  writeFileSync(join(staging, "chrome"), launcher);
  chmodSync(join(staging, "chrome"), 0o755);
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
}
