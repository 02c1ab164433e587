import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ByorServer, DEFAULT_HOST, DEFAULT_PORT, StateFileError, lettaRemoteCommand, streamLogger, type DialTarget } from "@byor/node-server";
import { isByorError } from "@byor/protocol";
import { redisBackplane, type RedisBackplane } from "@byor/redis";
import { EXIT, UsageError, type Io } from "../io.js";
import type { DemoModel } from "./demo.js";
import { ACCESS_HELP, ACCESS_OPTIONS, accessOptions, runtimeKey, tokenLines } from "./serve-access.js";

export const HELP = `Usage: byor serve [--host H] [--port P] [--token T] [--env-name NAME] [--dial URL [dial options]]... [--demo] [--verbose]

Starts a BYOR server: the stock Letta Code runtime connects to it (\`letta remote\`), apps connect to its client
endpoint, and its web console is served at /. Prints the command that starts a runtime against it, and the
console's URL (with the token in its #fragment, which browsers never send to the server).
  --host H          interface to bind (default ${DEFAULT_HOST}; anything else exposes the server)
  --port P          port (default ${DEFAULT_PORT}; 0 picks a free one)
  --token T         the app token with the admin role (the console's; default: $BYOR_TOKEN, else the data directory's,
                    else a new one kept there)
${ACCESS_HELP}  --env-name NAME   the --env-name shown in the printed letta command (default: this machine's name)
  --tls-key FILE, --tls-cert FILE   serve HTTPS/WSS
  --no-deflate      never negotiate permessage-deflate (less CPU on a fast local network)
  --demo            also start a demo model on 127.0.0.1 (scripted, offline, OpenAI-compatible): the console offers
                    it in one click, so a runtime's first turn works without a provider account
  --dial URL        also drive a runtime in App Server mode (\`letta server --listen URL\`): the server connects to it
                    and lists it beside the runtimes that registered. Repeatable; these apply to the --dial before them:
    --dial-name NAME          its name in the list (default: the name it reports)
    --dial-token-file FILE    capability token (\`--ws-auth capability-token\`)
    --dial-secret-file FILE   shared secret for signed tokens (\`--ws-auth signed-bearer-token\`), with
    --dial-issuer I, --dial-audience A   the runtime's --ws-issuer / --ws-audience, if it sets them
  --redis URL       share runtimes and apps with the other byor serve nodes on this Redis (redis://host:port):
                    apps on any node see every runtime. Default: this node alone, in memory
  --node-id ID      this node's id on the Redis (default: random)
  --metrics         serve Prometheus metrics at /byor/v1/metrics (behind the token)
  --verbose         log every HTTP request (unknown ones are always logged)
Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
`;

/** Every option `byor serve` parses (the help test checks each is in HELP and in `byor --help`). */
export const OPTIONS = {
  dial: { type: "string", multiple: true },
  "dial-name": { type: "string", multiple: true },
  "dial-token-file": { type: "string", multiple: true },
  "dial-secret-file": { type: "string", multiple: true },
  "dial-issuer": { type: "string", multiple: true },
  "dial-audience": { type: "string", multiple: true },
  host: { type: "string" },
  port: { type: "string" },
  token: { type: "string" },
  "env-name": { type: "string" },
  "tls-key": { type: "string" },
  "tls-cert": { type: "string" },
  verbose: { type: "boolean", short: "v" },
  redis: { type: "string" },
  "node-id": { type: "string" },
  metrics: { type: "boolean" },
  "no-deflate": { type: "boolean" },
  demo: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...ACCESS_OPTIONS,
} as const satisfies ParseArgsConfig["options"];

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      tokens: true,
      options: OPTIONS,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::" || host === "";
const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.");

/**
 * The console URL, with the token in the fragment: a browser never sends the fragment to the server, and the page
 * moves the token out of the address bar at once. A token from BYOR_TOKEN is not printed (the page asks for it).
 */
function consoleLine(server: ByorServer, local: string, demo?: DemoModel): string {
  if (!server.hasConsole) return `Console: ${local}/ (not built into this copy: a placeholder page; run pnpm build)`;
  if (server.tokenOrigin === "env") return `Console: ${local}/${demo ? `#${demo.fragment}` : ""} (it asks for the token: the value of BYOR_TOKEN)`;
  return `Console: ${local}/#token=${encodeURIComponent(server.token)}${demo ? `&${demo.fragment}` : ""}`;
}

/** A name usable as --env-name without quoting. */
const defaultEnvName = () =>
  hostname()
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "") || "my-computer";

type DialOption = "dial-name" | "dial-token-file" | "dial-secret-file" | "dial-issuer" | "dial-audience";

/** The --dial targets, each with the dial options that follow it (secrets read from their files). */
function dialTargets(tokens: NonNullable<ReturnType<typeof parse>["tokens"]>): DialTarget[] {
  const targets: { url: string; options: Partial<Record<DialOption, string>> }[] = [];
  for (const token of tokens) {
    if (token.kind !== "option" || !token.name.startsWith("dial")) continue;
    if (token.name === "dial") {
      targets.push({ url: token.value!, options: {} });
      continue;
    }
    const current = targets.at(-1);
    if (!current) throw new UsageError(`--${token.name} goes after the --dial it is for`);
    if (current.options[token.name as DialOption] !== undefined) throw new UsageError(`--${token.name} is given twice for --dial ${current.url}`);
    current.options[token.name as DialOption] = token.value!;
  }
  return targets.map(({ url, options }) => {
    const read = (option: DialOption) => {
      try {
        const text = readFileSync(options[option]!, "utf8").trim();
        if (!text) throw new Error("the file is empty");
        return text;
      } catch (err) {
        throw new UsageError(`cannot read --${option} ${options[option]} (for --dial ${url}): ${(err as Error).message}`);
      }
    };
    if (options["dial-token-file"] !== undefined && options["dial-secret-file"] !== undefined) {
      throw new UsageError(`--dial ${url}: --dial-token-file and --dial-secret-file exclude each other (the runtime has one --ws-auth mode)`);
    }
    if ((options["dial-issuer"] !== undefined || options["dial-audience"] !== undefined) && options["dial-secret-file"] === undefined) {
      throw new UsageError(`--dial ${url}: --dial-issuer and --dial-audience go with --dial-secret-file`);
    }
    const auth =
      options["dial-token-file"] !== undefined
        ? { token: read("dial-token-file") }
        : options["dial-secret-file"] !== undefined
          ? {
              secret: read("dial-secret-file"),
              ...(options["dial-issuer"] !== undefined ? { issuer: options["dial-issuer"] } : {}),
              ...(options["dial-audience"] !== undefined ? { audience: options["dial-audience"] } : {}),
            }
          : undefined;
    return { url, ...(auth ? { auth } : {}), ...(options["dial-name"] !== undefined ? { name: options["dial-name"] } : {}) };
  });
}

export async function main(args: string[], io: Io): Promise<number> {
  const { values, tokens } = parse(args);
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, not "${values.port}"`);
  if (values.token !== undefined && (values.token === "" || /\s/.test(values.token))) throw new UsageError("--token must be non-empty and contain no spaces");
  if ((values["tls-key"] === undefined) !== (values["tls-cert"] === undefined)) throw new UsageError("--tls-key and --tls-cert go together");
  let tls: { key: Buffer; cert: Buffer } | undefined;
  if (values["tls-key"] && values["tls-cert"]) {
    const read = (option: "tls-key" | "tls-cert") => {
      try {
        return readFileSync(values[option]!);
      } catch (err) {
        throw new UsageError(`cannot read --${option} ${values[option]}: ${(err as Error).message}`);
      }
    };
    tls = { key: read("tls-key"), cert: read("tls-cert") };
  }
  const host = values.host ?? DEFAULT_HOST;
  const dial = dialTargets(tokens ?? []);
  if (values["node-id"] !== undefined && values.redis === undefined) throw new UsageError("--node-id goes with --redis");
  let backplane: RedisBackplane | undefined;
  if (values.redis !== undefined) {
    if (!/^rediss?:\/\//.test(values.redis)) throw new UsageError(`--redis takes a redis:// or rediss:// URL, not "${values.redis}"`);
    backplane = redisBackplane({ url: values.redis, ...(values["node-id"] ? { nodeId: values["node-id"] } : {}), logger: streamLogger(io.stderr) });
  }

  let server: ByorServer;
  try {
    server = new ByorServer({
      host,
      port,
      token: values.token,
      tls,
      logger: streamLogger(io.stderr),
      logRequests: values.verbose ?? false,
      perMessageDeflate: !values["no-deflate"],
      dial,
      metrics: values.metrics ?? false,
      ...(backplane ? { backplane } : {}),
      ...accessOptions(values, process.env),
    });
  } catch (err) {
    // The options the server refuses (a BYOR_TOKEN with spaces, a malformed --dial URL, an unreadable tokens file or
    // state file, ...) are the user's to fix.
    if (err instanceof TypeError || err instanceof RangeError || err instanceof StateFileError || isByorError(err)) throw new UsageError(err.message);
    throw err;
  }
  try {
    await server.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "EADDRINUSE" ? `port ${port} is already in use (another byor serve?); pick one with --port` : e.message;
    io.stderr.write(`byor serve: cannot ${backplane && !e.code ? "join the Redis backplane" : `listen on ${host}:${port}`}: ${why}\n`);
    await server.close().catch(() => {});
    return EXIT.failed;
  }
  let demo: DemoModel | undefined;
  if (values.demo) {
    try {
      demo = await (await import("./demo.js")).startDemoModel();
    } catch (err) {
      io.stderr.write(`byor serve: cannot start the demo model: ${(err as Error).message}\n`);
      await server.close().catch(() => {});
      return EXIT.failed;
    }
  }

  // What a person on this machine types: a wildcard bind is reached through the loopback address.
  const local = isWildcard(host) ? `${tls ? "https" : "http"}://127.0.0.1:${server.port}` : server.url;
  const token = runtimeKey(server);
  const lines = [
    `BYOR server listening on ${server.url}`,
    ...tokenLines(server),
    "",
    "Start a Letta Code runtime against it:",
    `  ${lettaRemoteCommand({ baseUrl: local, token, envName: values["env-name"] ?? defaultEnvName() })}`,
    "",
    ...(demo ? [...demo.lines(), ""] : []),
    consoleLine(server, local, demo),
    "",
    ...(backplane ? [`Sharing runtimes and apps through ${values.redis} as node ${backplane.nodeId}`, ""] : []),
    ...(dial.length > 0
      ? [`Dialling ${dial.length === 1 ? "an App Server runtime" : `${dial.length} App Server runtimes`}: ${dial.map((d) => d.url).join(", ")}`, ""]
      : []),
  ];
  // Listening for the signals before the banner is out: whoever reads the banner may stop the server at once.
  // Resolves with when the first signal came.
  const stopped = new Promise<number>((resolve) => {
    let since = 0;
    // Never removed: without a listener the default action is back, and the copy of Ctrl-C that pnpm and npm forward
    // to their child a few milliseconds after the terminal's would kill the process mid-close ("ELIFECYCLE Command
    // failed"). So a SIGINT within a second of the first is that copy; a later one (a second Ctrl-C) does not wait.
    const stop = (signal: NodeJS.Signals) => {
      if (since === 0) {
        since = Date.now();
        io.stderr.write(`\n${signal}: shutting down (closing runtimes and apps with 1001)\n`);
        resolve(since);
      } else if (signal === "SIGINT" && Date.now() - since > 1_000) process.exit(130);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  io.stdout.write(`${lines.join("\n")}\n`);
  if (!isLoopback(host) && !tls) {
    io.stderr.write(`warning: ${host} is reachable from other machines and there is no TLS: the token travels in clear text\n`);
  }

  const signalledAt = await stopped;
  await server.close();
  await demo?.close();
  io.stderr.write("stopped\n");
  // While the process exits its signal handlers are gone: the forwarded copy of the Ctrl-C must land before that.
  const linger = signalledAt + 300 - Date.now();
  if (linger > 0) await new Promise((resolve) => setTimeout(resolve, linger));
  return EXIT.ok;
}
