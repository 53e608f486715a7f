import { describe, expect, it } from 'vitest';
import { mappingWith } from './helpers.js';

const MESSAGES = {
  from: 'comments',
  body: '{{body}}',
  origin_id: '{{id}}',
  visibility: { from: 'public', map: { true: 0, false: 1 } },
  user: { name: '{{author.name}}', email: { from: 'author.email', required: true } },
};

describe('messages', () => {
  const mapping = mappingWith({}, { messages: MESSAGES });

  it('maps each element of the from list, with paths relative to it and history-safe defaults', () => {
    const record = {
      comments: [
        { id: 'c1', body: 'Hello', public: true, author: { name: 'Ann', email: 'ann@example.com' } },
        { id: 'c2', body: 'Note', public: false, author: { email: 'agent@example.com' } },
      ],
    };
    const { messages, errors } = mapping.mapRow(record, 'k');
    expect(errors).toEqual([]);
    expect(messages).toEqual([
      {
        message: {
          body: 'Hello', origin_id: 'c1', visibility: 0,
          suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true, suppress_surveys: true,
          user: { name: 'Ann', email: 'ann@example.com' },
        },
      },
      {
        message: {
          body: 'Note', origin_id: 'c2', visibility: 1,
          suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true, suppress_surveys: true,
          user: { email: 'agent@example.com' },
        },
      },
    ]);
  });

  it('names the element in errors; an empty value is not looked up in the map', () => {
    const record = { comments: [{ body: 'a', public: true, author: { email: 'x@y.io' } }, {}, { body: 'c', public: 'maybe', author: {} }] };
    expect(mapping.mapRow(record, 'k').errors).toMatchInlineSnapshot(`
      [
        "messages[1].user.email: required, but "author.email" is empty",
        "messages[2].visibility: "maybe" is not in the map (known: "true", "false")",
        "messages[2].user.email: required, but "author.email" is empty",
      ]
    `);
  });

  it('reads no list as no messages, a JSON list in a CSV cell, and reports anything else', () => {
    expect(mapping.mapRow({}, 'k').messages).toEqual([]);
    const cell = JSON.stringify([{ body: 'from CSV', public: 'true', author: { email: 'a@b.io' } }]);
    expect(mapping.mapRow({ comments: cell }, 'k').messages).toMatchObject([{ message: { body: 'from CSV', visibility: 0 } }]);
    expect(mapping.mapRow({ comments: 'just text' }, 'k').errors).toMatchInlineSnapshot(`
      [
        "messages.from: expected a list of messages, got "just text"",
      ]
    `);
  });
});
