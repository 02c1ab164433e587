import { scopeKey, type AppConnection, type Scope } from "@byor/core";

/**
 * Which apps watch which scope of which runtime, and which apps follow a runtime at all (subscribed to one of its
 * scopes or sent it a command): those get its unscoped frames.
 */
export class Subscriptions {
  /** deviceId → scope key → apps. */
  readonly #byScope = new Map<string, Map<string, Set<AppConnection>>>();
  /** deviceId → apps following it. */
  readonly #byRuntime = new Map<string, Set<AppConnection>>();
  /** app → "deviceId\0scopeKey" → scope, for cleanup and the per-app bound. */
  readonly #byApp = new Map<AppConnection, Map<string, { deviceId: string; scope: Scope }>>();

  constructor(private readonly maxPerApp: number) {}

  /** Adds one: `exists` if the app had it, `full` (nothing added) when the app already has `maxPerApp`. */
  add(app: AppConnection, deviceId: string, scope: Scope): "added" | "exists" | "full" {
    const key = scopeKey(scope);
    let mine = this.#byApp.get(app);
    if (!mine) this.#byApp.set(app, (mine = new Map()));
    const appKey = `${deviceId}\u0000${key}`;
    if (mine.has(appKey)) return "exists";
    if (mine.size >= this.maxPerApp) return "full";
    mine.set(appKey, { deviceId, scope });
    let scopes = this.#byScope.get(deviceId);
    if (!scopes) this.#byScope.set(deviceId, (scopes = new Map()));
    let apps = scopes.get(key);
    if (!apps) scopes.set(key, (apps = new Set()));
    apps.add(app);
    this.follow(app, deviceId);
    return "added";
  }

  /** Removes one; returns true when nobody watches that scope any more. */
  remove(app: AppConnection, deviceId: string, scope: Scope): boolean {
    const key = scopeKey(scope);
    this.#byApp.get(app)?.delete(`${deviceId}\u0000${key}`);
    const scopes = this.#byScope.get(deviceId);
    const apps = scopes?.get(key);
    apps?.delete(app);
    if (apps && apps.size > 0) return false;
    scopes?.delete(key);
    return true;
  }

  /** The app gets this runtime's unscoped frames. */
  follow(app: AppConnection, deviceId: string): void {
    let apps = this.#byRuntime.get(deviceId);
    if (!apps) this.#byRuntime.set(deviceId, (apps = new Set()));
    apps.add(app);
  }

  subscribers(deviceId: string, scope: Scope): ReadonlySet<AppConnection> {
    return this.#byScope.get(deviceId)?.get(scopeKey(scope)) ?? EMPTY;
  }

  followers(deviceId: string): ReadonlySet<AppConnection> {
    return this.#byRuntime.get(deviceId) ?? EMPTY;
  }

  /** Forgets an app; returns the scopes nobody watches any more. */
  removeApp(app: AppConnection): { deviceId: string; scope: Scope }[] {
    const orphaned: { deviceId: string; scope: Scope }[] = [];
    for (const { deviceId, scope } of this.#byApp.get(app)?.values() ?? []) {
      if (this.remove(app, deviceId, scope)) orphaned.push({ deviceId, scope });
    }
    this.#byApp.delete(app);
    for (const apps of this.#byRuntime.values()) apps.delete(app);
    return orphaned;
  }

  /** Forgets a runtime (it was dropped from the registry). */
  removeRuntime(deviceId: string): void {
    for (const apps of this.#byScope.get(deviceId)?.values() ?? []) {
      for (const app of apps) {
        const mine = this.#byApp.get(app);
        if (!mine) continue;
        for (const [key, sub] of mine) if (sub.deviceId === deviceId) mine.delete(key);
      }
    }
    this.#byScope.delete(deviceId);
    this.#byRuntime.delete(deviceId);
  }
}

const EMPTY: ReadonlySet<AppConnection> = new Set();
