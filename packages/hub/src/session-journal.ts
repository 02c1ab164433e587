import { CLIENT_CLOSE, type AppConnection, type AppJournal, type RestoredSession } from "@byor/core";
import type { Backplane, SessionStore, SessionWrite } from "./backplane.js";
import type { SessionRouting } from "./broker.js";
import type { FaultLog } from "./fault-log.js";

export interface SessionJournalOptions {
  store: SessionStore;
  backplane: Backplane;
  /** The session's routing (subscriptions, pending requests, bus position), journaled with its frames. */
  routing(app: AppConnection): SessionRouting;
  /** A session resumed here from another node: take its routing over and catch it up. */
  restore(app: AppConnection, routing: SessionRouting): Promise<void>;
  /** How long a journal outlives its last write. */
  ttlMs: number;
  faults: FaultLog;
}

/**
 * Makes every seq session resumable on any node sharing the backplane: each numbered frame goes into the session's
 * journal (in the backplane's SessionStore) before the app is sent it, with the session's routing. The writes of
 * one synchronous burst (a frame fanned out to many apps) are made together, once per microtask.
 */
export class SessionJournal implements AppJournal {
  readonly #options: SessionJournalOptions;
  readonly #dirty = new Set<AppConnection>();
  #scheduled = false;
  #closed = false;
  /** Copies ended because the session resumed on another node: their journal is that node's now. */
  readonly #moved = new WeakSet<AppConnection>();

  constructor(options: SessionJournalOptions) {
    this.#options = options;
  }

  pending(connection: AppConnection): void {
    this.#dirty.add(connection);
    if (this.#scheduled) return;
    this.#scheduled = true;
    void Promise.resolve().then(() => this.#flush());
  }

  async restore(sessionId: string, lastSeq: number): Promise<RestoredSession> {
    const { store, backplane } = this.#options;
    const taken = await store.take(sessionId, backplane.nodeId, lastSeq);
    if (taken === undefined) return { ok: false, reason: "unknown_session" };
    if (taken === "overrun") {
      store.drop(sessionId, backplane.nodeId);
      return { ok: false, reason: "buffer_overrun" };
    }
    const routing = parseRouting(taken.state);
    if (!routing) {
      store.drop(sessionId, backplane.nodeId);
      return { ok: false, reason: "unknown_session" };
    }
    if (taken.previousNode !== backplane.nodeId) backplane.send(taken.previousNode, { kind: "session_taken", sessionId });
    return { ok: true, lastSeq: taken.lastSeq, texts: taken.texts, state: routing };
  }

  adopted(connection: AppConnection, restored: Extract<RestoredSession, { ok: true }>): void {
    this.#options.restore(connection, restored.state as SessionRouting).then(
      () => this.pending(connection), // journaled under this node from now on
      (error: unknown) => this.#options.faults.report("session restore", `restoring a resumed session failed`, error),
    );
  }

  ended(connection: AppConnection): void {
    // A node shutting down leaves its sessions' journals: the apps resume on the other nodes.
    if (!this.#closed && !this.#moved.has(connection)) this.#options.store.drop(connection.sessionId, this.#options.backplane.nodeId);
  }

  /** The node is shutting down: sessions ending now are not ended for good (they resume elsewhere). */
  close(): void {
    this.#closed = true;
  }

  /** The session resumed on another node: this copy ends, leaving the journal to that node. */
  movedAway(connection: AppConnection): void {
    this.#moved.add(connection);
    connection.close(CLIENT_CLOSE.normal, "Session resumed elsewhere");
  }

  #flush(): void {
    this.#scheduled = false;
    const connections: AppConnection[] = [];
    const writes: SessionWrite[] = [];
    const marks: number[] = [];
    const { backplane, ttlMs } = this.#options;
    for (const connection of this.#dirty) {
      if (!connection.seqAck || connection.state.status === "closed") continue;
      const batch = connection.drainJournal();
      connections.push(connection);
      marks.push(batch.mark);
      writes.push({
        sessionId: connection.sessionId,
        node: backplane.nodeId,
        frames: batch.frames,
        ackedSeq: batch.ackedSeq,
        state: JSON.stringify(this.#options.routing(connection)),
        ttlMs,
      });
    }
    this.#dirty.clear();
    if (writes.length === 0) return;
    this.#options.store.write(writes).then(
      (results) => {
        results.forEach((owned, i) => {
          const connection = connections[i]!;
          if (owned) connection.releaseJournaled(marks[i]!);
          else this.movedAway(connection);
        });
      },
      (error: unknown) => {
        // The store is down: the frames go out unjournaled (a resume on another node then resets; here it resumes).
        this.#options.faults.report("session journal", "journaling app sessions failed; their frames were sent unjournaled", error);
        connections.forEach((connection, i) => connection.releaseJournaled(marks[i]!));
      },
    );
  }
}

/** A journal's routing, if it has the shape this hub writes (it comes from a shared store). */
function parseRouting(text: string): SessionRouting | undefined {
  try {
    const value = JSON.parse(text) as Partial<SessionRouting>;
    if (!Array.isArray(value.subs) || !Array.isArray(value.follows) || !Array.isArray(value.routes) || !Array.isArray(value.local)) return undefined;
    if (value.position !== null && typeof value.position !== "string") return undefined;
    return value as SessionRouting;
  } catch {
    return undefined;
  }
}
