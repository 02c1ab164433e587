/**
 * 24 hex digits derived from `text`, the same on every platform and run: ids that must survive a restart without
 * node:crypto or an async Web Crypto call. Three 32-bit FNV-1a lanes with different offsets, then mixed; not for
 * secrets (a server that has node:crypto may inject a SHA-256 instead).
 */
export function stableHash(text: string): string {
  let out = "";
  for (const offset of [0x811c9dc5, 0x01000193, 0x9e3779b9]) {
    let h = offset >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    // Final avalanche (murmur3's fmix32): nearby inputs land far apart.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}
