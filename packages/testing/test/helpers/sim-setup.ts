// A logging server plus a simulated runtime connected to it, with helpers to send commands and wait for frames.
import { decodeEvent } from "@byor/protocol";
import { createSimulatedRuntime, type SimulatedRuntime, type SimulatedRuntimeOptions } from "../../src/simulated/runtime.js";
import { createLoggingServer, type LoggedFrame, type LoggingServer, type LoggingServerOptions, type ServerSocket } from "./logging-server.js";

export interface Rig {
  server: LoggingServer;
  runtime: SimulatedRuntime;
  /** The server's view of the runtime's current socket. */
  socket(): ServerSocket;
  send(frame: unknown): void;
  /** Marks the current end of the log; `since(mark)` gives the JSON frames received after it. */
  mark(): number;
  since(mark: number): Record<string, unknown>[];
  waitFor(match: (f: Record<string, unknown>) => boolean, from?: number, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Every frame the server received, checked against @byor/protocol. */
  invalidFrames(): string[];
  close(): Promise<void>;
}

export const TOKEN = "test-token";
const BARRIER = "barrier";

export async function rig(options: Partial<SimulatedRuntimeOptions> = {}, serverOptions: LoggingServerOptions = {}): Promise<Rig> {
  const server = await createLoggingServer({ token: TOKEN, ...serverOptions });
  const runtime = await createSimulatedRuntime({ baseUrl: server.url, token: TOKEN, connectionName: "sim-test", ...options });
  await server.socket(0);
  const current = () => server.sockets.filter((s) => !s.closed).at(-1) ?? server.sockets.at(-1)!;
  return {
    server,
    runtime,
    socket: current,
    send: (frame) => current().send(frame),
    mark: () => server.frames.length,
    // A settled() barrier's answer is the test's, not the runtime's: left out.
    since: (mark) => server.received(mark).filter((f) => f.request_id !== BARRIER),
    waitFor: (match, from = 0, timeoutMs = 5000) => server.waitFor((f: LoggedFrame) => !!f.json && match(f.json), { from, timeoutMs }).then((f) => f.json!),
    invalidFrames: () =>
      server.frames
        .filter((f) => f.dir === "in")
        .flatMap((f) => {
          const result = decodeEvent(f.text);
          return result.ok ? [] : [`${f.text.slice(0, 120)}: ${result.error.message}`];
        }),
    async close() {
      await runtime.stop();
      await server.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds (or fails after `timeoutMs`). */
export async function until(check: () => boolean, { timeoutMs = 10_000, what = "condition" } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A barrier: the runtime answers an `app_server_info` only after every frame the server sent before it, so once
 * its answer is in, anything those frames caused would be too. Returns the answer's index among received frames.
 */
export async function answeredAfter(r: Rig): Promise<number> {
  r.send({ type: "app_server_info", request_id: BARRIER });
  await r.waitFor((f) => f.type === "app_server_info_response");
  return r.server.received().findIndex((f) => f.type === "app_server_info_response");
}

/**
 * Waits until the runtime answered a barrier sent now, so every frame it emitted before (the trailing frames of a
 * turn) is in. `since` leaves the barrier's answer out.
 */
export async function settled(r: Rig): Promise<void> {
  const from = r.mark();
  r.send({ type: "app_server_info", request_id: BARRIER });
  await r.waitFor((f) => f.request_id === BARRIER, from);
}
