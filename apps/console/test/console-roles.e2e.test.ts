// The console in headless Chromium against `byor serve --tokens-file`: each role sees only what it may do. A viewer
// watches (no composer, approvals without buttons), an operator converses (no provider panel, no permission-mode
// select, no New agent), the owner (admin) has everything; a role change reconnects with the new role (1012), a
// revoked token gets the token banner (4401), and a refusal reads as "your role can't do this".
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedRuntime, type SimulatedRuntime } from "@byor/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, type Browser } from "./helpers/chromium.js";
import { startServe, type Served } from "./helpers/serve.js";

const OWNER = "e2e-roles-owner-token_1";
const RUNTIME = "e2e-roles-runtime-token_1";
const VIEWER = "e2e-roles-viewer-token_1";
const OPERATOR = "e2e-roles-operator-token_1";
const TYPIST = "e2e-roles-typist-token_1";
const AGENT = "agent-e2e";

type Entry = { name: string; role: string; token: string };
const viewer: Entry = { name: "wall-screen", role: "viewer", token: VIEWER };
const operator: Entry = { name: "alice", role: "operator", token: OPERATOR };
/** A custom role that may type but not watch: what it opens is refused with forbidden. */
const typist: Entry = { name: "typist-bot", role: "typist", token: TYPIST };

let dir: string;
let tokensFile: string;
let served: Served;
let runtime: SimulatedRuntime;
let browser: Browser;
const problems: string[] = [];

/** Writes the tokens file whole (a rename), as an editor would save it: the server reloads it. */
function writeTokens(tokens: Entry[]): void {
  const next = `${tokensFile}.next`;
  writeFileSync(next, JSON.stringify({ roles: { typist: ["converse"] }, tokens }, null, 2));
  renameSync(next, tokensFile);
}

const badge = (p: Page) => p.locator(".badge");
const who = (p: Page) => p.locator(".principal");
const assistantTexts = (p: Page) => p.locator(".msg-assistant .text").allTextContents();

async function open(token: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource|WebSocket connection to/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`${served.url}/#token=${token}`);
  return page;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "byor-console-roles-"));
  tokensFile = join(dir, "tokens.json");
  writeTokens([viewer, operator, typist]);
  served = await startServe({ token: OWNER, args: ["--runtime-token", RUNTIME, "--tokens-file", tokensFile] });
  runtime = await createSimulatedRuntime({
    baseUrl: served.url,
    token: RUNTIME,
    connectionName: "sim-roles",
    permissionMode: "standard",
    scenario: [
      { text: ["Hello ", "from ", "the ", "runtime."], chunkDelayMs: 50 },
      {
        text: "Let me look at the files.",
        toolCall: { name: "Bash", input: { command: "ls -la", description: "List the files" }, result: "README.md" },
        then: { text: "There is one file: README.md." },
      },
    ],
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the console shows only what the role may do", { timeout: 60_000 }, () => {
  let operatorPage: Page;
  let viewerPage: Page;

  it("the owner (admin) has every control: provider panel, permission mode, New agent", async () => {
    const page = await open(OWNER);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("live");
    await expect.poll(() => who(page).textContent()).toBe("owner (admin)");
    await page.locator(".runtime", { hasText: "sim-roles" }).click();
    await expect.poll(() => page.locator(".provider-panel").isVisible()).toBe(true);
    expect(await page.locator("button.new-agent").isVisible()).toBe(true);
    await page.fill("input[name=agent]", AGENT);
    await page.click(".open-form button[type=submit]");
    await expect.poll(() => page.locator("select.mode-select").isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator(".mode-read-only").isHidden()).toBe(true);
    expect(await page.locator("form.composer").isVisible()).toBe(true);
    expect(await page.locator("button.use-model").isVisible()).toBe(true);
    await page.close();
  });

  it("a viewer and an operator see only their controls", async () => {
    // The conversation the owner opened is remembered in this browser: both pages open it again, selected.
    viewerPage = await open(VIEWER);
    operatorPage = await open(OPERATOR);
    for (const page of [viewerPage, operatorPage]) {
      await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("live");
      await expect.poll(() => page.locator(".conv-title").textContent(), { timeout: 10_000 }).toContain(AGENT);
      // Neither may connect providers, change the permission mode, or start runtimes (New agent).
      expect(await page.locator(".provider-panel").isHidden()).toBe(true);
      expect(await page.locator("button.new-agent").isHidden()).toBe(true);
      expect(await page.locator("select.mode-select").isHidden()).toBe(true);
      expect(await page.locator(".mode-read-only").isVisible()).toBe(true);
      // Both may watch: the runtimes, the model list, opening conversations.
      expect(await page.locator(".model-picker").isVisible()).toBe(true);
      expect(await page.locator(".open-form").isVisible()).toBe(true);
      expect(await page.locator(".runtime", { hasText: "sim-roles" }).isVisible()).toBe(true);
    }
    expect(await who(viewerPage).textContent()).toBe("wall-screen (viewer)");
    expect(await who(operatorPage).textContent()).toBe("alice (operator)");

    expect(await operatorPage.locator("form.composer").isVisible()).toBe(true);
    expect(await operatorPage.locator(".watch-only").isHidden()).toBe(true);
    expect(await operatorPage.locator("button.use-model").isVisible()).toBe(true); // update_model is converse
    expect(await operatorPage.locator(".mode-read-only").getAttribute("title")).toBe("Permission mode: your role (operator) lacks admin");

    expect(await viewerPage.locator("form.composer").isHidden()).toBe(true);
    expect(await viewerPage.locator(".watch-only").textContent()).toBe("Watching only: your role (viewer) lacks converse (sending messages needs it).");
    expect(await viewerPage.locator("button.use-model").isHidden()).toBe(true);
  });

  it("the operator converses and answers approvals; the viewer watches the same turns without a button to press", async () => {
    await operatorPage.fill("textarea[name=message]", "Hello there");
    await operatorPage.click("button.send");
    for (const page of [operatorPage, viewerPage]) {
      await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 15_000 }).toBe("Hello from the runtime.");
    }
    // The device status after the turn names the mode: shown as text to both.
    for (const page of [operatorPage, viewerPage]) {
      await expect.poll(() => page.locator(".mode-read-only").textContent(), { timeout: 10_000 }).toBe("standard");
    }

    await operatorPage.fill("textarea[name=message]", "What files are there?");
    await operatorPage.click("button.send");
    const mine = operatorPage.locator(".approval");
    const theirs = viewerPage.locator(".approval");
    await mine.waitFor({ timeout: 15_000 });
    await theirs.waitFor({ timeout: 15_000 });
    expect(await mine.locator("button.allow").isVisible()).toBe(true);
    expect(await mine.locator("button.deny").isVisible()).toBe(true);
    expect(await mine.locator(".read-only").isHidden()).toBe(true);
    expect(await operatorPage.locator("button.abort").isVisible()).toBe(true); // the turn waits on the approval
    expect(await theirs.textContent()).toContain("ls -la");
    expect(await theirs.locator("button.allow").isHidden()).toBe(true);
    expect(await theirs.locator("button.deny").isHidden()).toBe(true);
    expect(await theirs.locator("input.reason").isHidden()).toBe(true);
    expect(await theirs.locator(".read-only").isVisible()).toBe(true);
    expect(await viewerPage.locator("button.abort").isHidden()).toBe(true);
    await screenshot(operatorPage, "console-role-operator");
    await screenshot(viewerPage, "console-role-viewer");

    await mine.locator("button.allow").click();
    for (const page of [operatorPage, viewerPage]) {
      await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 15_000 }).toBe("There is one file: README.md.");
    }
    await expect.poll(() => theirs.count()).toBe(0);
  });

  it("a role changed in the tokens file reconnects the page with the new role (1012)", async () => {
    const page = viewerPage;
    writeTokens([{ ...viewer, role: "operator" }, operator, typist]);
    await expect.poll(() => who(page).textContent(), { timeout: 20_000 }).toBe("wall-screen (operator)");
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toMatch(/^(live|resumed)$/);
    expect(await page.locator("form.composer").isVisible()).toBe(true);
    expect(await page.locator(".watch-only").isHidden()).toBe(true);
    expect(await page.locator(".banner").isHidden()).toBe(true);
  });

  it("a token removed from the file closes the page like a wrong token (4401): the banner asks for another", async () => {
    const page = viewerPage;
    writeTokens([operator, typist]);
    await expect.poll(() => badge(page).textContent(), { timeout: 20_000 }).toBe("token revoked");
    const banner = page.locator(".banner");
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain("Token revoked.");
    expect(await banner.textContent()).toContain("it no longer accepts this token (Credentials revoked)");
    expect(await banner.locator("input[name=token]").isVisible()).toBe(true);
    expect(await page.locator("button.new-agent").isDisabled()).toBe(true); // nothing that talks to the server
    // The operator's page is untouched.
    expect(await badge(operatorPage).textContent()).toMatch(/^(live|resumed)$/);
    await page.close();
  });

  it("what the server refuses as forbidden reads as 'your role can't do this'", async () => {
    // A role with converse but not observe: the conversation this browser remembers cannot be watched.
    const page = await open(TYPIST);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("live");
    await expect.poll(() => who(page).textContent()).toBe("typist-bot (typist)");
    await expect
      .poll(() => page.locator(".turn-note").textContent(), { timeout: 15_000 })
      .toBe("Could not open this conversation: your role can't do this (byor.subscribe needs the observe privilege, which role typist does not grant)");
    expect(await page.locator(".open-form").isHidden()).toBe(true); // opening one needs observe
    expect(await page.locator(".runtime-list").textContent()).toBe("Not shown: your role (typist) lacks observe.");
    expect(await page.locator("form.composer").isVisible()).toBe(true); // input is converse
    await page.close();
    await operatorPage.close();
  });

  it("logged no CSP violation or page error", () => {
    expect(problems).toEqual([]);
  });
});
