// `byor serve`'s access control and state options, and the banner lines about tokens.
import { join } from "node:path";
import { CREDENTIALS_FILE, defaultDataDir, type ByorServer, type ByorServerOptions } from "@byor/node-server";
import { UsageError } from "../io.js";

/** The options of this file, as parseArgs gives them. */
export interface AccessValues {
  "runtime-token"?: string;
  "data-dir"?: string;
  "rotate-token"?: boolean;
  "token-grace"?: string;
  "tokens-file"?: string;
  "allow-ip"?: string[];
  "audit-log"?: string;
}

export const ACCESS_OPTIONS = {
  "runtime-token": { type: "string" },
  "data-dir": { type: "string" },
  "rotate-token": { type: "boolean" },
  "token-grace": { type: "string" },
  "tokens-file": { type: "string" },
  "allow-ip": { type: "string", multiple: true },
  "audit-log": { type: "string" },
} as const;

export const ACCESS_HELP = `  --runtime-token T the token runtimes present (LETTA_API_KEY), and only runtimes (default: $BYOR_RUNTIME_TOKEN, else
                    the data directory's, else a new one kept there; with --token and no runtime token, --token's)
  --data-dir DIR    where tokens and known runtimes are kept across restarts (default: $BYOR_DATA_DIR, else
                    $XDG_CONFIG_HOME/byor or ~/.config/byor; %APPDATA%\\byor on Windows)
  --rotate-token    replace the tokens kept in the data directory; the old ones work for --token-grace more
  --token-grace D   how long a replaced token still works: 90s, 15m, 1h, 2d (default 1h)
  --tokens-file F   named app tokens with roles (viewer, operator, admin, or custom), reloaded when it changes
  --allow-ip CIDR   only these addresses may connect, runtimes and apps (e.g. 192.168.1.0/24, fd00::/8); repeatable
  --audit-log FILE  append a JSON line per privileged command of an app, and per refused one
`;

const UNITS: Record<string, number> = { "": 1_000, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `2d`, or seconds: milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^([0-9]+)(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${option} takes a duration such as 90s, 15m, 1h or 2d, not "${text}"`);
  return Number(match[1]) * UNITS[match[2] ?? ""]!;
}

/** The server options these flags give. */
export function accessOptions(values: AccessValues, env: Record<string, string | undefined>): ByorServerOptions {
  const runtimeToken = values["runtime-token"];
  if (runtimeToken !== undefined && (runtimeToken === "" || /\s/.test(runtimeToken)))
    throw new UsageError("--runtime-token must be non-empty and contain no spaces");
  if (values["token-grace"] !== undefined && !values["rotate-token"]) throw new UsageError("--token-grace goes with --rotate-token");
  const dataDir = values["data-dir"] ?? (env.BYOR_DATA_DIR || defaultDataDir(env));
  if (dataDir === "") throw new UsageError("--data-dir must not be empty");
  return {
    dataDir,
    ...(runtimeToken !== undefined && { runtimeToken }),
    ...(values["rotate-token"] && { rotateToken: true }),
    ...(values["token-grace"] !== undefined && { tokenGraceMs: parseDuration(values["token-grace"], "--token-grace") }),
    ...(values["tokens-file"] !== undefined && { tokensFile: values["tokens-file"] }),
    ...(values["allow-ip"] !== undefined && { allowedIps: values["allow-ip"] }),
    ...(values["audit-log"] !== undefined && { auditLog: values["audit-log"] }),
  };
}

const FROM = { option: "--token", env: "BYOR_TOKEN" } as const;
const RUNTIME_FROM = { option: "--runtime-token", env: "BYOR_RUNTIME_TOKEN" } as const;

/** What the banner says about the tokens: where each comes from, and where the kept ones live. Never a token itself. */
export function tokenLines(server: ByorServer): string[] {
  const file = server.dataDir ? join(server.dataDir, CREDENTIALS_FILE) : undefined;
  const where = (origin: string, from: { option: string; env: string }) =>
    origin === "option" ? `from ${from.option}` : origin === "env" ? `from ${from.env}` : origin === "generated" ? `new, kept in ${file}` : `kept in ${file}`;
  if (server.runtimeToken === server.token) {
    return [`Token: ${where(server.tokenOrigin, FROM)}, for runtimes and apps alike (give runtimes their own with --runtime-token)`];
  }
  return [`Runtime token: ${where(server.runtimeTokenOrigin, RUNTIME_FROM)}`, `App token (admin): ${where(server.tokenOrigin, FROM)}`];
}

/** The LETTA_API_KEY value of the printed letta line: the runtime token, or a reference to its variable. */
export function runtimeKey(server: ByorServer): string {
  if (server.runtimeTokenOrigin !== "env") return server.runtimeToken;
  return server.runtimeToken === server.token ? '"$BYOR_TOKEN"' : '"$BYOR_RUNTIME_TOKEN"';
}
