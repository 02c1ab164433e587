import type { Logger } from "@byor/hub";

export { silentLogger, type Logger } from "@byor/hub";

/** One line per message with a time and level, e.g. `15:04:05 warn  unknown request GET /v1/agents`. */
export function streamLogger(stream: { write(text: string): unknown }): Logger {
  const line = (level: string) => (message: string) => {
    const time = new Date().toISOString().slice(11, 19);
    stream.write(`${time} ${level.padEnd(5)} ${message}\n`);
  };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
};

/** `?name=value` pairs of a logged URL; the name is compared decoded (`%74oken` is `token`, in any casing). */
const QUERY_PAIR = /([?&;])([^=&#\s"'<>]*)=([^&#\s"'<>]*)/g;
/** A token subprotocol (ours, or a wrong one) and the credentials of an Authorization header. */
const TOKEN_SUBPROTOCOL = /(byor\.token\.)[^\s,"'<>]+/gi;
// Not the prose "bearer token(s)" (e.g. an App Server's "invalid websocket bearer token"): the server's own token is
// redacted wherever it appears anyway.
const AUTH_SCHEME = /\b(Bearer)(\s+)(?!tokens?\b)[^\s,"'<>]+/gi;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const hexDigit = (d: string) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d);
const utf8 = new TextEncoder();

/** The token, each character as itself or percent-encoded (any hex casing): what a decoder would turn into it. */
function tokenPattern(token: string): RegExp {
  const parts = Array.from(token, (ch) => {
    const encoded = Array.from(utf8.encode(ch), (b) => `%${b.toString(16).padStart(2, "0").split("").map(hexDigit).join("")}`).join("");
    return `(?:${escapeRegExp(ch)}|${encoded})`;
  });
  return new RegExp(parts.join(""), "g");
}

/** Patterns of the tokens in use (a handful: the runtime and app tokens, rotated ones, a tokens file's). */
const patterns = new Map<string, RegExp>();
const patternFor = (token: string) => {
  let pattern = patterns.get(token);
  if (!pattern) {
    if (patterns.size >= 256) patterns.clear();
    pattern = tokenPattern(token);
    patterns.set(token, pattern);
  }
  return pattern;
};

/**
 * Secrets removed: the token wherever it appears, literally or percent-encoded; the value of any query parameter
 * whose decoded name holds `token` (someone else's wrong token too); a `byor.token.` subprotocol; the credentials
 * of a `Bearer` Authorization value.
 */
export function redact(text: string, token: string | readonly string[] | undefined): string {
  let out = text.replace(QUERY_PAIR, (pair, sep: string, name: string) =>
    safeDecode(name).trim().toLowerCase().includes("token") ? `${sep}${name}=***` : pair,
  );
  out = out.replace(TOKEN_SUBPROTOCOL, "$1***").replace(AUTH_SCHEME, "$1$2***");
  for (const secret of typeof token === "string" ? [token] : (token ?? [])) if (secret) out = out.replace(patternFor(secret), "***");
  return out;
}

/** C0 and C1 controls (newline, carriage return, ANSI escape…), line and paragraph separators, bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters as visible escapes (`\x0a`, `\u2028`): a value from a peer cannot forge or recolour lines. */
export const escapeControl = (text: string): string =>
  text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });

/**
 * A logger that redacts and escapes before writing. The server only ever logs through one of these. A logger
 * that throws loses that line; the exception never reaches the server.
 */
export function redactingLogger(inner: Logger, secrets: string | (() => readonly string[])): Logger {
  const write = (level: keyof Logger) => (message: string) => {
    try {
      inner[level](escapeControl(redact(message, typeof secrets === "string" ? secrets : secrets())));
    } catch {
      // Logging must not fail what is being logged.
    }
  };
  return { info: write("info"), warn: write("warn"), error: write("error") };
}
