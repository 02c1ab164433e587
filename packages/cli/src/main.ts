import { EXIT, UsageError, type Io } from "./io.js";

const HELP = `Usage: byor <command> [options]

Commands:
  serve [--host H] [--port P] [--token T]
      Start a BYOR server for Letta Code runtimes (\`letta remote\`) and their apps (default 127.0.0.1:8284).
  validate [--direction event|command] [--json] [FILE...]
      Validate NDJSON/JSONL transcripts of protocol frames (stdin when no FILE or "-").
      Exit 0 when all frames are valid, 1 if any is invalid, 2 on usage errors.

Run "byor <command> --help" for a command's options.
`;

// Subcommands are imported only when run, so `byor validate` does not load what `byor serve` needs.
const COMMANDS: Record<string, () => Promise<{ main(args: string[], io: Io): Promise<number> }>> = {
  serve: () => import("./commands/serve.js"),
  validate: () => import("./commands/validate.js"),
};

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? io.stdout : io.stderr).write(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`byor: unknown command "${name}"\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await (await load()).main(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`byor ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
