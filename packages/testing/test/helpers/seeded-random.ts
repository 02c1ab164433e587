/**
 * A small seeded PRNG (xorshift32 over a scrambled seed): uniform in [0, 1). The same seed gives the same draws, so a
 * fault schedule can be replayed by its seed (timing aside).
 */
export function seededRandom(seed: number): () => number {
  // Scramble so that nearby seeds (1, 2, 3 …) start far apart; xorshift must never hold 0.
  let state = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) >>> 0 || 0x6d2b79f5;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** A uniform integer in [min, max]. */
export const between = (random: () => number, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/** One key of `weights`, drawn in proportion to its weight. */
export function pick<K extends string>(random: () => number, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
  let r = random() * total;
  for (const [key, weight] of entries) {
    r -= Math.max(0, weight);
    if (r < 0) return key;
  }
  return entries.at(-1)![0];
}
