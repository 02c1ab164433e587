import {
  decodeAppFrame,
  decodeCommand,
  decodeEvent,
  decodeFrame,
  decodeServerFrame,
  formatIssue,
  TRANSPORT_COMMAND_TYPES,
  validateCommand,
  validateEvent,
  type DecodeError,
  type DecodeResult,
  type Issue,
} from "@byor/protocol";

/**
 * The values of `--direction`. The names are @byor/protocol's `Direction`s: the runtime leg's two (`event`,
 * `command`), the client endpoint's two (`app`, `server`), and `any`.
 */
export const DIRECTIONS = [
  { name: "event", text: "runtime leg: frames a Letta Code runtime sends (to a BYOR server, or to an app that dialled it)" },
  { name: "command", text: "runtime leg: frames sent to a runtime (by a BYOR server, or by an app that dialled it)" },
  { name: "app", text: "client endpoint (byor.*): frames an app sends to a BYOR server\n(the command inside a byor.send is checked as the server checks it)" },
  { name: "server", text: "client endpoint (byor.*): frames a BYOR server sends to an app\n(the runtime event inside a byor.event is checked too)" },
  {
    name: "any",
    text: "(default) a frame passes if a direction accepts it: byor.* frames are checked\nas app or server frames, the others as event or command frames",
  },
] as const;

export type ValidateDirection = (typeof DIRECTIONS)[number]["name"];

export const isDirection = (name: string): name is ValidateDirection => DIRECTIONS.some((d) => d.name === name);

/** Why a frame was refused. */
export interface Refusal {
  code: string;
  message: string;
  type?: string;
  issues: readonly Issue[];
  moreIssues: number;
  /** Where the frame is wrong when no issue says it (a JSON pointer): its type, for an unknown or misdirected one. */
  pointer?: string;
}

export type Checked = { ok: true; type: string } | { ok: false; refusal: Refusal };

const fromError = (error: DecodeError): Refusal => ({
  code: error.code,
  message: error.message,
  ...(error.type !== undefined ? { type: error.type } : {}),
  issues: error.issues,
  moreIssues: error.moreIssues,
  ...(error.code === "unknown_type" || error.code === "wrong_direction" ? { pointer: "/type" } : {}),
});

const checked = (result: DecodeResult<{ type: string }>): Checked =>
  result.ok ? { ok: true, type: result.message.type } : { ok: false, refusal: fromError(result.error) };

/** Issues spelled out in a refusal's message, as @byor/protocol's DecodeError does. */
const ISSUES_IN_MESSAGE = 5;

/**
 * The frame a client-endpoint frame carries (`at` in it), refused the way the BYOR server refuses it: its issues
 * with pointers into the outer frame.
 */
function inner(outer: string, at: string, result: DecodeResult<unknown>): Checked {
  if (result.ok) return { ok: true, type: outer };
  const { error } = result;
  if (!error.issues.length)
    return {
      ok: false,
      refusal: { code: error.code, message: `${at.slice(1)}: ${error.message}`, type: outer, issues: [], moreIssues: 0, pointer: `${at}/type` },
    };
  const issues = error.issues.map((i) => ({ ...i, pointer: `${at}${i.pointer}` }));
  const more = issues.length - Math.min(issues.length, ISSUES_IN_MESSAGE) + error.moreIssues;
  const message = `invalid ${outer} frame: ${issues.slice(0, ISSUES_IN_MESSAGE).map(formatIssue).join("; ")}${more ? ` (and ${more} more)` : ""}`;
  return { ok: false, refusal: { code: error.code, message, type: outer, issues, moreIssues: error.moreIssues } };
}

const TRANSPORT = new Set<string>(TRANSPORT_COMMAND_TYPES);

function checkApp(text: string): Checked {
  const result = decodeAppFrame(text);
  if (!result.ok || result.message.type !== "byor.send") return checked(result);
  const { command } = result.message;
  // The server sends these itself: it refuses them from an app (an invalid_message, as here).
  if (TRANSPORT.has(command.type)) {
    const message = `command: ${command.type} is part of the runtime connection and is sent by the server itself`;
    return { ok: false, refusal: { code: "invalid_message", message, type: "byor.send", issues: [], moreIssues: 0, pointer: "/command/type" } };
  }
  return inner("byor.send", "/command", validateCommand(command));
}

function checkServer(text: string): Checked {
  const result = decodeServerFrame(text);
  if (!result.ok || result.message.type !== "byor.event") return checked(result);
  return inner("byor.event", "/event", validateEvent(result.message.event));
}

/** Either way of one leg: the first way's refusal unless that way does not know the type. */
function either(first: Checked, second: () => Checked): Checked {
  if (first.ok) return first;
  const other = second();
  if (other.ok) return other;
  return first.refusal.code === "wrong_direction" ? other : first;
}

function checkAny(text: string): Checked {
  const runtime = checked(decodeFrame(text));
  if (runtime.ok || !runtime.refusal.type?.startsWith("byor.")) return runtime;
  return either(checkApp(text), () => checkServer(text));
}

/** Checks one line of a transcript as a frame of `direction`. */
export const CHECKS: Record<ValidateDirection, (text: string) => Checked> = {
  event: (text) => checked(decodeEvent(text)),
  command: (text) => checked(decodeCommand(text)),
  app: checkApp,
  server: checkServer,
  any: checkAny,
};
