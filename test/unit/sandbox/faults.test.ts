import { describe, expect, it } from 'vitest';
import type { FaultKind, Sandbox } from '../../../src/sandbox/index.js';
import { call, closeSandboxesAfterEach, conversationBody, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

const keysHeld = (sandbox: Sandbox) => sandbox.conversations().map((c) => c.data.import_key);

describe('sandbox: scripted faults on POST /conversations', () => {
  const answered: [FaultKind, number, number, unknown][] = [
    ['500-before', 500, 0, { error: 'Internal Server Error' }],
    ['503-before', 503, 0, { error: 'Service Unavailable' }],
    ['500-after', 500, 1, { error: 'Internal Server Error' }],
    ['422', 422, 0, { errors: { base: ['scripted rejection'] } }],
  ];
  it.each(answered)('%s answers %i (%i created)', async (kind, status, held, body) => {
    const sandbox = await sandboxFor({ faults: { K: [kind] } });
    expect(await createConversation(sandbox, 'K')).toMatchObject({ status, body });
    expect(sandbox.conversations()).toHaveLength(held);
    expect(sandbox.stats().faults).toEqual({ [kind]: 1 });
  });

  it.each([
    ['drop-before', 0],
    ['drop-after', 1],
  ] as [FaultKind, number][])('%s drops the connection without an answer (%i created)', async (kind, held) => {
    const sandbox = await sandboxFor({ faults: { K: [kind] } });
    await expect(createConversation(sandbox, 'K')).rejects.toThrow(/fetch failed/);
    expect(sandbox.conversations()).toHaveLength(held);
    expect(sandbox.stats()).toMatchObject({ faults: { [kind]: 1 }, byStatus: { dropped: 1 } });
  });

  it('hang-after creates, then holds the request until the client gives up', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['hang-after'] }, hangMs: 5000 });
    const signal = AbortSignal.timeout(200);
    await expect(call(sandbox, 'POST', '/conversations', conversationBody('K'), { signal })).rejects.toThrow(
      /aborted|timeout/i,
    );
    expect(keysHeld(sandbox)).toEqual(['K']);
    expect(sandbox.stats()).toMatchObject({ faults: { 'hang-after': 1 }, byStatus: { hung: 1 } });
  });

  it('hang-after closes the socket after hangMs', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['hang-after'] }, hangMs: 100 });
    const started = Date.now();
    await expect(createConversation(sandbox, 'K')).rejects.toThrow(/fetch failed/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(keysHeld(sandbox)).toEqual(['K']);
  });

  it('consumes the faults of a key in order, then behaves normally; other keys are untouched', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['503-before', '500-after', '422'] } });
    const statuses: number[] = [];
    for (const key of ['K', 'other', 'K', 'K', 'K', 'K']) statuses.push((await createConversation(sandbox, key)).status);
    expect(statuses).toEqual([503, 201, 500, 422, 201, 201]);
    expect(keysHeld(sandbox)).toEqual(['other', 'K', 'K', 'K']);
    expect(sandbox.stats()).toMatchObject({ duplicateKeys: 2 });
    expect(sandbox.stats().faultLog).toEqual([
      { kind: '503-before', key: 'K', target: 'conversation', source: 'scripted' },
      { kind: '500-after', key: 'K', target: 'conversation', source: 'scripted' },
      { kind: '422', key: 'K', target: 'conversation', source: 'scripted' },
    ]);
  });

  it('takes the key from the configured data field', async () => {
    const sandbox = await sandboxFor({ keyField: 'legacy_id', faults: { '42': ['500-before'] } });
    const reply = await createConversation(sandbox, 'x', { data: { legacy_id: 42 } });
    expect(reply.status).toBe(500);
  });

  it('spends no fault on a request refused by validation or by the rate limit', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['500-before'] }, rateLimit: 2 });
    expect((await createConversation(sandbox, 'K', { status: 10 })).status).toBe(422);
    await call(sandbox, 'GET', '/conversations');
    expect((await createConversation(sandbox, 'K')).status).toBe(429);
    sandbox.setOptions({ rateLimit: null });
    expect((await createConversation(sandbox, 'K')).status).toBe(500);
    expect((await createConversation(sandbox, 'K')).status).toBe(201);
  });
});

describe('sandbox: scripted faults on messages, keyed by origin_id', () => {
  it('applies them in order to POST /messages with that origin_id', async () => {
    const sandbox = await sandboxFor({ faults: { m1: ['drop-after', '500-before'] } });
    const { slug } = (await createConversation(sandbox, 'A')).body as { slug: string };
    sandbox.setOptions({ faultRates: { '500-before': 1 } }); // random faults never hit messages
    const post = () =>
      call(sandbox, 'POST', `/conversations/${slug}/messages`, {
        message: { body: 'x', origin_id: 'm1', suppress_notifications: true },
      });
    await expect(post()).rejects.toThrow(/fetch failed/);
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(201);
    expect(sandbox.conversations()[0]?.messages.map((m) => m.origin_id)).toEqual([null, 'm1', 'm1']);
    expect(sandbox.stats().faultLog.map((event) => [event.kind, event.target])).toEqual([
      ['drop-after', 'message'],
      ['500-before', 'message'],
    ]);
  });
});

describe('sandbox: random faults', () => {
  const rates = { '500-before': 0.3, 'drop-after': 0.2 } as const;

  async function outcomes(seed: number, keys: string[], parallel = false): Promise<string[]> {
    const sandbox = await sandboxFor({ faultRates: rates, seed });
    const one = (key: string) =>
      createConversation(sandbox, key).then(
        (reply) => `${key}:${reply.status}`,
        () => `${key}:dropped`,
      );
    if (parallel) return Promise.all(keys.map(one));
    const results: string[] = [];
    for (const key of keys) results.push(await one(key));
    return results;
  }

  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);

  it('fires about as often as asked, the same way for the same seed, whatever the concurrency', async () => {
    const first = await outcomes(3, keys);
    const failures = first.filter((outcome) => !outcome.endsWith(':201')).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(await outcomes(3, keys)).toEqual(first);
    expect(await outcomes(3, keys, true)).toEqual(first);
    expect(await outcomes(4, keys)).not.toEqual(first);
  });

  it('draws again on each attempt of a key, reproducibly', async () => {
    const attempts = async (seed: number) => {
      const sandbox = await sandboxFor({ faultRates: { '503-before': 0.5 }, seed });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await createConversation(sandbox, 'same')).status);
      return statuses;
    };
    const first = await attempts(9);
    expect(new Set(first)).toEqual(new Set([201, 503]));
    expect(await attempts(9)).toEqual(first);
  });

  it('draws from one seeded sequence for requests without a key', async () => {
    const run = async () => {
      const sandbox = await sandboxFor({ faultRates: { '500-before': 0.5 }, seed: 11 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        statuses.push((await createConversation(sandbox, 'x', { data: {} })).status);
      }
      return statuses;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set([201, 500]));
    expect(await run()).toEqual(first);
  });

  it('reports scripted faults before random ones, and marks their source', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['422'] }, faultRates: { '503-before': 1 } });
    expect((await createConversation(sandbox, 'K')).status).toBe(422);
    expect((await createConversation(sandbox, 'K')).status).toBe(503);
    expect(sandbox.stats().faultLog.map((event) => event.source)).toEqual(['scripted', 'random']);
  });
});
