/** Answers per second are measured over this window. */
const ANSWER_WINDOW_MS = 10_000;
/** Tickets finished per second (the time left) are measured over this window. */
const TICKET_WINDOW_MS = 60_000;

/**
 * The pace of a run's sending, as its progress line shows it: answers per second over the last
 * ten seconds, tickets finished per second over the last minute (or since the first one, early on).
 */
export class SendPace {
  private readonly answers: number[] = [];
  private readonly tickets: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  noteAnswer(): void {
    push(this.answers, this.now(), ANSWER_WINDOW_MS);
  }

  noteTicket(): void {
    push(this.tickets, this.now(), TICKET_WINDOW_MS);
  }

  /** Measured since `startedAt` while the run is younger than the window. */
  requestsPerSecond(startedAt: number): number {
    return perSecond(this.answers, this.now(), ANSWER_WINDOW_MS, startedAt);
  }

  /** Zero until a ticket finished; measured since `startedAt` while the run is younger than a minute. */
  ticketsPerSecond(startedAt: number): number {
    return perSecond(this.tickets, this.now(), TICKET_WINDOW_MS, startedAt);
  }
}

function push(times: number[], now: number, windowMs: number): void {
  times.push(now);
  drop(times, now - windowMs);
}

function drop(times: number[], before: number): void {
  let stale = 0;
  while (stale < times.length && times[stale]! < before) stale++;
  if (stale > 0) times.splice(0, stale);
}

function perSecond(times: number[], now: number, windowMs: number, startedAt: number): number {
  drop(times, now - windowMs);
  const span = Math.min(windowMs, now - startedAt);
  return times.length === 0 || span <= 0 ? 0 : (times.length / span) * 1000;
}
