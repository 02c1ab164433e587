// The seam between a hub and the other hubs it shares runtimes and apps with. One node: the in-memory backplane
// (the default, nothing to set up). Several nodes: a backplane on a distributed engine (@byor/redis: Redis
// Streams, keys with TTLs, pub/sub). A hub never talks to another hub except through this.
import type { Disposable } from "@byor/core";
import type { ByorRuntimeInfo } from "@byor/protocol";

/** A runtime as every node sees it: the wire description, and which node holds its socket. */
export interface RuntimeRecord {
  info: ByorRuntimeInfo;
  /** The node whose hub holds the runtime's socket (or dials it); commands for the runtime go there. */
  node: string;
  /** What `GET /byor/v1/runtimes` adds (camelCase there): registration time, version, dial URL, watched scopes. */
  registeredAt: string | null;
  lettaCodeVersion: string | null;
  dialUrl: string | null;
  watchedScopes: { agent_id: string | null; conversation_id: string }[];
}

/** A runtime frame as the bus carries it: the owner publishes it, every node (the owner too) receives it. */
export interface BusEvent {
  runtimeId: string;
  /** The frame's text as the runtime sent it (it passed validation on the owner). */
  text: string;
  /** Its position in the runtime's event log: increasing per runtime (`comparePositions`). */
  position: string;
}

/** What one hub tells another. */
export type HubMessage =
  /** Send this command (encoded, validated, request id already the hub's) to a runtime you hold. */
  | { kind: "command"; runtimeId: string; text: string; reply: string; requestId?: string }
  /** The command could not be sent (the runtime went offline or is not yours): answer the app that asked. */
  | { kind: "command_failed"; runtimeId: string; requestId: string; code: string; message: string }
  /** Watch this scope of a runtime you hold (sync it now and after each reconnect); answer with `watched`. */
  | { kind: "watch"; runtimeId: string; scope: { agent_id: string | null; conversation_id: string }; ticket: string; reply: string }
  | { kind: "watched"; ticket: string; success: boolean; error?: string }
  /** A runtime came online, went offline or changed (broadcast by its owner). */
  | { kind: "runtime_status"; record: RuntimeRecord }
  /** A runtime is gone from the directory (forgotten). */
  | { kind: "runtime_forgotten"; runtimeId: string }
  /** An app session you held resumed on another node: end your copy (its journal is the other node's now). */
  | { kind: "session_taken"; sessionId: string };

export interface BackplaneHandlers {
  /** A runtime frame from the bus (every node receives every runtime's frames, in order per runtime). */
  event(event: BusEvent): void;
  /** A message for this node, or broadcast. */
  message(message: HubMessage, from: string): void;
  /** The backplane lost (false) or regained (true) its engine; a hub keeps serving its own runtimes meanwhile. */
  health?(up: boolean): void;
}

/** One node's handle on the backplane. */
export interface Backplane extends Disposable {
  /** This node's id, unique among the nodes sharing the backplane. */
  readonly nodeId: string;
  /** Connects and starts delivering to `handlers`. */
  start(handlers: BackplaneHandlers): Promise<void>;
  /**
   * Directory: the owner writes its runtimes' records (kept alive while the node lives), everyone reads. An offline
   * record does not replace another node's online record of the same runtime (it moved there).
   */
  putRuntime(record: RuntimeRecord): void;
  removeRuntime(runtimeId: string): void;
  listRuntimes(): Promise<RuntimeRecord[]>;
  getRuntime(runtimeId: string): Promise<RuntimeRecord | undefined>;
  /** Appends a runtime frame to its log and delivers it to every node. */
  publish(runtimeId: string, text: string): void;
  send(node: string, message: HubMessage): void;
  broadcast(message: HubMessage): void;
  /** Seq sessions' journals, so an app may resume on any node (optional: without it, only where it was). */
  readonly sessions?: SessionStore;
  /** The bus frames after `position`, oldest first, for a resumed session to catch up; "gone": trimmed past it. */
  readBus?(after: string): Promise<BusEvent[] | "gone">;
}

/** One write of a session's journal: its new frames (in seq order) and its state, owned by `node`. */
export interface SessionWrite {
  sessionId: string;
  node: string;
  frames: { seq: number; text: string }[];
  /** Frames up to this seq were acknowledged: the journal may drop them. */
  ackedSeq: number;
  /** The owner's state of the session (JSON text), replaced on each write. */
  state: string;
  /** How long the journal lives without a write (the session's park time, and some). */
  ttlMs: number;
}

/** A journaled session, taken over by a node. */
export interface TakenSession {
  /** The node that wrote it last (to be told its copy moved). */
  previousNode: string;
  lastSeq: number;
  ackedSeq: number;
  /** Frames after the seq asked for, in order. */
  texts: string[];
  state: string;
}

/**
 * Where seq sessions are journaled. Only the session's owner writes; a resume elsewhere takes it over (atomically),
 * so the old owner's late writes are refused rather than interleaved.
 */
export interface SessionStore {
  /** Writes each (pipelined); resolves per write: true, or false when the session is not `node`'s (taken over). */
  write(writes: SessionWrite[]): Promise<boolean[]>;
  /**
   * Makes `node` the session's owner and reads its frames after `afterSeq`; undefined: no such session. A `afterSeq`
   * outside what the journal holds comes back as `overrun` (the app must re-sync).
   */
  take(sessionId: string, node: string, afterSeq: number): Promise<TakenSession | "overrun" | undefined>;
  /** The session ended for good (only its owner's drop counts). */
  drop(sessionId: string, node: string): void;
}

/**
 * Orders two positions of the bus: negative, zero or positive. A position is `ms-seq` (a Redis Stream id) with an
 * optional `-index` for a frame after the first of an entry that carries several; a missing part counts as 0.
 */
export function comparePositions(a: string, b: string): number {
  const [aMs = 0, aSeq = 0, aAt = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0, bAt = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq || aAt - bAt;
}
