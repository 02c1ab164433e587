import { afterEach, describe, expect, it, vi } from "vitest";
import { ByorError } from "@byor/protocol";
import { baseUrl, browserPage, clientEndpoint, isSubprotocolToken, openSocket, runtimesEndpoint, type PageEvent } from "../src/index.js";
import { dialTarget, isLoopback } from "@byor/client";
import { FakeServer, TOKEN } from "./helpers/fake-server.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("endpoints", () => {
  it("derives the client endpoint and the runtimes URL from a base URL, keeping a path prefix", () => {
    expect(baseUrl("http://127.0.0.1:8284")).toBe("http://127.0.0.1:8284/");
    expect(baseUrl("wss://byor.example.com/team/?x=1#y")).toBe("https://byor.example.com/team/");
    expect(clientEndpoint("https://byor.example.com/team")).toBe("wss://byor.example.com/team/byor/v1/client");
    expect(clientEndpoint("http://127.0.0.1:8284/")).toBe("ws://127.0.0.1:8284/byor/v1/client");
    expect(runtimesEndpoint("ws://127.0.0.1:8284")).toBe("http://127.0.0.1:8284/byor/v1/runtimes");
  });

  it("defaults to the page's origin", () => {
    vi.stubGlobal("location", { origin: "https://console.example.com", href: "https://console.example.com/app#token=x" });
    expect(baseUrl()).toBe("https://console.example.com/");
    expect(() => baseUrl("ftp://x")).toThrow(ByorError);
  });

  it("has no default outside a page", () => {
    expect(() => baseUrl()).toThrow(/no server URL/);
  });

  it("encodes the token per placement", () => {
    expect(dialTarget("http://h:1/", "abc", "subprotocol")).toEqual({ url: "ws://h:1/byor/v1/client", protocols: ["byor.v1", "byor.token.abc"] });
    expect(dialTarget("http://h:1/", "a b&c", "query")).toEqual({ url: "ws://h:1/byor/v1/client?token=a+b%26c", protocols: ["byor.v1"] });
    expect(() => dialTarget("http://h:1/", "a b", "subprotocol")).toThrow(expect.objectContaining({ code: "unauthorized" }));
    expect(isSubprotocolToken("Zx9_-.~")).toBe(true);
    expect(isSubprotocolToken("a/b")).toBe(false);
    expect(isSubprotocolToken("")).toBe(false);
  });

  it("knows loopback hosts", () => {
    expect(isLoopback("http://127.0.0.1:8284/")).toBe(true);
    expect(isLoopback("http://localhost/")).toBe(true);
    expect(isLoopback("http://[::1]:80/")).toBe(true);
    expect(isLoopback("https://byor.example.com/")).toBe(false);
    expect(isLoopback("http://10.0.0.1/")).toBe(false);
  });
});

describe("browserPage()", () => {
  function fakeWindow() {
    const doc = new EventTarget() as EventTarget & { visibilityState: string };
    doc.visibilityState = "visible";
    const win = new EventTarget();
    vi.stubGlobal("document", doc);
    vi.stubGlobal("navigator", { onLine: true });
    vi.stubGlobal("addEventListener", win.addEventListener.bind(win));
    vi.stubGlobal("removeEventListener", win.removeEventListener.bind(win));
    const fire = (target: EventTarget, type: string, persisted?: boolean) => {
      const event = new Event(type) as Event & { persisted?: boolean };
      if (persisted !== undefined) Object.defineProperty(event, "persisted", { value: persisted });
      target.dispatchEvent(event);
    };
    return { doc, win, fire };
  }

  it("reads visibility and network state from the page", () => {
    const { doc } = fakeWindow();
    const page = browserPage();
    expect(page.visible()).toBe(true);
    expect(page.online()).toBe(true);
    doc.visibilityState = "hidden";
    vi.stubGlobal("navigator", { onLine: false });
    expect(page.visible()).toBe(false);
    expect(page.online()).toBe(false);
  });

  it("maps visibilitychange, online/offline and persisted pageshow/pagehide, and stops on dispose", () => {
    const { doc, win, fire } = fakeWindow();
    const events: PageEvent[] = [];
    const watch = browserPage().watch((e) => events.push(e));
    doc.visibilityState = "hidden";
    fire(doc, "visibilitychange");
    doc.visibilityState = "visible";
    fire(doc, "visibilitychange");
    fire(win, "offline");
    fire(win, "online");
    fire(win, "pagehide", false); // a normal unload: nothing to do
    fire(win, "pagehide", true);
    fire(win, "pageshow", false); // the first show
    fire(win, "pageshow", true);
    expect(events).toEqual(["hidden", "visible", "offline", "online", "pagehide", "pageshow"]);
    watch.dispose();
    fire(win, "online");
    expect(events).toHaveLength(6);
  });

  it("outside a window everything is visible and online, with no events", () => {
    const page = browserPage();
    expect(page.visible()).toBe(true);
    expect(page.online()).toBe(true);
    const events: string[] = [];
    const watch = page.watch((event) => events.push(event));
    expect(() => watch.dispose()).not.toThrow();
    expect(events).toEqual([]);
  });
});

describe("openSocket()", () => {
  const open = (server: FakeServer, protocols = ["byor.v1", `byor.token.${TOKEN}`]) =>
    openSocket({ WebSocket: server.WebSocket, url: "ws://127.0.0.1:1/byor/v1/client", protocols, timeoutMs: 1000, signal: new AbortController().signal });

  it("closes with codes a browser accepts, and reports the close at once", async () => {
    const server = new FakeServer();
    const transport = await open(server);
    const closes: unknown[] = [];
    transport.onClose((c) => closes.push(c));
    transport.close(1001, "x".repeat(200));
    expect(closes).toEqual([{ code: 1001, reason: "x".repeat(200) }]); // as asked, for the session
    const sent = server.sockets[0]!.closedWith[0]!;
    expect(sent.code).toBe(4000); // 1001 is not allowed from a page
    expect(sent.reason).toHaveLength(123);
    expect(() => transport.send("dropped after close")).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(server.received[0]).toEqual([]);
  });

  it("reports the server's close once, with its code", async () => {
    const server = new FakeServer();
    const transport = await open(server);
    const closes: unknown[] = [];
    transport.onClose((c) => closes.push(c));
    server.sockets[0]!.server.close(4001, "Slow consumer");
    await new Promise((r) => setTimeout(r, 0));
    server.sockets[0]!.server.drop(); // a later drop of the same socket is not a second close
    await new Promise((r) => setTimeout(r, 0));
    expect(closes).toEqual([{ code: 4001, reason: "Slow consumer" }]);
  });

  it("rejects with the abort reason when aborted while dialling", async () => {
    const server = new FakeServer();
    server.hang = true;
    const controller = new AbortController();
    const pending = openSocket({ WebSocket: server.WebSocket, url: "ws://127.0.0.1:1/", protocols: [], timeoutMs: 1000, signal: controller.signal });
    controller.abort(new Error("session closed"));
    await expect(pending).rejects.toThrow("session closed");
    expect(server.sockets[0]!.closedWith).toHaveLength(1);
  });
});
