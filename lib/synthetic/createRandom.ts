/** A source of floats in [0, 1), like `Math.random`. */
export type Random = () => number;

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence, so demo runs and specs
 * can be repeated. Without a seed it draws one from `Math.random`. The seed must be an integer; it
 * is taken modulo 2^32.
 *
 * Not for cryptography: it exists so simulated durations and failures are reproducible.
 *
 * @example
 * const random = createRandom(42);
 * const roll = Math.floor(random() * 6) + 1; // the same roll every run
 */
export function createRandom(seed?: number): Random {
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new RangeError(`Expected \`seed\` to be an integer, got \`${String(seed)}\``);
  }
  let state = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
