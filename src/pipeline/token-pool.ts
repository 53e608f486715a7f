import { ImportError } from '../errors.js';
import type { ReamazeClient } from '../reamaze/client.js';
import type { Throttle } from '../reamaze/throttle.js';
import { isStopping, type SendContext } from './attempt.js';

/** One staff member's API token: its client, its own limiter (Re:amaze limits requests per token), its load. */
export interface PoolToken {
  /** The staff login e-mail, recorded with each send (never the token); undefined when not known (tests). */
  readonly email: string | undefined;
  readonly client: ReamazeClient;
  readonly throttle: Throttle;
  /** Ticket phases bound to it now. */
  load: number;
  /** Set once the API refused its credentials (401/403): it sends nothing more in this run. */
  retired?: ImportError | undefined;
}

/** A ticket phase bound to one token: the context its requests go through. */
export interface TokenBinding {
  token: PoolToken;
  context: SendContext;
  /** The phase ended: the token carries one ticket less. */
  release(): void;
}

/**
 * The tokens of a run. Each ticket phase is bound to one token, the least loaded for its rate (a
 * throttled token, its rate lowered, gets fewer tickets), or the one a thread's conversation was
 * created through. A 401/403 retires that token alone: its tickets go to the others (a refused
 * request was not processed), and the run stops only once no token is left.
 */
export class TokenPool {
  readonly tokens: readonly PoolToken[];

  /** Phases waiting for a token with room. */
  private readonly waiting: (() => void)[] = [];

  constructor(
    tokens: readonly Omit<PoolToken, 'load'>[],
    private readonly warn: (text: string) => void = () => undefined,
    /**
     * Ticket phases one token carries at once (with several tokens): more wait for the first token
     * with room, so a fast token takes more tickets and a throttled one fewer. Default: no bound.
     */
    private readonly capacity = Number.POSITIVE_INFINITY,
  ) {
    this.tokens = tokens.map((token) => ({ ...token, load: 0 }));
  }

  /**
   * Binds one phase to a token with room, waiting for one when all are full (see `bind`); at once
   * to `preferred` when it is active (a thread goes on through its conversation's token); undefined
   * once no token is left or the run stops.
   */
  async acquire(run: SendContext, preferred?: string | null): Promise<TokenBinding | undefined> {
    for (;;) {
      if (isStopping(run)) return undefined;
      const wanted = this.find(preferred);
      if (wanted) return this.bindTo(wanted, run);
      const roomy = this.pick(undefined, true);
      if (roomy || this.active().length === 0) return roomy && this.bindTo(roomy, run);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** The tokens not retired. */
  active(): PoolToken[] {
    return this.tokens.filter((token) => token.retired === undefined);
  }

  /** The run's request rate: every active token's, added up. */
  get rate(): number {
    return this.active().reduce((sum, token) => sum + token.throttle.rate, 0);
  }

  /** The token for the next phase: `preferred` (a staff e-mail) when it is active, else the least loaded for its rate; undefined when none is left. */
  pick(preferred?: string | null, withRoom = false): PoolToken | undefined {
    const wanted = this.find(preferred);
    if (wanted) return wanted;
    let best: PoolToken | undefined;
    for (const token of this.active()) {
      if (withRoom && token.load >= this.capacity) continue;
      if (!best || loadOf(token) < loadOf(best)) best = token;
    }
    return best;
  }

  /** Binds one phase of a ticket to a token (see `pick`) at once, with the run's stop flags; undefined when no token is left. */
  bind(run: SendContext, preferred?: string | null): TokenBinding | undefined {
    const token = this.pick(preferred);
    return token && this.bindTo(token, run);
  }

  private find(preferred: string | null | undefined): PoolToken | undefined {
    return preferred == null ? undefined : this.active().find((token) => token.email?.toLowerCase() === preferred.toLowerCase());
  }

  /** Wakes the phases waiting for room: each looks again. */
  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private bindTo(token: PoolToken, run: SendContext): TokenBinding {
    token.load += 1;
    const context: SendContext = {
      ...run, client: token.client, throttle: token.throttle, token,
      onAuthFailed: (error) => this.retire(token, error, run.abort),
    };
    let released = false;
    const release = () => {
      if (!released) token.load -= 1;
      released = true;
      this.wake();
    };
    return { token, context, release };
  }

  /**
   * Retires a token the API refused: its queued requests are dropped (they were never sent) and
   * its tickets go to the others. With none left, the run stops as it does on bad credentials.
   */
  retire(token: PoolToken, error: ImportError, abort: SendContext['abort']): void {
    if (token.retired !== undefined) return;
    token.retired = error;
    void token.throttle.stop();
    this.wake();
    const left = this.active().length;
    if (this.tokens.length > 1) {
      const rest = left === 0 ? 'no token is left' : `its tickets go to the other ${left === 1 ? 'token' : `${left} tokens`}`;
      this.warn(`The API refused the token of ${token.email ?? '?'} (${statusIn(error)}): it sends nothing more in this run, and ${rest}. Check that staff member's API token in the credentials file.`);
    }
    if (left > 0) return;
    abort.error ??= this.tokens.length === 1 ? error : new ImportError('AUTH_FAILED', `The API refused the token of every staff member of the credentials file (${this.tokens.map((t) => t.email ?? '?').join(', ')}): check their API tokens.`);
  }

  /** Every token's pace as it ends the run, by staff e-mail (tokens known by e-mail only). */
  paces(): { email: string; rate: number; limit: number | undefined; retired: boolean }[] {
    return this.tokens.flatMap((token) => (token.email === undefined ? [] : [{ email: token.email, rate: token.throttle.rate, limit: token.throttle.learnedLimit, retired: token.retired !== undefined }]));
  }
}

/**
 * Runs `task` (reads: the staff list, the first tickets' keys) through one token of the pool, and
 * again through another when that one is retired meanwhile; through `run` itself once none is
 * left (its abort is set then: the task stops).
 */
export async function onAnyToken<T>(pool: TokenPool, run: SendContext, task: (context: SendContext) => Promise<T>): Promise<T> {
  for (;;) {
    const binding = await pool.acquire(run);
    if (!binding) return task(run);
    try {
      const result = await task(binding.context);
      if (binding.token.retired === undefined || isStopping(run)) return result;
    } finally {
      binding.release();
    }
  }
}

/** A token's tickets for its rate, one more counted: the lowest gets the next ticket. */
function loadOf(token: PoolToken): number {
  return (token.load + 1) / Math.max(token.throttle.rate, 1e-6);
}

/** The status an auth error names (`(401)`), as its sentence gives it. */
function statusIn(error: ImportError): string {
  return /\((\d{3})\)/.exec(error.message)?.[1] ?? '401/403';
}
