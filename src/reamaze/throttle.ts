import Bottleneck from 'bottleneck';

/** How fast requests may go. */
export interface ThrottleOptions {
  /** Requests per second to start at. */
  rate: number;
  /** The adaptive rate never goes above this. Default: `rate`. */
  maxRate?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** After a 429, the rate is multiplied by this. Default 0.7. */
  decrease?: number;
  /** Quiet time without a 429 before the rate is raised again. Default 5 s. */
  quietMs?: number;
  /** Pause after a 429 without Retry-After, before jitter. Default 1 s. */
  pauseMs?: number;
  /** The rate never goes below this. Default 0.05 (one request in 20 s). */
  minRate?: number;
}

/**
 * One limiter per API token (bottleneck): every request of the import, conversations and lookups
 * alike, goes through it, because Re:amaze limits per token and extra workers add no capacity.
 * Adaptive: a 429 pauses *every* request (the limit is shared, so one 429 means all are over it)
 * and lowers the rate; a quiet period raises it again, up to `maxRate` (AIMD).
 */
export class Throttle {
  private readonly limiter: Bottleneck;
  private currentRate: number;
  private readonly options: Required<ThrottleOptions>;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private lastThrottledAt = 0;
  private lastRaisedAt = Date.now();

  constructor(options: ThrottleOptions) {
    this.options = {
      maxRate: options.rate,
      concurrency: 4,
      decrease: 0.7,
      quietMs: 5000,
      pauseMs: 1000,
      minRate: 0.05,
      ...options,
    };
    this.currentRate = Math.min(options.rate, this.options.maxRate);
    this.limiter = new Bottleneck({ maxConcurrent: this.options.concurrency, minTime: minTimeFor(this.currentRate) });
  }

  /** The rate in force, in requests per second. */
  get rate(): number {
    return this.currentRate;
  }

  /** Runs `task` when the limiter lets it. */
  schedule<T>(task: () => Promise<T>): Promise<T> {
    return this.limiter.schedule(task);
  }

  /** A request was answered without 429: after a quiet period, raise the rate a step. */
  noteSuccess(now = Date.now()): void {
    if (this.currentRate >= this.options.maxRate) return;
    if (now - this.lastThrottledAt < this.options.quietMs || now - this.lastRaisedAt < this.options.quietMs) return;
    this.lastRaisedAt = now;
    this.setRate(Math.min(this.options.maxRate, this.currentRate * 1.1 + 0.1));
  }

  /**
   * A 429: pause every request for Retry-After, or a jittered pause when there is none, and
   * lower the rate once per pause (the 429s of requests already in flight say the same thing).
   * Returns the pause in milliseconds.
   */
  noteThrottled(retryAfterMs: number | undefined, now = Date.now(), random = Math.random): number {
    const pause = retryAfterMs ?? Math.round(this.options.pauseMs * (0.5 + random()));
    if (now >= this.pausedUntil) this.setRate(Math.max(this.options.minRate, this.currentRate * this.options.decrease));
    this.lastThrottledAt = now;
    this.pauseFor(pause, now);
    return pause;
  }

  /** Stops starting requests (already running ones finish); pending ones are dropped. */
  async stop(): Promise<void> {
    clearTimeout(this.resumeTimer);
    await this.limiter.stop({ dropWaitingJobs: true });
  }

  private pauseFor(ms: number, now: number): void {
    const until = now + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    // A reservoir of 0 holds every queued request; nothing is lost, they start when it refills.
    void this.limiter.updateSettings({ reservoir: 0 });
    clearTimeout(this.resumeTimer);
    // Not unref'd: while requests wait for the pause to end, this timer is what keeps the process alive.
    this.resumeTimer = setTimeout(() => void this.limiter.updateSettings({ reservoir: null }), ms);
  }

  private setRate(rate: number): void {
    this.currentRate = rate;
    void this.limiter.updateSettings({ minTime: minTimeFor(rate) });
  }
}

function minTimeFor(rate: number): number {
  return Math.ceil(1000 / rate);
}

/** `--rate`: requests per second (`2`, `0.5`) or per minute (`90/min`); undefined when unreadable. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const perMinute = /^m/i.test(match[2] ?? '');
  const rate = perMinute ? value / 60 : value;
  return rate > 0 ? rate : undefined;
}
