import { describe, expect, it } from 'vitest';
import { SendPace } from '../../../src/pipeline/send-pace.js';

describe('SendPace', () => {
  it('measures answers over the last 10 s and tickets over the last minute, since the start while younger', () => {
    let now = 0;
    const pace = new SendPace(() => now);
    for (; now < 30_000; now += 100) pace.noteAnswer();
    for (now = 0; now < 30_000; now += 500) pace.noteTicket();
    expect(pace.requestsPerSecond(0)).toBeCloseTo(10, 0);
    // 60 tickets in the 30 s since the start: 2 a second.
    expect(pace.ticketsPerSecond(0)).toBeCloseTo(2, 1);
    now = 100_000;
    expect(pace.requestsPerSecond(0)).toBe(0);
    expect(pace.ticketsPerSecond(0)).toBe(0);
  });
});
