import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../../src/sandbox/rate-limit.js';
import { basic, call, closeSandboxesAfterEach, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

describe('SlidingWindowLimiter', () => {
  it('allows `limit` requests in any second and says when the window frees', () => {
    let now = 10_000;
    const limiter = new SlidingWindowLimiter(() => now);
    expect(limiter.check('t', 2)).toEqual({ allowed: true });
    now += 100;
    expect(limiter.check('t', 2)).toEqual({ allowed: true });
    now += 100;
    expect(limiter.check('t', 2)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 11_000; // the first request leaves the window
    expect(limiter.check('t', 2)).toEqual({ allowed: true });
    expect(limiter.check('t', 2)).toMatchObject({ allowed: false });
    expect(limiter.check('other', 2)).toEqual({ allowed: true });
  });

  it('does not count refused requests, and has no limit when given null', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(() => now);
    expect(limiter.check('t', 1)).toEqual({ allowed: true });
    for (let i = 0; i < 5; i += 1) expect(limiter.check('t', 1).allowed).toBe(false);
    now = 1000;
    expect(limiter.check('t', 1)).toEqual({ allowed: true });
    for (let i = 0; i < 100; i += 1) expect(limiter.check('t', null)).toEqual({ allowed: true });
  });
});

describe('sandbox: rate limit', () => {
  it('answers 429 without Retry-After by default, and a 429 creates nothing', async () => {
    const sandbox = await sandboxFor({ rateLimit: 2 });
    const statuses = [];
    for (const key of ['a', 'b', 'c']) statuses.push(await createConversation(sandbox, key));
    expect(statuses.map((reply) => reply.status)).toEqual([201, 201, 429]);
    expect(statuses[2]?.body).toEqual({ error: 'Too Many Requests' });
    expect(statuses[2]?.headers.get('retry-after')).toBeNull();
    expect(sandbox.conversations().map((c) => c.data.import_key)).toEqual(['a', 'b']);
    expect(sandbox.stats()).toMatchObject({ rateLimited: 1, byStatus: { '201': 2, '429': 1 } });
  });

  it('sends Retry-After in whole seconds when asked to', async () => {
    const sandbox = await sandboxFor({ rateLimit: 1, retryAfter: true });
    await call(sandbox, 'GET', '/conversations');
    const refused = await call(sandbox, 'GET', '/conversations');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  it('lets requests through again once the window frees', async () => {
    const sandbox = await sandboxFor({ rateLimit: 1 });
    expect((await createConversation(sandbox, 'a')).status).toBe(201);
    expect((await createConversation(sandbox, 'b')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await createConversation(sandbox, 'b')).status).toBe(201);
  });

  it('counts every endpoint, but only authenticated requests', async () => {
    const sandbox = await sandboxFor({ rateLimit: 2 });
    const wrong = { headers: { Authorization: basic('importer@example.com', 'wrong') } };
    for (let i = 0; i < 3; i += 1) expect((await call(sandbox, 'GET', '/conversations', undefined, wrong)).status).toBe(403);
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(200);
    expect((await call(sandbox, 'GET', '/conversations/nope')).status).toBe(404);
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(429);
  });

  it('can be changed at run time', async () => {
    const sandbox = await sandboxFor();
    for (let i = 0; i < 5; i += 1) expect((await call(sandbox, 'GET', '/conversations')).status).toBe(200);
    sandbox.setOptions({ rateLimit: 1 });
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(200);
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(429);
    sandbox.setOptions({ rateLimit: 0 }); // 0 or less: no limit
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(200);
  });
});
