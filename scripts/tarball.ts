// Reads an npm package tarball (.tgz) in memory: enough of the tar format for what npm and pnpm write.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface TarballFile {
  /** Path inside the package, without the leading `package/`. */
  path: string;
  size: number;
  data: Buffer;
}

const BLOCK = 512;
const text = (block: Buffer, start: number, length: number): string => {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
};

/** The regular files of a package tarball, in archive order. */
export const readTarball = (file: string): TarballFile[] => {
  const tar = gunzipSync(readFileSync(file));
  const files: TarballFile[] = [];
  let longName: string | undefined;
  for (let offset = 0; offset + BLOCK <= tar.length; ) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const data = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    longName = undefined;
    if (type === "L") longName = text(data, 0, data.length);
    else if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
    else if (type === "0" || type === "\0") files.push({ path: name.replace(/^[^/]+\//, ""), size, data });
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
};
