// The simulated runtime's files: an in-memory tree that answers the file commands the way the real runtime answers
// them over a real disk (same response shapes and ENOENT messages).
import { posix } from "node:path";

export interface TreeEntry {
  path: string;
  type: "file" | "dir";
}

export class MemoryFs {
  readonly #files = new Map<string, string>();
  readonly #dirs = new Set<string>(["/"]);
  /** Write order, newest last: search_files with an empty query lists the most recent files first. */
  #order: string[] = [];

  constructor(
    readonly cwd: string,
    files: Record<string, string> = {},
  ) {
    this.#mkdirs(this.resolve(cwd));
    for (const [path, content] of Object.entries(files)) this.write(path, content);
  }

  resolve(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  #mkdirs(dir: string): void {
    for (let d = dir; !this.#dirs.has(d); d = posix.dirname(d)) this.#dirs.add(d);
  }

  write(path: string, content: string): void {
    const abs = this.resolve(path);
    if (this.#dirs.has(abs)) throw new Error(`EISDIR: illegal operation on a directory, open '${path}'`);
    this.#mkdirs(posix.dirname(abs));
    this.#files.set(abs, content);
    this.#order = this.#order.filter((p) => p !== abs);
    this.#order.push(abs);
  }

  read(path: string): string {
    const abs = this.resolve(path);
    const content = this.#files.get(abs);
    if (content === undefined) {
      if (this.#dirs.has(abs)) throw new Error(`EISDIR: illegal operation on a directory, read`);
      throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    }
    return content;
  }

  exists(path: string): boolean {
    const abs = this.resolve(path);
    return this.#files.has(abs) || this.#dirs.has(abs);
  }

  /** Immediate children, names sorted. */
  list(path: string): { folders: string[]; files: string[] } {
    const abs = this.resolve(path);
    if (!this.#dirs.has(abs)) {
      if (this.#files.has(abs)) throw new Error(`ENOTDIR: not a directory, scandir '${path}'`);
      throw new Error(`ENOENT: no such file or directory, scandir '${path}'`);
    }
    const childOf = (p: string) => p !== abs && posix.dirname(p) === abs;
    const folders = [...this.#dirs]
      .filter(childOf)
      .map((p) => posix.basename(p))
      .sort();
    const files = [...this.#files.keys()]
      .filter(childOf)
      .map((p) => posix.basename(p))
      .sort();
    return { folders, files };
  }

  /** Entries under `path` down to `depth` levels, paths relative to it; `hasMoreDepth` if deeper entries exist. */
  tree(path: string, depth: number): { entries: TreeEntry[]; hasMoreDepth: boolean } {
    const root = this.resolve(path);
    const entries: TreeEntry[] = [];
    let hasMoreDepth = false;
    const walk = (dir: string, level: number) => {
      const { folders, files } = this.list(dir);
      for (const name of folders) {
        const child = posix.join(dir, name);
        entries.push({ path: posix.relative(root, child), type: "dir" });
        if (level + 1 < depth) walk(child, level + 1);
        else if (this.#hasChildren(child)) hasMoreDepth = true;
      }
      for (const name of files) entries.push({ path: posix.relative(root, posix.join(dir, name)), type: "file" });
    };
    if (depth > 0) walk(root, 0);
    else this.list(root); // still reports a missing directory
    return { entries: entries.slice(0, 5000), hasMoreDepth };
  }

  #hasChildren(dir: string): boolean {
    const inside = (p: string) => p.startsWith(`${dir}/`);
    return [...this.#files.keys()].some(inside) || [...this.#dirs].some(inside);
  }

  /** Fuzzy file search below `cwd`: the query's characters in order, case-insensitive; empty = most recent. */
  search(query: string, max: number, cwd = this.cwd): string[] {
    const root = this.resolve(cwd);
    const below = (p: string) => p.startsWith(root === "/" ? "/" : `${root}/`);
    const limit = Math.max(0, Math.min(max, 200));
    if (!query)
      return [...this.#order]
        .reverse()
        .filter(below)
        .slice(0, limit)
        .map((p) => posix.relative(root, p));
    const q = query.toLowerCase();
    const matches = (text: string) => {
      let i = 0;
      for (const ch of text.toLowerCase()) if (ch === q[i]) i++;
      return i === q.length;
    };
    return [...this.#files.keys()]
      .filter(below)
      .map((p) => posix.relative(root, p))
      .filter(matches)
      .sort((a, b) => a.length - b.length || a.localeCompare(b))
      .slice(0, limit);
  }
}
