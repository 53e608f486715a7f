import Bottleneck from 'bottleneck';

/** How fast requests may go. */
export interface ThrottleOptions {
  /** Requests per second to start at. */
  rate: number;
  /** The adaptive rate never goes above this. Default: `rate`. */
  maxRate?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Quiet time without a 429 before the rate is raised again. Default 3 s. */
  quietMs?: number;
  /** Each quiet second after that adds this share of `maxRate`. Default 0.05. */
  increase?: number;
  /** Pause after a 429 without Retry-After, jittered ±50%. Default 500 ms. */
  pauseMs?: number;
  /** 429s this soon after the rate was lowered do not lower it again. Default 1.5 s. */
  episodeMs?: number;
  /** The longest pause, whatever Retry-After says. Default 60 s. */
  maxPauseMs?: number;
  /** The rate never goes below this. Default 0.05 (one request in 20 s). */
  minRate?: number;
  /** The API's limit as an earlier run learned it from 429s: the run starts just under it, and probes above. */
  learnedLimit?: number | undefined;
}

/** Near a learned limit the rate is raised by this share of it, once per `PROBE_MS`: probing, not climbing. */
const PROBE_STEP = 0.01;
const PROBE_MS = 10_000;
/** Below a learned limit, the rate climbs quickly back to this share of it. */
const UNDER_LIMIT = 0.98;
/** Answers in a second beyond the rate in force that still read as the API's limit (see `noteThrottled`). */
const BURST = 1.05;
/** A turn lasts at least this long: faster rates let several requests out per turn. */
const TURN_MS = 5;

/** A request waiting for its turn. */
interface Waiting {
  go: () => void;
  drop: (error: unknown) => void;
}

/**
 * One limiter per API token (bottleneck): every request of the import, conversations and lookups
 * alike, goes through it, because Re:amaze limits per token and extra workers add no capacity.
 * Adaptive: a 429 pauses *every* request (the limit is shared, so one 429 means all are over it),
 * takes what the API let through in the second before it for the API's limit, and drops to 95% of
 * that. After a quiet period the rate climbs back to just under the limit and holds there,
 * probing a step above it now and then: a limit that grew is found, one that did not costs a 429
 * every half minute or so, not a sawtooth. A limit an earlier run learned is where a run starts.
 *
 * Bottleneck paces *turns*, not requests: each turn lets out every waiting request that fits in
 * one tick of the rate and in the free places of `concurrency`, together. At the rates an API
 * limit allows a turn is one request, spaced as before; without a limit, requests leave in
 * groups, so their `sending` rows commit in one transaction, and bottleneck's own cost per job
 * (a few hundred jobs a second at most) is paid per group. A place freed before its turn is over
 * is taken at once on what that turn had left, so a fast API keeps every place busy.
 */
export class Throttle {
  private readonly limiter: Bottleneck;
  private currentRate: number;
  private readonly options: Required<Omit<ThrottleOptions, 'learnedLimit'>>;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private lastThrottledAt = 0;
  private lastRaisedAt = 0;
  private lastDecreasedAt = 0;
  /** The API's limit as seen from here: what it let through when it last answered 429 (or an earlier run learned). */
  private ceiling: number | undefined;
  /** Answers of the last two seconds: time and whether it was a 429. */
  private recent: { at: number; throttled: boolean }[] = [];
  /** Set once `stop` was called: it resolves when the requests running then have finished. */
  private stopping: Promise<void> | undefined;
  /** Wakes the requests waiting out a pause when the throttle stops. */
  private readonly wake = new AbortController();
  /** Requests waiting for their turn, oldest first. */
  private readonly waiting: Waiting[] = [];
  /** Requests let out and not finished. */
  private active = 0;
  /** The tasks running, for `stop` to wait for. */
  private readonly running = new Set<Promise<unknown>>();
  /** True while a turn is queued in bottleneck. */
  private turnQueued = false;
  /** What the turn in force may still let out (see `fillTurn`), until it ends. */
  private turnLeft = 0;
  private turnEndsAt = 0;

  constructor(options: ThrottleOptions) {
    this.options = {
      maxRate: options.rate,
      concurrency: 4,
      quietMs: 3000,
      increase: 0.05,
      pauseMs: 500,
      episodeMs: 1500,
      maxPauseMs: 60_000,
      minRate: 0.05,
      ...options,
    };
    const learned = options.learnedLimit !== undefined && options.learnedLimit > 0 ? options.learnedLimit : undefined;
    this.ceiling = learned;
    this.currentRate = Math.min(options.rate, this.options.maxRate, learned === undefined ? Infinity : learned * UNDER_LIMIT);
    this.limiter = new Bottleneck({ maxConcurrent: 1, minTime: turnTime(this.currentRate) });
  }

  /** The rate in force, in requests per second. */
  get rate(): number {
    return this.currentRate;
  }

  /**
   * Runs `task` in its turn (never during a pause: bottleneck's reservoir is then empty), with at
   * most `concurrency` tasks running. A task still waiting when the throttle stops is dropped: it
   * rejects with `ThrottleStopped`.
   */
  schedule<T>(task: () => Promise<T>): Promise<T> {
    if (this.stopping !== undefined) return Promise.reject(new ThrottleStopped());
    return new Promise<void>((go, drop) => {
      this.waiting.push({ go, drop });
      this.fillTurn();
      this.queueTurn();
    }).then(() => {
      // A task that throws at once finishes like one that rejects.
      const running = Promise.resolve().then(task);
      this.running.add(running);
      const finished = () => {
        this.running.delete(running);
        this.active -= 1;
        this.fillTurn();
        this.queueTurn();
      };
      running.then(finished, finished);
      return running;
    });
  }

  /** Queues the next turn in bottleneck when a request waits and a place is free. */
  private queueTurn(): void {
    if (this.turnQueued || this.stopping !== undefined || this.waiting.length === 0 || this.active >= this.options.concurrency) return;
    this.turnQueued = true;
    this.limiter.schedule(async () => this.turn()).catch(() => {
      // Dropped when the throttle stopped: the waiting requests were dropped with it.
    });
  }

  /** One turn: lets out, together, what the rate allows per turn and the free places hold. */
  private turn(): void {
    this.turnQueued = false;
    const allowed = perTurn(this.currentRate);
    const out = this.waiting.splice(0, Math.max(0, Math.min(this.options.concurrency - this.active, allowed)));
    this.turnLeft = allowed - out.length;
    this.turnEndsAt = Date.now() + turnTime(this.currentRate);
    // Counted as running from now: the next turn sees the places they took.
    this.active += out.length;
    for (const request of out) request.go();
    this.queueTurn();
  }

  /**
   * A place freed (or a request came) while the turn in force let out fewer than the rate allows
   * it: the request leaves now, on that turn's allowance, rather than at the next turn. At the
   * rates an API limit allows a turn lets out one request and has nothing left; without a limit,
   * `--concurrency` places stay busy however quickly the API answers.
   */
  private fillTurn(): void {
    while (this.turnLeft > 0 && this.waiting.length > 0 && this.active < this.options.concurrency && this.stopping === undefined) {
      const now = Date.now();
      if (now >= this.turnEndsAt || now < this.pausedUntil) return;
      this.turnLeft -= 1;
      this.active += 1;
      (this.waiting.shift() as Waiting).go();
    }
  }

  /** The API's limit as learned from 429s (this run's, or an earlier one's); undefined when none was seen. */
  get learnedLimit(): number | undefined {
    return this.ceiling;
  }

  /** True while a 429 keeps the rate below the most it may reach. */
  get loweredBy429(): boolean {
    return this.lastThrottledAt > 0 && this.currentRate < this.options.maxRate;
  }

  /** True once the throttle stopped: nothing more is started. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Resolves once no pause is in force. The limiter holds queued requests during a pause, but a
   * request it started just before the 429 arrived (one waiting for its `sending` commit) must
   * not leave inside the window the API named either: it waits here, just before it leaves.
   */
  async untilResumed(): Promise<void> {
    for (let wait = this.pausedUntil - Date.now(); wait > 0 && !this.stopped; wait = this.pausedUntil - Date.now()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wake.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        this.wake.signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * A request was answered without 429: after a quiet period, raise the rate a step a second.
   * Near the rate that last drew a 429 (the limit, most likely), climb four times more slowly
   * and in small steps, so the import settles just under the limit instead of bouncing off it.
   */
  noteSuccess(now = Date.now()): void {
    this.remember(now, false);
    if (this.currentRate >= this.options.maxRate) return;
    if (now - this.lastThrottledAt < this.options.quietMs || now - this.lastRaisedAt < 1000) return;
    const climb = this.options.increase * this.options.maxRate;
    if (this.ceiling === undefined) {
      this.raise(now, this.currentRate + climb);
      return;
    }
    // Under the limit it learned: back up to just under it at once.
    const under = UNDER_LIMIT * this.ceiling;
    if (this.currentRate < under) {
      this.raise(now, Math.min(under, this.currentRate + climb));
      return;
    }
    // At it: probe, a small step at a time, so a limit that grew is found without a storm of 429s.
    if (now - Math.max(this.lastRaisedAt, this.lastThrottledAt) < PROBE_MS) return;
    const probe = this.currentRate + PROBE_STEP * this.ceiling;
    // Past the limit without a 429: it is at least this.
    if (probe > this.ceiling) this.ceiling = probe;
    this.raise(now, probe);
  }

  private raise(now: number, rate: number): void {
    this.lastRaisedAt = now;
    this.setRate(Math.min(this.options.maxRate, rate));
  }

  /**
   * A 429: pause every request for Retry-After, or a short jittered pause when there is none, and
   * lower the rate once per pause (the 429s of requests already in flight say the same thing).
   * Returns the pause in milliseconds.
   */
  noteThrottled(retryAfterMs: number | undefined, now = Date.now(), random = Math.random): number {
    this.remember(now, true);
    const pause = Math.min(this.options.maxPauseMs, retryAfterMs ?? Math.round(this.options.pauseMs * (0.5 + random())));
    // 429s within a window's time after a decrease answer requests sent at the old rate: one episode.
    if (now >= this.pausedUntil && now - this.lastDecreasedAt >= this.options.episodeMs) {
      this.lastDecreasedAt = now;
      const accepted = this.acceptedRate(now);
      this.ceiling = this.limitAt429(accepted);
      this.setRate(Math.max(this.options.minRate, Math.min(0.95 * this.currentRate, Math.max(0.25 * this.currentRate, 0.95 * accepted))));
    }
    this.lastThrottledAt = now;
    this.pauseFor(pause, now);
    return pause;
  }

  /**
   * The limit a 429 tells, from what the API let through in the second before it. Answers bunch
   * up (latency varies), so a second may hold a little more than the rate in force: probing (or
   * with no limit known yet), up to 5% more is read as the limit; more than that was a burst, and
   * the rate in force is taken instead. Holding under a limit learned before, the 429 says that
   * limit was read too high: it can only come down.
   */
  private limitAt429(accepted: number): number {
    const seen = accepted > 0 ? accepted : this.currentRate;
    const probing = this.ceiling === undefined || this.currentRate > UNDER_LIMIT * this.ceiling + 1e-9;
    return probing ? Math.min(seen, BURST * this.currentRate) : Math.min(this.ceiling ?? seen, seen);
  }

  /**
   * What the API let through in the second before this 429, in requests per second: at a 429 a
   * limit of N a second has just accepted N (pauses inside that second or not), so this reads the
   * limit itself rather than the pace the requests happened to leave at.
   */
  private acceptedRate(now: number): number {
    this.recent = this.recent.filter((answer) => answer.at >= now - 2000);
    return this.recent.filter((answer) => !answer.throttled && answer.at > now - 1000).length;
  }

  private remember(now: number, throttled: boolean): void {
    this.recent.push({ at: now, throttled });
    if (this.recent.length > 64 && (this.recent[0]?.at ?? now) < now - 2000) this.recent = this.recent.filter((answer) => answer.at >= now - 2000);
  }

  /**
   * Stops starting requests: the waiting ones are dropped (`ThrottleStopped`), one waiting out a
   * pause is woken; resolves once the running ones finished. Called again, the same promise.
   */
  stop(): Promise<void> {
    if (this.stopping === undefined) {
      clearTimeout(this.resumeTimer);
      this.wake.abort();
      for (const request of this.waiting.splice(0)) request.drop(new ThrottleStopped());
      const running = [...this.running].map((task) => task.then(() => undefined, () => undefined));
      this.stopping = this.limiter.stop({ dropWaitingJobs: true }).then(() => Promise.all(running)).then(() => undefined);
    }
    return this.stopping;
  }

  private pauseFor(ms: number, now: number): void {
    const until = now + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.turnLeft = 0;
    // A reservoir of 0 holds every queued request; nothing is lost, they start when it refills.
    void this.limiter.updateSettings({ reservoir: 0 });
    clearTimeout(this.resumeTimer);
    // Not unref'd: while requests wait for the pause to end, this timer is what keeps the process alive.
    this.resumeTimer = setTimeout(() => void this.limiter.updateSettings({ reservoir: null }), ms);
  }

  private setRate(rate: number): void {
    this.currentRate = rate;
    // The turn in force was allowed at the old rate: nothing more leaves on it.
    this.turnLeft = 0;
    void this.limiter.updateSettings({ minTime: turnTime(rate) });
  }
}

/** Requests let out per turn at this rate: one at any rate an API limit allows, more past 200/s. */
function perTurn(rate: number): number {
  return Math.max(1, Math.floor(TURN_MS / minTimeFor(rate)));
}

/** Milliseconds between two turns. */
function turnTime(rate: number): number {
  return perTurn(rate) * minTimeFor(rate);
}

/**
 * Milliseconds between two request starts: 2% over 1000/rate, so that at `--rate` equal to the
 * API's limit, the timing jitter of a second's worth of requests (up to 20 ms) does not cross it.
 */
function minTimeFor(rate: number): number {
  return (1000 / rate) * 1.02;
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

/** What a request waiting for its turn gets when the throttle stopped: it was never sent. */
export class ThrottleStopped extends Error {
  override readonly name = 'ThrottleStopped';

  constructor() {
    super('the run stopped before this request was sent');
  }
}
