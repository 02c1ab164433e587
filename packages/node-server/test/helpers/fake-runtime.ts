import { randomUUID } from "node:crypto";
import { decodeCommand, type RuntimeCommand, type RuntimeEvent } from "@byor/protocol";
import { realFrame } from "./fixtures.js";
import { TestSocket, connect } from "./sockets.js";

type Scope = { agent_id: string | null; conversation_id: string };

/**
 * A stand-in for the runtime, for unit tests: registers like the real one, connects with its Bearer token, answers
 * `sync` with the four snapshots and a sync_response, `input` with input_accepted and a short turn, and `ping`s on
 * demand. Its frames are real captured frames with the ids changed. Every command it receives must be valid.
 */
export class FakeRuntime {
  socket: TestSocket | undefined;
  readonly commands: RuntimeCommand[] = [];
  readonly invalid: string[] = [];
  registration: { connectionId: string; wsUrl: string } | undefined;
  /** Answer syncs with `success: false` (and no snapshots). */
  failSyncs = false;
  #seq = 0;

  constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly deviceId = randomUUID(),
    readonly name = "fake-runtime",
  ) {}

  async register(): Promise<Response> {
    const res = await fetch(`${this.baseUrl}/v1/environments/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify(registerBody(this.deviceId, this.name)),
    });
    if (res.ok) this.registration = (await res.clone().json()) as { connectionId: string; wsUrl: string };
    return res;
  }

  /** Registers (once) and opens the socket. */
  async connect(): Promise<TestSocket> {
    if (!this.registration) {
      const res = await this.register();
      if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    }
    const url = new URL(this.registration!.wsUrl);
    url.searchParams.set("deviceId", this.deviceId);
    url.searchParams.set("connectionName", this.name);
    const socket = await connect(url.toString(), { headers: { authorization: `Bearer ${this.token}` } });
    this.socket = socket;
    // A frame that came in the same packet as the upgrade's answer (an uncompressed sync) was read before `open`
    // resolved: the TestSocket has it already.
    for (const frame of socket.received) this.#onCommand(JSON.stringify(frame));
    socket.ws.on("message", (data) => this.#onCommand(data.toString()));
    return socket;
  }

  /** Sends a frame as the runtime (an event, or raw text). */
  emit(frame: RuntimeEvent | string): void {
    this.socket!.send(frame);
  }

  ping(): void {
    this.emit('{"type":"ping"}');
  }

  snapshots(scope: Scope): RuntimeEvent[] {
    const loop = realFrame("02b-sync-at-socket-open", "update_loop_status");
    const queue = realFrame("02b-sync-at-socket-open", "update_queue");
    const subagents = realFrame("02b-sync-at-socket-open", "update_subagent_state");
    const device = realFrame("02b-sync-at-socket-open", "update_device_status");
    return [device, loop, queue, subagents].map((f) => this.#envelope({ ...f, runtime: { ...scope } } as RuntimeEvent));
  }

  #envelope(frame: RuntimeEvent): RuntimeEvent {
    const seq = ++this.#seq;
    return { ...frame, event_seq: seq, idempotency_key: `${frame.type}:${seq}:${randomUUID()}` } as RuntimeEvent;
  }

  #onCommand(text: string): void {
    const result = decodeCommand(text);
    if (!result.ok) {
      this.invalid.push(text);
      return;
    }
    const command = result.message;
    this.commands.push(command);
    if (command.type === "sync" && this.failSyncs) {
      if (command.request_id)
        this.emit({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: false, error: "sync refused" });
    } else if (command.type === "sync") {
      for (const frame of this.snapshots(command.runtime)) this.emit(frame);
      if (command.request_id) this.emit({ type: "sync_response", request_id: command.request_id, runtime: command.runtime, success: true });
    }
    if (command.type === "input" && command.payload.kind === "create_message") {
      if (command.request_id)
        this.emit({ type: "input_accepted", request_id: command.request_id, runtime: command.runtime, accepted: true, disposition: "started" });
      const delta = realFrame("03c-turn-deterministic-executor", "stream_delta");
      this.emit(this.#envelope({ ...delta, runtime: { ...command.runtime } }));
      const finished = realFrame("03c-turn-deterministic-executor", "turn_finished");
      this.emit(this.#envelope({ ...finished, runtime: { ...command.runtime } }));
    }
  }
}

export const registerBody = (deviceId: string, connectionName: string) => ({
  deviceId,
  listenerInstanceId: `server-${deviceId.replaceAll("-", "").slice(0, 16)}`,
  connectionName,
  metadata: {
    lettaCodeVersion: "0.32.18",
    os: "linux",
    nodeVersion: "v22.23.3",
    environmentMessageProtocol: "v2-input",
    supportsPairedListenerGenerations: true,
    supported_commands: ["clear"],
    self_update: { supported: false, writable: false, manual_command: "npm install -g @letta-ai/letta-code@latest" },
  },
});
