import type { ImportError } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { backoffDelay, mayRetry, type Outcome, type RetryPolicy } from '../reamaze/retry-policy.js';
import { ThrottleStopped, type Throttle } from '../reamaze/throttle.js';
import type { ListingKnowledge } from './listing-knowledge.js';
import { abortError, decideAnswer, THROTTLED_FOR_MINUTES, type AnswerRule, type RequestKind } from './fate.js';

/** What making requests needs: the ledger, the API, the one throttle of the token, the run's stop flags. */
export interface SendContext {
  ledger: Ledger;
  client: ReamazeClient;
  throttle: Throttle;
  retry: RetryPolicy;
  keyField: string;
  /**
   * Set once the run must stop: `error` for an abort (bad credentials, unknown brand, error
   * budget), `stopped` for a signal. Requests not yet sent are left as they were.
   */
  abort: { error: ImportError | undefined; stopped?: boolean };
  /**
   * The token these requests go through, when the run's tokens are pooled: its staff e-mail is
   * recorded with each `sending` write, and once it is retired its requests stop (they go to another token).
   */
  token?: { readonly email: string | undefined; retired?: ImportError | undefined };
  /**
   * `--unattributed-as`: the staff e-mail a thread message with no author of its own is sent as,
   * whichever token sends it. Default: none (the API files it under the sending token's member).
   */
  unattributedAs?: string | undefined;
  /** A 401/403: retires this context's token instead of stopping the run (the token pool's). */
  onAuthFailed?: (error: ImportError) => void;
  /** What the run knows of the API's thread listings (made from the ledger on first use when not given). */
  listings?: ListingKnowledge;
  /** Told of every answer, for the API-unreachable budget. */
  onOutcome?: (outcome: Outcome) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** A read's answer, as the client parsed it (a lookup's slugs, a page of messages). */
export interface Read<T> {
  read: T;
}

/** One request to make until it has a decisive answer; a read's `send` gives its parsed answer as `{ read }`. */
export interface Attempt<T = never> {
  request: RequestKind;
  /** Runs in the request's turn, just before it leaves (a POST commits `sending` here). */
  beforeSend?: () => Promise<void>;
  send: () => Promise<Outcome | Read<T>>;
  /**
   * Whether a 2xx answer's body is what the request creates (a conversation with its slug); a 2xx
   * that is not (an HTML page, an empty body) proves nothing and is read as an unknown answer.
   * Default: any 2xx.
   */
  accepts?: (body: unknown) => boolean;
  /** Told of an answer that will be tried again (a POST not processed goes back to `pending`). */
  onRetry?: (outcome: Outcome) => void;
}

/** The attempts of one item: shared by its requests, so a resend after a lookup keeps counting. */
export interface Budget {
  attempts: number;
  readonly startedAt: number;
  /** Default: the context's policy. */
  readonly policy?: RetryPolicy;
}

/** How an attempt ended. */
export type Attempted<T = never> =
  /** A read answered (only reads have this end). */
  | ([T] extends [never] ? never : { end: 'read'; value: T })
  /** A decisive answer: `rule.then` says what it means (never `retry`). */
  | { end: 'answer'; rule: AnswerRule; outcome: Outcome }
  /**
   * The run is stopping (a signal, an abort — then `outcome` is the answer that stopped it):
   * `marked` when `beforeSend` ran for this item (a POST committed `sending`).
   */
  | { end: 'stopped'; marked: boolean; outcome?: Outcome }
  /** Retries ran out; the last answer. */
  | { end: 'exhausted'; outcome: Outcome };

/** How long one item may be answered 429 before it gives up (the next run tries again). */
export const THROTTLED_FOR_MS = THROTTLED_FOR_MINUTES * 60_000;

/** What a queued request answers when the run stopped before its turn. */
const STOPPED: Outcome = { kind: 'not-sent', reason: 'the run stopped before this request was sent' };

/** What a read that the client could parse stands for in the answer table. */
const READ_OK: Outcome = { kind: 'created', status: 200, body: undefined };

/** A request the stopping throttle dropped before its turn was never sent: it stopped like one whose run stopped. */
function droppedWhenStopped(error: unknown): Outcome {
  if (error instanceof ThrottleStopped) return STOPPED;
  throw error;
}

/** A fresh budget, starting now. */
export function newBudget(policy?: RetryPolicy): Budget {
  return { attempts: 0, startedAt: Date.now(), ...(policy ? { policy } : {}) };
}

/** True once the run is stopping, or this context's token was retired: nothing more is sent through it. */
export function isStopping(context: SendContext): boolean {
  return context.abort.error !== undefined || context.abort.stopped === true || context.token?.retired !== undefined;
}

/** The staff e-mail to record with a `sending` write: the token's, when known. */
export function sentByOf(context: SendContext): { sentBy?: string } {
  return context.token?.email === undefined ? {} : { sentBy: context.token.email };
}

/** Waits `ms` (the context's clock in tests). */
export function pause(context: SendContext, ms: number): Promise<void> {
  return (context.sleep ?? ((n) => new Promise<void>((resolve) => setTimeout(resolve, n))))(ms);
}

/**
 * The one attempt loop: every request of the importer goes through it. It waits for the
 * request's turn in the token's throttle, leaves nothing once the run is stopping, asks the fate
 * table what the answer means, carries out the run-level effect (pause everyone on a 429, stop on
 * bad credentials), and backs off and tries again while the table says `retry` and the budget
 * lasts. A 429 is not an attempt of the item (it was not processed); it is bounded by time.
 */
export async function attempt<T = never>(job: Attempt<T>, context: SendContext, budget: Budget): Promise<Attempted<T>> {
  let marked = false;
  for (;;) {
    if (isStopping(context)) return { end: 'stopped', marked };
    const answer = await context.throttle.schedule(async (): Promise<Outcome | Read<T>> => {
      // Requests wait here for their turn; one whose run stopped meanwhile is not sent.
      if (isStopping(context)) return STOPPED;
      if (job.beforeSend) {
        // The invariant of a POST: durably `sending` just before it can reach the API.
        await job.beforeSend();
        marked = true;
      }
      // When the API said wait (Retry-After), no request of the run leaves before the time it named.
      await context.throttle.untilResumed();
      if (isStopping(context)) return STOPPED;
      return job.send();
    }).catch(droppedWhenStopped);
    if (answer === STOPPED) return { end: 'stopped', marked };
    const outcome = 'read' in answer ? READ_OK : unlessAccepted(answer, job);
    context.onOutcome?.(outcome);
    const rule = decideAnswer(job.request, outcome);
    applyEffect(rule, outcome, context);
    if (rule.then === 'stop') return { end: 'stopped', marked, outcome };
    if (outcome.kind !== 'throttled') budget.attempts += 1;
    if ('read' in answer) return { end: 'read', value: answer.read } as Attempted<T>;
    if (rule.then !== 'retry') return { end: 'answer', rule, outcome };
    if (outcome.kind === 'throttled') {
      if (Date.now() - budget.startedAt < THROTTLED_FOR_MS) continue;
      return { end: 'exhausted', outcome };
    }
    if (isStopping(context)) return { end: 'stopped', marked };
    if (!mayRetryItem(budget, context)) return { end: 'exhausted', outcome };
    job.onRetry?.(outcome);
    await backOff(budget, context);
  }
}

/**
 * The one backoff: false when the item's budget is spent, else waits the jittered delay of its
 * attempt. The attempt loop uses it between retries, and delivery between an ambiguous answer and
 * the lookup that must come before any resend.
 */
export async function retryLater(budget: Budget, context: SendContext): Promise<boolean> {
  if (!mayRetryItem(budget, context)) return false;
  await backOff(budget, context);
  return true;
}

function mayRetryItem(budget: Budget, context: SendContext): boolean {
  return mayRetry(budget.attempts, budget.startedAt, budget.policy ?? context.retry);
}

function backOff(budget: Budget, context: SendContext): Promise<void> {
  return pause(context, backoffDelay(budget.attempts, budget.policy ?? context.retry));
}

/** A 2xx whose body the request does not accept, as the unknown answer it is. */
function unlessAccepted(outcome: Outcome, job: Attempt<unknown>): Outcome {
  if (outcome.kind !== 'created' || !job.accepts || job.accepts(outcome.body)) return outcome;
  return { kind: 'unknown', status: outcome.status, reason: `the API answered ${outcome.status} without the ${job.request === 'create' ? 'conversation' : 'message'} in it` };
}

/**
 * Carries out what an answer means for the whole run, or for its token: a 429 pauses and slows the
 * token's own throttle (the API limits each token on its own); bad credentials retire the token
 * when the run has others (its request was not processed), else stop the run.
 */
function applyEffect(rule: AnswerRule, outcome: Outcome, context: SendContext): void {
  if (rule.effect === 'success') context.throttle.noteSuccess();
  else if (rule.effect === 'pause' && outcome.kind === 'throttled') context.throttle.noteThrottled(outcome.retryAfterMs);
  else if (rule.effect === 'abort-auth' && context.onAuthFailed) context.onAuthFailed(abortError('abort-auth', outcome));
  else if (rule.effect.startsWith('abort-')) context.abort.error ??= abortError(rule.effect as 'abort-auth' | 'abort-brand' | 'abort-redirect', outcome);
}
