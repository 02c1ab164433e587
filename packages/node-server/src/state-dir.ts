import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * Where `byor serve` keeps its state by default: `$XDG_CONFIG_HOME/byor`, else `~/.config/byor` (Linux, macOS and
 * the other Unixes), `%APPDATA%\byor` on Windows.
 */
export function defaultDataDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: () => string = homedir,
): string {
  if (platform === "win32") return join(env.APPDATA || join(home(), "AppData", "Roaming"), "byor");
  // The XDG spec: a relative value is invalid and ignored.
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home(), ".config");
  return join(config, "byor");
}

/** A state file that exists but cannot be used: the message says which and why. */
export class StateFileError extends Error {}

/**
 * The server's state directory: mode 0700, its files 0600, each written whole (a temporary file renamed over the
 * old one), so a crash leaves the old version or the new one, never half of one.
 */
export class StateDir {
  #ready = false;

  constructor(readonly path: string) {}

  /** A file's JSON, or undefined when it does not exist. Throws a StateFileError when it cannot be read or parsed. */
  read(name: string): unknown {
    const file = join(this.path, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateFileError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new StateFileError(`${file} is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
  }

  /** Writes a file atomically, readable by its owner only. */
  write(name: string, value: unknown): void {
    this.#ensure();
    const file = join(this.path, name);
    const temp = join(this.path, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(fd);
    try {
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /** Creates the directory (0700); an existing one is made 0700 too. */
  #ensure(): void {
    if (this.#ready) return;
    mkdirSync(this.path, { recursive: true, mode: 0o700 });
    if (process.platform !== "win32") chmodSync(this.path, 0o700);
    this.#ready = true;
  }
}
