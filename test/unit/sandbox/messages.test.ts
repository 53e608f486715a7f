import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { call, closeSandboxesAfterEach, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

const SUPPRESS = { suppress_notification: true, suppress_notifications: true };

async function newConversation(sandbox: Sandbox, key = 'A'): Promise<string> {
  return ((await createConversation(sandbox, key)).body as { slug: string }).slug;
}

function postMessage(sandbox: Sandbox, slug: string, message: Record<string, unknown>) {
  return call(sandbox, 'POST', `/conversations/${slug}/messages`, { message });
}

describe('sandbox: POST /conversations/{slug}/messages', () => {
  it('appends a message and answers 201 with it', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    const reply = await postMessage(sandbox, slug, {
      body: 'Staff answer',
      visibility: 1,
      user: { name: 'Ann', email: 'ann@acme.test' },
      origin_id: 'legacy-msg-1',
      attachment: 'https://files.example.com/a.pdf',
      ...SUPPRESS,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      body: 'Staff answer',
      visibility: 1,
      user: { name: 'Ann', email: 'ann@acme.test' },
      origin_id: 'legacy-msg-1',
      attachment: 'https://files.example.com/a.pdf',
      created_at: expect.any(String),
    });
    expect(sandbox.conversations()[0]?.messages.map((m) => m.body)).toEqual(['Body of A', 'Staff answer']);
  });

  it("defaults to a public reply from the token's staff user", async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    const reply = await postMessage(sandbox, slug, { body: 'hi', ...SUPPRESS, suppress_autoresolve: true });
    expect(reply.body).toMatchObject({ visibility: 0, user: { email: 'importer@example.com' }, origin_id: null });
  });

  it('answers 404 for an unknown slug, 422 for an empty body or a bad visibility', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    expect((await postMessage(sandbox, 'nope', { body: 'x' })).status).toBe(404);
    expect(await postMessage(sandbox, slug, { body: '' })).toMatchObject({
      status: 422,
      body: { errors: { body: ["can't be blank"] } },
    });
    expect(await postMessage(sandbox, slug, { body: 'x', visibility: 2 })).toMatchObject({
      status: 422,
      body: { errors: { visibility: ['is not included in the list'] } },
    });
    expect((await call(sandbox, 'POST', `/conversations/${slug}/messages`, { body: 'x' })).status).toBe(400);
    expect(sandbox.conversations()[0]?.messages).toHaveLength(1);
  });

  it('moves the status on public replies unless suppress_autoresolve is true', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    const status = () => sandbox.conversations()[0]?.status;
    await postMessage(sandbox, slug, { body: 'staff', ...SUPPRESS });
    expect(status()).toBe(2);
    await postMessage(sandbox, slug, { body: 'customer', user: { email: 'bob@example.com' }, ...SUPPRESS });
    expect(status()).toBe(0);
    await call(sandbox, 'PUT', `/conversations/${slug}`, { conversation: { status: 5 } });
    await postMessage(sandbox, slug, { body: 'staff', suppress_autoresolve: true, ...SUPPRESS });
    await postMessage(sandbox, slug, { body: 'customer', user: { email: 'bob@example.com' }, suppress_autoresolve: true, ...SUPPRESS });
    await postMessage(sandbox, slug, { body: 'note', visibility: 1, ...SUPPRESS });
    expect(status()).toBe(5);
  });

  it('keeps a repeated origin_id and counts it as a duplicate', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    await postMessage(sandbox, slug, { body: 'x', origin_id: 'm1', ...SUPPRESS });
    await postMessage(sandbox, slug, { body: 'x', origin_id: 'm1', ...SUPPRESS });
    expect(sandbox.conversations()[0]?.messages).toHaveLength(3);
    expect(sandbox.stats().duplicateOriginIds).toBe(1);
  });
});

describe('sandbox: GET /conversations/{slug}/messages', () => {
  it('lists messages in creation order, 30 a page', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    for (let i = 1; i <= 31; i += 1) await postMessage(sandbox, slug, { body: `m${i}`, ...SUPPRESS });
    const page = async (n: number) =>
      (await call(sandbox, 'GET', `/conversations/${slug}/messages?page=${n}`)).body as {
        messages: { body: string }[];
      };
    const first = await page(1);
    expect(first).toMatchObject({ page_size: 30, page_count: 2, total_count: 32 });
    expect(first.messages.slice(0, 2).map((m) => m.body)).toEqual(['Body of A', 'm1']);
    expect((await page(2)).messages.map((m) => m.body)).toEqual(['m30', 'm31']);
    expect((await call(sandbox, 'GET', '/conversations/nope/messages')).status).toBe(404);
  });
});

describe('sandbox: notifications that would have been sent', () => {
  it('counts none when either suppress flag is true, on conversations and messages', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'A', { message: { body: 'b', suppress_notification: true } });
    const slug = await newConversation(sandbox, 'B');
    await postMessage(sandbox, slug, { body: 'x', suppress_notifications: true });
    await postMessage(sandbox, slug, { body: 'x', suppress_notification: true, visibility: 1 });
    expect(sandbox.stats().notifications).toBe(0);
  });

  it('counts a first message, a reply and a note sent without suppression', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'A', { message: { body: 'b' } });
    await createConversation(sandbox, 'B', { message: { body: 'b', suppress_notifications: false } });
    const slug = await newConversation(sandbox, 'C');
    await postMessage(sandbox, slug, { body: 'reply' });
    await postMessage(sandbox, slug, { body: 'note', visibility: 1 });
    expect(sandbox.stats().notifications).toBe(4);
    expect(sandbox.conversations().flatMap((c) => c.messages.map((m) => m.notified))).toEqual([
      true,
      true,
      false,
      true,
      true,
    ]);
  });
});
