import type { PerMessageDeflateOptions } from "ws";

/** permessage-deflate as the server negotiates it, on both legs. */
export interface DeflateSettings {
  /** Frames smaller than this (bytes) are sent uncompressed. Default 1024. */
  threshold?: number;
  /** zlib level, 0–9. Default 6 (zlib's). */
  level?: number;
  /** zlib memLevel, 1–9: memory of each compressing context. Default 5. */
  memLevel?: number;
  /** LZ77 window, 9–15, for what both sides compress (the server's frames and the peer's). Default 13. */
  windowBits?: number;
}

/**
 * Defaults chosen by measurement over the real runtime's frames of 1 KiB or more (`docs/benchmarks.md`):
 * windowBits 13 and memLevel 5 compress them to 0.365 of their size against 0.359 with zlib's 15 / 8, with a
 * compressing context of 48 KiB instead of 256 KiB (and an 8 KiB inflate window instead of 32 KiB).
 */
export const DEFAULT_DEFLATE: Required<DeflateSettings> = { threshold: 1024, level: 6, memLevel: 5, windowBits: 13 };

/**
 * The `ws` options for `settings`. No context takeover on either side: every frame is compressed on its own, so
 * `ws` applies `threshold` (it does so only then: with context takeover every frame, pings and acks included, is
 * deflated) and an idle socket keeps no history. `false`: never negotiated.
 */
export function deflateOptions(settings: boolean | DeflateSettings | undefined): PerMessageDeflateOptions | false {
  if (settings === false) return false;
  const s = { ...DEFAULT_DEFLATE, ...(settings === true || settings === undefined ? {} : settings) };
  return {
    threshold: s.threshold,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: s.windowBits,
    clientMaxWindowBits: s.windowBits,
    zlibDeflateOptions: { level: s.level, memLevel: s.memLevel },
  };
}
