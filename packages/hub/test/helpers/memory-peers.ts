// What the in-memory hub tests share: hubs closed after each test, a runtime on a transport pair that answers syncs,
// and a flush that lets the pairs' deliveries run.
import { createTransportPair } from "@byor/core";
import { afterEach } from "vitest";
import { Hub, type HubOptions } from "../../src/index.js";

export type Json = Record<string, unknown> & { type: string };

/** Lets queued microtasks (the transport pairs' deliveries, the journal's writes) run. */
export const flush = async (rounds = 30) => {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
};

const hubs: Hub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

/** A hub closed after the test. */
export function hub(options: HubOptions = {}): Hub {
  const created = new Hub(options);
  hubs.push(created);
  return created;
}

/** A runtime attached to `h` that answers syncs and records every command it gets. */
export function runtime(h: Hub, deviceId = "device-1", name = "laptop") {
  const [serverEnd, runtimeEnd] = createTransportPair();
  const commands: Json[] = [];
  runtimeEnd.onMessage((text) => {
    const command = JSON.parse(text) as Json;
    commands.push(command);
    if (command.type === "sync" && command.request_id) {
      runtimeEnd.send(JSON.stringify({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true }));
    }
  });
  const entry = h.attachRuntime(deviceId, name, null, serverEnd);
  return { entry: entry!, end: runtimeEnd, commands, send: (frame: object) => runtimeEnd.send(JSON.stringify(frame)) };
}
