import { COMMAND_VALIDATORS, ENVELOPED_EVENT_TYPES, EVENT_VALIDATORS, RESPONSE_TYPES } from "./generated/registry.js";
import type { CommandTypeMap, EnvelopedEvent, EventTypeMap, ResponseTypeMap, RuntimeCommand, RuntimeEvent } from "./generated/types.js";

export type CommandType = keyof CommandTypeMap;
export type EventType = keyof EventTypeMap;
/** Commands the runtime answers with exactly one response keyed by `request_id`. */
export type RequestType = keyof ResponseTypeMap;
/** The response event of a request command type. */
export type ResponseOf<T extends RequestType> = EventTypeMap[ResponseTypeMap[T]];

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const enveloped: ReadonlySet<string> = /* @__PURE__ */ new Set(ENVELOPED_EVENT_TYPES);

export const isCommandType = (type: string): type is CommandType => hasOwn(COMMAND_VALIDATORS, type);
export const isEventType = (type: string): type is EventType => hasOwn(EVENT_VALIDATORS, type);
export const isRequestType = (type: string): type is RequestType => hasOwn(RESPONSE_TYPES, type);
export const isEnvelopedType = (type: string): boolean => enveloped.has(type);

/** Full schema check: is `value` a valid command (of `type`, if given)? */
export function isCommand<T extends CommandType = CommandType>(value: unknown, type?: T): value is CommandTypeMap[T] {
  const t = (value as { type?: unknown } | null)?.type;
  if (typeof t !== "string" || (type !== undefined && t !== type) || !isCommandType(t)) return false;
  return (COMMAND_VALIDATORS[t] as (v: unknown) => boolean)(value);
}

/** Full schema check: is `value` a valid event (of `type`, if given)? */
export function isEvent<T extends EventType = EventType>(value: unknown, type?: T): value is EventTypeMap[T] {
  const t = (value as { type?: unknown } | null)?.type;
  if (typeof t !== "string" || (type !== undefined && t !== type) || !isEventType(t)) return false;
  return (EVENT_VALIDATORS[t] as (v: unknown) => boolean)(value);
}

/** Narrows a decoded event to one that carries the envelope (runtime, event_seq, ...). No validation. */
export const isEnveloped = (event: RuntimeEvent): event is EnvelopedEvent => enveloped.has(event.type);

/** The response type a command is answered with, if the protocol pairs one. */
export const responseTypeOf = (command: RuntimeCommand): EventType | undefined => (isRequestType(command.type) ? RESPONSE_TYPES[command.type] : undefined);
