// The console in real headless Chromium, served by the real `byor serve`, with the simulated runtime from
// @byor/testing connected to it: streaming, approvals, resume, a server restart, a wrong token.
import { createSimulatedRuntime, type SimulatedRuntime } from "@byor/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, type Browser } from "./helpers/chromium.js";
import { startServe, type Served } from "./helpers/serve.js";

const TOKEN = "e2e-console-token_1";
const AGENT = "agent-e2e";
const GREETING = ["Hello! ", "I am a simulated ", "Letta Code agent, ", "streaming this ", "reply in chunks."];
const LONG = Array.from({ length: 40 }, (_, i) => `part ${i + 1}. `);
const STORY = ["Once ", "upon ", "a ", "time ", "a ", "socket ", "dropped, ", "and ", "nothing ", "was ", "lost."];

let served: Served;
let runtime: SimulatedRuntime;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const runtimeOptions = () => ({
  baseUrl: served.url,
  token: TOKEN,
  connectionName: "sim-laptop",
  deviceId: "7c1e5a90-2b3d-4f6a-8e9b-0c1d2e3f4a5b",
  permissionMode: "standard" as const,
  cwd: "/home/ada/projects/demo",
  scenario: [
    { reasoning: ["The user says hello. ", "Greet them back."], text: GREETING, chunkDelayMs: 200 },
    {
      text: "Let me look at the files.",
      toolCall: { name: "Bash", input: { command: "ls -la", description: "List the files" }, result: "total 8\n-rw-r--r-- 1 ada ada 42 README.md" },
      then: { text: "There is one file: README.md." },
    },
    {
      toolCall: { name: "Bash", input: { command: "rm -rf ~", description: "Free some space" } },
      then: { text: "Understood, I will not delete anything." },
    },
    { text: STORY, chunkDelayMs: 250 },
    { text: "Still here after the restart." },
    { text: LONG, chunkDelayMs: 300 },
    { error: { status: 500, message: "The model provider is down" } },
  ],
});

const badge = (p: Page) => p.locator(".badge");
const assistantTexts = (p: Page) => p.locator(".msg-assistant .text").allTextContents();
/** Every message as shown, in order: its key (unique per message), kind and text. */
const transcript = (p: Page) =>
  p
    .locator(".messages .msg")
    .evaluateAll((els) => els.map((el) => `${(el as HTMLElement).dataset.key} ${(el as HTMLElement).dataset.kind}: ${el.textContent ?? ""}`));
const keysOf = (lines: string[]) => lines.map((l) => l.slice(0, l.indexOf(" ")));
/** User and assistant texts: each was said once in this scenario. */
const spoken = (lines: string[]) => lines.filter((l) => / (user|assistant): /.test(l)).map((l) => l.slice(l.indexOf(" ") + 1));

async function send(p: Page, text: string): Promise<void> {
  await p.fill("textarea[name=message]", text);
  await p.click("button.send");
}

function watchProblems(p: Page): void {
  p.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource|WebSocket connection to/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  p.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
}

beforeAll(async () => {
  served = await startServe({ token: TOKEN });
  runtime = await createSimulatedRuntime(runtimeOptions());
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await served?.stop();
});

describe("the BYOR console in Chromium", { timeout: 60_000 }, () => {
  it("is served by byor serve at / with a strict CSP, and byor serve prints its URL with the token in the fragment", async () => {
    expect(served.consoleUrl).toBe(`${served.url}/#token=${TOKEN}`);
    const response = await fetch(`${served.url}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("unsafe-inline");
    expect(await response.text()).toContain('<div id="app">');
  });

  it("a wrong token shows a clear error, and the right one connects", async () => {
    const wrong = await browser.newPage();
    watchProblems(wrong);
    await wrong.goto(`${served.url}/#token=not-the-token`);
    await expect.poll(() => badge(wrong).textContent(), { timeout: 15_000 }).toBe("wrong token");
    const banner = wrong.locator(".banner");
    await expect.poll(() => banner.textContent()).toContain("Wrong token.");
    expect(await banner.textContent()).toContain("the server refused the token (HTTP 401");
    expect(wrong.url()).toBe(`${served.url}/`); // the token left the address bar
    // The banner says why; the top bar only names the state, and nothing that talks to the server can be pressed.
    expect(await wrong.locator(".badge-detail").textContent()).toBe("");
    expect(await wrong.locator("button.new-agent").isDisabled()).toBe(true);
    expect(await wrong.locator(".open-form button[type=submit]").isDisabled()).toBe(true);
    expect(await wrong.locator(".empty").textContent()).toContain("Not connected");
    await screenshot(wrong, "console-wrong-token", { docs: true });
    await wrong.fill("input[name=token]", TOKEN);
    await wrong.click(".token-form button[type=submit]");
    await expect.poll(() => badge(wrong).textContent(), { timeout: 15_000 }).toBe("live");
    expect(await wrong.locator(".banner").isHidden()).toBe(true);
    expect(await wrong.locator("button.new-agent").isDisabled()).toBe(false);
    await wrong.close();
  });

  it("lists the runtime and streams a turn into the page", async () => {
    page = await browser.newPage();
    watchProblems(page);
    await page.goto(served.consoleUrl);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("live");
    const card = page.locator(".runtime", { hasText: "sim-laptop" });
    await card.waitFor();
    expect(await card.textContent()).toContain("online");
    await card.click();
    await page.fill("input[name=agent]", AGENT);
    await page.click(".open-form button[type=submit]");
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain("/home/ada/projects/demo"); // cwd from the device status
    expect(await card.textContent()).toContain("standard");

    await send(page, "Hello there");
    // Sample the answer while it streams: it must grow chunk by chunk, not appear at once.
    const final = GREETING.join("");
    const seen = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const text = (await assistantTexts(page)).at(-1);
      if (text) seen.add(text);
      if (text === final) break;
      if (seen.size === 2) await screenshot(page, "console-streaming");
      await page.waitForTimeout(40);
    }
    expect([...seen].at(-1)).toBe(final);
    const partial = [...seen].filter((t) => t !== final);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    for (const text of partial) expect(final.startsWith(text)).toBe(true);
    expect(await page.locator(".msg-reasoning").textContent()).toContain("Greet them back.");
    expect(await page.locator(".msg-user").allTextContents()).toEqual(["youHello there"]);
    await expect.poll(() => page.locator(".msg-stop").last().textContent()).toContain("end_turn");
  });

  it("answers an approval from the page, and the tool result appears", async () => {
    await send(page, "What files are there?");
    const approval = page.locator(".approval");
    await approval.waitFor({ timeout: 15_000 });
    expect(await approval.textContent()).toContain("ls -la");
    await expect.poll(() => page.locator(".chip-loop").textContent()).toBe("waiting for approval");
    await expect.poll(() => page.locator(".runtime").first().textContent()).toContain("1 approval");
    await screenshot(page, "console-approval", { docs: true });

    await approval.locator("button.allow").click();
    const tool = page.locator(".tool", { hasText: "ls -la" });
    await expect.poll(() => tool.locator(".tool-result").textContent(), { timeout: 15_000 }).toContain("README.md");
    expect(await tool.locator(".chip").textContent()).toBe("done");
    await expect.poll(async () => (await assistantTexts(page)).at(-1)).toBe("There is one file: README.md.");
    expect(await approval.count()).toBe(0);

    // Deny, with a reason: the agent gets it as the tool's (error) result.
    await send(page, "Make some room on my disk");
    await approval.waitFor({ timeout: 15_000 });
    await approval.locator("input.reason").fill("Not on my machine");
    await approval.locator("button.deny").click();
    const denied = page.locator(".tool", { hasText: "rm -rf" });
    await expect.poll(() => denied.locator(".tool-result").textContent(), { timeout: 15_000 }).toContain("Not on my machine");
    await expect.poll(async () => (await assistantTexts(page)).at(-1)).toBe("Understood, I will not delete anything.");
  });

  it("resumes with its seq cursor after losing its socket mid-turn: nothing lost, nothing twice", async () => {
    await send(page, "Tell me a story");
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 10_000 }).toBe("Once ");
    // The page goes into the back/forward cache: the client closes its socket; the server parks the session.
    await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
    await expect.poll(() => badge(page).textContent()).not.toBe("live");
    await page.waitForTimeout(800); // chunks keep coming, numbered and buffered by the server
    await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true })));
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("resumed");
    await screenshot(page, "console-resumed");
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 15_000 }).toBe(STORY.join(""));
  });

  it("survives a server restart: the page reconnects and re-syncs without losing or duplicating a message", async () => {
    await expect.poll(() => page.locator(".chip-loop").textContent()).toBe("idle");
    const before = await transcript(page);
    expect(spoken(before).filter((m) => m.startsWith("user:"))).toHaveLength(4);
    expect(new Set(keysOf(before)).size).toBe(before.length);
    expect(new Set(spoken(before)).size).toBe(spoken(before).length);

    await served.stop();
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("offline");
    await screenshot(page, "console-offline");
    served = await startServe({ token: TOKEN, port: served.port });
    await expect.poll(() => badge(page).textContent(), { timeout: 30_000 }).toBe("live");
    await expect.poll(() => page.locator(".runtime", { hasText: "sim-laptop" }).textContent(), { timeout: 30_000 }).toContain("online");
    expect(await transcript(page)).toEqual(before);

    await send(page, "Are you still there?");
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 15_000 }).toBe("Still here after the restart.");
    const after = await transcript(page);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(spoken(after).filter((m) => m.startsWith("user:"))).toHaveLength(5);
    expect(new Set(keysOf(after)).size).toBe(after.length);
    expect(new Set(spoken(after)).size).toBe(spoken(after).length);
    expect(spoken(after).at(-1)).toBe("assistant: assistantStill here after the restart.");
    await screenshot(page, "console-after-restart");
  });

  it("aborts a streaming turn from the page: the stream stops and the page says it was interrupted", async () => {
    const abort = page.locator("button.abort");
    expect(await abort.isHidden()).toBe(true);
    await send(page, "Count slowly");
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 10_000 }).toMatch(/^part 1\. part 2\. /);
    expect(await abort.isVisible()).toBe(true);
    await abort.click();
    await expect.poll(() => page.locator(".chip-loop").textContent(), { timeout: 15_000 }).toBe("idle");
    const cut = (await assistantTexts(page)).at(-1)!;
    expect(cut.startsWith("part 1. ")).toBe(true);
    expect(cut).not.toBe(LONG.join(""));
    // The runtime reports an abort as an "Interrupted" status, after the cut text.
    const last = (await transcript(page)).slice(-2);
    expect(last[0]).toMatch(/ assistant: assistantpart 1\. /);
    expect(last[1]).toMatch(/ status: warning: Interrupted$/);
    await page.waitForTimeout(1000); // no chunk after the abort
    expect((await assistantTexts(page)).at(-1)).toBe(cut);
    expect(await abort.isHidden()).toBe(true);
  });

  it("shows a loop_error when the model call fails", async () => {
    await send(page, "Try again");
    const error = page.locator(".msg-loop_error").last();
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toContain("The model provider is down");
    expect(await error.locator(".who").textContent()).toMatch(/^loop error · /);
    await expect.poll(() => page.locator(".chip-loop").textContent(), { timeout: 15_000 }).toBe("idle");
    await screenshot(page, "console-loop-error");
  });

  it("creates a new agent (runtime_start) and talks to it", async () => {
    await page.click("button.new-agent");
    await expect
      .poll(() => page.locator(".conversation-item").count(), { timeout: 15_000 })
      .toBe(2)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; the form says: ${await page.locator(".open-form .form-error").textContent()}`);
      });
    // Agent ids read `agent-local-<first block of the uuid>…`, the full id in the tooltip (was `agent-lo…2f1d`).
    await expect.poll(() => page.locator(".conv-title").textContent()).toMatch(/^agent-local-[0-9a-f]{8}… \/ default · sim-laptop$/);
    expect(await page.locator(".conv-agent-id").getAttribute("title")).toMatch(/^agent-local-[0-9a-f-]{36}$/);
    expect(await page.locator(".messages .msg").count()).toBe(0);
    await send(page, "ping");
    // The scenario is used up: the simulated runtime answers like the real one's deterministic executor.
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 15_000 }).toBe("pong");
  });

  it("logged no CSP violation or page error", () => {
    expect(problems).toEqual([]);
  });
});
