import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { call, closeSandboxesAfterEach, conversationBody, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

const SUPPRESS = { suppress_notification: true, suppress_notifications: true };
const ANN = { name: 'Ann Agent', email: 'ann@acme.test' };

/** A first message with these extra fields (the body and suppress flags kept). */
function opening(extra: Record<string, unknown>) {
  return { message: { body: 'Opening', ...SUPPRESS, ...extra } };
}

async function newConversation(sandbox: Sandbox, extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await createConversation(sandbox, 'A', extra);
  expect(reply.status).toBe(201);
  return (reply.body as { slug: string }).slug;
}

function postMessage(sandbox: Sandbox, slug: string, message: Record<string, unknown>) {
  return call(sandbox, 'POST', `/conversations/${slug}/messages`, { message: { ...SUPPRESS, ...message } });
}

describe('sandbox: who wrote a first message', () => {
  it("is the customer by default, a customer's message", async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    await newConversation(sandbox);
    expect(sandbox.conversations()[0]?.messages[0]).toMatchObject({
      user: { name: 'Bob', email: 'bob@example.com' },
      author: 'customer',
      recipients: [],
      attachment: null,
      attachments: [],
    });
  });

  it('is message.user when given: a staff member opening the ticket, the customer still the conversation user', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    await newConversation(sandbox, opening({ user: { email: 'ANN@acme.test' } }));
    const [held] = sandbox.conversations();
    expect(held?.user).toEqual({ name: 'Bob', email: 'bob@example.com' });
    expect(held?.messages[0]).toMatchObject({ user: { name: 'ANN', email: 'ANN@acme.test' }, author: 'staff' });
    expect(held?.status).toBe(0);
  });

  it('is a customer when message.user is no staff member', async () => {
    const sandbox = await sandboxFor();
    await newConversation(sandbox, opening({ user: { name: 'Carol', email: 'carol@example.com' } }));
    expect(sandbox.conversations()[0]?.messages[0]).toMatchObject({ user: { name: 'Carol', email: 'carol@example.com' }, author: 'customer' });
  });

  const badUsers: [string, unknown, Record<string, string[]>][] = [
    ['without an e-mail', { name: 'Ann' }, { 'message.user.email': ["can't be blank"] }],
    ['with a bad e-mail', { email: 'ann@' }, { 'message.user.email': ['is invalid'] }],
    ['that is not an object', 'ann@acme.test', { 'message.user': ['must be an object'] }],
  ];
  it.each(badUsers)('answers 422 for a message.user %s', async (_name, user, errors) => {
    const sandbox = await sandboxFor();
    const reply = await createConversation(sandbox, 'A', opening({ user }));
    expect(reply).toMatchObject({ status: 422, body: { errors } });
    expect(Object.keys((reply.body as { errors: object }).errors)).toEqual(Object.keys(errors));
    expect(sandbox.conversations()).toEqual([]);
  });
});

describe('sandbox: the author of a reply decides the status', () => {
  it('a staff member of the list resolves, a customer reopens, whatever the case of the e-mail', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    const slug = await newConversation(sandbox);
    const status = () => sandbox.conversations()[0]?.status;
    expect((await postMessage(sandbox, slug, { body: 'staff', user: { email: 'Ann@ACME.test' } })).status).toBe(201);
    expect(status()).toBe(2);
    await postMessage(sandbox, slug, { body: 'customer', user: { email: 'bob@example.com' } });
    expect(status()).toBe(0);
    await postMessage(sandbox, slug, { body: 'token user' });
    expect(status()).toBe(2);
    await postMessage(sandbox, slug, { body: 'stranger', user: { email: 'zed@acme.test' }, suppress_autoresolve: true });
    expect(status()).toBe(2);
    const messages = sandbox.conversations()[0]?.messages ?? [];
    expect(messages.map((m) => [m.body, m.author])).toEqual([
      ['Body of A', 'customer'],
      ['staff', 'staff'],
      ['customer', 'customer'],
      ['token user', 'staff'],
      ['stranger', 'customer'],
    ]);
  });

  it('is fixed when the message arrives: a later staff list does not rewrite it', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    await postMessage(sandbox, slug, { body: 'before', user: ANN });
    sandbox.setOptions({ staff: [ANN] });
    await postMessage(sandbox, slug, { body: 'after', user: ANN });
    expect(sandbox.conversations()[0]?.messages.slice(1).map((m) => m.author)).toEqual(['customer', 'staff']);
  });
});

describe('sandbox: recipients and attachments', () => {
  it('keeps them on a first message: attachment first, then the attachments list', async () => {
    const sandbox = await sandboxFor();
    await newConversation(sandbox, opening({
      recipients: ['carol@example.com', 'dan@example.com'],
      attachment: 'https://files.example.com/1.pdf',
      attachments: ['https://files.example.com/2.png', 'http://files.example.com/3.txt'],
    }));
    expect(sandbox.conversations()[0]?.messages[0]).toMatchObject({
      recipients: ['carol@example.com', 'dan@example.com'],
      attachment: 'https://files.example.com/1.pdf',
      attachments: ['https://files.example.com/1.pdf', 'https://files.example.com/2.png', 'http://files.example.com/3.txt'],
    });
  });

  it('keeps them on a reply, an attachments list alone included, and lists them at /__sandbox/conversations', async () => {
    const sandbox = await sandboxFor();
    const slug = await newConversation(sandbox);
    await postMessage(sandbox, slug, { body: 'r', recipients: ['carol@example.com'], attachments: ['https://f.example.com/a'] });
    expect(sandbox.conversations()[0]?.messages[1]).toMatchObject({
      recipients: ['carol@example.com'],
      attachment: null,
      attachments: ['https://f.example.com/a'],
    });
    const listed = (await (await fetch(`${new URL(sandbox.url).origin}/__sandbox/conversations`)).json()) as {
      conversations: { assignee: unknown; messages: unknown[] }[];
    };
    expect(listed.conversations[0]?.assignee).toBeNull();
    expect(listed.conversations[0]?.messages[1]).toMatchObject({
      author: 'staff',
      recipients: ['carol@example.com'],
      attachments: ['https://f.example.com/a'],
    });
  });

  const bad: [string, Record<string, unknown>, Record<string, string[]>][] = [
    ['recipients that are not e-mails', { recipients: ['carol'] }, { recipients: ['must be a list of email addresses'] }],
    ['recipients as a string', { recipients: 'carol@example.com' }, { recipients: ['must be a list of email addresses'] }],
    ['an attachment that is not http(s)', { attachment: 'file:///etc/passwd' }, { attachment: ['must be an http(s) URL'] }],
    ['an attachment that is not a URL', { attachment: 'report.pdf' }, { attachment: ['must be an http(s) URL'] }],
    ['an attachments list with an ftp URL', { attachments: ['https://a.example/1', 'ftp://a.example/2'] }, { attachments: ['must be a list of http(s) URLs'] }],
    ['attachments as a string', { attachments: 'https://a.example/1' }, { attachments: ['must be a list of http(s) URLs'] }],
  ];
  it.each(bad)('answers 422 for %s, on a first message and on a reply', async (_name, fields, errors) => {
    const sandbox = await sandboxFor();
    const prefixed = Object.fromEntries(Object.entries(errors).map(([field, reasons]) => [`message.${field}`, reasons]));
    expect(await createConversation(sandbox, 'A', opening(fields))).toMatchObject({ status: 422, body: { errors: prefixed } });
    expect(sandbox.conversations()).toEqual([]);
    const slug = await newConversation(sandbox);
    const reply = await postMessage(sandbox, slug, { body: 'r', ...fields });
    expect(reply).toMatchObject({ status: 422, body: { errors } });
    expect(Object.keys((reply.body as { errors: object }).errors)).toEqual(Object.keys(errors));
    expect(sandbox.conversations()[0]?.messages).toHaveLength(1);
  });

  it("keeps the API's answers to the documented fields", async () => {
    const sandbox = await sandboxFor();
    const created = await call(sandbox, 'POST', '/conversations', conversationBody('A', opening({ attachments: ['https://a.example/1'] })));
    expect(Object.keys((created.body as { message: object }).message).sort()).toEqual(
      ['attachment', 'body', 'created_at', 'origin_id', 'user', 'visibility'],
    );
  });
});
