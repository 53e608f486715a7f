import type { Ledger, RequestMinute } from '../ledger/ledger.js';
import type { Outcome } from '../reamaze/retry-policy.js';

/** The start of the minute `ms` falls in, ISO 8601 UTC. */
export function minuteOf(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

/**
 * Counts a run's answers minute by minute — all of them, the 429s, those without a usable answer —
 * and writes each minute to the ledger once it is over (and the last one at the end of the run):
 * what the report's chart of requests over time is drawn from. One write a minute.
 */
export class RequestMinutes {
  private current: RequestMinute | undefined;

  constructor(
    private readonly ledger: Ledger,
    private readonly now: () => number = Date.now,
  ) {}

  note(outcome: Outcome): void {
    const minute = minuteOf(this.now());
    if (this.current && this.current.minute !== minute) this.flush();
    this.current ??= { minute, requests: 0, throttled: 0, failures: 0 };
    this.current.requests += 1;
    if (outcome.kind === 'throttled') this.current.throttled += 1;
    else if (outcome.kind === 'unknown' || outcome.kind === 'not-sent') this.current.failures += 1;
  }

  /** Writes the minute in progress. */
  flush(): void {
    if (this.current && this.current.requests > 0) this.ledger.recordMinute(this.current);
    this.current = undefined;
  }
}
