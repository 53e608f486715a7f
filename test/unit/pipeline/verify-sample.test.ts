import { describe, expect, it } from 'vitest';
import { drawSample, seededDraw, wilsonInterval } from '../../../src/pipeline/verify-sample.js';

describe('verify --sample: the draw', () => {
  const population = Array.from({ length: 100 }, (_, i) => `k${i}`);

  it('draws the asked number without replacement, the same again for the same seed, another for another', () => {
    const first = drawSample(population, 10, 'x');
    expect(first).toHaveLength(10);
    expect(new Set(first).size).toBe(10);
    expect(drawSample(population, 10, 'x')).toEqual(first);
    expect(drawSample(population, 10, 'y')).not.toEqual(first);
    expect(drawSample(population.slice(0, 3), 10, 'x').sort()).toEqual(['k0', 'k1', 'k2']);
  });

  it('is uniform: every item is drawn about as often', () => {
    const counts = new Map<string, number>();
    for (let s = 0; s < 2000; s++) for (const key of drawSample(population.slice(0, 10), 3, `seed-${s}`)) counts.set(key, (counts.get(key) ?? 0) + 1);
    // Each of 10 items is expected 600 times in 2000 draws of 3.
    for (const count of counts.values()) expect(Math.abs(count - 600)).toBeLessThan(90);
    const draw = seededDraw('z');
    const values = Array.from({ length: 1000 }, draw);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});

describe('wilsonInterval', () => {
  it('gives the 95% interval of a share', () => {
    const none = wilsonInterval(0, 5);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.4345, 3);
    const some = wilsonInterval(10, 100);
    expect(some.low).toBeCloseTo(0.0552, 3);
    expect(some.high).toBeCloseTo(0.1744, 3);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
