// Seeded pseudo-random numbers for layouts and generators: mulberry32, a 32-bit state generator that
// is fast, has a period of 2^32 and yields the same sequence on every JavaScript engine, so layouts
// are reproducible from a seed.

/** Returns a function that yields uniform numbers in [0, 1) determined entirely by `seed`. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
