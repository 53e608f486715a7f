import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRate, Throttle, ThrottleStopped } from '../../../src/reamaze/throttle.js';

let throttle: Throttle | undefined;
afterEach(async () => throttle?.stop());

describe('throttle', () => {
  it.each([
    ['2', 2], ['0.5', 0.5], ['90/min', 1.5], ['120/minute', 2], ['5/s', 5], ['0', undefined], ['fast', undefined],
  ])('reads --rate %s', (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it('stops: a request waiting its turn is dropped (never run), one waiting out a pause is woken, the running one finishes', async () => {
    throttle = new Throttle({ rate: 1, concurrency: 1 });
    const ran: string[] = [];
    const running = throttle.schedule(async () => {
      // A 429 asking for a minute arrives while this request waits to leave.
      throttle!.noteThrottled(60_000);
      await throttle!.untilResumed();
      ran.push('first');
      return 'first';
    });
    const waiting = throttle.schedule(async () => ran.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = Date.now();
    const stopped = throttle.stop();
    expect(throttle.stop()).toBe(stopped);
    await expect(waiting).rejects.toBeInstanceOf(ThrottleStopped);
    expect(await running).toBe('first');
    await stopped;
    expect(Date.now() - began).toBeLessThan(5000);
    expect(ran).toEqual(['first']);
  });

  /**
   * Two requests with one place: whether the second starts as soon as the first (held open) is
   * finished. The clock is held still, so a busy machine cannot end the first turn in between.
   */
  async function secondStartsAfterFirst(rate: number): Promise<boolean> {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      return await startsAtOnce(rate);
    } finally {
      vi.useRealTimers();
    }
  }

  async function startsAtOnce(rate: number): Promise<boolean> {
    throttle = new Throttle({ rate, concurrency: 1 });
    let finishFirst!: () => void;
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    let secondStarted = false;
    const first = throttle.schedule(() => {
      firstStarted();
      return new Promise<void>((resolve) => (finishFirst = resolve));
    });
    const second = throttle.schedule(async () => {
      secondStarted = true;
    });
    await started;
    finishFirst();
    await first;
    // Microtasks only: no timer, so no new turn of the limiter, can run in between.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    const atOnce = secondStarted;
    await second;
    return atOnce;
  }

  it('without a limit, a place freed within a turn is taken at once by the next request, not at the next turn', async () => {
    expect(await secondStartsAfterFirst(100_000)).toBe(true);
  });

  it('at a rate an API limit allows, the next request still waits for its own turn', async () => {
    expect(await secondStartsAfterFirst(10)).toBe(false);
  });

  it('lowers the rate to what the API let through once per episode, and pauses every request', async () => {
    throttle = new Throttle({ rate: 10, concurrency: 4 });
    const now = Date.now();
    for (let i = 0; i < 10; i++) throttle.noteSuccess(now - 1990 + i * 200);
    const pause = throttle.noteThrottled(undefined, now, () => 0.5);
    expect(pause).toBe(500);
    expect(throttle.rate).toBeCloseTo(4.75, 2); // 5 answers in the last second: 5/s, less 5%
    throttle.noteThrottled(undefined, now + 100, () => 0.5);
    expect(throttle.rate).toBeCloseTo(4.75, 2); // same episode: no second decrease
    const started: number[] = [];
    await Promise.all([1, 2].map(() => throttle!.schedule(async () => started.push(Date.now() - now))));
    expect(Math.min(...started)).toBeGreaterThanOrEqual(495);
  });

  it('holds a request the limiter started before the 429 until the pause is over', async () => {
    throttle = new Throttle({ rate: 100, concurrency: 4 });
    const now = Date.now();
    // Started already (waiting for its `sending` commit, say) when the 429 came.
    const left = throttle.schedule(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await throttle!.untilResumed();
      return Date.now() - now;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    throttle.noteThrottled(400, Date.now());
    expect(await left).toBeGreaterThanOrEqual(400);
  });

  it('honours Retry-After and climbs back after a quiet period, slowly near the old ceiling', () => {
    throttle = new Throttle({ rate: 10, maxRate: 10 });
    const t = 1_000_000;
    expect(throttle.noteThrottled(2000, t)).toBe(2000);
    const after = throttle.rate;
    expect(after).toBeLessThan(10);
    throttle.noteSuccess(t + 1000);
    expect(throttle.rate).toBe(after);
    throttle.noteSuccess(t + 4000);
    expect(throttle.rate).toBeGreaterThan(after);
  });

  it('reads the limit from a 429 just under it as what the second before let through, not the rate in force', () => {
    throttle = new Throttle({ rate: 19.8, maxRate: 60, learnedLimit: 20 });
    const now = 5_000_000;
    // Answers bunch up: 20 in the last second at a rate of 19.8/s, then the 429.
    for (let i = 0; i < 20; i++) throttle.noteSuccess(now - 990 + i * 49);
    throttle.noteThrottled(undefined, now, () => 0.5);
    expect(throttle.learnedLimit).toBe(20);
    // A second that held far more than the rate (a burst after a pause) is not read as the limit.
    const bursty = new Throttle({ rate: 10 });
    for (let i = 0; i < 30; i++) bursty.noteSuccess(now - 900 + i * 30);
    bursty.noteThrottled(undefined, now, () => 0.5);
    expect(bursty.learnedLimit).toBeCloseTo(10.5, 5);
    void bursty.stop();
    // Holding just under a limit read too high (11) at an earlier run, a 429 brings it down to what got through.
    const high = new Throttle({ rate: 30, learnedLimit: 11 });
    for (let i = 0; i < 10; i++) high.noteSuccess(now - 950 + i * 95);
    high.noteThrottled(undefined, now, () => 0.5);
    expect(high.learnedLimit).toBe(10);
    void high.stop();
  });
});
