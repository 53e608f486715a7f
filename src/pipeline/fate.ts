import { ImportError } from '../errors.js';
import type { LedgerEntry, MessageEntry } from '../ledger/ledger.js';
import type { Outcome } from '../reamaze/retry-policy.js';
import { hashOf } from '../hash.js';

/**
 * Where a row's fate is decided: pure functions and tables, no I/O. `decideRow` says what to do
 * with a row read from a file, given what the ledger knows of its key; `ANSWERS` says what every
 * answer of the API means for the item asked about and for the whole run (DESIGN.md, "Talking to
 * the API"), one row per case. The attempt loop and the senders only carry these decisions out.
 */

/** Every kind of request the importer makes. */
export type RequestKind = 'create' | 'message' | 'lookup' | 'list' | 'update' | 'preflight' | 'staff';

/** What one answer means for the item it was about. */
export type Then =
  /** Created (or, for an update, applied): `done`. */
  | 'done'
  /** A read got its answer: the caller reads it (found, absent, undecidable). */
  | 'answered'
  /** The API refused this item, with a reason: `rejected`, never retried unchanged. */
  | 'rejected'
  /** The item cannot be done in this run (its conversation is gone, an update was refused): `failed`. */
  | 'failed'
  /** It may or may not have been processed: `uncertain`, looked up before it is ever sent again. */
  | 'ambiguous'
  /** A read answered, but its answer proves neither presence nor absence: the item stays `uncertain`. */
  | 'undecidable'
  /** Not processed (or idempotent): back off and send again, bounded. */
  | 'retry'
  /** The run stops (bad credentials, unknown brand): the item stays as it was. */
  | 'stop';

/** What one answer means for the whole run. */
export type RunEffect = 'none' | 'success' | 'pause' | 'abort-auth' | 'abort-brand' | 'abort-redirect';

/** One row of the answer table. */
export interface AnswerRule {
  request: RequestKind;
  answer: Outcome['kind'];
  then: Then;
  effect: RunEffect;
  why: string;
}

type Row = [Outcome['kind'], Then, RunEffect, string];

// Re:amaze has no idempotency key: a POST is sent again only when it surely was not processed
// (429, refused or reset before it was written, 408); every other lost answer is `ambiguous` and
// looked up first. Reads and the PUT are idempotent: they are simply tried again.
const POST: Row[] = [
  ['created', 'done', 'success', '2xx: created'],
  ['rejected', 'rejected', 'success', '4xx with a body: the API refuses this item'],
  ['auth', 'stop', 'abort-auth', '401/403: bad credentials'],
  ['throttled', 'retry', 'pause', '429: not processed; every request pauses'],
  ['not-sent', 'retry', 'none', 'refused, DNS, reset before the request was written, 408: not processed'],
  ['unknown', 'ambiguous', 'none', 'timeout, reset after the request was written, 5xx: unknown'],
  ['undecidable', 'ambiguous', 'none', 'not an answer a POST gets: unknown'],
];
const READ: Row[] = [
  ['created', 'answered', 'success', '2xx: the answer to read'],
  ['rejected', 'retry', 'none', 'a 4xx to a read: not understood, asked again'],
  ['auth', 'stop', 'abort-auth', '401/403: bad credentials'],
  ['throttled', 'retry', 'pause', '429: every request pauses'],
  ['not-sent', 'retry', 'none', 'not reached: asked again'],
  ['unknown', 'retry', 'none', 'no answer, 5xx: asked again (a read changes nothing)'],
  // Asked again it would say the same: an absence it cannot prove is never read as one.
  ['undecidable', 'undecidable', 'success', '2xx listing not filtered by the key: proves neither presence nor absence'],
];

// A redirect is never followed (it would carry the credentials elsewhere): for every request, the
// base URL is not the API.
const REDIRECT: Row = ['redirect', 'stop', 'abort-redirect', '3xx: the base URL is not the API'];

function rules(request: RequestKind, rows: Row[], notFound: [Then, RunEffect, string]): AnswerRule[] {
  return [...rows, ['not-found', ...notFound] as Row, REDIRECT].map(([answer, then, effect, why]) => ({ request, answer, then, effect, why }));
}

/** The answer table: for each request and each kind of answer, the item's fate and the run's. */
export const ANSWERS: readonly AnswerRule[] = [
  ...rules('create', POST, ['stop', 'abort-brand', '404 on the collection: unknown brand or base URL']),
  ...rules('message', POST, ['failed', 'none', '404: the conversation is gone; its messages cannot be added']),
  ...rules('lookup', READ, ['stop', 'abort-brand', '404 on the collection: unknown brand or base URL']),
  ...rules('list', READ, ['failed', 'none', '404: the conversation is gone']),
  ...rules('update', [
    ['created', 'done', 'success', '2xx: the final status is set'],
    ['rejected', 'failed', 'success', '4xx: the API refuses the update; the thread stays open'],
    ...READ.slice(2),
  ], ['failed', 'none', '404: the conversation is gone']),
  ...rules('preflight', [
    ['created', 'answered', 'success', '2xx: the API is there and takes the credentials'],
    ...READ.slice(1, -1),
    ['undecidable', 'answered', 'success', '2xx, even unfiltered: the API is there and takes the credentials'],
  ], ['stop', 'abort-brand', '404 on the collection: unknown brand or base URL']),
  // The staff list is read once, before anything is sent: without it no agent can be matched.
  ...rules('staff', READ, ['failed', 'none', '404: the staff list cannot be read']),
];

const INDEX = new Map(ANSWERS.map((rule) => [`${rule.request} ${rule.answer}`, rule]));

/** The rule for this answer to this request. */
export function decideAnswer(request: RequestKind, outcome: Outcome): AnswerRule {
  const rule = INDEX.get(`${request} ${outcome.kind}`);
  if (!rule) throw new Error(`no rule for ${request} ${outcome.kind}`);
  return rule;
}

/** How long one item may be answered 429 before its retries run out (the attempt loop's bound). */
export const THROTTLED_FOR_MINUTES = 10;

/** What becomes of an item whose retries ran out (attempts or time): the other half of the table. */
export const EXHAUSTED = {
  // ...unless an earlier request of it was ambiguous: then it stays `uncertain` (see `exhaustedState`).
  create: 'failed',
  message: 'failed',
  lookup: 'uncertain',
  list: 'uncertain',
  update: 'failed',
  preflight: 'abort-unreachable',
  staff: 'failed',
} as const satisfies Record<RequestKind, 'failed' | 'uncertain' | 'abort-unreachable'>;

/** The state an item ends in when its retries run out; one that may have gone through stays `uncertain`. */
export function exhaustedState(request: RequestKind, mayHaveGoneThrough: boolean): 'failed' | 'uncertain' {
  const fate: string = EXHAUSTED[request];
  return mayHaveGoneThrough || fate === 'uncertain' ? 'uncertain' : 'failed';
}

/**
 * The state an item is left in when the run stops before it is settled: `uncertain` when a request
 * of it may have reached the API (this run's or an earlier one's), `pending` when none can have.
 */
export function stoppedState(mayHaveGoneThrough: boolean): 'uncertain' | 'pending' {
  return mayHaveGoneThrough ? 'uncertain' : 'pending';
}

/** Why an item of a conversation that is gone (404) failed. */
export function goneError(slug: string, what = ''): string {
  return `the conversation ${slug} is not there any more (404)${what}`;
}

/** Why a conversation could not be created or found: the collection answered 404. */
export const COLLECTION_NOT_FOUND = 'the API answered 404 for /conversations';

/** The error that stops the run for an `abort-*` effect; `beforeAnything` when nothing was sent yet. */
export function abortError(effect: 'abort-auth' | 'abort-brand' | 'abort-redirect' | 'abort-unreachable', outcome: Outcome, beforeAnything = false): ImportError {
  const nothing = beforeAnything ? ' Nothing was sent.' : '';
  if (effect === 'abort-auth') {
    const status = 'status' in outcome ? outcome.status : '?';
    return new ImportError('AUTH_FAILED', `The API refused the credentials (${status}): check REAMAZE_EMAIL and REAMAZE_API_TOKEN (that staff member's API token).${nothing}`);
  }
  if (effect === 'abort-redirect') {
    const where = outcome.kind === 'redirect' && outcome.location ? `to ${outcome.location}` : 'elsewhere';
    return new ImportError('API_REDIRECTED', `The API redirected ${where} (${'status' in outcome ? outcome.status : '3xx'}): the base URL is not the API. Set --base-url (or REAMAZE_BASE_URL) to https://<brand>.reamaze.io/api/v1, or check REAMAZE_BRAND.${nothing}`);
  }
  if (effect === 'abort-brand') {
    return new ImportError('BRAND_UNKNOWN', `The API answered 404 for /conversations: check REAMAZE_BRAND (or --base-url).${nothing}`);
  }
  const reason = outcome.kind === 'throttled'
    ? `it kept answering 429 (too many requests) for ${THROTTLED_FOR_MINUTES} minutes`
    : 'reason' in outcome ? outcome.reason : `it answered ${'status' in outcome ? outcome.status : 'in an unexpected way'}`;
  return new ImportError('API_UNREACHABLE', `The API cannot be reached: ${reason}.${beforeAnything ? ' Nothing was sent; run the same command again later.' : ''}`);
}

/** What the local checks made of a record, as far as its fate goes. */
export type LocalVerdict =
  | { state: 'valid'; payloadHash: string; hasMessages: boolean; opener: string | undefined }
  | { state: 'invalid'; fieldsHash: string };

/** What to do with a row read from a file. `count` names the run count it adds to (none for a send). */
export type RowAction =
  /** Its key was already read in this run. */
  | { act: 'duplicate'; count: 'duplicates' }
  /** Invalid: recorded `invalid`, or only noted as read when the key may be in Re:amaze already. */
  | { act: 'invalid'; count: 'invalid'; record: boolean; newError: boolean }
  /** Not sent: done before (its thread may still need completing), or refused/invalid and unchanged. */
  | { act: 'skip'; count: 'skipped' | 'rejected' | 'invalid'; changed: boolean; completeThread: boolean }
  /** Sent: created now, or looked up first when an earlier request may have created it. */
  | { act: 'send'; reconcileFirst: boolean };

/**
 * The fate of a row from its ledger entry and its local verdict: done keys are never posted again
 * (a changed body is counted as changed); rejected and invalid rows are tried again only when
 * their body changed; a row an earlier run left `sending` or `uncertain` is looked up first.
 */
export function decideRow(previous: LedgerEntry | undefined, verdict: LocalVerdict, runId: number): RowAction {
  if (previous?.seenRun === runId) return { act: 'duplicate', count: 'duplicates' };
  const state = previous?.state;
  if (verdict.state === 'invalid') {
    // A key that may exist in Re:amaze keeps its state: an invalid copy must not make it look unsent.
    const record = state !== 'done' && state !== 'sending' && state !== 'uncertain';
    // Only a row that failed anew counts against --max-errors: last night's unchanged ones do not.
    const newError = !(state === 'invalid' && previous?.payloadHash === verdict.fieldsHash);
    return { act: 'invalid', count: 'invalid', record, newError };
  }
  if (!previous) return { act: 'send', reconcileFirst: false };
  const changed = previous.payloadHash !== null && previous.payloadHash !== verdict.payloadHash;
  if (previous.state === 'done') {
    // Done before: its thread may still have messages to add (an interrupted run, new replies).
    const newOpener = verdict.opener !== undefined && verdict.opener !== previous.opener;
    return { act: 'skip', count: 'skipped', changed, completeThread: verdict.hasMessages || previous.threadOpen || newOpener };
  }
  if ((previous.state === 'rejected' || previous.state === 'invalid') && !changed) {
    return { act: 'skip', count: previous.state, changed: false, completeThread: false };
  }
  return { act: 'send', reconcileFirst: previous.state === 'sending' || previous.state === 'uncertain' };
}

/** What to do with one message of a thread being completed. */
export type MessageAction =
  | { act: 'skip'; count: 'skipped' | 'rejected' }
  | { act: 'send'; payloadHash: string; reconcileFirst: boolean };

/**
 * The fate of a thread message from its ledger entry and its body (JSON): a done message is never
 * sent again; a refused one only once its body changed; one an earlier run left `sending` or
 * `uncertain` is looked up in the thread first.
 */
export function decideMessage(previous: MessageEntry | undefined, payload: string): MessageAction {
  if (previous?.state === 'done') return { act: 'skip', count: 'skipped' };
  const payloadHash = hashOf(payload);
  if (previous?.state === 'rejected' && previous.payloadHash === payloadHash) return { act: 'skip', count: 'rejected' };
  return { act: 'send', payloadHash, reconcileFirst: previous?.state === 'sending' || previous?.state === 'uncertain' };
}
