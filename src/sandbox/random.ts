import { createHash } from 'node:crypto';

/** A small seeded generator (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A number in [0, 1) fixed by the seed and the parts alone. Random faults for a keyed request use
 * it so that they do not depend on the order concurrent requests arrive in.
 */
export function hashedRandom(seed: number, ...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(JSON.stringify([seed, ...parts])).digest();
  return digest.readUInt32BE(0) / 4294967296;
}
