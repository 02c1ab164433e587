// An app on the client endpoint reached through a fault proxy: @byor/core's ClientSession (seq/ack, resume) over a
// `ws` socket, with short heartbeats and a fast seeded backoff, recording the numbered events it is delivered (and
// the session's resets between them) in an EventLedger.
import { ClientSession, exponentialBackoff, type Transport } from "@byor/core";
import type { RuntimeEvent } from "@byor/protocol";
import { WebSocket } from "ws";
import { wsTransport } from "../../../node-server/src/index.js";
import { EventLedger } from "./event-ledger.js";
import { waitUntil } from "./wait.js";

export interface FaultyApp {
  readonly name: string;
  readonly session: ClientSession;
  readonly ledger: EventLedger;
  /** Welcomes that resumed the session, and that started a fresh one (the first included). */
  readonly resumes: number;
  readonly freshSessions: number;
  /** Reasons of the resets the session reported. */
  readonly resetReasons: readonly string[];
  /** Sockets the session opened, and closes it saw, by code. */
  readonly sockets: number;
  readonly closes: Readonly<Record<string, number>>;
  /** Errors the session reported. */
  readonly errors: readonly string[];
  /** Resolves once the ledger holds `seq` (or a later number). */
  reached(seq: number, timeoutMs: number): Promise<void>;
  close(): void;
}

export interface FaultyAppOptions {
  name: string;
  /** ws://127.0.0.1:<proxy port>/byor/v1/client */
  url: string;
  token: string;
  random: () => number;
  /** Which delivered events are the numbered stream, and their number. */
  numberOf: (event: RuntimeEvent) => number | undefined;
  heartbeatMs?: number;
}

export function startFaultyApp(options: FaultyAppOptions): FaultyApp {
  const ledger = new EventLedger();
  const resetReasons: string[] = [];
  const errors: string[] = [];
  const closes: Record<string, number> = {};
  const wakers = new Set<() => void>();
  let resumes = 0;
  let freshSessions = 0;
  let sockets = 0;

  const session = new ClientSession({
    heartbeat: { intervalMs: options.heartbeatMs ?? 150, maxMisses: 3 },
    reconnect: exponentialBackoff({ baseMs: 10, capMs: 250, stableAfterMs: 500, random: options.random }),
    ackDelayMs: 50,
    requestTimeoutMs: 60_000,
    connect: (signal) =>
      new Promise<Transport>((resolve, reject) => {
        // A stall during the upgrade must not hang the attempt: the handshake has a deadline.
        const ws = new WebSocket(options.url, { headers: { authorization: `Bearer ${options.token}` }, handshakeTimeout: 2_000 });
        ws.once("error", reject);
        signal.addEventListener("abort", () => ws.terminate(), { once: true });
        ws.once("open", () => {
          sockets++;
          ws.off("error", reject);
          ws.on("error", () => {});
          ws.once("close", (code) => void (closes[code] = (closes[code] ?? 0) + 1));
          resolve(wsTransport(ws, { maxBufferedBytes: 16 * 1024 * 1024, overflowClose: { code: 1013, reason: "App buffer full" } }));
        });
      }),
  });
  session.on("event", ({ event }) => {
    const seq = options.numberOf(event);
    if (seq === undefined) return;
    ledger.record(seq);
    for (const wake of [...wakers]) wake();
  });
  session.on("reset", ({ reason }) => {
    ledger.reset(reason);
    resetReasons.push(reason);
  });
  session.on("state", ({ to }) => {
    if (to.status !== "open") return;
    if (to.resumed) resumes++;
    else freshSessions++;
  });
  session.on("error", (error) => void errors.push(error.message));
  session.start();

  return {
    name: options.name,
    session,
    ledger,
    get resumes() {
      return resumes;
    },
    get freshSessions() {
      return freshSessions;
    },
    resetReasons,
    get sockets() {
      return sockets;
    },
    closes,
    errors,
    reached: (seq, timeoutMs) =>
      waitUntil(
        wakers,
        () => (ledger.last >= seq ? true : undefined),
        timeoutMs,
        () => `${options.name} to receive event ${seq} (has ${ledger.last}; session ${session.state.status})`,
      ).then(() => undefined),
    close: () => session.close(),
  };
}
