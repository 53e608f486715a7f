import { describe, expect, it } from 'vitest';
import { formatEta, formatSendLine, secondsLeft } from '../../../src/cli/progress-line.js';
import type { SendingProgress } from '../../../src/pipeline/progress.js';

const PROGRESS: SendingProgress = { sent: 412, toSend: 1500, exact: false, requestsPerSecond: 19.6, ticketsPerSecond: 19.6, failed: 2, invalid: 3 };

describe('run\'s progress line', () => {
  it('says sent of to send (~ while estimated), failed, invalid, the request rate and the time left, with a bar in the room left', () => {
    const line = formatSendLine(PROGRESS, 80);
    expect(line).toMatch(/^[█░]{8,30} 412\/~1,500 sent · failed 2 · invalid 3 · 19\.6 req\/s · ETA 56s$/);
    expect(line.length).toBeLessThanOrEqual(79);
    expect(formatSendLine({ ...PROGRESS, exact: true }, 80)).toContain('412/1,500 sent');
  });

  it('keeps the failures at any width, dropping the bar, then the time left, then the rate', () => {
    const big = { ...PROGRESS, sent: 123_456, toSend: 1_234_567, failed: 12_345, invalid: 6_789 };
    for (const columns of [60, 80, 100, 200]) {
      const line = formatSendLine(big, columns);
      expect(line.length).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain('failed 12,345 · invalid 6,789');
    }
    expect(formatSendLine(big, 60)).not.toMatch(/[█░]/);
  });

  it('says when a 429 holds the rate down', () => {
    expect(formatSendLine({ ...PROGRESS, slowedTo: 8.14 }, 100)).toContain('· 429: slowed to 8.1/s ·');
  });

  it('tells the time left from the tickets still to send at the last minute\'s pace; none before a ticket finished', () => {
    expect(secondsLeft(PROGRESS)).toBeCloseTo(1088 / 19.6, 5);
    expect(secondsLeft({ ...PROGRESS, ticketsPerSecond: 0 })).toBeUndefined();
    expect(secondsLeft({ ...PROGRESS, sent: 1500 })).toBe(0);
    expect([formatEta(undefined), formatEta(Infinity), formatEta(45.4), formatEta(185), formatEta(7620)]).toEqual(['-', '-', '45s', '3m05s', '2h07m']);
  });
});
