import type { Disposable, Transport } from "@byor/core";
import type { Principal } from "./principal.js";

/** How @byor/core's AppConnection serialises a welcome (`JSON.stringify` of a literal whose first key is `type`). */
const WELCOME = '{"type":"byor.welcome",';

/** The `principal` member of a welcome, once per principal (sockets of one token share it). */
const members = new WeakMap<Principal, string>();
function member(principal: Principal): string {
  let text = members.get(principal);
  if (text === undefined) {
    text = `"principal":${JSON.stringify({ name: principal.name, role: principal.role.name, privileges: principal.role.classes })},`;
    members.set(principal, text);
  }
  return text;
}

/**
 * An app's transport that adds its principal to each byor.welcome it is sent (the first, and one per resume on
 * this socket), so the app knows what its role may do. Everything else passes through untouched.
 */
class WelcomingTransport implements Transport {
  constructor(
    readonly inner: Transport,
    readonly principal: Principal,
  ) {}

  send(text: string): void {
    this.inner.send(text.startsWith(WELCOME) ? `${WELCOME}${member(this.principal)}${text.slice(WELCOME.length)}` : text);
  }

  close(code: number, reason: string): void {
    this.inner.close(code, reason);
  }

  onMessage(listener: (text: string) => void): Disposable {
    return this.inner.onMessage(listener);
  }

  onClose(listener: (close: { code: number; reason: string }) => void): Disposable {
    return this.inner.onClose(listener);
  }
}

export const welcomingTransport = (transport: Transport, principal: Principal): Transport => new WelcomingTransport(transport, principal);
