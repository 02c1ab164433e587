// The console in headless Chromium against the REAL Letta Code runtime (0.32.18, `letta remote --backend local`),
// served by the real `byor serve --demo`, whose scripted model answers the runtime's model calls offline. One
// runtime for the whole file; the tests run in order and build on each other, as a person would: no provider yet
// (the failure is shown once), connect one from the form, pick its model, a streamed answer, the permission mode,
// an approval, the agents and their conversations.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_COMMAND, demoAnswer } from "../../../packages/cli/src/commands/demo.js";
import { ensureRuntime, startLettaRemote, type LettaRemote } from "../../../scripts/letta-code.js";
import { launchChromium, screenshot, type Browser } from "./helpers/chromium.js";
import { startServe, type Served } from "./helpers/serve.js";

const TOKEN = "e2e-real-runtime-token_1";
const RUNTIME = "real-laptop";
const DEMO_HANDLE = "openai-compatible/byor-demo";

let served: Served;
let runtime: LettaRemote;
let browser: Browser;
let page: Page;
let demoBaseUrl: string;
const problems: string[] = [];

const badge = (p: Page) => p.locator(".badge");
const assistantTexts = (p: Page) => p.locator(".msg-assistant .text").allTextContents();
const loopChip = (p: Page) => p.locator(".chip-loop");

async function send(p: Page, text: string): Promise<void> {
  // The real runtime mishandles an input that comes within a few ms of the previous turn's end (see
  // packages/testing/test/interop-scenarios.test.ts, settle()): a person is never that fast, and neither is this.
  await expect.poll(() => loopChip(p).textContent(), { timeout: 30_000 }).toBe("idle");
  await p.waitForTimeout(500);
  await p.fill("textarea[name=message]", text);
  await p.click("button.send");
}

/** Samples the last assistant text until it reads `final`; returns the texts seen on the way. */
async function watchStream(p: Page, final: string, timeoutMs = 30_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = (await assistantTexts(p)).at(-1);
    if (text !== undefined && text !== seen.at(-1)) seen.push(text);
    if (text === final) return seen;
    await p.waitForTimeout(30);
  }
  throw new Error(`the answer never read ${JSON.stringify(final)}; seen: ${JSON.stringify(seen)}`);
}

/** Do two boxes overlap vertically (more than a pixel)? */
const overlap = (a: { y: number; height: number }, b: { y: number; height: number }) => Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1;

beforeAll(async () => {
  ensureRuntime(); // downloads into .cache/ on an empty cache; a failure fails the file (the real runtime is the point)
  served = await startServe({ token: TOKEN, demo: true });
  demoBaseUrl = /Demo model \(scripted, offline\): (http:\/\/127\.0\.0\.1:\d+\/v1) /.exec(served.stdout())![1]!;
  // LETTA_LOCAL_BACKEND_EXECUTOR empty: the runtime calls the model it is given, not its built-in "pong" one.
  runtime = startLettaRemote({ baseUrl: served.url, token: TOKEN, envName: RUNTIME, env: { LETTA_LOCAL_BACKEND_EXECUTOR: "" } });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource|WebSocket connection to/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await served?.stop();
}, 60_000);

describe.sequential("the console with the real Letta Code runtime and byor serve --demo", { timeout: 120_000 }, () => {
  it("lists the runtime; without a provider, a turn's failure is shown once, with what to do", async () => {
    await page.goto(served.consoleUrl);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("live");
    expect(page.url()).toBe(`${served.url}/`); // token and demo parameters left the address bar
    const card = page.locator(".runtime", { hasText: RUNTIME });
    await expect
      .poll(() => card.textContent(), { timeout: 90_000 })
      .toContain("online")
      .catch((error: Error) => {
        throw new Error(`${error.message}\n--- runtime output ---\n${runtime.output().slice(-3000)}`);
      });
    await card.click();
    expect(await card.textContent()).toMatch(/connected(just now|\d+s ago)/);
    // list_models answered: nothing yet.
    await expect
      .poll(() => page.locator(".model-picker .panel-status").textContent(), { timeout: 30_000 })
      .toBe("This runtime has no model yet: connect a provider above.");
    await expect.poll(() => page.locator(".agents .panel-status").textContent(), { timeout: 30_000 }).toBe("No agents yet: New agent creates one.");

    await page.click("button.new-agent");
    const title = page.locator(".conv-agent-id");
    await expect.poll(() => title.textContent(), { timeout: 60_000 }).toMatch(/^agent-local-[0-9a-f]{8}…$/);
    expect(await title.getAttribute("title")).toMatch(/^agent-local-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    await send(page, "Hello?");
    const errors = page.locator(".messages .msg-error, .messages .msg-loop_error");
    await errors.first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator(".msg-stop").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => loopChip(page).textContent(), { timeout: 30_000 }).toBe("idle");
    await expect.poll(() => errors.last().textContent(), { timeout: 10_000 }).toContain("terminal"); // the last of the three arrived
    // The runtime sent a loop_error, an error_message and a terminal loop_error: one entry shows.
    expect(await errors.count()).toBe(1);
    expect(await errors.textContent()).toContain("Provider is not configured");
    expect(await errors.locator(".hint").textContent()).toContain("Connect a model provider");
  });

  it("connects an OpenAI-compatible provider from the form, picks its model, and a new agent streams an answer", async () => {
    await page.click(".connect-provider summary");
    const provider = page.locator("select[name=provider]");
    await expect.poll(() => provider.locator("option").count(), { timeout: 30_000 }).toBeGreaterThan(5); // list_connect_providers
    expect(await provider.locator("option").first().textContent()).toBe("OpenAI-compatible API");
    await provider.selectOption("openai-compatible");
    expect(await page.locator(".provider-fields input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).name))).toEqual(["apiKey", "baseUrl"]);
    // A required field left empty is refused before anything is sent (the browser's own check).
    await page.click(".provider-form button.connect");
    expect(await page.locator(".provider-panel .panel-status").textContent()).toBe("");
    await page.fill(".provider-fields input[name=apiKey]", "sk-anything");
    await page.fill(".provider-fields input[name=baseUrl]", demoBaseUrl);
    await page.click(".provider-form button.connect");
    const status = page.locator(".provider-panel .panel-status");
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe("Connected OpenAI-compatible API: 1 model available.");
    expect(await page.locator(".connected-providers").textContent()).toContain("OpenAI-compatible API");
    expect(await page.inputValue(".provider-fields input[name=apiKey]")).toBe(""); // the secret does not linger
    expect(await page.locator(".connect-provider").getAttribute("open")).toBeNull(); // the form folds away once connected
    const model = page.locator("select[name=model]");
    await expect.poll(() => model.inputValue()).toBe(DEMO_HANDLE);

    await page.click("button.new-agent");
    await expect.poll(() => page.locator(".conversation-item").count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => page.locator(".conv-model").textContent()).toBe(`model ${DEMO_HANDLE}`);
    expect(await page.locator(".messages .msg").count()).toBe(0);

    await send(page, "Hello there");
    const final = demoAnswer("Hello there").join("");
    const seen = await watchStream(page, final);
    // It streamed: partial texts first, each a start of the final one.
    const partial = seen.slice(0, -1);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    for (const text of partial) expect(final.startsWith(text)).toBe(true);
    expect(await page.locator(".msg-user .text").allTextContents()).toEqual(["Hello there"]);
    await expect.poll(() => page.locator(".msg-stop").last().textContent(), { timeout: 30_000 }).toContain("end_turn");
    await expect.poll(() => loopChip(page).textContent(), { timeout: 30_000 }).toBe("idle");
    await page.locator(".sidebar").evaluate((el) => (el.scrollTop = 0));
    await screenshot(page, "console-real-runtime", { docs: true });
  });

  it("switches the permission mode; a tool call then waits in an approval card that covers nothing; allowing it runs it", async () => {
    const mode = page.locator("select[name=mode]");
    expect(await mode.inputValue()).toBe("unrestricted"); // where the runtime starts a conversation: nothing is asked
    await mode.selectOption("standard");
    await expect.poll(() => page.locator(".mode").getAttribute("data-pending"), { timeout: 30_000 }).toBe(""); // the runtime's device status agrees
    expect(await mode.inputValue()).toBe("standard");
    await expect.poll(() => page.locator(".runtime", { hasText: RUNTIME }).textContent()).toContain("standard");

    await send(page, "Please run a command");
    const approval = page.locator(".approval");
    await approval.waitFor({ timeout: 30_000 });
    expect(JSON.parse((await approval.locator(".args").textContent())!)).toMatchObject({ command: DEMO_COMMAND });
    await expect.poll(() => loopChip(page).textContent(), { timeout: 15_000 }).toBe("waiting for approval");
    expect(existsSync(join(runtime.home, "byor-demo.txt"))).toBe(false); // nothing ran yet
    // The card sits between the messages and the composer: it covers neither.
    const box = (selector: string) =>
      page
        .locator(selector)
        .boundingBox()
        .then((b) => b!);
    const [messages, approvals, composer] = await Promise.all([box(".messages"), box(".approvals"), box(".composer")]);
    expect(overlap(approvals, messages)).toBe(false);
    expect(overlap(approvals, composer)).toBe(false);
    expect(messages.height).toBeGreaterThan(150);
    await page.locator(".sidebar").evaluate((el) => (el.scrollTop = 0));
    await screenshot(page, "console-real-runtime-approval", { docs: true });

    // A message sent meanwhile waits in the queue (update_queue), shown above the composer; Remove drops it.
    await page.fill("textarea[name=message]", "Queued while you decide");
    await page.click("button.send");
    const queued = page.locator(".queue-item");
    await expect.poll(() => queued.locator(".queue-text").allTextContents(), { timeout: 15_000 }).toEqual(["Queued while you decide"]);
    expect(await page.locator(".queue").textContent()).toBe("1 queued");
    await queued.locator("button.queue-remove").click();
    await expect.poll(() => queued.count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator(".queue").textContent()).toBe("queue empty");
    expect(await page.locator(".msg-user .text").allTextContents()).not.toContain("Queued while you decide"); // never sent on

    await approval.locator("button.allow").click();
    const tool = page.locator(".tool", { hasText: "byor-demo.txt" });
    await expect.poll(() => tool.locator(".chip").textContent(), { timeout: 30_000 }).toBe("done");
    await expect.poll(async () => (await assistantTexts(page)).at(-1), { timeout: 30_000 }).toMatch(/^The tool answered: /);
    await expect.poll(() => loopChip(page).textContent(), { timeout: 30_000 }).toBe("idle");
    expect(await approval.count()).toBe(0);
    expect(readFileSync(join(runtime.home, "byor-demo.txt"), "utf8")).toBe("Hello from the BYOR demo\n");
  });

  it("lists the agents and their conversations, opens a new conversation, and switches between conversations", async () => {
    await page.click(".agents button[aria-label='Refresh agents']");
    const agents = page.locator(".agents details.agent");
    await expect.poll(() => agents.count(), { timeout: 30_000 }).toBe(2);
    const selectedAgent = (await page.locator(".conv-agent-id").getAttribute("title"))!;
    const agent = page.locator(`.agents details.agent[data-agent-id="${selectedAgent}"]`);
    expect(await agent.locator("summary").textContent()).toContain(DEMO_HANDLE);
    await agent.locator("summary").click();
    await expect.poll(() => agent.locator("button.agent-conversation.selected").textContent(), { timeout: 30_000 }).toBe("default");

    await agent.locator("button.new-conversation").click();
    await expect.poll(() => page.locator(".conversation-item").count(), { timeout: 60_000 }).toBe(3);
    const newConversation = (await page.locator(".conv-title .muted").first().getAttribute("title"))!;
    expect(newConversation).not.toBe("default");
    expect(await page.locator(".messages .msg").count()).toBe(0);
    await expect.poll(() => agent.locator(`button.agent-conversation[data-conversation-id="${newConversation}"]`).count(), { timeout: 30_000 }).toBe(1);

    await send(page, "A second conversation");
    await watchStream(page, demoAnswer("A second conversation").join(""));
    await expect.poll(() => loopChip(page).textContent(), { timeout: 30_000 }).toBe("idle");

    // Back to the agent's default conversation: its messages, not the new one's.
    await agent.locator('button.agent-conversation[data-conversation-id="default"]').click();
    await expect.poll(() => page.locator(".conv-title .muted").first().getAttribute("title")).toBe("default");
    await expect.poll(() => page.locator(".msg-user .text").allTextContents()).toEqual(["Hello there", "Please run a command"]);
    expect(await page.locator(".tool", { hasText: "byor-demo.txt" }).count()).toBe(1);
    expect(await page.locator("select[name=mode]").inputValue()).toBe("standard");

    // And through the list of open conversations, to the new one again.
    await page.locator(".conversation-item", { hasText: newConversation }).click();
    await expect.poll(() => page.locator(".msg-user .text").allTextContents()).toEqual(["A second conversation"]);
    expect(await page.locator("select[name=mode]").inputValue()).toBe("unrestricted"); // the mode is per conversation
  });

  it("'Use the demo model' fixes the conversation that failed for want of a provider, in one click", async () => {
    // The first agent's conversation, created before any provider, still on the runtime's default model.
    await page.locator(".conversation-item").first().click();
    await expect.poll(() => page.locator(".conv-model").textContent()).toBe("model openai/gpt-5.5");
    await page.locator(".sidebar").evaluate((el) => (el.scrollTop = 0));
    const demo = page.locator(".demo-box");
    expect(await demo.textContent()).toContain(demoBaseUrl); // from the console URL's fragment, as byor serve --demo printed it
    await demo.locator("button.demo-use").click();
    await expect
      .poll(() => page.locator(".provider-panel .panel-status").textContent(), { timeout: 30_000 })
      .toBe(`Demo model connected and chosen: ${DEMO_HANDLE}.`);
    await expect.poll(() => page.locator(".conv-model").textContent()).toBe(`model ${DEMO_HANDLE}`); // update_model on this conversation

    await send(page, "Hello again");
    await watchStream(page, demoAnswer("Hello again").join(""));
    await expect.poll(() => loopChip(page).textContent(), { timeout: 30_000 }).toBe("idle");
    expect(await page.locator(".messages .msg-loop_error, .messages .msg-error").count()).toBe(1); // the old failure, once
  });

  it("logged no CSP violation or page error", () => {
    expect(problems).toEqual([]);
  });
});
