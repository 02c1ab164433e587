// Bundled in at build time (tsup inlines the one field), so dist/ and the bin/byor.js launcher need no package.json
// at run time.
import { version } from "../package.json";
import { renderOptions, renderRows, type OptionHelp } from "./format/help.js";
import { EXIT, UsageError, type Io } from "./io.js";

/** What a subcommand's module exports. */
export interface CommandModule {
  main(args: string[], io: Io): Promise<number>;
  /** Its `--help`: usage, then every option it parses. */
  HELP: string;
}

interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

// Subcommands are imported only when run (or when the full help prints theirs), so `byor validate` does not load
// what `byor serve` needs.
const COMMANDS: Record<string, Command> = {
  serve: { summary: "start a BYOR server for Letta Code runtimes (`letta remote`) and their apps", load: () => import("./commands/serve.js") },
  validate: { summary: "validate JSONL transcripts of protocol frames, e.g. in CI (text, JSON, JUnit, GitHub)", load: () => import("./commands/validate.js") },
};

/** The options of `byor` itself. */
export const GLOBAL_OPTIONS: readonly OptionHelp[] = [
  { name: "help", short: "h", text: "print this help, with every command's options (\"byor <command> --help\": one command's)" },
  { name: "version", short: "v", text: "print the version of byor (@byor/cli)" },
];

export const VERSION: string = version;

const USAGE = `Usage: byor <command> [options]
       byor --help | --version

Commands:
${renderRows(Object.entries(COMMANDS).map(([name, c]) => [name, c.summary]))}

Options:
${renderOptions(GLOBAL_OPTIONS)}
`;

/** The usage, then each command's own help. A command whose module cannot load says so in its place. */
async function fullHelp(): Promise<string> {
  const sections = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, command]) => {
      const help = await command.load().then(
        (module) => module.HELP,
        (err: unknown) => `(its help could not be loaded: ${err instanceof Error ? err.message : String(err)})\n`,
      );
      return `── byor ${name} ──\n\n${help}`;
    }),
  );
  return `${USAGE}\n${sections.join("\n")}`;
}

// Own keys only: "constructor" is not a command.
const commandNamed = (name: string): Command | undefined => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

const isHelp = (arg: string) => arg === "--help" || arg === "-h" || arg === "help";

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.stderr.write(`${USAGE}\nRun "byor --help" for every command's options.\n`);
    return EXIT.usage;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (isHelp(name)) {
    // `byor help validate` is `byor validate --help`.
    const topic = name === "help" ? rest[0] : undefined;
    if (topic === undefined) {
      io.stdout.write(await fullHelp());
      return EXIT.ok;
    }
    const command = commandNamed(topic);
    if (!command) {
      io.stderr.write(`byor: unknown command "${topic}"\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.stdout.write((await command.load()).HELP);
    return EXIT.ok;
  }
  const command = commandNamed(name);
  if (!command) {
    io.stderr.write(`byor: unknown ${name.startsWith("-") ? "option" : "command"} "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await (await command.load()).main(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`byor ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
