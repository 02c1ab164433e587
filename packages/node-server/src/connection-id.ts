import { createHash } from "node:crypto";

/**
 * A connectionId stable per device and listener instance (the hub's `ids`): SHA-256, so the ids servers issued
 * before the hub existed stay the same across an upgrade.
 */
export const connectionIdFor = (deviceId: string, listenerInstanceId: string | undefined): string =>
  `conn-${createHash("sha256")
    .update(`${deviceId}\n${listenerInstanceId ?? ""}`)
    .digest("hex")
    .slice(0, 24)}`;
