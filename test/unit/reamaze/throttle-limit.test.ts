import { afterEach, describe, expect, it } from 'vitest';
import { Throttle } from '../../../src/reamaze/throttle.js';

let throttle: Throttle | undefined;
afterEach(async () => throttle?.stop());

/**
 * The throttle's policy against an API with a per-token limit and no Retry-After, on a simulated
 * clock: a request leaves every 1/rate seconds (and none during a pause); the API answers 429 when
 * `limit` requests were accepted in the last second. Returns the accepted requests and the 429s
 * per minute of simulated time.
 */
function simulate(options: { limit: number; rate: number; minutes: number; startRate?: number; throttleFor?: Throttle }) {
  throttle = options.throttleFor ?? new Throttle({ rate: options.startRate ?? options.rate, maxRate: options.rate });
  const accepted: number[] = [];
  const perMinute = Array.from({ length: options.minutes }, () => ({ accepted: 0, throttled: 0 }));
  // The clock starts where a real one would be: far from zero.
  const start = 1_000_000;
  let pausedUntil = 0;
  const end = start + options.minutes * 60_000;
  for (let t = start; t < end; ) {
    if (t < pausedUntil) {
      t = pausedUntil;
      continue;
    }
    while (accepted.length > 0 && accepted[0]! <= t - 1000) accepted.shift();
    const minute = perMinute[Math.floor((t - start) / 60_000)]!;
    if (accepted.length < options.limit) {
      accepted.push(t);
      minute.accepted += 1;
      throttle.noteSuccess(t);
    } else {
      minute.throttled += 1;
      // The pause is jittered by the random source: 0.5 here, a 500 ms pause.
      pausedUntil = t + throttle.noteThrottled(undefined, t, () => 0.5);
    }
    t += 1000 / throttle.rate;
  }
  return { perMinute, rate: throttle.rate, learned: throttle.learnedLimit };
}

describe('the throttle at a limit it does not know (no Retry-After)', () => {
  it.each([
    [20, 60],
    [20, 40],
    [5, 15],
    [50, 100],
  ])('limit %i/s, --rate %i: from the second minute on, at least 95 percent of the limit and a handful of 429s a minute', (limit, rate) => {
    const { perMinute } = simulate({ limit, rate, minutes: 6 });
    for (const [index, minute] of perMinute.entries()) {
      if (index === 0) continue;
      expect({ minute: index + 1, share: minute.accepted / (limit * 60) >= 0.95 }).toEqual({ minute: index + 1, share: true });
      expect({ minute: index + 1, throttled: minute.throttled <= 5 }).toEqual({ minute: index + 1, throttled: true });
    }
  });

  it('learns the limit, so that a next run started from it draws no storm of 429s', () => {
    const first = simulate({ limit: 20, rate: 60, minutes: 3 });
    expect(first.learned).toBeGreaterThan(18);
    expect(first.learned).toBeLessThan(22);
    const next = new Throttle({ rate: 60, maxRate: 60, learnedLimit: first.learned });
    expect(next.rate).toBeLessThanOrEqual(first.learned!);
    const { perMinute } = simulate({ limit: 20, rate: 60, minutes: 2, throttleFor: next });
    expect(perMinute[0]!.throttled).toBeLessThanOrEqual(5);
    expect(perMinute[0]!.accepted / (20 * 60)).toBeGreaterThanOrEqual(0.95);
  });

  it('climbs past a limit that grew: a learned limit is probed, not a wall', () => {
    const next = new Throttle({ rate: 60, maxRate: 60, learnedLimit: 20 });
    const { perMinute } = simulate({ limit: 30, rate: 60, minutes: 6, throttleFor: next });
    expect(perMinute[5]!.accepted / (30 * 60)).toBeGreaterThanOrEqual(0.9);
  });
});
