/** The answer of the limiter for one request. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = 1000;

/**
 * A sliding one-second window per token: a request is allowed when fewer than `limit` requests
 * were allowed in the last second. Refused requests are not counted, so a client that backs off
 * gets through as soon as the window frees.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  /** `now` is injectable so tests can move time; defaults to Date.now. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Counts the request when allowed; `limit` null means no limit. */
  check(token: string, limit: number | null): RateDecision {
    if (limit === null) return { allowed: true };
    const now = this.now();
    const times = (this.windows.get(token) ?? []).filter((time) => time > now - WINDOW_MS);
    this.windows.set(token, times);
    if (times.length < limit) {
      times.push(now);
      return { allowed: true };
    }
    // The window frees when the oldest request counted in it leaves; never advertise 0 seconds.
    const waitMs = (times[0] ?? now) + WINDOW_MS - now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Forgets every window. */
  clear(): void {
    this.windows.clear();
  }
}
