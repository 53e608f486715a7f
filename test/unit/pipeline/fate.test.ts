import { describe, expect, it } from 'vitest';
import type { LedgerEntry, MessageState } from '../../../src/ledger/ledger.js';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { abortError, ANSWERS, decideAnswer, decideMessage, decideRow, exhaustedState, type RequestKind } from '../../../src/pipeline/fate.js';
import type { Outcome } from '../../../src/reamaze/retry-policy.js';

const REQUESTS: RequestKind[] = ['create', 'message', 'lookup', 'list', 'update', 'preflight', 'staff'];
const KINDS: Outcome['kind'][] = ['created', 'rejected', 'auth', 'not-found', 'redirect', 'throttled', 'not-sent', 'unknown', 'undecidable'];

/** The table as DESIGN.md states it, written out here on its own: `then effect` per request and answer. */
const EXPECTED: Record<RequestKind, Record<Outcome['kind'], string>> = {
  create: { created: 'done success', rejected: 'rejected success', auth: 'stop abort-auth', 'not-found': 'stop abort-brand', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'ambiguous none', undecidable: 'ambiguous none' },
  message: { created: 'done success', rejected: 'rejected success', auth: 'stop abort-auth', 'not-found': 'failed none', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'ambiguous none', undecidable: 'ambiguous none' },
  lookup: { created: 'answered success', rejected: 'retry none', auth: 'stop abort-auth', 'not-found': 'stop abort-brand', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'retry none', undecidable: 'undecidable success' },
  list: { created: 'answered success', rejected: 'retry none', auth: 'stop abort-auth', 'not-found': 'failed none', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'retry none', undecidable: 'undecidable success' },
  update: { created: 'done success', rejected: 'failed success', auth: 'stop abort-auth', 'not-found': 'failed none', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'retry none', undecidable: 'undecidable success' },
  preflight: { created: 'answered success', rejected: 'retry none', auth: 'stop abort-auth', 'not-found': 'stop abort-brand', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'retry none', undecidable: 'answered success' },
  staff: { created: 'answered success', rejected: 'retry none', auth: 'stop abort-auth', 'not-found': 'failed none', redirect: 'stop abort-redirect', throttled: 'retry pause', 'not-sent': 'retry none', unknown: 'retry none', undecidable: 'undecidable success' },
};

const outcomes: Record<Outcome['kind'], Outcome> = {
  created: { kind: 'created', status: 201, body: { slug: 's' } },
  rejected: { kind: 'rejected', status: 422, error: 'the API refused the row (422): no', body: '{}' },
  auth: { kind: 'auth', status: 403 },
  'not-found': { kind: 'not-found', status: 404 },
  redirect: { kind: 'redirect', status: 302, location: 'https://help.example.com/' },
  throttled: { kind: 'throttled', status: 429, retryAfterMs: 1000 },
  'not-sent': { kind: 'not-sent', reason: 'connection refused before the request was sent' },
  unknown: { kind: 'unknown', status: 500, reason: 'the server answered 500' },
  undecidable: { kind: 'undecidable', status: 200, reason: 'the listing was not filtered' },
};

describe('the answer table', () => {
  it('has exactly one row for every request and every kind of answer', () => {
    for (const request of REQUESTS) {
      for (const kind of KINDS) expect(ANSWERS.filter((rule) => rule.request === request && rule.answer === kind)).toHaveLength(1);
    }
    expect(ANSWERS).toHaveLength(REQUESTS.length * KINDS.length);
  });

  it.each(ANSWERS.map((rule) => [rule.request, rule.answer, rule] as const))('%s × %s', (request, kind, rule) => {
    expect(`${rule.then} ${rule.effect}`).toBe(EXPECTED[request][kind]);
    expect(decideAnswer(request, outcomes[kind])).toBe(rule);
    expect(rule.why.length).toBeGreaterThan(5);
  });

  it('never sends a POST again after an answer that may have been processed', () => {
    for (const request of ['create', 'message'] as const) {
      const retried = ANSWERS.filter((rule) => rule.request === request && rule.then === 'retry').map((rule) => rule.answer);
      expect(retried.sort()).toEqual(['not-sent', 'throttled']);
    }
  });

  it('keeps an item whose retries ran out uncertain when a request of it may have gone through', () => {
    expect(exhaustedState('create', false)).toBe('failed');
    expect(exhaustedState('create', true)).toBe('uncertain');
    expect(exhaustedState('message', false)).toBe('failed');
    expect(exhaustedState('lookup', false)).toBe('uncertain');
    expect(exhaustedState('update', false)).toBe('failed');
  });

  it('words the errors that stop a run once, for every request', () => {
    expect(abortError('abort-auth', outcomes.auth).message).toMatchInlineSnapshot(`"The API refused the credentials (403): check REAMAZE_EMAIL and REAMAZE_API_TOKEN (that staff member's API token)."`);
    expect(abortError('abort-auth', outcomes.auth, true).message).toMatch(/Nothing was sent\.$/);
    expect(abortError('abort-brand', outcomes['not-found']).code).toBe('BRAND_UNKNOWN');
    expect(abortError('abort-redirect', outcomes.redirect).message).toMatchInlineSnapshot(`"The API redirected to https://help.example.com/ (302): the base URL is not the API. Set --base-url (or REAMAZE_BASE_URL) to https://<brand>.reamaze.io/api/v1, or check REAMAZE_BRAND."`);
    expect(abortError('abort-unreachable', outcomes['not-sent'], true).message).toMatchInlineSnapshot(`"The API cannot be reached: connection refused before the request was sent. Nothing was sent; run the same command again later."`);
  });
});

/**
 * A ledger entry as the in-memory ledger gives it back after a run (run 1) recorded the row: the
 * fate is decided on what the ledger contract returns, not on a hand-made object.
 */
function entry(state: LedgerEntry['state'], more: { payloadHash?: string; seenRun?: number; threadOpen?: boolean; opener?: string } = {}): LedgerEntry {
  const ledger = new MemoryLedger();
  for (let run = 1; run <= (more.seenRun ?? 1); run++) ledger.startRun({ args: {}, mappingHash: 'h' });
  ledger.record({ key: 'K', file: 'a.csv', line: 2, state, payloadHash: more.payloadHash ?? 'h1', fields: '{}', ...(more.opener ? { opener: more.opener } : {}) });
  if (more.threadOpen) ledger.setThread('K', true);
  return ledger.lookup('K')!;
}
const valid = (payloadHash = 'h1', more: { hasMessages?: boolean; opener?: string } = {}) =>
  ({ state: 'valid' as const, payloadHash, hasMessages: more.hasMessages ?? false, opener: more.opener });

describe('decideRow: a row\'s fate from its ledger entry and its local verdict', () => {
  it('sends a new key, and counts a key read twice in one run as a duplicate', () => {
    expect(decideRow(undefined, valid(), 2)).toEqual({ act: 'send', reconcileFirst: false });
    expect(decideRow(entry('pending', { seenRun: 2 }), valid(), 2)).toEqual({ act: 'duplicate', count: 'duplicates' });
    expect(decideRow(entry('done', { seenRun: 2 }), { state: 'invalid', fieldsHash: 'f' }, 2)).toMatchObject({ act: 'duplicate' });
  });

  it('never posts a done key again; counts a changed body; completes its thread when there is more to add', () => {
    expect(decideRow(entry('done'), valid('h1'), 2)).toEqual({ act: 'skip', count: 'skipped', changed: false, completeThread: false });
    expect(decideRow(entry('done'), valid('h2'), 2)).toMatchObject({ act: 'skip', changed: true });
    expect(decideRow(entry('done'), valid('h1', { hasMessages: true }), 2)).toMatchObject({ completeThread: true });
    expect(decideRow(entry('done', { threadOpen: true }), valid('h1'), 2)).toMatchObject({ completeThread: true });
    expect(decideRow(entry('done', { opener: 'm1' }), valid('h1', { opener: 'm1' }), 2)).toMatchObject({ completeThread: false });
    expect(decideRow(entry('done', { opener: 'm1' }), valid('h1', { opener: 'm0' }), 2)).toMatchObject({ completeThread: true });
  });

  it('tries a refused or invalid row again only when its body changed', () => {
    expect(decideRow(entry('rejected'), valid('h1'), 2)).toEqual({ act: 'skip', count: 'rejected', changed: false, completeThread: false });
    expect(decideRow(entry('rejected'), valid('h2'), 2)).toEqual({ act: 'send', reconcileFirst: false });
    expect(decideRow(entry('invalid', { payloadHash: 'f' }), valid('h1'), 2)).toEqual({ act: 'send', reconcileFirst: false });
  });

  it('looks a row up first when an earlier request of it may have gone through', () => {
    expect(decideRow(entry('sending'), valid(), 2)).toEqual({ act: 'send', reconcileFirst: true });
    expect(decideRow(entry('uncertain'), valid(), 2)).toEqual({ act: 'send', reconcileFirst: true });
    expect(decideRow(entry('failed'), valid(), 2)).toEqual({ act: 'send', reconcileFirst: false });
    expect(decideRow(entry('pending'), valid(), 2)).toEqual({ act: 'send', reconcileFirst: false });
  });

  it('records an invalid row, unless its key may be in Re:amaze; an unchanged one is no new error', () => {
    const invalid = { state: 'invalid' as const, fieldsHash: 'f' };
    expect(decideRow(undefined, invalid, 2)).toEqual({ act: 'invalid', count: 'invalid', record: true, newError: true });
    for (const state of ['done', 'sending', 'uncertain'] as const) expect(decideRow(entry(state), invalid, 2)).toMatchObject({ record: false });
    expect(decideRow(entry('invalid', { payloadHash: 'f' }), invalid, 2)).toMatchObject({ record: true, newError: false });
    expect(decideRow(entry('invalid', { payloadHash: 'g' }), invalid, 2)).toMatchObject({ newError: true });
  });
});

describe('decideMessage: a thread message\'s fate', () => {
  it('never sends a done message again, a refused one only once changed, and looks an unsettled one up first', () => {
    const ledger = new MemoryLedger();
    const message = (state: MessageState, payloadHash: string | null = null) => {
      ledger.recordMessage({ ticket: 'K', originId: 'm1', seq: 1, state, payloadHash });
      return ledger.lookupMessage('K', 'm1');
    };
    expect(decideMessage(message('done'), '')).toEqual({ act: 'skip', count: 'skipped' });
    const sent = decideMessage(undefined, '{"message":{"body":"hi"}}');
    expect(sent).toMatchObject({ act: 'send', reconcileFirst: false });
    const hash = sent.act === 'send' ? sent.payloadHash : '';
    expect(decideMessage(message('rejected', hash), '{"message":{"body":"hi"}}')).toEqual({ act: 'skip', count: 'rejected' });
    expect(decideMessage(message('rejected', hash), '{"message":{"body":"fixed"}}')).toMatchObject({ act: 'send' });
    expect(decideMessage(message('uncertain'), '{}')).toMatchObject({ act: 'send', reconcileFirst: true });
    expect(decideMessage(message('sending'), '{}')).toMatchObject({ reconcileFirst: true });
    expect(decideMessage(message('failed'), '{}')).toMatchObject({ reconcileFirst: false });
  });
});
