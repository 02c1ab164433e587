// @byor/hub: the platform-free hub of a BYOR server (runtime registry, broker, subscriptions, request routes) and
// the backplane seam that lets several hubs share runtimes and apps. A server adapter (e.g. @byor/node-server)
// hands it transports and does the HTTP, sockets and auth.
export { Hub, type HubOptions, type HubStats, type RuntimeChange } from "./hub.js";
export { DEFAULT_AUDITED_CLASSES, UNRESTRICTED, type AuditRecord, type Principal } from "./principal.js";
export {
  comparePositions,
  type Backplane,
  type BackplaneHandlers,
  type BusEvent,
  type HubMessage,
  type RuntimeRecord,
  type SessionStore,
  type SessionWrite,
  type TakenSession,
} from "./backplane.js";
export { MemoryCluster, memoryBackplane, type MemoryClusterOptions } from "./memory-backplane.js";
export { SessionJournal } from "./session-journal.js";
export type { SessionRouting } from "./broker.js";
export { Federation, type FederatedBroker, type FederationOptions, type LocalRuntime } from "./federation.js";
export { RemoteRuntime, type RuntimeHandle, type RuntimeSessionLike } from "./remote-runtime.js";
export {
  RuntimeEntry,
  isRefusal,
  storedRuntime,
  type DialSpec,
  type Refusal,
  type RuntimeIds,
  type RuntimeMode,
  type StoredRuntime,
} from "./runtime-registry.js";
export { brokerRuntimeInfo, runtimeSummary, type RuntimeSummary } from "./runtime-info.js";
export { Metrics } from "./metrics.js";
export { FaultLog, describeError } from "./fault-log.js";
export { silentLogger, type Logger } from "./logger.js";
export { idIssues, idProblem, MAX_ID_LENGTH } from "./ids.js";
export { runtimeLabel } from "./runtime-label.js";
export { stableHash } from "./stable-hash.js";
