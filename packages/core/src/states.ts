import { ByorError } from "@byor/protocol";
import type { CloseInfo } from "./transport.js";

/**
 * Session states, shared by both roles.
 * - An app client (dials out): idle → connecting → open → backing_off → connecting … → closed.
 * - A runtime-facing session (the runtime dials in): idle → open → offline (socket lost, waiting for the runtime
 *   to reconnect) → open … → closed.
 */
export type SessionState =
  | { status: "idle" }
  | { status: "connecting"; attempt: number }
  | { status: "open"; since: number; resumed: boolean }
  | { status: "backing_off"; attempt: number; delayMs: number; lastClose: CloseInfo }
  | { status: "offline"; since: number; lastClose: CloseInfo }
  | { status: "closed"; close: CloseInfo | undefined; reason: string };

export type SessionStatus = SessionState["status"];

/** Every allowed transition; anything else is a bug and throws `invalid_state`. */
export const TRANSITIONS: { readonly [S in SessionStatus]: readonly SessionStatus[] } = {
  idle: ["connecting", "open", "closed"],
  connecting: ["open", "backing_off", "closed"],
  open: ["backing_off", "offline", "closed"],
  backing_off: ["connecting", "closed"],
  offline: ["open", "closed"],
  closed: [],
};

export interface StateChange {
  from: SessionState;
  to: SessionState;
}

/** Holds the current state and enforces the table. */
export class StateMachine {
  #state: SessionState = { status: "idle" };
  constructor(private readonly onChange: (change: StateChange) => void) {}

  get state(): SessionState {
    return this.#state;
  }

  can(to: SessionStatus): boolean {
    return TRANSITIONS[this.#state.status].includes(to);
  }

  to(next: SessionState): void {
    const from = this.#state;
    if (!TRANSITIONS[from.status].includes(next.status)) {
      throw new ByorError("invalid_state", `session cannot go from ${from.status} to ${next.status}`);
    }
    this.#state = next;
    this.onChange({ from, to: next });
  }
}

/** An emitter with a `state` event. */
export interface StateChangeTarget {
  emit(name: "state", change: StateChange): void;
}

/**
 * @internal A StateMachine that reports each change to an emitter's `state` event, through one shared function
 * (`onChange` is called on the machine) instead of a closure per session: a server has a session per socket.
 */
export class EmittingStateMachine extends StateMachine {
  readonly #target: StateChangeTarget;

  constructor(target: StateChangeTarget) {
    super(EmittingStateMachine.#forward);
    this.#target = target;
  }

  static #forward(this: EmittingStateMachine, change: StateChange): void {
    this.#target.emit("state", change);
  }
}
