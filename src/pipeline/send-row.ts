import { ImportError } from '../errors.js';
import type { LedgerEntry, RowState, RowUpdate } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { backoffDelay, mayRetry, type Outcome, type RetryPolicy } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';

/** What sending one row needs. */
export interface SendContext {
  ledger: SqliteLedger;
  client: ReamazeClient;
  throttle: Throttle;
  retry: RetryPolicy;
  keyField: string;
  /**
   * Set once the run must stop: `error` for an abort (bad credentials, unknown brand, error
   * budget), `stopped` for a signal. Rows not yet sent are left as they were.
   */
  abort: { error: ImportError | undefined; stopped?: boolean };
  /** Told of every request outcome, for the API-unreachable budget. */
  onOutcome?: (outcome: Outcome) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** A row ready to go: its key, where it came from, its body, and what the ledger knew of it. */
export interface OutgoingRow {
  key: string;
  file: string;
  line: number;
  body: Record<string, unknown>;
  /** `body` and the source record's fields as JSON, serialized once when the row was read. */
  payload: string;
  fields: string;
  payloadHash: string;
  previous: LedgerEntry | undefined;
}

/** The state a row ended in, after this run's requests for it. */
export type SendResult = Extract<RowState, 'done' | 'rejected' | 'failed' | 'uncertain' | 'pending'>;

/** How long one row may be answered 429 before it is `failed` (retried by the next run). */
const THROTTLED_FOR_MS = 10 * 60_000;

function isStopping(context: SendContext): boolean {
  return context.abort.error !== undefined || context.abort.stopped === true;
}

/** What a queued request answers when the run stopped before its turn. */
const STOPPED: Outcome = { kind: 'not-sent', reason: 'the run stopped before this request was sent' };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends one row to POST /conversations, exactly once as far as anyone can know:
 * the row is committed `sending` before the request leaves; a lost answer makes it `uncertain`,
 * and it is looked up by its key before it is sent again. A row a previous run left `sending` or
 * `uncertain` is looked up before its first request of this run.
 */
export async function sendRow(row: OutgoingRow, context: SendContext): Promise<SendResult> {
  const base: RowUpdate = {
    key: row.key, file: row.file, line: row.line, state: 'sending',
    payloadHash: row.payloadHash, payload: row.payload, fields: row.fields,
  };
  const startedAt = Date.now();
  let attempts = 0;
  let unsettled = row.previous?.state === 'sending' || row.previous?.state === 'uncertain';
  let marked = false;
  const stop = () => restore(base, context, unsettled, marked);
  for (;;) {
    if (isStopping(context)) return stop();
    if (unsettled) {
      const found = await lookUp(row, base, context, startedAt);
      if (found === 'stopped') return stop();
      if (found !== 'absent') return found;
    }
    attempts += 1;
    const outcome = await context.throttle.schedule(async (): Promise<Outcome> => {
      // Rows wait here for their turn; one whose run stopped meanwhile is not sent.
      if (isStopping(context)) return STOPPED;
      // The invariant: durably `sending` just before the request can reach the API (rows ready
      // in the same instant share one commit).
      await context.ledger.markSendingSoon(base);
      marked = true;
      if (isStopping(context)) return STOPPED;
      return context.client.createConversation(row.body);
    });
    if (outcome === STOPPED) return stop();
    context.onOutcome?.(outcome);
    const settled = settle(outcome, base, context);
    if (settled) return settled;
    if (outcome.kind === 'auth' || outcome.kind === 'not-found') return stop();
    if (outcome.kind === 'throttled') {
      attempts -= 1; // a 429 was not processed and is the throttle's business, not this row's
      // ...up to a point: an API that answers nothing but 429 for ten minutes fails the row.
      if (Date.now() - startedAt < THROTTLED_FOR_MS) continue;
      return giveUp(outcome, base, context, unsettled);
    }
    if (outcome.kind === 'unknown') {
      // The POST may have created the conversation: never resend before looking it up.
      context.ledger.record({ ...base, state: 'uncertain', errorCode: 'API_UNCERTAIN', error: outcome.reason, httpStatus: outcome.status ?? null, attempts: 1 });
      unsettled = true;
    }
    if (!mayRetry(attempts, startedAt, context.retry)) return giveUp(outcome, base, context, unsettled);
    if (outcome.kind === 'not-sent') context.ledger.record({ ...base, state: 'pending', attempts: 1, errorCode: 'API_FAILED', error: outcome.reason });
    await (context.sleep ?? defaultSleep)(backoffDelay(attempts, context.retry));
  }
}

/** Records the final outcomes (created, refused); undefined for outcomes that call for more work. */
function settle(outcome: Outcome, base: RowUpdate, context: SendContext): SendResult | undefined {
  if (outcome.kind === 'created') {
    context.throttle.noteSuccess();
    const slug = (outcome.body as { slug?: unknown } | undefined)?.slug;
    context.ledger.record({ ...base, state: 'done', slug: typeof slug === 'string' ? slug : null, httpStatus: outcome.status, attempts: 1, errorCode: null, error: null });
    return 'done';
  }
  if (outcome.kind === 'rejected') {
    context.throttle.noteSuccess();
    context.ledger.record({ ...base, state: 'rejected', httpStatus: outcome.status, errorCode: 'API_REJECTED', error: outcome.error, attempts: 1 });
    return 'rejected';
  }
  if (outcome.kind === 'auth') {
    context.abort.error ??= new ImportError('AUTH_FAILED', `The API refused the credentials (${outcome.status}): check REAMAZE_EMAIL and REAMAZE_API_TOKEN (the token of that staff member).`);
  } else if (outcome.kind === 'not-found') {
    context.abort.error ??= new ImportError('BRAND_UNKNOWN', 'The API answered 404 for /conversations: check REAMAZE_BRAND (or --base-url).');
  } else if (outcome.kind === 'throttled') {
    context.throttle.noteThrottled(outcome.retryAfterMs);
  }
  return undefined;
}

/**
 * Looks the row's key up in `conversation.data`: found means the earlier request did create it.
 * Returns 'absent' when it surely is not there, so it can be sent.
 */
async function lookUp(row: OutgoingRow, base: RowUpdate, context: SendContext, startedAt: number): Promise<SendResult | 'absent' | 'stopped'> {
  for (let tries = 1; ; tries++) {
    if (isStopping(context)) return 'stopped';
    const answer = await context.throttle.schedule(() => (isStopping(context) ? Promise.resolve(STOPPED) : context.client.findByData(context.keyField, row.key)));
    if (answer === STOPPED) return 'stopped';
    if ('slugs' in answer) {
      if (answer.slugs.length === 0) return 'absent';
      context.ledger.record({ ...base, state: 'done', slug: answer.slugs[0] ?? null, errorCode: null, error: null });
      return 'done';
    }
    context.onOutcome?.(answer);
    settle(answer.kind === 'created' || answer.kind === 'rejected' ? { kind: 'unknown', reason: 'the lookup answer was not understood' } : answer, base, context);
    if (answer.kind === 'throttled') continue;
    if (isStopping(context)) return 'stopped';
    if (!mayRetry(tries, startedAt, context.retry)) {
      const reason = 'reason' in answer ? answer.reason : `the lookup answered ${'status' in answer ? answer.status : '?'}`;
      context.ledger.record({ ...base, state: 'uncertain', errorCode: 'API_UNCERTAIN', error: `could not be looked up: ${reason}` });
      return 'uncertain';
    }
    await (context.sleep ?? defaultSleep)(backoffDelay(tries, context.retry));
  }
}

function giveUp(outcome: Outcome, base: RowUpdate, context: SendContext, unsettled: boolean): SendResult {
  const reason = 'reason' in outcome ? outcome.reason : outcome.kind;
  // A row whose last request may have gone through stays `uncertain`: the next run looks it up first.
  const state = unsettled ? 'uncertain' : 'failed';
  context.ledger.record({ ...base, state, errorCode: unsettled ? 'API_UNCERTAIN' : 'API_FAILED', error: `gave up: ${reason}` });
  return state;
}

/**
 * The run stops (bad credentials, unknown brand): a row that may have reached the API stays
 * `uncertain`; one whose request was refused unprocessed goes back to `pending`; one never sent in
 * this run is not touched.
 */
function restore(base: RowUpdate, context: SendContext, unsettled: boolean, marked: boolean): SendResult {
  const state = unsettled ? 'uncertain' : 'pending';
  if (marked) context.ledger.record({ ...base, state });
  return state;
}
