import { describe, expect, it } from 'vitest';
import { call, closeSandboxesAfterEach, conversationBody, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

type Listing = { page_size: number; page_count: number; total_count: number; conversations: { slug: string; data: Record<string, unknown> }[] };

describe('sandbox: POST /conversations', () => {
  it('creates a conversation and answers 201 with it, slug included', async () => {
    const sandbox = await sandboxFor();
    const reply = await createConversation(sandbox, 'T-1', { tag_list: ['legacy', 'vip'], status: 2 });
    expect(reply.status).toBe(201);
    const body = reply.body as Record<string, unknown>;
    expect(body).toMatchObject({
      subject: 'Ticket T-1',
      category: 'support',
      status: 2,
      tag_list: ['legacy', 'vip'],
      data: { import_key: 'T-1' },
      user: { name: 'Bob', email: 'bob@example.com' },
      message_count: 1,
      message: { body: 'Body of T-1', visibility: 0, user: { email: 'bob@example.com' }, origin_id: null },
    });
    expect(body.slug).toMatch(/^ticket-t-1-[a-z0-9]{6}$/);
    expect(new Date(body.created_at as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(sandbox.conversations()).toEqual([
      expect.objectContaining({ slug: body.slug, status: 2, messages: [expect.objectContaining({ body: 'Body of T-1' })] }),
    ]);
  });

  it('defaults status to 0, tags to none, and answers createdStatus', async () => {
    const sandbox = await sandboxFor({ createdStatus: 200 });
    const { subject: _subject, ...rest } = conversationBody('x').conversation;
    const reply = await call(sandbox, 'POST', '/conversations', { conversation: { ...rest, data: undefined } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 0, tag_list: [], data: {}, subject: '' });
    expect((reply.body as { slug: string }).slug).toMatch(/^conversation-[a-z0-9]{6}$/);
  });

  it('makes unique, url-safe slugs, reproducible by seed', async () => {
    const slugsFor = async (seed: number) => {
      const sandbox = await sandboxFor({ seed });
      const slugs: string[] = [];
      for (const key of ['1', '2', '3']) {
        const body = conversationBody(key, { subject: 'Ça va? Ünïcode / slashes & more' });
        slugs.push(((await call(sandbox, 'POST', '/conversations', body)).body as { slug: string }).slug);
      }
      return slugs;
    };
    const first = await slugsFor(5);
    expect(new Set(first).size).toBe(3);
    for (const slug of first) expect(slug).toMatch(/^ca-va-unicode-slashes-more-[a-z0-9]{6}$/);
    expect(await slugsFor(5)).toEqual(first);
    expect(await slugsFor(6)).not.toEqual(first);
  });

  it('answers 400 for a body that is not JSON or not wrapped', async () => {
    const sandbox = await sandboxFor();
    expect(await call(sandbox, 'POST', '/conversations', '{"conversation":')).toMatchObject({
      status: 400,
      body: { error: 'Invalid JSON' },
    });
    expect(await call(sandbox, 'POST', '/conversations', { subject: 'x' })).toMatchObject({
      status: 400,
      body: { error: 'param is missing or the value is empty: conversation' },
    });
    expect(sandbox.conversations()).toEqual([]);
  });

  it('answers 413 for a body over 10 MB, and the connection stays usable', async () => {
    const sandbox = await sandboxFor();
    const huge = JSON.stringify(conversationBody('big', { message: { body: 'x'.repeat(10 * 1024 * 1024) } }));
    expect(await call(sandbox, 'POST', '/conversations', huge)).toMatchObject({ status: 413 });
    expect((await createConversation(sandbox, 'small')).status).toBe(201);
    expect(sandbox.conversations().map((c) => c.data.import_key)).toEqual(['small']);
  });

  const invalid: [string, Record<string, unknown>, Record<string, string[]>][] = [
    ['no category', { category: undefined }, { category: ['is not a valid channel'] }],
    ['an unknown category', { category: 'sales' }, { category: ['is not a valid channel'] }],
    ['no message', { message: undefined }, { 'message.body': ["can't be blank"] }],
    ['an empty body', { message: { body: '  ' } }, { 'message.body': ["can't be blank"] }],
    ['no user', { user: undefined }, { 'user.email': ["can't be blank"] }],
    ['a user without email', { user: { name: 'Bob' } }, { 'user.email': ["can't be blank"] }],
    ['a bad email', { user: { email: 'bob@' } }, { 'user.email': ['is invalid'] }],
    ['a status of 10', { status: 10 }, { status: ['must be an integer from 0 to 9'] }],
    ['a status of 1.5', { status: 1.5 }, { status: ['must be an integer from 0 to 9'] }],
    ['a status as text', { status: '2' }, { status: ['must be an integer from 0 to 9'] }],
    ['nested data', { data: { a: { b: 1 } } }, { data: ['must be a flat object of strings, numbers and booleans'] }],
    ['data as a list', { data: ['a'] }, { data: ['must be a flat object of strings, numbers and booleans'] }],
  ];
  it.each(invalid)('answers 422 for %s', async (_name, change, errors) => {
    const sandbox = await sandboxFor();
    const reply = await createConversation(sandbox, 'k', change);
    expect(reply).toMatchObject({ status: 422, body: { errors } });
    expect(Object.keys((reply.body as { errors: object }).errors)).toEqual(Object.keys(errors));
    expect(sandbox.conversations()).toEqual([]);
  });

  it('takes the channels given in options', async () => {
    const sandbox = await sandboxFor({ channels: ['support', 'billing'] });
    expect((await createConversation(sandbox, 'k', { category: 'billing' })).status).toBe(201);
  });
});

describe('sandbox: GET /conversations', () => {
  it('finds a conversation by data[...], comparing as strings, hiding archived unless filter=all', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'A', { data: { import_key: 'A', legacy_id: 42 } });
    await createConversation(sandbox, 'B', { status: 4 });
    const find = async (query: string) => (await call(sandbox, 'GET', `/conversations?${query}`)).body as Listing;
    expect((await find('data[legacy_id]=42')).conversations.map((c) => c.data.import_key)).toEqual(['A']);
    expect((await find('data%5Bimport_key%5D=A&data[legacy_id]=42')).total_count).toBe(1);
    expect((await find('data[legacy_id]=43')).total_count).toBe(0);
    expect((await find('data[import_key]=B')).total_count).toBe(0);
    expect((await find('data[import_key]=B&filter=all')).total_count).toBe(1);
    expect((await find('filter=archived')).conversations.map((c) => c.data.import_key)).toEqual(['B']);
    expect((await find('filter=open')).conversations.map((c) => c.data.import_key)).toEqual(['A']);
    expect((await find('filter=unassigned')).total_count).toBe(1);
    expect((await find('data[toString]=x&filter=all')).total_count).toBe(0);
  });

  it('filters by category and tag', async () => {
    const sandbox = await sandboxFor({ channels: ['support', 'billing'] });
    await createConversation(sandbox, 'A', { tag_list: 'legacy, vip' });
    await createConversation(sandbox, 'B', { category: 'billing', tag_list: ['legacy'] });
    const keys = async (query: string) =>
      ((await call(sandbox, 'GET', `/conversations?${query}`)).body as Listing).conversations.map((c) => c.data.import_key);
    expect(await keys('category=billing')).toEqual(['B']);
    expect(await keys('tag=vip')).toEqual(['A']);
    expect(await keys('tag=legacy')).toEqual(['B', 'A']);
  });

  it('pages by 30, newest first, pages counted from 1', async () => {
    const sandbox = await sandboxFor();
    for (let i = 1; i <= 65; i += 1) await createConversation(sandbox, `k${i}`);
    const page = async (query: string) => (await call(sandbox, 'GET', `/conversations${query}`)).body as Listing;
    const first = await page('');
    expect(first).toMatchObject({ page_size: 30, page_count: 3, total_count: 65 });
    expect(first.conversations).toHaveLength(30);
    expect(first.conversations[0]?.data.import_key).toBe('k65');
    expect((await page('?page=2')).conversations[0]?.data.import_key).toBe('k35');
    const third = await page('?page=3');
    expect(third.conversations.map((c) => c.data.import_key)).toEqual(['k5', 'k4', 'k3', 'k2', 'k1']);
    expect((await page('?page=4')).conversations).toEqual([]);
    expect((await page('?page=0')).conversations[0]?.data.import_key).toBe('k65');
  });

  it('answers an empty listing with page_count 0', async () => {
    const sandbox = await sandboxFor();
    expect((await call(sandbox, 'GET', '/conversations')).body).toEqual({
      page_size: 30,
      page_count: 0,
      total_count: 0,
      conversations: [],
    });
  });
});

describe('sandbox: one conversation', () => {
  it('GET answers the conversation or 404', async () => {
    const sandbox = await sandboxFor();
    const created = (await createConversation(sandbox, 'A')).body as { slug: string };
    expect(await call(sandbox, 'GET', `/conversations/${created.slug}`)).toMatchObject({ status: 200, body: created });
    expect(await call(sandbox, 'GET', '/conversations/nope')).toMatchObject({ status: 404, body: { error: 'Not Found' } });
  });

  it('PUT sets status and tags and merges data', async () => {
    const sandbox = await sandboxFor();
    const { slug } = (await createConversation(sandbox, 'A', { tag_list: ['old'] })).body as { slug: string };
    const reply = await call(sandbox, 'PUT', `/conversations/${slug}`, {
      conversation: { status: 2, tag_list: ['new'], data: { legacy_status: 'closed' } },
    });
    expect(reply).toMatchObject({
      status: 200,
      body: { slug, status: 2, tag_list: ['new'], data: { import_key: 'A', legacy_status: 'closed' } },
    });
    expect(sandbox.conversations()[0]).toMatchObject({ status: 2, data: { import_key: 'A', legacy_status: 'closed' } });
  });

  it('PUT answers 404 for an unknown slug, 422 for a bad status, 400 without the wrapper', async () => {
    const sandbox = await sandboxFor();
    const { slug } = (await createConversation(sandbox, 'A')).body as { slug: string };
    expect((await call(sandbox, 'PUT', '/conversations/nope', { conversation: { status: 2 } })).status).toBe(404);
    expect(await call(sandbox, 'PUT', `/conversations/${slug}`, { conversation: { status: -1 } })).toMatchObject({
      status: 422,
      body: { errors: { status: ['must be an integer from 0 to 9'] } },
    });
    expect((await call(sandbox, 'PUT', `/conversations/${slug}`, { status: 2 })).status).toBe(400);
    expect(sandbox.conversations()[0]?.status).toBe(0);
  });
});
