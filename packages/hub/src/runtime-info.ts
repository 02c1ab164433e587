import type { RuntimeRecord } from "./backplane.js";
import type { RemoteRuntime } from "./remote-runtime.js";
import type { ByorRuntimeInfo } from "@byor/protocol";
import type { RuntimeEntry } from "./runtime-registry.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A runtime as the client endpoint describes it (byor.runtimes, byor.runtime_status). */
export const brokerRuntimeInfo = (entry: RuntimeEntry): ByorRuntimeInfo => ({
  id: entry.deviceId,
  connection_name: entry.connectionName,
  connection_id: entry.connectionId,
  online: entry.online,
  connected_at: iso(entry.connectedAt),
  last_seen_at: iso(entry.lastSeenAt),
  mode: entry.mode,
});

/** A runtime as `GET /byor/v1/runtimes` (and `server.runtimes()`) describes it: camelCase, like the register API. */
export interface RuntimeSummary {
  /** The runtime's id on this server: its device id. */
  id: string;
  deviceId: string;
  /** The `--env-name` it registered (or connected) with. */
  connectionName: string;
  connectionId: string | null;
  online: boolean;
  /** ISO times: the current (or last) socket's open, the last frame received, the last registration. */
  connectedAt: string | null;
  lastSeenAt: string | null;
  registeredAt: string | null;
  /** When this server first saw it (kept across restarts with a state directory); absent for another node's. */
  firstSeenAt?: string | null;
  lettaCodeVersion: string | null;
  /** `remote`: it registered (`letta remote`); `app_server`: the server dials it (`letta server --listen`). */
  mode: "remote" | "app_server";
  /** App Server mode: the listener the server dials. */
  dialUrl: string | null;
  /** The node holding its socket (several `byor serve` nodes on one backplane; one node: this one's id). */
  node?: string;
  /** Scopes the server syncs on every (re)connect, because an app subscribed or sent a command there. */
  watchedScopes: { agent_id: string | null; conversation_id: string }[];
}

export const runtimeSummary = (entry: RuntimeEntry): RuntimeSummary => ({
  id: entry.deviceId,
  deviceId: entry.deviceId,
  connectionName: entry.connectionName,
  connectionId: entry.connectionId,
  online: entry.online,
  connectedAt: iso(entry.connectedAt),
  lastSeenAt: iso(entry.lastSeenAt),
  registeredAt: iso(entry.registeredAt),
  firstSeenAt: iso(entry.firstSeenAt),
  lettaCodeVersion: entry.metadata?.lettaCodeVersion ?? entry.dialer?.info?.letta_code_version ?? null,
  mode: entry.mode,
  dialUrl: entry.dialUrl ?? null,
  watchedScopes: entry.session.scopes.map((s) => ({ agent_id: s.agent_id, conversation_id: s.conversation_id })),
});

/** One of this node's runtimes as the shared directory records it. */
export const runtimeRecord = (entry: RuntimeEntry, node: string): RuntimeRecord => {
  const summary = runtimeSummary(entry);
  return {
    info: brokerRuntimeInfo(entry),
    node,
    registeredAt: summary.registeredAt,
    lettaCodeVersion: summary.lettaCodeVersion,
    dialUrl: summary.dialUrl,
    watchedScopes: summary.watchedScopes,
  };
};

/** A runtime another node holds, as `GET /byor/v1/runtimes` describes it. */
export const remoteRuntimeInfo = (runtime: RemoteRuntime): RuntimeSummary => {
  const { info, node, registeredAt, lettaCodeVersion, dialUrl, watchedScopes } = runtime.record;
  return {
    id: info.id,
    deviceId: info.id,
    connectionName: info.connection_name,
    connectionId: info.connection_id ?? null,
    online: info.online,
    connectedAt: info.connected_at ?? null,
    lastSeenAt: info.last_seen_at ?? null,
    registeredAt,
    lettaCodeVersion,
    mode: info.mode ?? "remote",
    dialUrl,
    node,
    watchedScopes,
  };
};
