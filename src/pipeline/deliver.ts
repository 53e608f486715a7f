import { ImportError } from '../errors.js';
import type { RowState } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { backoffDelay, mayRetry, type Outcome, type RetryPolicy } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';

/** What sending needs: the ledger, the API, the one throttle of the token, and the run's stop flags. */
export interface SendContext {
  ledger: SqliteLedger;
  client: ReamazeClient;
  throttle: Throttle;
  retry: RetryPolicy;
  keyField: string;
  /**
   * Set once the run must stop: `error` for an abort (bad credentials, unknown brand, error
   * budget), `stopped` for a signal. Requests not yet sent are left as they were.
   */
  abort: { error: ImportError | undefined; stopped?: boolean };
  /** Told of every request outcome, for the API-unreachable budget. */
  onOutcome?: (outcome: Outcome) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The state a conversation or message ended in, after this run's requests for it. */
export type SendResult = Extract<RowState, 'done' | 'rejected' | 'failed' | 'uncertain' | 'pending'>;

/** What the ledger records with a state. */
export interface Details {
  httpStatus?: number | null;
  errorCode?: string | null;
  error?: string | null;
  /** Requests made (added to the ledger's count). */
  attempts?: number;
  slug?: string | null;
  /** Set when `done` comes from a lookup: an earlier request created it. */
  found?: boolean;
}

/** What a lookup after an ambiguous answer found. */
export type Found = { found: true; slug?: string | null } | { found: false } | { undecidable: string };

/**
 * One POST that must happen exactly once: a conversation, or one message of a thread. The ledger
 * writes are the item's own; the loop around them is shared.
 */
export interface Delivery {
  /** A previous run left it `sending` or `uncertain`: look it up before the first request. */
  unsettled: boolean;
  /** Commits `sending` durably; the request leaves only after this resolves. */
  markSending(): Promise<void>;
  send(): Promise<Outcome>;
  /** Whether an earlier request did create it; an Outcome when the lookup itself failed. */
  find(): Promise<Found | Outcome>;
  record(state: SendResult, details: Details): void;
  /** The error of a 404 for this item (a message whose conversation is gone); default: the run stops (unknown brand). */
  notFound?: string;
}

/** The state reached, and the slug when a conversation was created or found. */
export interface Delivered {
  state: SendResult;
  slug?: string | null;
  /** The origin_id of the thread message the conversation opened with, once done. */
  opener?: string | undefined;
}

/** How long one item may be answered 429 before it is `failed` (retried by the next run). */
const THROTTLED_FOR_MS = 10 * 60_000;

/** True once the run is stopping: nothing more is sent. */
export function isStopping(context: SendContext): boolean {
  return context.abort.error !== undefined || context.abort.stopped === true;
}

/** What a queued request answers when the run stopped before its turn. */
export const STOPPED: Outcome = { kind: 'not-sent', reason: 'the run stopped before this request was sent' };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits `ms` (the context's clock in tests). */
export function pause(context: SendContext, ms: number): Promise<void> {
  return (context.sleep ?? defaultSleep)(ms);
}

/**
 * Sends one item exactly once as far as anyone can know: it is committed `sending` before the
 * request leaves; a lost answer makes it `uncertain`, and it is looked up before it is sent again.
 * An item a previous run left `sending` or `uncertain` is looked up before its first request.
 */
export async function deliver(job: Delivery, context: SendContext): Promise<Delivered> {
  const startedAt = Date.now();
  let attempts = 0;
  let unsettled = job.unsettled;
  let marked = false;
  // The run stops: what may have reached the API stays `uncertain`; what was refused unprocessed
  // goes back to `pending`; what was never sent in this run is not touched.
  const stop = (): Delivered => {
    const state = unsettled ? 'uncertain' : 'pending';
    if (marked) job.record(state, {});
    return { state };
  };
  for (;;) {
    if (isStopping(context)) return stop();
    if (unsettled) {
      const found = await lookUp(job, context, startedAt);
      if (found === 'stopped') return stop();
      if (found !== 'absent') return found;
    }
    attempts += 1;
    const outcome = await context.throttle.schedule(async (): Promise<Outcome> => {
      // Items wait here for their turn; one whose run stopped meanwhile is not sent.
      if (isStopping(context)) return STOPPED;
      // The invariant: durably `sending` just before the request can reach the API (items ready
      // in the same instant share one commit).
      await job.markSending();
      marked = true;
      if (isStopping(context)) return STOPPED;
      return job.send();
    });
    if (outcome === STOPPED) return stop();
    context.onOutcome?.(outcome);
    if (outcome.kind === 'not-found' && job.notFound !== undefined) {
      job.record('failed', { httpStatus: outcome.status, errorCode: 'API_FAILED', error: job.notFound, attempts: 1 });
      return { state: 'failed' };
    }
    const settled = settle(outcome, job, context);
    if (settled) return settled;
    if (outcome.kind === 'auth' || outcome.kind === 'not-found') return stop();
    if (outcome.kind === 'throttled') {
      attempts -= 1; // a 429 was not processed and is the throttle's business, not this item's
      // ...up to a point: an API that answers nothing but 429 for ten minutes fails the item.
      if (Date.now() - startedAt < THROTTLED_FOR_MS) continue;
      return giveUp(outcome, job, unsettled);
    }
    if (outcome.kind === 'unknown') {
      // The POST may have gone through: never resend before looking it up.
      job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: outcome.reason, httpStatus: outcome.status ?? null, attempts: 1 });
      unsettled = true;
    }
    if (!mayRetry(attempts, startedAt, context.retry)) return giveUp(outcome, job, unsettled);
    if (outcome.kind === 'not-sent') job.record('pending', { attempts: 1, errorCode: 'API_FAILED', error: outcome.reason });
    await pause(context, backoffDelay(attempts, context.retry));
  }
}

/** Records the final outcomes (created, refused); undefined for outcomes that call for more work. */
function settle(outcome: Outcome, job: Delivery, context: SendContext): Delivered | undefined {
  if (outcome.kind === 'created') {
    context.throttle.noteSuccess();
    const slug = (outcome.body as { slug?: unknown } | undefined)?.slug;
    const details = { httpStatus: outcome.status, attempts: 1, errorCode: null, error: null, slug: typeof slug === 'string' ? slug : null };
    job.record('done', details);
    return { state: 'done', slug: details.slug };
  }
  if (outcome.kind === 'rejected') {
    context.throttle.noteSuccess();
    job.record('rejected', { httpStatus: outcome.status, errorCode: 'API_REJECTED', error: outcome.error, attempts: 1 });
    return { state: 'rejected' };
  }
  noteFailure(outcome, context);
  return undefined;
}

/** What an answer that is neither success nor refusal means for the whole run. */
export function noteFailure(outcome: Outcome, context: SendContext): void {
  if (outcome.kind === 'auth') {
    context.abort.error ??= new ImportError('AUTH_FAILED', `The API refused the credentials (${outcome.status}): check REAMAZE_EMAIL and REAMAZE_API_TOKEN (the token of that staff member).`);
  } else if (outcome.kind === 'not-found') {
    context.abort.error ??= new ImportError('BRAND_UNKNOWN', 'The API answered 404 for /conversations: check REAMAZE_BRAND (or --base-url).');
  } else if (outcome.kind === 'throttled') {
    context.throttle.noteThrottled(outcome.retryAfterMs);
  }
}

/** Looks the item up: 'absent' when it surely is not there, so it can be sent. */
async function lookUp(job: Delivery, context: SendContext, startedAt: number): Promise<Delivered | 'absent' | 'stopped'> {
  for (let tries = 1; ; tries++) {
    if (isStopping(context)) return 'stopped';
    const answer = await context.throttle.schedule(() => (isStopping(context) ? Promise.resolve(STOPPED) : job.find()));
    if (answer === STOPPED) return 'stopped';
    if ('undecidable' in answer) {
      job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: answer.undecidable });
      return { state: 'uncertain' };
    }
    if ('found' in answer) {
      if (!answer.found) return 'absent';
      job.record('done', { slug: answer.slug ?? null, errorCode: null, error: null, found: true });
      return { state: 'done', slug: answer.slug ?? null };
    }
    context.onOutcome?.(answer);
    if (answer.kind === 'not-found' && job.notFound !== undefined) {
      job.record('failed', { httpStatus: answer.status, errorCode: 'API_FAILED', error: job.notFound });
      return { state: 'failed' };
    }
    noteFailure(answer.kind === 'created' || answer.kind === 'rejected' ? { kind: 'unknown', reason: 'the lookup answer was not understood' } : answer, context);
    if (answer.kind === 'throttled') continue;
    if (isStopping(context)) return 'stopped';
    if (!mayRetry(tries, startedAt, context.retry)) {
      const reason = 'reason' in answer ? answer.reason : `the lookup answered ${'status' in answer ? answer.status : '?'}`;
      job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: `could not be looked up: ${reason}` });
      return { state: 'uncertain' };
    }
    await pause(context, backoffDelay(tries, context.retry));
  }
}

function giveUp(outcome: Outcome, job: Delivery, unsettled: boolean): Delivered {
  const reason = 'reason' in outcome ? outcome.reason : outcome.kind;
  // An item whose last request may have gone through stays `uncertain`: the next run looks it up first.
  const state = unsettled ? 'uncertain' : 'failed';
  job.record(state, { errorCode: unsettled ? 'API_UNCERTAIN' : 'API_FAILED', error: `gave up: ${reason}` });
  return { state };
}
