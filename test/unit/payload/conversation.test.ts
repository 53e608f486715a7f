import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/errors.js';
import { validateConversation } from '../../../src/payload/schemas.js';

const VALID = {
  conversation: {
    subject: 'Printer on fire',
    category: 'support',
    tag_list: ['hardware'],
    status: 2,
    data: { legacy_id: '1001', priority: 3, vip: true },
    message: {
      body: 'It burns',
      recipients: ['cc@example.com'],
      attachment: 'https://files.example.com/a.png',
      suppress_notification: true,
      suppress_notifications: true,
      suppress_autoresolve: true,
    },
    user: { name: 'Bob', email: 'bob@example.com', data: { plan: 'pro' } },
  },
};

describe('validateConversation', () => {
  it('accepts a documented body and returns it', () => {
    expect(validateConversation(VALID)).toEqual({ ok: true, value: VALID });
  });

  it('accepts the minimal body', () => {
    const minimal = { conversation: { category: 'support', message: { body: 'x' }, user: { email: 'a@b.io' } } };
    expect(validateConversation(minimal).ok).toBe(true);
  });

  it('names every problem as path: message, with the offending value', () => {
    const body = {
      conversation: {
        subject: 42,
        category: ' ',
        tag_list: ['ok', ''],
        status: 12,
        data: { nested: { too: 'deep' }, list: [1] },
        message: { body: '', recipients: ['bob@'], attachment: 'ftp://files.example.com/a', suppress_notification: 'yes' },
        user: { email: 'bob@', nickname: 'b' },
        extra: true,
      },
    };
    const result = validateConversation(body);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "conversation.subject: must be a string, got 42",
        "conversation.category: must be a non-empty channel slug, got " "",
        "conversation.tag_list[1]: must be a non-empty tag, got """,
        "conversation.status: must be an integer from 0 to 9, got 12",
        "conversation.data.nested: must be a string, number or boolean, got {"too":"deep"}",
        "conversation.data.list: must be a string, number or boolean, got [1]",
        "conversation.message.body: must be a non-empty text, got """,
        "conversation.message.recipients[0]: must be an email address, got "bob@"",
        "conversation.message.attachment: must be an http(s) URL, got "ftp://files.example.com/a"",
        "conversation.message.suppress_notification: must be true or false, got "yes"",
        "conversation.user.email: must be an email address, got "bob@"",
        "conversation.user.nickname: unknown property",
        "conversation.extra: unknown property",
      ]
    `);
  });

  it('reports missing required fields and shortens long values', () => {
    const result = validateConversation({ conversation: { status: 1.5, user: { email: `${'x'.repeat(100)}@` } } });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "conversation.category: required",
        "conversation.status: must be an integer from 0 to 9, got 1.5",
        "conversation.message: required",
        "conversation.user.email: must be an email address, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."",
      ]
    `);
    expect(validateConversation(null)).toEqual({ ok: false, problems: [{ code: 'ROW_INVALID', path: '(body)', message: 'must be an object, got null' }] });
  });
});
