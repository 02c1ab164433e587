// A Chromium driven by playwright-core (which downloads no browser), a fresh profile per run.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ensureChromium } from "../../../../scripts/chromium.js";

/**
 * The browser to launch: this machine's Chromium, else one that scripts/chromium.ts installs (Debian's package as root,
 * else the build shipped in @sparticuz/chromium); `BYOR_CHROMIUM` picks one. Throws what it tried when none can be had.
 */
export const chromiumPath = (): string => ensureChromium().path;

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "byor-chromium-"));
  // launchPersistentContext passes the fresh profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const repo = resolve(import.meta.dirname, "../../../..");

/**
 * Saves a screenshot under test-results/console/. With UPDATE_SCREENSHOTS=1 the ones the README shows are also
 * written to docs/screenshots/ (committed).
 */
export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<string> {
  const path = join(repo, "test-results/console", `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
  if (options.docs && process.env.UPDATE_SCREENSHOTS === "1") {
    const docs = join(repo, "docs/screenshots", `${name}.png`);
    mkdirSync(dirname(docs), { recursive: true });
    copyFileSync(path, docs);
  }
  return path;
}
