import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../src/pipeline/in-flight.js';

const later = (ms: number, fail?: Error) => new Promise<void>((resolve, reject) => setTimeout(() => (fail ? reject(fail) : resolve()), ms));

describe('in flight', () => {
  it('holds at most its size, and lets the next one in as soon as one finishes', async () => {
    const window = new InFlight(() => 3);
    let most = 0;
    for (let i = 0; i < 20; i++) {
      await window.add(later(1 + (i % 4)));
      most = Math.max(most, window.tasks.size);
      expect(window.tasks.size).toBeLessThan(3);
    }
    expect(most).toBe(2);
    await Promise.all(window.tasks);
    expect(window.tasks.size).toBe(0);
  });

  it('throws what a failed task threw, at the next add and at the end', async () => {
    const window = new InFlight(() => 2);
    await window.add(later(1, new Error('disk full')));
    await expect(window.add(later(50))).rejects.toThrow('disk full');
    expect(() => window.check()).toThrow('disk full');
  });
});
