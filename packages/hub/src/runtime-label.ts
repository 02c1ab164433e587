/** A runtime for logs: `"my-laptop" (7ba1fdb5)`. Quoted as JSON: both come from the runtime and may hold anything. */
export const runtimeLabel = (connectionName: string, deviceId: string): string =>
  `${JSON.stringify(connectionName)} (${JSON.stringify(deviceId.slice(0, 8)).slice(1, -1)})`;
