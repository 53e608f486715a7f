import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { attempt, newBudget, type SendContext } from '../../../src/pipeline/attempt.js';
import { deliver, type Delivery, type Looked } from '../../../src/pipeline/deliver.js';
import { ReamazeClient } from '../../../src/reamaze/client.js';
import type { Outcome } from '../../../src/reamaze/retry-policy.js';
import { Throttle } from '../../../src/reamaze/throttle.js';

let throttle: Throttle | undefined;
afterEach(async () => throttle?.stop());

const created: Outcome = { kind: 'created', status: 201, body: { slug: 'c1' } };
const notSent: Outcome = { kind: 'not-sent', reason: 'connection refused before the request was sent' };
const lost: Outcome = { kind: 'unknown', status: 500, reason: 'the server answered 500' };
const throttled: Outcome = { kind: 'throttled', status: 429, retryAfterMs: 10 };

/** A context on the in-memory ledger; `slept` records every backoff instead of waiting it. */
function context(): SendContext & { ledger: MemoryLedger; slept: number[] } {
  throttle = new Throttle({ rate: 1000, concurrency: 4 });
  const slept: number[] = [];
  return {
    ledger: new MemoryLedger(), client: new ReamazeClient({ baseUrl: 'http://127.0.0.1:9/api/v1', email: 'a@example.com', token: 't' }),
    throttle, retry: { maxAttempts: 4, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 1000 }, keyField: 'k',
    abort: { error: undefined }, slept, sleep: async (ms) => void slept.push(ms),
  };
}

/** A request whose answers are `answers`, in order; records what was asked. */
function scripted(...answers: Outcome[]) {
  const log: string[] = [];
  return { log, send: async () => (log.push('send'), answers.shift() ?? created) };
}

describe('the attempt loop', () => {
  it('tries a request that was not processed again, with backoff, until it is answered', async () => {
    const ctx = context();
    const { log, send } = scripted(notSent, notSent, created);
    const retried: Outcome[] = [];
    const result = await attempt({ request: 'create', send, onRetry: (o) => retried.push(o) }, ctx, newBudget());
    expect(result).toMatchObject({ end: 'answer', rule: { then: 'done' }, outcome: created });
    expect(log).toHaveLength(3);
    expect(retried).toEqual([notSent, notSent]);
    expect(ctx.slept).toHaveLength(2);
  });

  it('hands an ambiguous answer to a POST back without sending it again; retries it for a read', async () => {
    const ctx = context();
    const post = scripted(lost);
    expect(await attempt({ request: 'message', send: post.send }, ctx, newBudget())).toMatchObject({ end: 'answer', rule: { then: 'ambiguous' } });
    expect(post.log).toHaveLength(1);
    const put = scripted(lost, lost, created);
    expect(await attempt({ request: 'update', send: put.send }, ctx, newBudget())).toMatchObject({ end: 'answer', rule: { then: 'done' } });
    expect(put.log).toHaveLength(3);
  });

  it('does not count a 429 as an attempt of the item, and pauses every request', async () => {
    const ctx = context();
    const { log, send } = scripted(throttled, throttled, throttled, throttled, throttled, created);
    const result = await attempt({ request: 'create', send }, ctx, newBudget({ maxAttempts: 2, maxElapsedMs: 60_000, baseDelayMs: 1, maxDelayMs: 1 }));
    expect(result).toMatchObject({ end: 'answer', outcome: created });
    expect(log).toHaveLength(6);
    expect(ctx.throttle.rate).toBeLessThan(1000);
  });

  it('gives up when the budget runs out', async () => {
    const ctx = context();
    const { log, send } = scripted(notSent, notSent, notSent, notSent, notSent);
    const budget = newBudget();
    expect(await attempt({ request: 'create', send }, ctx, budget)).toEqual({ end: 'exhausted', outcome: notSent });
    expect(log).toHaveLength(4);
    expect(budget.attempts).toBe(4);
  });

  it('stops the whole run on bad credentials, and sends nothing more once the run is stopping', async () => {
    const ctx = context();
    const first = scripted({ kind: 'auth', status: 403 });
    expect(await attempt({ request: 'lookup', send: first.send }, ctx, newBudget())).toMatchObject({ end: 'stopped', outcome: { kind: 'auth' } });
    expect(ctx.abort.error?.code).toBe('AUTH_FAILED');
    const next = scripted(created);
    expect(await attempt({ request: 'create', send: next.send }, ctx, newBudget())).toEqual({ end: 'stopped', marked: false });
    expect(next.log).toHaveLength(0);
  });

  it('runs beforeSend in the request\'s turn, just before it leaves, and leaves nothing after a stop in between', async () => {
    const ctx = context();
    const log: string[] = [];
    const result = await attempt({
      request: 'create',
      beforeSend: async () => {
        log.push('sending committed');
        ctx.abort.stopped = true;
      },
      send: async () => (log.push('send'), created),
    }, ctx, newBudget());
    expect(log).toEqual(['sending committed']);
    expect(result).toEqual({ end: 'stopped', marked: true });
  });
});

/** A delivery on the in-memory ledger, its POST answering `answers` and its lookup `found`. */
function delivery(ctx: ReturnType<typeof context>, answers: Outcome[], found: Looked[], unsettled = false) {
  const log: string[] = [];
  const job: Delivery = {
    request: 'create',
    unsettled,
    markSending: () => (log.push(`sending#${ctx.ledger.sendingCommits + 1}`), ctx.ledger.markSendingSoon({ kind: 'row', update: { key: 'K', file: 'a.csv', line: 2, state: 'sending', payload: '{}', fields: '{"email":"c@example.com"}' } })),
    send: async () => (log.push('POST'), answers.shift() ?? created),
    accepts: (body) => typeof (body as { slug?: unknown } | undefined)?.slug === 'string',
    find: async () => (log.push('lookup'), found.shift() ?? { found: false }),
    record: (state, details) => ctx.ledger.record({ key: 'K', file: 'a.csv', line: 2, state, payload: '{}', fields: '{"email":"c@example.com"}', ...details }),
    failedWhy: 'gone',
  };
  return { job, log };
}

describe('delivering a POST exactly once', () => {
  it('commits sending before the POST, and keeps no payload or fields once done', async () => {
    const ctx = context();
    const { job, log } = delivery(ctx, [created], []);
    expect(await deliver(job, ctx)).toEqual({ state: 'done', slug: 'c1' });
    expect(log).toEqual(['sending#1', 'POST']);
    expect(ctx.ledger.rows.get('K')).toMatchObject({ state: 'done', slug: 'c1', payload: null, fields: null });
  });

  it('looks an ambiguous answer up before sending again: found means done, with one POST', async () => {
    const ctx = context();
    const { job, log } = delivery(ctx, [lost], [{ found: true, slug: 'c9' }]);
    expect(await deliver(job, ctx)).toEqual({ state: 'done', slug: 'c9' });
    expect(log).toEqual(['sending#1', 'POST', 'lookup']);
  });

  it('sends again only once the lookup proved the item absent', async () => {
    const ctx = context();
    const { job, log } = delivery(ctx, [lost, created], [{ found: false }]);
    expect(await deliver(job, ctx)).toMatchObject({ state: 'done' });
    expect(log).toEqual(['sending#1', 'POST', 'lookup', 'sending#2', 'POST']);
  });

  it('looks an item an earlier run left unsettled up first; what no evidence settles stays uncertain', async () => {
    const ctx = context();
    const { job, log } = delivery(ctx, [], [{ undecidable: 'the listing shows no origin_id' }], true);
    expect(await deliver(job, ctx)).toEqual({ state: 'uncertain' });
    expect(log).toEqual(['lookup']);
    expect(ctx.ledger.rows.get('K')).toMatchObject({ state: 'uncertain', error: 'the listing shows no origin_id' });
  });

  it('records a refusal, and an item whose answers stayed ambiguous as uncertain', async () => {
    const ctx = context();
    const refused = delivery(ctx, [{ kind: 'rejected', status: 422, error: 'the API refused the row (422): bad', body: '{}' }], []);
    expect(await deliver(refused.job, ctx)).toEqual({ state: 'rejected' });
    const ctx2 = context();
    const lostAll = delivery(ctx2, [lost, lost, lost, lost], [{ found: false }, { found: false }, { found: false }]);
    expect(await deliver(lostAll.job, ctx2)).toEqual({ state: 'uncertain' });
    expect(lostAll.log.filter((step) => step === 'POST')).toHaveLength(4);
    expect(ctx2.ledger.rows.get('K')).toMatchObject({ state: 'uncertain', errorCode: 'API_UNCERTAIN' });
  });

  it('puts an item refused unprocessed back to pending when the run stops', async () => {
    const ctx = context();
    const { job } = delivery(ctx, [notSent], []);
    ctx.sleep = async () => void (ctx.abort.stopped = true);
    expect(await deliver(job, ctx)).toEqual({ state: 'pending' });
    expect(ctx.ledger.rows.get('K')).toMatchObject({ state: 'pending' });
  });

  it('takes a 2xx without the conversation in it (an HTML page) as unknown: looked up, never done without evidence', async () => {
    const ctx = context();
    const page: Outcome = { kind: 'created', status: 200, body: undefined };
    const { job, log } = delivery(ctx, [page, created], [{ found: false }]);
    expect(await deliver(job, ctx)).toEqual({ state: 'done', slug: 'c1' });
    expect(log).toEqual(['sending#1', 'POST', 'lookup', 'sending#2', 'POST']);
  });
});
