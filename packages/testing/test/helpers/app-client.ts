// An app on a BYOR server's client endpoint, as an app would be written: @byor/core's ClientSession over a `ws`
// socket (node-server's wsTransport adapter). It keeps every text frame the app received and every runtime event the
// session delivered, so a test can wait for one and check that all of them decode.
import { ClientSession, SESSION_VIEWS, type Transport } from "@byor/core";
import { decodeEvent, decodeServerFrame, type ByorError, type ByorRuntimeInfo, type RuntimeEvent } from "@byor/protocol";
import { WebSocket } from "ws";
import { wsTransport } from "../../../node-server/src/index.js";
import { waitUntil } from "./wait.js";

export interface DeliveredEvent {
  runtimeId: string;
  event: RuntimeEvent;
  at: number;
}

export interface TestApp {
  session: ClientSession;
  /** Every text frame the app received, across its sockets, in order. */
  readonly texts: string[];
  /** Runtime events the session delivered (decoded, deduplicated, in order). */
  readonly events: DeliveredEvent[];
  /** byor.runtime_status changes the session reported, with how many events had been delivered before each. */
  readonly statuses: { runtime: ByorRuntimeInfo; eventsBefore: number }[];
  /** Errors the session reported (undecodable frames, refusals nobody waited for). */
  readonly errors: ByorError[];
  /** The next delivered event (from index `from` of `events`) that matches. */
  next<T extends RuntimeEvent = RuntimeEvent>(
    match: (event: RuntimeEvent) => boolean,
    options?: { from?: number; timeoutMs?: number; what?: string },
  ): Promise<T>;
  /** The next runtime status (from index `from` of `statuses`) that matches. */
  nextStatus(
    match: (runtime: ByorRuntimeInfo) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<{ runtime: ByorRuntimeInfo; eventsBefore: number }>;
  /** Frames the app received that do not decode as server frames, or whose runtime event does not decode. */
  invalidFrames(): string[];
  close(): void;
}

export function startApp(clientUrl: string, token: string): TestApp {
  const texts: string[] = [];
  const events: DeliveredEvent[] = [];
  const statuses: { runtime: ByorRuntimeInfo; eventsBefore: number }[] = [];
  const errors: ByorError[] = [];
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const fn of [...wakers]) fn();
  };

  const session = new ClientSession({
    views: SESSION_VIEWS,
    connect: (signal) =>
      new Promise<Transport>((resolve, reject) => {
        const ws = new WebSocket(clientUrl, { headers: { authorization: `Bearer ${token}` } });
        const fail = (error: Error) => reject(error);
        ws.once("error", fail);
        signal.addEventListener("abort", () => ws.terminate(), { once: true });
        ws.once("open", () => {
          ws.off("error", fail);
          ws.on("error", () => {});
          const transport = wsTransport(ws, { maxBufferedBytes: 16 * 1024 * 1024, overflowClose: { code: 1013, reason: "App buffer full" } });
          // Delegated, not spread: wsTransport's methods are on its prototype.
          resolve({
            send: (text) => transport.send(text),
            close: (code, reason) => transport.close(code, reason),
            onClose: (listener) => transport.onClose(listener),
            onMessage: (listener) =>
              transport.onMessage((text) => {
                texts.push(text);
                listener(text);
              }),
          });
        });
      }),
  });
  session.on("event", ({ runtimeId, event }) => {
    events.push({ runtimeId, event, at: Date.now() });
    wake();
  });
  session.on("runtime", (runtime) => {
    statuses.push({ runtime, eventsBefore: events.length });
    wake();
  });
  session.on("error", (error) => void errors.push(error));
  session.start();

  const waitIn = <T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    waitUntil(
      wakers,
      find,
      timeoutMs,
      () =>
        `${what}; last events: ${events
          .slice(-8)
          .map((e) => eventLabel(e.event))
          .join(", ")}`,
    );

  return {
    session,
    texts,
    events,
    statuses,
    errors,
    next<T extends RuntimeEvent = RuntimeEvent>(match: (event: RuntimeEvent) => boolean, { from = 0, timeoutMs = 30_000, what = "a matching event" } = {}) {
      return waitIn(() => events.slice(from).find((e) => match(e.event))?.event as T | undefined, timeoutMs, what);
    },
    nextStatus(match, { from = 0, timeoutMs = 60_000 } = {}) {
      return waitIn(() => statuses.slice(from).find((s) => match(s.runtime)), timeoutMs, "a runtime status");
    },
    invalidFrames() {
      return texts.flatMap((text) => {
        const outer = decodeServerFrame(text);
        if (!outer.ok) return [`${text.slice(0, 160)}: ${outer.error.message}`];
        if (outer.message.type !== "byor.event") return [];
        const inner = decodeEvent(outer.message.event);
        return inner.ok ? [] : [`${text.slice(0, 160)}: ${inner.error.lines().join("; ")}`];
      });
    },
    close: () => session.close(),
  };
}

/** `stream_delta:assistant_message`, `update_loop_status:WAITING_ON_INPUT`, …: for failure messages. */
export function eventLabel(event: RuntimeEvent): string {
  const e = event as { type: string; delta?: { message_type?: string }; loop_status?: { status?: string }; stop_reason?: string };
  return [e.type, e.delta?.message_type ?? e.loop_status?.status ?? e.stop_reason].filter(Boolean).join(":");
}
