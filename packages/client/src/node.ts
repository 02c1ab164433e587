// @byor/client under Node (the "node" export condition): `ws`, through isomorphic-ws, is the default WebSocket. It
// can send the Authorization header App Server runtimes with --ws-auth need, and shows protocol pings and the HTTP
// status of a refused upgrade. (Node 22's global WebSocket can do neither, so it is not the default here.)
import WebSocket from "isomorphic-ws";
import type { AppServerSession } from "@byor/core";
import { connectAppServerWith, type AppServerOptions } from "./app-server.js";
import { ByorClient, type ClientOptions } from "./broker-client.js";
import type { WebSocketConstructorLike } from "./platform.js";
import type { DefaultWebSocket } from "./websocket-default.js";
import { wsExtras } from "./ws-extras.js";

const defaults: DefaultWebSocket = { get: () => WebSocket as unknown as WebSocketConstructorLike, sendsHeaders: true, extras: wsExtras };

export * from "./common.js";

/** Connects to a BYOR server's client endpoint and keeps connecting (`await client.ready()`); see ClientOptions. */
export const connectClient = (options: ClientOptions): ByorClient => new ByorClient(defaults, options).start();

/** Connects to a runtime in App Server mode (`letta server --listen`) and keeps connecting; see AppServerOptions. */
export const connectAppServer = (options: AppServerOptions): AppServerSession => connectAppServerWith(defaults, options);
