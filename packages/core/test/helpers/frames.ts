// Hand-written runtime frames for the mirror and assembler tests.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeEvent, type DeviceStatus, type RuntimeEvent } from "@byor/protocol";

export const A = { agent_id: "agent-1", conversation_id: "conv-1" };
export const B = { agent_id: "agent-1", conversation_id: "conv-2" };
export type Scope = typeof A;
export const DATE = "2026-11-27T15:02:10.000Z";

// A real device status (02b) as the base of hand-written ones.
const fixtures = resolve(import.meta.dirname, "../../../../fixtures/real-runtime-0.32.18");
export const realDeviceStatus: DeviceStatus = JSON.parse(
  readFileSync(resolve(fixtures, "02b-sync-at-socket-open.runtime-to-server.jsonl"), "utf8").split("\n")[0]!,
).device_status;

/** Enveloped runtime frames numbered like one connection's, each validated like a received one. */
export class Frames {
  seq = 0;
  #connection = 0;

  /** The runtime re-registered: a new connectionId, so event_seq starts over and keys are new. */
  reregister(): void {
    this.seq = 0;
    this.#connection++;
  }

  frame(type: string, fields: object, runtime: Scope = A, key?: string): RuntimeEvent {
    const seq = ++this.seq;
    const result = decodeEvent({
      type,
      ...fields,
      runtime,
      event_seq: seq,
      emitted_at: new Date(Date.UTC(2026, 10, 27, 15, 0, seq)).toISOString(),
      idempotency_key: key ?? `${type}:${seq}:00000000-0000-4000-8${String(this.#connection).padStart(3, "0")}-${String(seq).padStart(12, "0")}`,
    });
    if (!result.ok) throw new Error(`${type}: ${result.error.lines().join("\n")}`);
    return result.message;
  }
}
