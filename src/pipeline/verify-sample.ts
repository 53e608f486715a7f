import { createHash } from 'node:crypto';

/**
 * How `verify --sample` draws and what it can say: pure functions. The sample is drawn uniformly
 * without replacement (a partial Fisher–Yates shuffle) by a generator seeded from the seed's text,
 * so the same seed over the same done conversations draws the same sample again (a resumed
 * verification checks the rest of the same sample).
 */

/** A generator of numbers in [0, 1) fixed by `seed` (xoshiro128** seeded from SHA-256 of the text). */
export function seededDraw(seed: string): () => number {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  const s = [0, 4, 8, 12].map((offset) => digest.readUInt32LE(offset) | 0) as [number, number, number, number];
  if (s.every((word) => word === 0)) s[0] = 1;
  return () => {
    const result = Math.imul(rotate(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate(s[3], 11);
    return result / 2 ** 32;
  };
}

function rotate(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * `size` of `population` drawn uniformly without replacement with `seed` (all of them, shuffled,
 * when there are fewer); the population is taken in the order given, so callers sort it first.
 */
export function drawSample<T>(population: readonly T[], size: number, seed: string): T[] {
  const items = [...population];
  const draw = seededDraw(seed);
  const count = Math.min(size, items.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(draw() * (items.length - i));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items.slice(0, count);
}

/** A share's 95% Wilson score interval: `hits` of `n` (0 to 1 when n is 0). */
export function wilsonInterval(hits: number, n: number, z = 1.96): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = hits / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
