import { createHash } from "node:crypto";
import { appServerUrl, connectAppServer, type AppServerAuth, type AppServerSession } from "@byor/client";
import type { RuntimeSessionOptions } from "@byor/core";
import type { DialSpec } from "@byor/hub";

/**
 * A runtime in App Server mode (`letta server --listen ws://host:port`) this server dials and lists beside the
 * runtimes that registered: apps and the console drive both kinds the same way.
 */
export interface DialTarget {
  /** The runtime's listener: `ws://127.0.0.1:4500` (`/ws` is added when there is no path). */
  url: string;
  /** `{ token }` for `--ws-auth capability-token`; `{ secret, issuer?, audience? }` for `signed-bearer-token`. */
  auth?: AppServerAuth;
  /** Its name in the runtime list until it reports its own (default: the listener's host:port). */
  name?: string;
}

/** The id a dialled runtime has on this server: stable per listener URL, so apps' subscriptions survive restarts. */
export const dialedRuntimeId = (url: string): string => `app-server-${createHash("sha256").update(appServerUrl(url)).digest("hex").slice(0, 16)}`;

/** Its name before it reports one. */
export const dialedRuntimeName = (target: DialTarget): string => target.name ?? new URL(appServerUrl(target.url)).host;

/** What the hub needs to dial a target; the session it opens redials with jittered backoff until closed or refused. */
export const dialSpec = (target: DialTarget): DialSpec => ({
  id: dialedRuntimeId(target.url),
  name: target.name,
  fallbackName: dialedRuntimeName(target),
  url: target.url,
  open: (session: RuntimeSessionOptions): AppServerSession => connectAppServer({ ...session, url: target.url, ...(target.auth ? { auth: target.auth } : {}) }),
});
