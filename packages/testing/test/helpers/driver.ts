// Drives one runtime (the real one or the simulated one) through a list of steps from the server's side, and
// records what came back for each step, so two runs can be compared step by step.
import type { LoggingServer, ServerSocket } from "./logging-server.js";

type Frame = Record<string, unknown>;

export interface DriveContext {
  /** The scope runtime_start answered with (filled once a step sees a runtime_start_response). */
  runtime: { agent_id: string; conversation_id: string };
  /** Values steps share (model URL, …). */
  vars: Record<string, string>;
}

export interface Step {
  name: string;
  /** Frames to send when the step starts. */
  send?: (ctx: DriveContext) => unknown[];
  /** Something else to do instead of (or after) sending, e.g. dropping the socket. */
  act?: (target: Target, ctx: DriveContext) => Promise<void> | void;
  /** The step is over once a frame matches (then the log must stay quiet for `quietMs`). */
  until?: (frame: Frame) => boolean;
  /** Quiet time that ends the step (default 400 ms; 0 ends it at the `until` frame). */
  quietMs?: number;
  /** The number of streamed chunks in this step depends on timing (an abort cuts a stream): count runs once. */
  timing?: boolean;
  timeoutMs?: number;
}

export interface Target {
  server: LoggingServer;
  /** The runtime's current socket on the server side. */
  socket(): ServerSocket;
}

export interface StepResult {
  name: string;
  frames: Frame[];
  /** Set when `until` never matched. */
  timedOut?: string;
  timing?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function quiet(server: LoggingServer, ms: number): Promise<void> {
  let count = server.frames.length;
  for (;;) {
    await sleep(ms);
    if (server.frames.length === count) return;
    count = server.frames.length;
  }
}

export async function drive(target: Target, steps: readonly Step[], vars: Record<string, string> = {}): Promise<StepResult[]> {
  const ctx: DriveContext = { runtime: { agent_id: "", conversation_id: "" }, vars };
  const results: StepResult[] = [];
  for (const step of steps) {
    const mark = target.server.frames.length;
    for (const frame of step.send?.(ctx) ?? []) target.socket().send(frame);
    await step.act?.(target, ctx);
    let timedOut: string | undefined;
    if (step.until) {
      try {
        await target.server.waitFor((f) => !!f.json && step.until!(f.json), { from: mark, timeoutMs: step.timeoutMs ?? 30_000 });
      } catch (err) {
        timedOut = (err as Error).message;
      }
    }
    if (step.quietMs !== 0) await quiet(target.server, step.quietMs ?? 400);
    const frames = target.server.received(mark);
    const start = frames.find((f) => f.type === "runtime_start_response" && f.success === true);
    if (start) ctx.runtime = start.runtime as DriveContext["runtime"];
    results.push({ name: step.name, frames, ...(timedOut ? { timedOut } : {}), ...(step.timing ? { timing: true } : {}) });
  }
  return results;
}
