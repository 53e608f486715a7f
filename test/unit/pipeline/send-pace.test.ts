import { afterAll, describe, expect, it } from 'vitest';
import { emptyCounts } from '../../../src/pipeline/import-counts.js';
import { sendingProgress } from '../../../src/pipeline/send-progress.js';
import { Throttle } from '../../../src/reamaze/throttle.js';
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

describe('sendingProgress', () => {
  const throttle = new Throttle({ rate: 10 });
  afterAll(() => throttle.stop());
  const pace = new SendPace(() => 0);

  it('counts what is left to send: exact once every row was read, else from the records counted, else from the bytes read', () => {
    const counts = { ...emptyCounts(), rows: 400, failed: 2, invalid: 5 };
    const tally = { started: 300, finished: 120, allRead: false, startedAt: 0 };
    // 300 of the 400 rows read had something to send; 600 rows are still unread.
    expect(sendingProgress({ ...tally, records: 1000 }, { bytesRead: 900, totalBytes: 1000 }, counts, pace, throttle)).toMatchObject({ sent: 120, toSend: 750, exact: false, failed: 2, invalid: 5 });
    // Not counted yet: the bytes read stand in.
    expect(sendingProgress(tally, { bytesRead: 500, totalBytes: 1000 }, counts, pace, throttle)).toMatchObject({ toSend: 600, exact: false });
    expect(sendingProgress({ ...tally, allRead: true, records: 1000 }, { bytesRead: 1000, totalBytes: 1000 }, counts, pace, throttle)).toMatchObject({ toSend: 300, exact: true });
  });
});
