import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { minuteOf, RequestMinutes } from '../../../src/pipeline/request-minutes.js';

describe('RequestMinutes', () => {
  it('writes each minute once it is over, and the last one on flush; 429s and answers lost counted apart', () => {
    const ledger = new MemoryLedger();
    let now = Date.parse('2026-12-01T10:00:30Z');
    const minutes = new RequestMinutes(ledger, () => now);
    minutes.note({ kind: 'created', status: 201, body: {} });
    minutes.note({ kind: 'throttled', status: 429, retryAfterMs: undefined });
    minutes.note({ kind: 'unknown', reason: 'reset' });
    expect(ledger.minutes).toEqual([]);
    now += 45_000;
    minutes.note({ kind: 'rejected', status: 422, error: 'no', body: '{}' });
    expect(ledger.minutes).toEqual([{ minute: '2026-12-01T10:00:00.000Z', requests: 3, throttled: 1, failures: 1 }]);
    minutes.flush();
    minutes.flush();
    expect(ledger.minutes).toEqual([
      { minute: '2026-12-01T10:00:00.000Z', requests: 3, throttled: 1, failures: 1 },
      { minute: '2026-12-01T10:01:00.000Z', requests: 1, throttled: 0, failures: 0 },
    ]);
    expect(minuteOf(Date.parse('2026-12-01T23:59:59.999Z'))).toBe('2026-12-01T23:59:00.000Z');
  });
});
