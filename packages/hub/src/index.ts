// @byor/hub: the platform-free hub of a BYOR server (runtime registry, broker, subscriptions, request routes) and
// the backplane seam that lets several hubs share runtimes and apps.
export { comparePositions, type Backplane, type BackplaneHandlers, type BusEvent, type HubMessage, type RuntimeRecord } from "./backplane.js";
export { MemoryCluster, memoryBackplane } from "./memory-backplane.js";
export { Federation, type FederatedBroker, type FederationOptions, type LocalRuntime } from "./federation.js";
export { RemoteRuntime, type RuntimeHandle, type RuntimeSessionLike } from "./remote-runtime.js";
export { runtimeLabel } from "./runtime-label.js";
