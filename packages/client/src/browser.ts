// @byor/client in browsers, workers and other non-Node platforms (the "browser" and "default" export conditions):
// the global WebSocket is the default. It cannot send upgrade headers, so App Server runtimes with --ws-auth are out
// of reach here (and ones without refuse pages' Origin): pages reach those through `byor serve --dial`.
import type { AppServerSession } from "@byor/core";
import { connectAppServerWith, type AppServerOptions } from "./app-server.js";
import { ByorClient, type ClientOptions } from "./broker-client.js";
import { globals } from "./platform.js";
import type { DefaultWebSocket } from "./websocket-default.js";

const defaults: DefaultWebSocket = { get: () => globals().WebSocket, sendsHeaders: false };

export * from "./common.js";

/** Connects to a BYOR server's client endpoint and keeps connecting (`await client.ready()`); see ClientOptions. */
export const connectClient = (options: ClientOptions): ByorClient => new ByorClient(defaults, options).start();

/** Connects to a runtime in App Server mode (`letta server --listen`) and keeps connecting; see AppServerOptions. */
export const connectAppServer = (options: AppServerOptions): AppServerSession => connectAppServerWith(defaults, options);
