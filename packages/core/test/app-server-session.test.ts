import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ByorError } from "@byor/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppServerSession, type AppServerSessionOptions } from "../src/app-server-session.js";
import { CLIENT_CLOSE } from "../src/close-codes.js";
import { ConnectRefused } from "../src/connect-refused.js";
import { toDisposable, type Disposable } from "../src/disposable.js";
import { createTransportPair, type MemoryTransport } from "../src/memory-transport.js";
import type { ReconnectPolicy } from "../src/reconnect.js";
import type { SessionStatus } from "../src/states.js";
import type { Transport } from "../src/transport.js";

const INFO = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../schema/events/app_server_info_response.examples.jsonl"), "utf8").split("\n")[0]!,
) as Record<string, unknown>;
const SCOPE = { agent_id: "agent-x", conversation_id: "default" };
const flush = () => vi.advanceTimersByTimeAsync(0);

/** The runtime's end of one socket: answers app_server_info and sync like the real App Server does. */
class FakeListener {
  readonly received: Record<string, unknown>[] = [];
  constructor(
    readonly end: MemoryTransport,
    info: Record<string, unknown> = INFO,
  ) {
    end.onMessage((text) => {
      const command = JSON.parse(text) as Record<string, unknown>;
      this.received.push(command);
      if (command.type === "app_server_info") this.send({ ...info, request_id: command.request_id });
      if (command.type === "sync") this.send({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true });
    });
  }
  send(frame: object): void {
    this.end.send(JSON.stringify(frame));
  }
  of(type: string): Record<string, unknown>[] {
    return this.received.filter((frame) => frame.type === type);
  }
}

/** A transport whose protocol pings the test raises (what the ws adapter reports through onActivity). */
function withActivity(transport: MemoryTransport): Transport & { ping(): void } {
  const listeners = new Set<() => void>();
  return {
    send: (text) => transport.send(text),
    close: (code, reason) => transport.close(code, reason),
    onMessage: (listener) => transport.onMessage(listener),
    onClose: (listener) => transport.onClose(listener),
    onActivity(listener: () => void): Disposable {
      listeners.add(listener);
      return toDisposable(() => listeners.delete(listener));
    },
    ping() {
      for (const listener of listeners) listener();
    },
  };
}

const fixedDelay = (delayMs: number, maxAttempts = Infinity): ReconnectPolicy => ({
  stableAfterMs: 10_000,
  retryDelay: () => delayMs,
  shouldRetry: (close, attempt) => close.code !== CLIENT_CLOSE.unauthorized && attempt <= maxAttempts,
});

interface Rig {
  session: AppServerSession;
  listeners: FakeListener[];
  states: SessionStatus[];
  dials: number;
}

function rig(options: Partial<AppServerSessionOptions> & { dial?: (n: number) => Transport | Error | undefined } = {}): Rig {
  const r: Rig = { session: undefined!, listeners: [], states: [], dials: 0 };
  r.session = new AppServerSession({
    reconnect: fixedDelay(1_000),
    connect: async () => {
      r.dials++;
      const custom = options.dial?.(r.dials);
      if (custom instanceof Error) throw custom;
      if (custom) return custom;
      const [client, runtime] = createTransportPair();
      r.listeners.push(new FakeListener(runtime));
      return client;
    },
    ...options,
  });
  r.session.on("state", ({ to }) => r.states.push(to.status));
  return r;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AppServerSession", () => {
  it("dials, asks app_server_info and resolves ready() with it", async () => {
    const r = rig();
    const ready = r.session.start().ready();
    await flush();
    const info = await ready;
    expect(info.protocol_version).toBe(1);
    expect(r.session.info).toBe(info);
    expect(r.states).toEqual(["connecting", "open"]);
    expect(r.session.session.state.status).toBe("open");
    expect(r.listeners[0]!.of("app_server_info")).toHaveLength(1);
    r.session.close();
    expect(r.states.at(-1)).toBe("closed");
  });

  it("redials with the policy's delay after the socket drops, re-syncs watched scopes and asks info again", async () => {
    const r = rig();
    r.session.start();
    await flush();
    await r.session.session.watch(SCOPE);
    expect(r.listeners[0]!.of("sync")).toHaveLength(1);

    r.listeners[0]!.end.drop();
    await flush();
    expect(r.session.state).toMatchObject({ status: "backing_off", attempt: 1, delayMs: 1_000, lastClose: { code: 1006 } });
    await vi.advanceTimersByTimeAsync(999);
    expect(r.dials).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.dials).toBe(2);
    expect(r.session.state.status).toBe("open");
    expect(r.listeners[1]!.of("sync")).toEqual([expect.objectContaining({ runtime: SCOPE })]);
    expect(r.listeners[1]!.of("app_server_info")).toHaveLength(1);
    r.session.close();
  });

  it("a failed dial backs off and tries again; requests meanwhile reject with not_connected", async () => {
    const r = rig({ dial: (n) => (n < 3 ? new Error("ECONNREFUSED") : undefined) });
    const ready = r.session.start().ready();
    await flush();
    expect(r.session.state).toMatchObject({ status: "backing_off", lastClose: { code: 1006, reason: "ECONNREFUSED" } });
    await expect(r.session.session.request({ type: "app_server_info" })).rejects.toMatchObject({ code: "not_connected" });
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(ready).resolves.toMatchObject({ type: "app_server_info_response" });
    expect(r.dials).toBe(3);
    r.session.close();
  });

  it("a refused token ends the session: no more dials, ready() rejects with the refusal", async () => {
    const refused = new ConnectRefused("unauthorized", "the runtime refused the token (HTTP 401: invalid websocket bearer token)", {
      code: CLIENT_CLOSE.unauthorized,
      reason: "Unauthorized",
    });
    const r = rig({ dial: () => refused });
    const ready = expect(r.session.start().ready()).rejects.toBe(refused);
    await flush();
    await ready;
    expect(r.session.state).toMatchObject({ status: "closed", close: { code: 4401 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.dials).toBe(1);
    await expect(r.session.ready()).rejects.toBe(refused);
  });

  it("ready() times out with the last failure in the message, and honours an abort", async () => {
    const r = rig({ dial: () => new Error("ECONNREFUSED") });
    r.session.start();
    const timedOut = expect(r.session.ready({ timeoutMs: 5_000 })).rejects.toThrow(/within 5000 ms; last: 1006 ECONNREFUSED/);
    const controller = new AbortController();
    const aborted = r.session.ready({ signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "request_aborted" });
    await vi.advanceTimersByTimeAsync(5_000);
    await timedOut;
    r.session.close();
  });

  it("protocol pings keep a quiet socket alive; without them the watchdog replaces it after 3 intervals", async () => {
    let pinged: (Transport & { ping(): void }) | undefined;
    const r = rig({
      heartbeat: { intervalMs: 30_000, maxMisses: 3 },
      dial: (n) => {
        const [client, runtime] = createTransportPair();
        r.listeners.push(new FakeListener(runtime));
        if (n === 1) return (pinged = withActivity(client));
        return client;
      },
    });
    r.session.start();
    await flush();
    for (let i = 0; i < 6; i++) {
      pinged!.ping();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(r.session.state.status).toBe("open");
    expect(r.dials).toBe(1);

    // Three silent intervals, then the policy's 1 s backoff.
    await vi.advanceTimersByTimeAsync(90_000);
    expect(r.session.state).toMatchObject({ status: "backing_off", lastClose: { code: 4000, reason: "Heartbeat timeout" } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.dials).toBe(2);
    expect(r.listeners[0]!.end.closed).toBe(true);
    expect(r.session.state.status).toBe("open");
    r.session.close();
  });

  it("heartbeat: false never cuts a quiet socket", async () => {
    const r = rig({ heartbeat: false });
    r.session.start();
    await flush();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(r.session.state.status).toBe("open");
    expect(r.dials).toBe(1);
    r.session.close();
  });

  it("close() while dialling aborts the attempt and closes a socket that opens late", async () => {
    let signal: AbortSignal | undefined;
    let open!: (t: Transport) => void;
    const [late, runtime] = createTransportPair();
    const session = new AppServerSession({
      connect: (s) => {
        signal = s as AbortSignal;
        return new Promise<Transport>((resolve) => (open = resolve));
      },
    }).start();
    session.close();
    expect(signal?.aborted).toBe(true);
    const closes: number[] = [];
    runtime.onClose((c) => closes.push(c.code));
    open(late);
    await flush();
    expect(closes).toEqual([1000]);
    expect(session.state.status).toBe("closed");
  });

  it("reports a protocol version it does not speak on its error event, and still opens", async () => {
    const errors: ByorError[] = [];
    const r = rig({
      dial: () => {
        const [client, runtime] = createTransportPair();
        r.listeners.push(new FakeListener(runtime, { ...INFO, protocol_version: 2 }));
        return client;
      },
    });
    r.session.on("error", (e) => errors.push(e));
    r.session.start();
    await flush();
    expect(errors.map((e) => e.message)).toEqual(["the runtime speaks App Server protocol 2; this SDK speaks 1"]);
    expect(r.session.info?.protocol_version).toBe(2);
    r.session.close();
  });

  it("a connection that stayed up past stableAfterMs resets the attempt counter", async () => {
    const r = rig();
    r.session.start();
    await flush();
    r.listeners[0]!.end.drop();
    await flush();
    expect(r.session.state).toMatchObject({ status: "backing_off", attempt: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    r.listeners[1]!.end.drop();
    await flush();
    expect(r.session.state).toMatchObject({ status: "backing_off", attempt: 2 });
    await vi.advanceTimersByTimeAsync(1_000 + 10_000);
    r.listeners[2]!.end.drop();
    await flush();
    expect(r.session.state).toMatchObject({ status: "backing_off", attempt: 1 });
    r.session.close();
  });
});
