/**
 * The one seeded pseudo-random generator: mulberry32, a 32-bit state generator that is fast, has a
 * period of 2^32 and yields the same sequence on every JavaScript engine, so layouts, community
 * detection, the demo case, generated test data and benchmarks are reproducible from a seed. Not for
 * anything secret (keys, ids that must be unguessable): use the platform's CSPRNG there.
 */
export type Random = () => number;

/** Uniform floats in [0, 1) determined entirely by `seed`. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T extends { length: number; [index: number]: number }>(
  items: T,
  random: Random,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
