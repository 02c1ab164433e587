import type { AppConnection, Clock } from "@byor/core";

interface Route {
  app: AppConnection;
  deviceId: string;
  /** The app's own request_id, restored on everything that answers it. */
  originalId: string;
  /** The response that settles it. */
  responseType: string;
  expiresAt: number;
}

/** A route as a session journal keeps it. */
export interface SavedRoute {
  id: string;
  deviceId: string;
  originalId: string;
  responseType: string;
}

/**
 * Which app sent which request. Apps pick their own request ids, so two apps may both send `"1"`: the server gives
 * each forwarded command an id of its own and maps the runtime's answers back. Bounded: entries leave when their
 * response arrives, when the app or the runtime goes away, or after `ttlMs`; an app may have `maxPerApp` at once.
 */
export class RequestRoutes {
  readonly #routes = new Map<string, Route>();
  readonly #perApp = new Map<AppConnection, Set<string>>();
  #counter = 0;

  /** `prefix` makes the ids unique among the nodes sharing a runtime: answers travel to every node. */
  constructor(private readonly options: { maxPerApp: number; ttlMs: number; clock: Pick<Clock, "now">; prefix?: string }) {}

  /** The id to forward in place of `originalId`, or undefined when the app has too many requests in flight. */
  add(app: AppConnection, deviceId: string, originalId: string, responseType: string): string | undefined {
    this.#sweep();
    let mine = this.#perApp.get(app);
    if (!mine) this.#perApp.set(app, (mine = new Set()));
    if (mine.size >= this.options.maxPerApp) return undefined;
    const id = `byor-${this.options.prefix ?? ""}${++this.#counter}`;
    this.#routes.set(id, { app, deviceId, originalId, responseType, expiresAt: this.options.clock.now() + this.options.ttlMs });
    mine.add(id);
    return id;
  }

  /** An app's requests waiting for an answer (to journal its session). */
  ofApp(app: AppConnection): SavedRoute[] {
    const saved: SavedRoute[] = [];
    for (const id of this.#perApp.get(app) ?? []) {
      const route = this.#routes.get(id);
      if (route) saved.push({ id, deviceId: route.deviceId, originalId: route.originalId, responseType: route.responseType });
    }
    return saved;
  }

  /** Takes over a route another node made for a session resumed here (answers travel to every node). */
  adopt(app: AppConnection, saved: SavedRoute): void {
    if (this.#routes.has(saved.id)) return;
    let mine = this.#perApp.get(app);
    if (!mine) this.#perApp.set(app, (mine = new Set()));
    this.#routes.set(saved.id, {
      app,
      deviceId: saved.deviceId,
      originalId: saved.originalId,
      responseType: saved.responseType,
      expiresAt: this.options.clock.now() + this.options.ttlMs,
    });
    mine.add(saved.id);
  }

  /** The app a frame with this request id answers, without settling the route. */
  appOf(deviceId: string, requestId: string): AppConnection | undefined {
    const route = this.#routes.get(requestId);
    return route?.deviceId === deviceId ? route.app : undefined;
  }

  /**
   * The route of a frame the runtime sent with this request id, if it answers one of ours: the answering response
   * ends the route; other frames with the id (progress of the same request) leave it open.
   */
  take(deviceId: string, requestId: string, type: string): Pick<Route, "app" | "originalId"> | undefined {
    const route = this.#routes.get(requestId);
    if (!route || route.deviceId !== deviceId) return undefined;
    if (route.responseType === type) this.#delete(requestId, route);
    return route;
  }

  /** Ends the route of a command that could not be sent after all (another node said so), returning it. */
  fail(id: string): Pick<Route, "app" | "originalId"> | undefined {
    const route = this.#routes.get(id);
    if (route) this.#delete(id, route);
    return route;
  }

  /** Forgets one route (its command could not be sent). */
  cancel(id: string): void {
    const route = this.#routes.get(id);
    if (route) this.#delete(id, route);
  }

  /** Drops and returns the routes of one runtime (it went offline: nothing will answer them). */
  dropRuntime(deviceId: string): Route[] {
    const dropped: Route[] = [];
    for (const [id, route] of this.#routes) {
      if (route.deviceId !== deviceId) continue;
      this.#delete(id, route);
      dropped.push(route);
    }
    return dropped;
  }

  dropApp(app: AppConnection): void {
    for (const id of this.#perApp.get(app) ?? []) this.#routes.delete(id);
    this.#perApp.delete(app);
  }

  #delete(id: string, route: Route): void {
    this.#routes.delete(id);
    const mine = this.#perApp.get(route.app);
    mine?.delete(id);
    if (mine?.size === 0) this.#perApp.delete(route.app);
  }

  #sweep(): void {
    const now = this.options.clock.now();
    // Insertion order is expiry order (one ttl for all), so stop at the first live one.
    for (const [id, route] of this.#routes) {
      if (route.expiresAt > now) break;
      this.#delete(id, route);
    }
  }
}
