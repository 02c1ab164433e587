// What a consumer of the published packages gets. Packs every public package under packages/ (pnpm pack, as
// `pnpm publish` would), installs the tarballs into a fresh project outside the repo (workspace dependencies from
// the tarballs too), and checks:
// - the tarballs: metadata, LICENSE, README links that work on npm, no sources embedded in source maps, one copy of
//   the validators per module format, types that import only what the package depends on (`@types/*` included);
// - TypeScript: a file importing every entry point compiles (strict, skipLibCheck off) with no @types of its own,
//   under moduleResolution node16 (ESM and CJS), node10 and bundler, and the packages that must run without Node
//   also with the DOM's types and none of Node's;
// - Node: every entry point loads with import() and require(), a ByorError from the CJS build passes the ESM build's
//   isByorError, and the byor bin runs.
// Prints each package's packed and unpacked size. Usage: tsx scripts/pack-check.ts [--tarballs DIR] [--keep]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readTarball, type TarballFile } from "./tarball.js";

const ROOT = resolve(import.meta.dirname, "..");
const started = Date.now();
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const keep = args.includes("--keep");

/** Packages that must run without Node (web pages, workers): their types must not need Node's. */
const PAGE_PACKAGES = new Set(["@byor/protocol", "@byor/core", "@byor/client", "@byor/hub", "@byor/browser"]);
/** Packages for pages only, left out of the Node consumer (their types use the DOM's). */
const PAGE_ONLY = new Set(["@byor/browser"]);

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  author?: unknown;
  homepage?: string;
  keywords?: string[];
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface Packed {
  manifest: Manifest;
  tarball: string;
  files: TarballFile[];
  /** Its folder in the repo, e.g. `packages/core`. */
  dir: string;
}

const problems: string[] = [];
const fail = (what: string) => problems.push(what);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`; // as npm reports sizes

const workDir = mkdtempSync(join(tmpdir(), "byor-pack-check-"));
process.on("exit", () => keep || rmSync(workDir, { recursive: true, force: true }));
const pnpm = process.env.npm_execpath?.includes("pnpm") ? [process.execPath, process.env.npm_execpath] : ["npx", "-y", "pnpm@10"];

/** The workspace's public packages, by name → folder. */
const workspace = new Map<string, string>();
for (const entry of readdirSync(join(ROOT, "packages"))) {
  const file = join(ROOT, "packages", entry, "package.json");
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  if (!manifest.private) workspace.set(manifest.name, `packages/${entry}`);
}

// 1. Pack (or take the tarballs given, e.g. an older build's, to compare).
let tarballDir = option("--tarballs");
if (!tarballDir) {
  tarballDir = join(workDir, "tarballs");
  const packed = spawnSync(pnpm[0]!, [...pnpm.slice(1), "-r", "--filter", "./packages/*", "pack", "--pack-destination", tarballDir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (packed.status !== 0) {
    console.error(packed.stdout, packed.stderr);
    throw new Error("pnpm pack failed");
  }
}
const packages: Packed[] = readdirSync(tarballDir)
  .filter((f) => f.endsWith(".tgz"))
  .map((f) => {
    const tarball = resolve(tarballDir, f);
    const files = readTarball(tarball);
    const manifestFile = files.find((x) => x.path === "package.json");
    if (!manifestFile) throw new Error(`${f}: no package.json`);
    const manifest = JSON.parse(manifestFile.data.toString("utf8")) as Manifest;
    return { manifest, tarball, files, dir: workspace.get(manifest.name) ?? "?" };
  })
  .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
const missing = [...workspace.keys()].filter((name) => !packages.some((p) => p.manifest.name === name));
if (missing.length) fail(`no tarball for ${missing.join(", ")}`);

// 2. The tarballs themselves.
const repoUrls = new Set<string>();
for (const { manifest: m, files, dir } of packages) {
  const has = (path: string) => files.some((f) => f.path === path);
  for (const path of ["LICENSE", "README.md"]) if (!has(path)) fail(`${m.name}: no ${path} in the tarball`);
  if (m.license !== "MIT") fail(`${m.name}: license is ${m.license}, not MIT`);
  if (!m.author) fail(`${m.name}: no author`);
  if (!m.homepage?.startsWith("https://")) fail(`${m.name}: no homepage`);
  if (!m.bugs?.url?.startsWith("https://")) fail(`${m.name}: no bugs.url`);
  if (!m.keywords?.length) fail(`${m.name}: no keywords`);
  if (!m.repository?.url || m.repository.directory !== dir) fail(`${m.name}: repository must name the repo and directory "${dir}"`);
  const repo = m.repository?.url?.replace(/^git\+/, "").replace(/\.git$/, "");
  if (repo) repoUrls.add(repo);
  for (const [field, url] of [
    ["homepage", m.homepage],
    ["bugs.url", m.bugs?.url],
  ]) {
    if (repo && url && !url.startsWith(`${repo}/`) && url !== repo) fail(`${m.name}: ${field} (${url}) is not in the repository ${repo}`);
  }

  const readme = files.find((f) => f.path === "README.md")?.data.toString("utf8") ?? "";
  const links = [...readme.matchAll(/\]\(([^)\s]+)[^)]*\)|^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((x) => x[1] ?? x[2] ?? "");
  const relative = links.filter((href) => !/^(https?:|mailto:|#)/.test(href));
  if (relative.length) fail(`${m.name}: README links that break on npm (make them absolute): ${relative.join(", ")}`);

  const stray = files.filter((f) => /^(src|test|scripts)\//.test(f.path) || /(^|\/)tsconfig[^/]*\.json$/.test(f.path));
  if (stray.length) fail(`${m.name}: ships development files (${stray.map((f) => f.path).join(", ")}); see "files"`);
  for (const f of files) {
    if (f.path.endsWith(".map")) {
      const map = JSON.parse(f.data.toString("utf8")) as { sourcesContent?: (string | null)[] };
      if (map.sourcesContent?.some((s) => s !== null)) fail(`${m.name}: ${f.path} embeds its sources (${kb(f.size)})`);
    }
    if (/\.(c|m)?js$/.test(f.path)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(f.data.toString("utf8"))?.[1];
      const target = url && !url.startsWith("data:") ? join(f.path, "..", url) : undefined;
      if (target && !has(target)) fail(`${m.name}: ${f.path} points at ${target}, which is not in the tarball`);
    }
  }

  // Generated validators carry ajv's error literals (`schemaPath: "…"`): one file per module format holds them.
  // The console page inside @byor/node-server (dist/console) is a bundled web app, served, never imported.
  const copies = { esm: [] as string[], cjs: [] as string[] };
  for (const f of files.filter((x) => !(m.name === "@byor/node-server" && x.path.startsWith("dist/console/")))) {
    const format = f.path.endsWith(".cjs") ? "cjs" : /\.m?js$/.test(f.path) ? "esm" : undefined;
    if (format && /schemaPath:\s*"/.test(f.data.toString("utf8"))) copies[format].push(f.path);
  }
  for (const [format, where] of Object.entries(copies)) {
    if (m.name !== "@byor/protocol" && where.length) fail(`${m.name}: bundles validators (${where.join(", ")}); keep @byor/protocol external`);
    else if (where.length > 1) fail(`${m.name}: ${where.length} copies of the validators in ${format} (${where.join(", ")})`);
  }
}
if (repoUrls.size > 1) fail(`packages name different repositories: ${[...repoUrls].join(", ")}`);

console.log("package             packed      unpacked     files");
for (const { manifest, tarball, files } of packages) {
  const unpacked = files.reduce((sum, f) => sum + f.size, 0);
  const packedSize = readFileSync(tarball).length;
  console.log(`${manifest.name.padEnd(20)}${kb(packedSize).padStart(10)}${kb(unpacked).padStart(14)}${String(files.length).padStart(10)}`);
}

// 3. A fresh project outside the repo, with nothing but the tarballs.
const consumer = join(workDir, "consumer");
mkdirSync(consumer, { recursive: true });
const fromTarballs = Object.fromEntries(packages.map((p) => [p.manifest.name, `file:${p.tarball}`]));
writeFileSync(
  join(consumer, "package.json"),
  // overrides: the packages' dependencies on each other resolve to the tarballs too, never to the registry.
  JSON.stringify(
    {
      name: "byor-pack-check",
      private: true,
      dependencies: fromTarballs,
      overrides: Object.fromEntries(packages.map((p) => [p.manifest.name, `$${p.manifest.name}`])),
    },
    null,
    2,
  ),
);
const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", "--loglevel=error"], {
  cwd: consumer,
  encoding: "utf8",
});
if (install.status !== 0) {
  console.error(install.stdout, install.stderr);
  throw new Error("npm install of the tarballs failed");
}
const installedAt = Date.now();

// 4. Types import only what the package declares (a consumer may have nothing else installed).
const builtins = new Set(builtinModules);
const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
const shipsTypes = (name: string): boolean => {
  const dir = join(consumer, "node_modules", name);
  const m = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { types?: string; typings?: string; exports?: unknown };
  return Boolean(m.types || m.typings || JSON.stringify(m.exports ?? {}).includes('"types"') || existsSync(join(dir, "index.d.ts")));
};
const typesPackage = (name: string) => `@types/${name.replace(/^@/, "").replace("/", "__")}`;
for (const { manifest: m, files } of packages) {
  const declared = { ...m.dependencies, ...m.peerDependencies };
  const needs = new Map<string, string>();
  for (const f of files.filter((x) => /\.d\.[cm]?ts$/.test(x.path))) {
    const code = f.data
      .toString("utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/(?!\/ <reference).*$/gm, "");
    const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|<reference types=)["']([^"'.][^"']*)["']/g)].map((x) => x[1]!);
    if (/\bBuffer\b|\bNodeJS\./.test(code)) needs.set("@types/node", `${f.path} uses Node's globals`);
    for (const specifier of specifiers) {
      const name = packageName(specifier);
      if (name === m.name) continue;
      if (specifier.startsWith("node:") || builtins.has(specifier)) needs.set("@types/node", `${f.path} imports ${specifier}`);
      else if (!declared[name]) needs.set(name, `${f.path} imports ${specifier}`);
      else if (!shipsTypes(name)) needs.set(typesPackage(name), `${f.path} imports ${specifier}, which has no types of its own`);
    }
  }
  for (const [dep, why] of needs) if (!declared[dep]) fail(`${m.name}: ${why}; add ${dep} to its dependencies`);
}

// 5. TypeScript consumers.
const entryPoints = (m: Manifest) =>
  Object.keys(m.exports ?? { ".": null })
    .filter((key) => key !== "./package.json" && !key.includes("*"))
    .map((key) => (key === "." ? m.name : `${m.name}/${key.slice(2)}`));
const nodeSpecifiers = packages.filter((p) => !PAGE_ONLY.has(p.manifest.name)).flatMap((p) => entryPoints(p.manifest));
const pageSpecifiers = packages.filter((p) => PAGE_PACKAGES.has(p.manifest.name)).flatMap((p) => entryPoints(p.manifest));
const source = (specifiers: string[]) =>
  [
    `import * as protocol from "@byor/protocol";`,
    ...specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`),
    `export const modules: object[] = [${specifiers.map((_, i) => `m${i}`).join(", ")}];`,
    // A value typed by the declarations, not only their presence.
    `export const refused: boolean = protocol.isByorError(new protocol.ByorError("unauthorized", "pack-check"), "unauthorized");`,
    "",
  ].join("\n");
for (const file of ["node.mts", "node.cts", "node.ts"]) writeFileSync(join(consumer, file), source(nodeSpecifiers));
writeFileSync(join(consumer, "page.ts"), source(pageSpecifiers));

const common = { strict: true, skipLibCheck: false, noEmit: true, target: "ES2022", lib: ["ES2022"] };
const configs: Record<string, { compilerOptions: object; files: string[] }> = {
  "node16 (ESM and CJS)": { compilerOptions: { ...common, module: "node16", moduleResolution: "node16" }, files: ["node.mts", "node.cts"] },
  node10: { compilerOptions: { ...common, module: "commonjs", moduleResolution: "node10" }, files: ["node.ts"] },
  bundler: { compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" }, files: ["node.ts"] },
  "bundler, page (DOM types, no Node types)": {
    compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [] },
    files: ["page.ts"],
  },
};
const tsc = createRequire(join(ROOT, "package.json")).resolve("typescript/lib/tsc.js");
const compile = (name: string, index: number) =>
  new Promise<void>((done) => {
    const config = `tsconfig.${index}.json`;
    writeFileSync(join(consumer, config), JSON.stringify(configs[name], null, 2));
    const child = spawn(process.execPath, [tsc, "-p", config, "--pretty", "false"], { cwd: consumer });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("close", (code) => {
      const lines = out.trim().split("\n");
      const shown = lines.slice(0, 12).concat(lines.length > 12 ? [`… and ${lines.length - 12} more lines`] : []);
      if (code !== 0) fail(`TypeScript, ${name}:\n    ${shown.join("\n    ")}`);
      done();
    });
  });
// As many compilers at once as there are cores (each needs ~300 MB).
const queue = Object.keys(configs).map((name, index) => () => compile(name, index));
const worker = async () => {
  for (let job = queue.shift(); job; job = queue.shift()) await job();
};
await Promise.all(Array.from({ length: Math.min(queue.length, availableParallelism()) }, worker));
const compiledAt = Date.now();

// 6. Node.
writeFileSync(
  join(consumer, "runtime.mjs"),
  `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const failures = [];
for (const spec of ${JSON.stringify([...new Set([...nodeSpecifiers, ...pageSpecifiers])])}) {
  await import(spec).catch((e) => failures.push("import(" + spec + "): " + e.message));
  try { require(spec); } catch (e) { failures.push("require(" + spec + "): " + e.message); }
}
const esm = await import("@byor/protocol");
const cjs = require("@byor/protocol");
if (esm.ByorError === cjs.ByorError) failures.push("the ESM and CJS builds share one ByorError class: the brand check proves nothing");
if (!esm.isByorError(new cjs.ByorError("invalid_json", "x"), "invalid_json")) failures.push("a ByorError from the CJS build fails the ESM build's isByorError");
if (!cjs.isByorError(new esm.ByorError("invalid_json", "x"), "invalid_json")) failures.push("a ByorError from the ESM build fails the CJS build's isByorError");
console.log(JSON.stringify(failures));
`,
);
const runtime = spawnSync(process.execPath, ["runtime.mjs"], { cwd: consumer, encoding: "utf8" });
const runtimeFailures = runtime.status === 0 ? (JSON.parse(runtime.stdout.trim().split("\n").pop() ?? "[]") as string[]) : [runtime.stderr];
for (const failure of runtimeFailures) fail(`Node: ${failure}`);
for (const { manifest } of packages) {
  for (const [bin, path] of Object.entries(manifest.bin ?? {})) {
    const run = spawnSync(process.execPath, [join(consumer, "node_modules", manifest.name, path), "--help"], { encoding: "utf8" });
    if (run.status !== 0 || !run.stdout.trim()) fail(`${manifest.name}: \`${bin} --help\` exited ${run.status}: ${run.stderr.trim()}`);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `\n${packages.length} tarballs; install ${seconds(installedAt - started)} (incl. packing), TypeScript ${seconds(compiledAt - installedAt)}, ` +
    `Node ${seconds(Date.now() - compiledAt)}${keep ? `; kept ${workDir}` : ""}`,
);
if (problems.length) {
  console.error(`\n✗ ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
  process.exitCode = 1;
} else console.log("✓ packages install and compile as published");
