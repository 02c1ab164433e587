import { scopeKey, type AppConnection, type Scope } from "@byor/core";

/**
 * One app or several. Most runtimes are watched by one app and most apps watch one scope: a lone member is kept as
 * it is, and a Set (~0.2 KiB even with one member) is made for the second.
 */
export type Apps = AppConnection | Set<AppConnection>;

interface Subscription {
  /** "deviceId\0scopeKey": the key of this scope in #byScope too (device ids hold no NUL). */
  key: string;
  deviceId: string;
  scope: Scope;
}

/**
 * Which apps watch which scope of which runtime, and which apps follow a runtime at all (subscribed to one of its
 * scopes or sent it a command): those get its unscoped frames.
 */
export class Subscriptions {
  /** "deviceId\0scopeKey" → apps. */
  readonly #byScope = new Map<string, Apps>();
  /** deviceId → apps following it. */
  readonly #byRuntime = new Map<string, Apps>();
  /** app → its subscriptions (one, or by key), for cleanup and the per-app bound. */
  readonly #byApp = new Map<AppConnection, Subscription | Map<string, Subscription>>();

  constructor(private readonly maxPerApp: number) {}

  /** Adds one: `exists` if the app had it, `full` (nothing added) when the app already has `maxPerApp`. */
  add(app: AppConnection, deviceId: string, scope: Scope): "added" | "exists" | "full" {
    const key = `${deviceId}\u0000${scopeKey(scope)}`;
    const mine = this.#byApp.get(app);
    const sub: Subscription = { key, deviceId, scope };
    if (mine === undefined) {
      if (this.maxPerApp < 1) return "full";
      this.#byApp.set(app, sub);
    } else if (mine instanceof Map) {
      if (mine.has(key)) return "exists";
      if (mine.size >= this.maxPerApp) return "full";
      mine.set(key, sub);
    } else {
      if (mine.key === key) return "exists";
      if (this.maxPerApp < 2) return "full";
      this.#byApp.set(
        app,
        new Map([
          [mine.key, mine],
          [key, sub],
        ]),
      );
    }
    addTo(this.#byScope, key, app);
    this.follow(app, deviceId);
    return "added";
  }

  /** Removes one; returns true when nobody watches that scope any more. */
  remove(app: AppConnection, deviceId: string, scope: Scope): boolean {
    const key = `${deviceId}\u0000${scopeKey(scope)}`;
    const mine = this.#byApp.get(app);
    if (mine instanceof Map) mine.delete(key);
    else if (mine?.key === key) this.#byApp.delete(app);
    return removeFrom(this.#byScope, key, app);
  }

  /** The app gets this runtime's unscoped frames. */
  follow(app: AppConnection, deviceId: string): void {
    addTo(this.#byRuntime, deviceId, app);
  }

  subscribers(deviceId: string, scope: Scope): Apps | undefined {
    return this.#byScope.get(`${deviceId}\u0000${scopeKey(scope)}`);
  }

  followers(deviceId: string): Apps | undefined {
    return this.#byRuntime.get(deviceId);
  }

  /** Forgets an app; returns the scopes nobody watches any more. */
  removeApp(app: AppConnection): { deviceId: string; scope: Scope }[] {
    const orphaned: { deviceId: string; scope: Scope }[] = [];
    const mine = this.#byApp.get(app);
    this.#byApp.delete(app);
    for (const { key, deviceId, scope } of mine instanceof Map ? mine.values() : mine ? [mine] : []) {
      if (removeFrom(this.#byScope, key, app)) orphaned.push({ deviceId, scope });
    }
    for (const deviceId of this.#byRuntime.keys()) removeFrom(this.#byRuntime, deviceId, app); // deletes as it goes: fine in a Map
    return orphaned;
  }

  /** Forgets a runtime (it was dropped from the registry). */
  removeRuntime(deviceId: string): void {
    const prefix = `${deviceId}\u0000`;
    for (const [key, apps] of [...this.#byScope]) {
      if (!key.startsWith(prefix)) continue;
      this.#byScope.delete(key);
      for (const app of apps instanceof Set ? apps : [apps]) {
        const mine = this.#byApp.get(app);
        if (mine instanceof Map) mine.delete(key);
        else if (mine?.key === key) this.#byApp.delete(app);
      }
    }
    this.#byRuntime.delete(deviceId);
  }

  /** One app's subscriptions (to journal its session). */
  ofApp(app: AppConnection): { deviceId: string; scope: Scope }[] {
    const mine = this.#byApp.get(app);
    return [...(mine instanceof Map ? mine.values() : mine ? [mine] : [])].map(({ deviceId, scope }) => ({ deviceId, scope }));
  }

  /** The runtimes one app follows. */
  followedBy(app: AppConnection): string[] {
    const ids: string[] = [];
    for (const [deviceId, apps] of this.#byRuntime) if (apps === app || (apps instanceof Set && apps.has(app))) ids.push(deviceId);
    return ids;
  }

  /** Whether this app gets the frame of this runtime (scoped: subscribed to the scope; else: following it). */
  reaches(app: AppConnection, deviceId: string, scope: Scope | undefined): boolean {
    const apps = scope ? this.subscribers(deviceId, scope) : this.followers(deviceId);
    return apps === app || (apps instanceof Set && apps.has(app));
  }

  /** The scopes of one runtime some app is subscribed to (to watch them again where the runtime now is). */
  scopesOf(deviceId: string): Scope[] {
    const prefix = `${deviceId}\u0000`;
    const scopes: Scope[] = [];
    for (const [key, apps] of this.#byScope) {
      if (!key.startsWith(prefix)) continue;
      const app = apps instanceof Set ? apps.values().next().value : apps;
      const mine = app && this.#byApp.get(app);
      const sub = mine instanceof Map ? mine.get(key) : mine;
      if (sub) scopes.push(sub.scope);
    }
    return scopes;
  }
}

function addTo<K>(map: Map<K, Apps>, key: K, app: AppConnection): void {
  const apps = map.get(key);
  if (apps === undefined) map.set(key, app);
  else if (apps instanceof Set) apps.add(app);
  else if (apps !== app) map.set(key, new Set([apps, app]));
}

/** Takes the app out; true when none is left. */
function removeFrom<K>(map: Map<K, Apps>, key: K, app: AppConnection): boolean {
  const apps = map.get(key);
  if (apps === undefined) return true;
  if (apps instanceof Set) {
    apps.delete(app);
    if (apps.size > 1) return false;
    // Back to a lone member (a fan-out iterating the Set meanwhile still has it).
    const [last] = apps;
    if (last === undefined) map.delete(key);
    else map.set(key, last);
    return last === undefined;
  }
  if (apps !== app) return false;
  map.delete(key);
  return true;
}
