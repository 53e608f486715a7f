import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { basic, call, closeSandboxesAfterEach, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

/** A request to a path on the sandbox's origin (not under the API base). */
async function raw(sandbox: Sandbox, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${new URL(sandbox.url).origin}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('sandbox: paths', () => {
  it('listens on 127.0.0.1 and names the API base URL', async () => {
    const sandbox = await sandboxFor();
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}/api/v1`);
    expect(sandbox.port).toBeGreaterThan(0);
  });

  it('answers 404 outside /api/v1/, before checking credentials', async () => {
    const sandbox = await sandboxFor();
    for (const path of ['/', '/api/v2/conversations', '/api/v1', '/conversations']) {
      expect(await raw(sandbox, path)).toEqual({ status: 404, body: { error: 'Not Found' } });
    }
  });

  it('answers 404 for unknown paths under /api/v1 once authenticated, 403 before', async () => {
    const sandbox = await sandboxFor();
    expect(await call(sandbox, 'GET', '/contacts')).toMatchObject({ status: 404, body: { error: 'Not Found' } });
    expect(await call(sandbox, 'GET', '/contacts', undefined, { headers: { Authorization: null } })).toMatchObject({
      status: 403,
    });
  });

  it('answers 405 for a method a known path does not take', async () => {
    const sandbox = await sandboxFor();
    const reply = await call(sandbox, 'DELETE', '/conversations');
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, POST');
  });
});

describe('sandbox: credentials', () => {
  const cases: [string, string | null][] = [
    ['no Authorization header', null],
    ['a wrong token', basic('importer@example.com', 'nope')],
    ['a wrong email', basic('someone@example.com', 'sandbox-token')],
    ['a Bearer token', 'Bearer sandbox-token'],
    ['garbage', 'Basic !!!'],
  ];
  it.each(cases)('answers 403 for %s, without echoing the token', async (_name, authorization) => {
    const sandbox = await sandboxFor();
    const reply = await call(sandbox, 'GET', '/conversations', undefined, { headers: { Authorization: authorization } });
    expect(reply).toMatchObject({ status: 403, body: { error: 'Invalid credentials' } });
    expect(JSON.stringify(reply.body)).not.toContain('sandbox-token');
  });

  it('checks credentials before the Accept rule and the payload', async () => {
    const sandbox = await sandboxFor();
    const reply = await call(sandbox, 'POST', '/conversations', '{not json', {
      headers: { Authorization: basic('importer@example.com', 'wrong'), Accept: 'text/html' },
    });
    expect(reply.status).toBe(403);
    expect(sandbox.conversations()).toEqual([]);
  });

  it('takes the email and token given in options', async () => {
    const sandbox = await sandboxFor({ email: 'lead@acme.test', token: 't0ken' });
    const headers = { Authorization: basic('Lead@Acme.test', 't0ken') };
    expect((await call(sandbox, 'GET', '/conversations', undefined, { headers })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(403);
  });
});

describe('sandbox: the Accept rule', () => {
  it.each([[null], ['*/*'], ['text/html'], ['application/*']])('answers 406 for Accept %s', async (accept) => {
    const sandbox = await sandboxFor();
    const reply = await createConversation(sandbox, 'a'); // control: accepted
    expect(reply.status).toBe(201);
    const refused = await call(sandbox, 'POST', '/conversations', { conversation: {} }, { headers: { Accept: accept } });
    expect(refused).toMatchObject({ status: 406, body: { error: 'Accept header must be application/json' } });
    expect(sandbox.conversations()).toHaveLength(1);
  });

  it('takes application/json within a list or with parameters', async () => {
    const sandbox = await sandboxFor();
    for (const accept of ['text/html, application/json;q=0.9', 'application/json; charset=utf-8']) {
      expect((await call(sandbox, 'GET', '/conversations', undefined, { headers: { Accept: accept } })).status).toBe(200);
    }
  });

  it('takes a .json suffix instead of the header, on every route', async () => {
    const sandbox = await sandboxFor();
    const headers = { Accept: null };
    const created = await call(sandbox, 'POST', '/conversations.json', { conversation: {} }, { headers });
    expect(created.status).toBe(422);
    const slug = ((await createConversation(sandbox, 'k')).body as { slug: string }).slug;
    expect((await call(sandbox, 'GET', '/conversations.json', undefined, { headers })).status).toBe(200);
    expect((await call(sandbox, 'GET', `/conversations/${slug}.json`, undefined, { headers })).status).toBe(200);
    expect((await call(sandbox, 'GET', `/conversations/${slug}/messages.json`, undefined, { headers })).status).toBe(200);
  });
});

describe('sandbox: connections and the listing for people', () => {
  it('keeps connections alive between requests', async () => {
    const sandbox = await sandboxFor();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(`${sandbox.url}/conversations`, {
          agent,
          headers: { Authorization: basic('importer@example.com', 'sandbox-token'), Accept: 'application/json' },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    const replies = [await get(), await get(), await get()];
    agent.destroy();
    expect(replies).toEqual([
      { status: 200, reused: false },
      { status: 200, reused: true },
      { status: 200, reused: true },
    ]);
  });

  it('lists what it holds and its stats without credentials, outside the stats', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'k1');
    const held = await raw(sandbox, '/__sandbox/conversations');
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ total_count: 1, conversations: [{ data: { import_key: 'k1' }, messages: [{}] }] });
    const stats = await raw(sandbox, '/__sandbox/stats');
    expect(stats.body).toMatchObject({ requests: 1, byRoute: { 'POST /conversations': 1 }, byStatus: { '201': 1 } });
    expect((await raw(sandbox, '/__sandbox/nothing')).status).toBe(404);
  });

  it('counts requests by route and by status', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'k1');
    await call(sandbox, 'GET', '/conversations');
    await call(sandbox, 'GET', '/conversations/missing');
    await call(sandbox, 'GET', '/conversations', undefined, { headers: { Authorization: null } });
    await raw(sandbox, '/elsewhere');
    expect(sandbox.stats()).toMatchObject({
      requests: 5,
      byRoute: { 'POST /conversations': 1, 'GET /conversations': 2, 'GET /conversations/{slug}': 1, 'GET other': 1 },
      byStatus: { '201': 1, '200': 1, '404': 2, '403': 1 },
    });
  });
});
