// What a web page ships when it uses @byor/browser: bundled with esbuild for the browser, minified, gzipped.
// Shared by `pnpm bench` (the table) and packages/browser/test/bundle.test.ts (the CI checks).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const src = (name: string, entry = "index") => resolve(root, `packages/${name}/src/${entry}.ts`);
const VALIDATORS = resolve(root, "packages/protocol/src/generated/validators.js");

/** The 12 KB budget of issue #6: core + browser adapter, gzipped, without the generated validators. */
export const BUDGET_GZIP_BYTES = 12 * 1024;

/** The minimal page's code, with extra imports from @byor/browser and extra client options spliced in. */
const minimalPage = (imports = "", options = "") => `
import { connectBrowserClient, approve, deny${imports} } from "@byor/browser";
const client = connectBrowserClient({ token: () => sessionStorage.getItem("token") ?? ""${options} });
client.on("status", (s) => console.log(s.phase));
const scope = { agent_id: "agent-1", conversation_id: "default" };
await client.session.subscribe("runtime-1", scope);
client.session.onEvent("stream_delta", (e) => console.log(e.delta));
client.session.onEvent("control_request", (e) => {
  client.session.request("runtime-1", Math.random() > 0.5 ? approve(e) : deny(e, "no"));
});
for await (const { event } of client.session.events()) console.log(event.type);
client.session.send("runtime-1", { type: "abort_message", runtime: scope });
`;

/**
 * The budgeted page: connects, watches a conversation, reads events, sends input and answers approvals, with no
 * mirror or assembler (the session's `views` are opt-in).
 */
export const MINIMAL_PAGE_ENTRY = minimalPage();

/** The minimal page checking commands and events itself too (`validation: SESSION_VALIDATION`). */
export const VALIDATING_PAGE_ENTRY = minimalPage(", SESSION_VALIDATION", ", validation: SESSION_VALIDATION");

/** The same page with the per-runtime StateMirror and StreamAssembler (what the console uses). */
export const PAGE_ENTRY = `
import { connectBrowserClient, approve, deny, SESSION_VIEWS } from "@byor/browser";
const client = connectBrowserClient({ token: () => sessionStorage.getItem("token") ?? "", views: SESSION_VIEWS });
client.on("status", (s) => console.log(s.phase));
const scope = { agent_id: "agent-1", conversation_id: "default" };
await client.session.subscribe("runtime-1", scope);
client.session.assembler("runtime-1").on("change", (c) => console.log(c.view.messages.length));
client.session.mirror("runtime-1").on("change", (c) => {
  const [first] = c.state.pendingApprovals;
  if (first) client.session.request("runtime-1", Math.random() > 0.5 ? approve(first) : deny(first, "no"));
});
client.session.send("runtime-1", { type: "abort_message", runtime: scope });
`;

/** The minimal page without the adapter: ClientSession used directly (to tell the adapter's share). */
const CORE_ENTRY = `
import { ClientSession, approve, deny } from "@byor/core";
const session = new ClientSession({ connect: async () => { throw new Error("no transport"); } });
session.start();
const scope = { agent_id: "agent-1", conversation_id: "default" };
await session.subscribe("runtime-1", scope);
session.onEvent("stream_delta", (e) => console.log(e.delta));
session.onEvent("control_request", (e) => {
  session.request("runtime-1", Math.random() > 0.5 ? approve(e) : deny(e, "no"));
});
for await (const { event } of session.events()) console.log(event.type);
session.send("runtime-1", { type: "abort_message", runtime: scope });
`;

/** Replaces every generated validator with one shared stub, so the rest is measured as it would minify. */
function stubValidators(): Plugin {
  const names = [...readFileSync(VALIDATORS, "utf8").matchAll(/export const (\w+)/g)].map((m) => m[1]!);
  const contents = `const ok = () => true;\n${names.map((n) => `export const ${n} = ok;`).join("\n")}`;
  return {
    name: "stub-validators",
    setup(b) {
      b.onResolve({ filter: /validators\.js$/ }, (args) =>
        resolve(args.resolveDir, args.path) === VALIDATORS ? { path: VALIDATORS, namespace: "stub" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents, loader: "js" }));
    },
  };
}

export interface BundleResult {
  bytes: number;
  gzipBytes: number;
  code: string;
  metafile: Metafile;
}

/** Bundles an entry for the browser from the packages' sources (as their builds do: es2022, tree-shaken). */
export async function bundle(entry: string, options: { withValidators: boolean; minify?: boolean }): Promise<BundleResult> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    logLevel: "silent",
    alias: { "@byor/browser": src("browser"), "@byor/client": src("client", "browser"), "@byor/core": src("core"), "@byor/protocol": src("protocol") },
    plugins: options.withValidators ? [] : [stubValidators()],
  });
  const code = result.outputFiles[0]!.text;
  return { bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length, code, metafile: result.metafile };
}

export interface BrowserBundleSizes {
  /** The minimal page: core + adapter + the protocol's registry and decoding, validators stubbed: the budgeted number. */
  withoutValidators: BundleResult;
  /** The full page (with mirror and assembler), validators stubbed. */
  fullWithoutValidators: BundleResult;
  /** What the minimal page really ships. */
  withValidators: BundleResult;
  /** The minimal page on ClientSession directly, validators stubbed: the core's share. */
  coreOnly: BundleResult;
  /** The minimal page with `validation: SESSION_VALIDATION`, validators and all. */
  validating: BundleResult;
  /** Generated validator functions in the page bundle, and in the protocol package. */
  validatorsBundled: number;
  validatorsTotal: number;
}

const countValidators = (code: string) => code.match(/function validate\d+\(/g)?.length ?? 0;

export async function measureBrowserBundle(): Promise<BrowserBundleSizes> {
  const [withoutValidators, fullWithoutValidators, withValidators, coreOnly, validating, readable] = await Promise.all([
    bundle(MINIMAL_PAGE_ENTRY, { withValidators: false }),
    bundle(PAGE_ENTRY, { withValidators: false }),
    bundle(MINIMAL_PAGE_ENTRY, { withValidators: true }),
    bundle(CORE_ENTRY, { withValidators: false }),
    bundle(VALIDATING_PAGE_ENTRY, { withValidators: true }),
    bundle(MINIMAL_PAGE_ENTRY, { withValidators: true, minify: false }),
  ]);
  return {
    withoutValidators,
    fullWithoutValidators,
    withValidators,
    coreOnly,
    validating,
    validatorsBundled: countValidators(readable.code),
    validatorsTotal: countValidators(readFileSync(VALIDATORS, "utf8")),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The markdown table `pnpm bench` prints. */
export function bundleTable(sizes: BrowserBundleSizes): string {
  const { withoutValidators: w, fullWithoutValidators: f, withValidators: v, coreOnly: c, validating: all } = sizes;
  const met = w.gzipBytes <= BUDGET_GZIP_BYTES;
  return [
    "### Browser bundle (a page using @byor/browser, esbuild --minify, gzip -9)",
    "",
    "| what | minified | gzipped |",
    "| --- | ---: | ---: |",
    `| minimal page (connect, subscribe, events, request, approve/deny, send): core + browser adapter, validators stubbed out | ${kb(w.bytes)} | ${kb(w.gzipBytes)} |`,
    `| of which the adapter (same page on ClientSession alone: ${kb(c.gzipBytes)}) | ${kb(w.bytes - c.bytes)} | ${kb(w.gzipBytes - c.gzipBytes)} |`,
    `| full page (+ StateMirror and StreamAssembler via \`views: SESSION_VIEWS\`), validators stubbed out | ${kb(f.bytes)} | ${kb(f.gzipBytes)} |`,
    `| the minimal page bundle, with the validators it needs | ${kb(v.bytes)} | ${kb(v.gzipBytes)} |`,
    `| the minimal page checking commands and events itself too (\`validation: SESSION_VALIDATION\`), with validators | ${kb(all.bytes)} | ${kb(all.gzipBytes)} |`,
    "",
    `Validators bundled by the minimal page: ${sizes.validatorsBundled} of ${sizes.validatorsTotal} generated functions: the byor.* frames it receives and the subscribe frame it checks. The server validates the commands a page sends and the events it relays; a page checks those itself only with the \`validation\` option.`,
    "",
    `Target: core + browser adapter <= ${kb(BUDGET_GZIP_BYTES)} gzipped without validators (minimal page): ${met ? "met" : "NOT met"} (${kb(w.gzipBytes)}; the full page: ${kb(f.gzipBytes)}).`,
  ].join("\n");
}
