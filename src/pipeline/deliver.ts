import type { ErrorCode } from '../errors.js';
import type { RowState } from '../ledger/ledger.js';
import type { Outcome } from '../reamaze/retry-policy.js';
import { attempt, isStopping, newBudget, retryLater, type Attempted, type Budget, type SendContext } from './attempt.js';
import { exhaustedState, stoppedState } from './fate.js';

/** The state a conversation or message ended in, after this run's requests for it. */
export type SendResult = Extract<RowState, 'done' | 'rejected' | 'failed' | 'uncertain' | 'pending'>;

/** What the ledger records with a state. */
export interface Details {
  httpStatus?: number | null;
  errorCode?: ErrorCode | null;
  error?: string | null;
  /** Requests made (added to the ledger's count). */
  attempts?: number;
  slug?: string | null;
}

/**
 * What looking an item up found: there (with its slug), surely absent, or no way to tell —
 * `later` when what is missing may be learned in this run (then it is looked up again, bounded).
 */
export type Found = { found: true; slug?: string | null } | { found: false } | { undecidable: string; later?: boolean };

/** How a lookup ended: what it found, or why it found nothing out. */
export type Looked = Found | { stopped: true } | { failed: string } | { gaveUp: string };

/**
 * One POST that must happen exactly once: a conversation, or one message of a thread. The ledger
 * writes are the item's own; the loop around them is shared.
 */
export interface Delivery {
  request: 'create' | 'message';
  /** A previous run left it `sending` or `uncertain`: look it up before the first request. */
  unsettled: boolean;
  /** Commits `sending` durably; the request leaves only after this resolves. */
  markSending(): Promise<void>;
  send(): Promise<Outcome>;
  /** Whether a 2xx body is the item created (see `Attempt.accepts`). */
  accepts(body: unknown): boolean;
  /** Whether an earlier request did create it (every read through the attempt loop). */
  find(budget: Budget): Promise<Looked>;
  /** Records the state reached; `found` when a lookup found it created by an earlier request. */
  record(state: SendResult, details: Details, found?: boolean): void;
  /** Why it failed when the answer table says `failed` (a message whose conversation is gone). */
  failedWhy: string;
}

/** The state reached, and the slug when a conversation was created or found. */
export interface Delivered {
  state: SendResult;
  slug?: string | null;
}

/**
 * Sends one item exactly once as far as anyone can know: it is committed `sending` before the
 * request leaves; an ambiguous answer makes it `uncertain`, and it is looked up before it is sent
 * again. An item a previous run left `sending` or `uncertain` is looked up before its first request.
 */
export async function deliver(job: Delivery, context: SendContext): Promise<Delivered> {
  const budget = newBudget();
  let unsettled = job.unsettled;
  let marked = false;
  // The run stops: what may have reached the API stays `uncertain`; what was refused unprocessed
  // goes back to `pending`; what was never sent in this run is not touched.
  const stop = (): Delivered => {
    const state = stoppedState(unsettled);
    if (marked) job.record(state, {});
    return { state };
  };
  for (;;) {
    if (unsettled) {
      const found = await reconcile(job, budget);
      if (found === 'stopped') return stop();
      if (typeof found === 'object' && 'later' in found) {
        // Looked up again after a backoff, each time an attempt of the item: bounded like a retry.
        budget.attempts += 1;
        if (await retryLater(budget, context)) continue;
        job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: found.later });
        return { state: 'uncertain' };
      }
      if (found !== 'absent') return found;
    }
    const sent = await attempt({
      request: job.request, beforeSend: job.markSending, send: job.send, accepts: job.accepts,
      onRetry: (outcome) => job.record('pending', { attempts: 1, errorCode: 'API_FAILED', error: reasonOf(outcome) }),
    }, context, budget);
    if (sent.end === 'stopped') {
      marked ||= sent.marked;
      return stop();
    }
    marked = true;
    const settled = settle(sent, job, unsettled);
    if ('state' in settled) return settled;
    // Ambiguous: the POST may have gone through. Never resend before looking it up.
    unsettled = true;
    // Stopping: it stays `uncertain` (recorded), for the next run to look up.
    if (isStopping(context)) return { state: 'uncertain' };
    if (!(await retryLater(budget, context))) return giveUp(reasonOf(settled.ambiguous), job, true);
  }
}

/** Records a decisive answer; an ambiguous one is recorded `uncertain` and handed back, to be looked up. */
function settle(sent: Exclude<Attempted, { end: 'stopped' }>, job: Delivery, unsettled: boolean): Delivered | { ambiguous: Outcome } {
  if (sent.end === 'exhausted') return giveUp(reasonOf(sent.outcome), job, unsettled);
  const { rule, outcome } = sent;
  const status = 'status' in outcome ? (outcome.status ?? null) : null;
  if (rule.then === 'done' && outcome.kind === 'created') {
    const slug = (outcome.body as { slug?: unknown } | undefined)?.slug;
    const details = { httpStatus: outcome.status, attempts: 1, errorCode: null, error: null, slug: typeof slug === 'string' ? slug : null };
    job.record('done', details);
    return { state: 'done', slug: details.slug };
  }
  if (rule.then === 'rejected' && outcome.kind === 'rejected') {
    job.record('rejected', { httpStatus: outcome.status, errorCode: 'API_REJECTED', error: outcome.error, attempts: 1 });
    return { state: 'rejected' };
  }
  if (rule.then === 'failed') {
    job.record('failed', { httpStatus: status, errorCode: 'API_FAILED', error: job.failedWhy, attempts: 1 });
    return { state: 'failed' };
  }
  job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: reasonOf(outcome), httpStatus: status, attempts: 1 });
  return { ambiguous: outcome };
}

/** Looks the item up: 'absent' when it surely is not there, so it can be sent; `later` when it may be told later in this run. */
async function reconcile(job: Delivery, budget: Budget): Promise<Delivered | 'absent' | 'stopped' | { later: string }> {
  // The lookup's own attempts, on the item's clock.
  const looked = await job.find({ attempts: 0, startedAt: budget.startedAt });
  if ('stopped' in looked) return 'stopped';
  if ('found' in looked && !looked.found) return 'absent';
  if ('found' in looked) {
    job.record('done', { slug: looked.slug ?? null, errorCode: null, error: null }, true);
    return { state: 'done', slug: looked.slug ?? null };
  }
  if ('failed' in looked) {
    job.record('failed', { errorCode: 'API_FAILED', error: looked.failed });
    return { state: 'failed' };
  }
  if ('undecidable' in looked && looked.later === true) return { later: looked.undecidable };
  const why = 'undecidable' in looked ? looked.undecidable : `could not be looked up: ${looked.gaveUp}`;
  job.record('uncertain', { errorCode: 'API_UNCERTAIN', error: why });
  return { state: 'uncertain' };
}

/** What a read through the attempt loop came to, as a lookup's result. */
export function lookedUp<T>(read: Attempted<T>, failedWhy: string, interpret: (value: T) => Looked): Looked {
  return read.end === 'read' ? interpret(read.value) : notRead(read, failedWhy);
}

/** What a lookup comes to when it found nothing out: undecidable, stopped, given up, or failed. */
export type NotFoundOut = Exclude<Looked, { found: boolean }>;

/**
 * A read that got no answer to read: one whose answer proves nothing (undecidable), stopped, given
 * up, or failed (a 404 for a read that can fail).
 */
export function notRead(read: Exclude<Attempted, { end: 'read' }>, failedWhy: string): NotFoundOut {
  if (read.end === 'stopped') return { stopped: true };
  if (read.end === 'exhausted') return { gaveUp: reasonOf(read.outcome) };
  if (read.rule.then === 'undecidable') return { undecidable: `${reasonOf(read.outcome)}; it is not sent again blindly: check Re:amaze, then settle it with resolve` };
  return { failed: failedWhy };
}

function giveUp(reason: string, job: Delivery, mayHaveGoneThrough: boolean): Delivered {
  // An item whose last request may have gone through stays `uncertain`: the next run looks it up first.
  const state = exhaustedState(job.request, mayHaveGoneThrough);
  job.record(state, { errorCode: state === 'uncertain' ? 'API_UNCERTAIN' : 'API_FAILED', error: `gave up: ${reason}` });
  return { state };
}

/** An answer's reason in words. */
export function reasonOf(outcome: Outcome): string {
  return 'reason' in outcome ? outcome.reason : outcome.kind;
}
