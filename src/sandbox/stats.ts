import type { FaultEvent, LoggedRequest, SandboxStats } from './types.js';

/** Requests the log keeps (the oldest are dropped first). */
export const REQUEST_LOG_SIZE = 10_000;

/** Empty counters. */
export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    rateLimited: 0,
    faults: {},
    faultLog: [],
    notifications: 0,
    duplicateKeys: 0,
    duplicateOriginIds: 0,
    requestLog: [],
  };
}

/** The counters of one sandbox; the server and the store both write to it. */
export class StatsRecorder {
  private stats = emptyStats();

  /** A request arrived for this route kind. */
  request(route: string): void {
    this.stats.requests += 1;
    bump(this.stats.byRoute, route);
  }

  /** One request, when it arrived and how it was answered. */
  log(entry: LoggedRequest): void {
    this.stats.requestLog.push({ ...entry });
    if (this.stats.requestLog.length > REQUEST_LOG_SIZE) this.stats.requestLog.shift();
  }

  /** The request ended with this status, or 'dropped' / 'hung' / 'dripped' when no whole answer was sent at once. */
  outcome(status: number | 'dropped' | 'hung' | 'dripped'): void {
    bump(this.stats.byStatus, String(status));
    if (status === 429) this.stats.rateLimited += 1;
  }

  /** A fault fired. */
  fault(event: FaultEvent): void {
    bump(this.stats.faults, event.kind);
    this.stats.faultLog.push({ ...event });
  }

  /** A message was created that would have emailed someone. */
  notification(): void {
    this.stats.notifications += 1;
  }

  /** A conversation was created for a key that already had one. */
  duplicateKey(): void {
    this.stats.duplicateKeys += 1;
  }

  /** A message was created with an origin_id its conversation already had. */
  duplicateOriginId(): void {
    this.stats.duplicateOriginIds += 1;
  }

  /** A deep copy of the counters. */
  snapshot(): SandboxStats {
    return structuredClone(this.stats);
  }

  /** Back to zero. */
  clear(): void {
    this.stats = emptyStats();
  }
}

function bump(counts: Record<string, number>, name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}
