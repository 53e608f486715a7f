import { describe, expect, it } from 'vitest';
import { compileMapping, parseMapping } from '../../../src/mapping/compile.js';
import { formatProblem, ImportError } from '../../../src/errors.js';
import { mappingWith } from './helpers.js';

const MESSAGES = {
  from: 'comments',
  body: '{{body}}',
  origin_id: '{{id}}',
  visibility: { from: 'public', map: { true: 0, false: 1 } },
  user: { name: '{{author.name}}', email: { from: 'author.email', required: true } },
};

const HISTORY = { suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true, suppress_surveys: true };

describe('messages', () => {
  const mapping = mappingWith({}, { messages: MESSAGES });

  it('maps each element of the from list, with paths relative to it and history-safe defaults', () => {
    const record = {
      comments: [
        { id: 'c1', body: 'Hello', public: true, author: { name: 'Ann', email: 'ann@example.com' } },
        { id: 'c2', body: 'Note', public: false, author: { email: 'agent@example.com' } },
      ],
    };
    const { messages, problems } = mapping.mapRow(record, 'k');
    expect(problems).toEqual([]);
    expect(messages).toEqual([
      {
        originId: 'c1', index: 0,
        body: { message: { body: 'Hello', visibility: 0, user: { name: 'Ann', email: 'ann@example.com' }, origin_id: 'c1', ...HISTORY } },
        author: { role: undefined, email: 'ann@example.com', name: 'Ann', id: undefined },
        losses: [],
      },
      {
        originId: 'c2', index: 1,
        body: { message: { body: 'Note', visibility: 1, user: { email: 'agent@example.com' }, origin_id: 'c2', ...HISTORY } },
        author: { role: undefined, email: 'agent@example.com', name: undefined, id: undefined },
        losses: [],
      },
    ]);
  });

  it('names the element in errors; an empty value is not looked up in the map', () => {
    const record = { comments: [{ body: 'a', public: true, author: { email: 'x@y.io' } }, { body: 'b' }, { body: 'c', public: 'maybe', author: {} }] };
    expect(mapping.mapRow(record, 'k').problems.map(formatProblem)).toMatchInlineSnapshot(`
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
    expect(mapping.mapRow({ comments: cell }, 'k').messages).toMatchObject([{ body: { message: { body: 'from CSV', visibility: 0 } } }]);
    expect(mapping.mapRow({ comments: 'just text' }, 'k').problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "messages.from: expected a list of messages, got "just text"",
      ]
    `);
  });

  it('leaves out elements with neither body nor attachment, and their errors with them', () => {
    const record = { comments: [{ id: 1, body: 'kept', author: { email: 'a@b.io' } }, { id: 2, body: null }, { id: 3, type: 'lineitem' }] };
    const row = mapping.mapRow(record, 'k');
    expect(row.problems).toEqual([]);
    expect(row.messages.map((m) => m.originId)).toEqual(['1']);
  });

  it('leaves out a sender without an e-mail: the token\'s staff member sends it', () => {
    const loose = mappingWith({}, { messages: { from: 'c', body: '{{text}}', user: { name: '{{who}}', email: '{{mail}}' } } });
    const thread = loose.mapRow({ c: [{ text: 'a', who: 'Team' }, { text: 'b', who: 'Ann', mail: 'ann@example.com' }] }, 'k').messages;
    expect(thread.map((m) => (m.body.message as { user?: unknown }).user)).toEqual([undefined, { name: 'Ann', email: 'ann@example.com' }]);
  });

  it('gives every message an origin_id: the mapped one, else "<key>#<position>"', () => {
    const bare = mappingWith({}, { messages: { from: 'comments', body: '{{body}}' } });
    expect(bare.mapRow({ comments: [{ body: 'a' }, { body: 'b' }] }, 'T-7').messages.map((m) => m.body)).toEqual([
      { message: { body: 'a', origin_id: 'T-7#1', ...HISTORY } },
      { message: { body: 'b', origin_id: 'T-7#2', ...HISTORY } },
    ]);
  });

  it('refuses a thread where two messages share an origin_id, naming both', () => {
    const record = { comments: [{ id: 5, body: 'a', author: { email: 'a@b.io' } }, { id: 5, body: 'b', author: { email: 'a@b.io' } }] };
    expect(mapping.mapRow(record, 'k').problems).toEqual([
      { code: 'ROW_INVALID', path: 'messages[1].origin_id', message: '"5" is also the origin_id of messages[0]; every message needs its own' },
    ]);
  });

  it('sorts by order_by (dates, numbers; stable; missing last) and puts the header above each body', () => {
    const sorted = mappingWith({}, {
      messages: { from: 'c', body: '{{text}}', order_by: 'at', header: '{{who}} wrote on {{at}}:' },
    });
    const record = {
      c: [
        { text: 'third', at: '2020-02-11 09:00:00', who: 'C' },
        { text: 'last', who: 'D' },
        { text: 'first', at: '2020-02-11T07:49:14Z', who: 'A' },
        { text: 'second', at: '2020-02-11 08:00:00', who: 'B' },
      ],
    };
    const bodies = sorted.mapRow(record, 'k').messages.map((m) => (m.body.message as { body: string }).body);
    expect(bodies).toEqual([
      'A wrote on 2020-02-11T07:49:14Z:\n\nfirst',
      'B wrote on 2020-02-11 08:00:00:\n\nsecond',
      'C wrote on 2020-02-11 09:00:00:\n\nthird',
      'D wrote on :\n\nlast',
    ]);
    const numbers = mappingWith({}, { messages: { from: 'c', body: '{{text}}', order_by: 'n' } });
    const thread = numbers.mapRow({ c: [{ text: 'b', n: '10' }, { text: 'a', n: 9 }] }, 'k').messages;
    // Positions (and the origin_ids made of them) are those of the sorted thread.
    expect(thread.map((m) => [(m.body.message as { body: string }).body, m.originId])).toEqual([['a', 'k#1'], ['b', 'k#2']]);
  });

  it('sorts by the instant of each date, offsets and source.timezone included, and keeps a thread in order as it is', () => {
    const zoned = mappingWith({}, { source: { timezone: 'Europe/Paris' }, messages: { from: 'c', body: '{{text}}', order_by: 'at' } });
    const texts = (c: Record<string, unknown>[]) => zoned.mapRow({ c }, 'k').messages.map((m) => (m.body.message as { body: string }).body);
    // 10:00 in Paris is 09:00 UTC, before 09:30Z; 08:00 -02:00 is 10:00 UTC; a placeholder sorts as its text, nothing last.
    expect(texts([
      { text: 'd', at: '2024-03-01 08:00:00 -02:00' }, { text: 'f', at: 'soon' }, { text: 'c', at: '2024-03-01T09:30:00Z' },
      { text: 'g' }, { text: 'b', at: '2024-03-01 10:00:00' }, { text: 'a', at: ' 2024-03-01T08:00:00.000Z ' }, { text: 'e', at: '1900-01-01' },
    ])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(texts([{ text: 'x', at: '2024-03-01T09:30:00Z' }, { text: 'y', at: '2024-03-01T09:30:00Z' }, { text: 'z' }])).toEqual(['x', 'y', 'z']);
  });

  it('opens the conversation with the first message when the conversation has no body of its own', () => {
    const opened = compileMapping(parseMapping({
      conversation: { category: 'support', message: { header: 'not used: the first message has its own' }, user: { email: 'a@example.com' } },
      messages: { from: 'c', body: '{{text}}', attachment: '{{file}}', origin_id: '{{id}}', header: 'From {{who}}' },
    }, 'm.json'));
    const row = opened.mapRow({ c: [{ id: 1, who: 'Ann', text: 'first', file: 'https://x.io/a.png' }, { id: 2, text: 'second' }] }, 'k');
    expect(row.problems).toEqual([]);
    expect((row.body.conversation as { message: unknown }).message).toEqual({
      body: 'From Ann\n\nfirst', attachment: 'https://x.io/a.png', suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true,
    });
    expect(row.messages.map((m) => m.originId)).toEqual(['2']);
  });

  it('with opens_conversation, opens with the first message and falls back to the body for an empty thread', () => {
    const opened = compileMapping(parseMapping({
      conversation: { category: 'support', message: { body: '{{description}}' }, user: { email: 'a@example.com' } },
      messages: { from: 'c', body: '{{text}}', opens_conversation: true },
    }, 'm.json'));
    const withThread = opened.mapRow({ description: 'the description', c: [{ text: 'first' }, { text: 'second' }] }, 'k');
    expect((withThread.body.conversation as { message: { body: string } }).message.body).toBe('first');
    expect(withThread.messages.map((m) => m.originId)).toEqual(['k#2']);
    const empty = opened.mapRow({ description: 'the description', c: [] }, 'k');
    expect((empty.body.conversation as { message: { body: string } }).message.body).toBe('the description');
    expect(() => parseMapping({
      conversation: { category: 'support', message: {}, user: { email: 'a@example.com' } },
      messages: { from: 'c', body: '{{text}}', opens_conversation: false },
    }, 'm.json')).toThrow('conversation.message.body: required when messages.opens_conversation is false');
  });

  it('refuses a conversation without a body and without messages, and messages with both from and join', () => {
    const problems = (json: unknown) => {
      try {
        parseMapping(json, 'm.json');
        return '';
      } catch (error) {
        return (error as ImportError).message;
      }
    };
    expect(problems({ conversation: { category: 's', message: {}, user: { email: 'e' } } })).toContain(
      'conversation.message.body: required (or map "messages"',
    );
    expect(problems({
      conversation: { category: 's', message: { body: 'b' }, user: { email: 'e' } },
      messages: { from: 'c', join: { on: 'ticket_id' }, body: 'b' },
    })).toContain('messages: "from" and "join" exclude each other');
    expect(problems({
      conversation: { category: 's', message: { body: 'b' }, user: { email: 'e' } },
      messages: { body: 'b' },
    })).toContain('messages: say where the messages are');
    expect(problems({
      conversation: { category: 's', message: { body: 'b' }, user: { email: 'e' } },
      messages: { join: { on: 'ticket_id' }, body: 'b' },
    })).toContain('messages.origin_id: required with "join"');
  });

  it('takes a joined thread beside the record (messages.join), never from its fields, and leaves the record as it is', () => {
    const joined = mappingWith({}, { messages: { join: { on: 'ticket_id' }, order_by: 'id', origin_id: '{{id}}', body: '{{body}}' } });
    const fields = { ticket: 'T1', '@messages': [{ id: 'x', body: 'a field, not a message' }] };
    const before = structuredClone(fields);
    const row = joined.mapRow(fields, 'T1', [{ id: 'm2', body: 'second' }, { id: 'm1', body: 'first' }]);
    expect(row.problems).toEqual([]);
    expect(row.messages.map((m) => [m.originId, (m.body.message as { body: string }).body])).toEqual([['m1', 'first'], ['m2', 'second']]);
    expect(fields).toEqual(before);
    expect(joined.mapRow(fields, 'T1').messages).toEqual([]);
    expect(joined.mapThread({}, 'T1', [{ id: 'm3', body: '' }, { id: 'm4', body: 'later' }]).messages.map((m) => m.originId)).toEqual(['m4']);
  });

  it('looks a value up in a declared lookup; an undeclared one is a mapping error naming the declared ones', () => {
    const spec = {
      lookups: { users: { key: 'id' } },
      conversation: { category: 'support', message: { body: 'b' }, user: { email: 'a@example.com' } },
      messages: {
        from: 'c', body: '{{text}}', origin_id: '{{id}}',
        user: { email: { from: 'author', transform: [{ lookup: 'users.contact.email' }] } },
      },
    };
    const mapping = compileMapping(parseMapping(spec, 'm.json'));
    const users: Record<string, Record<string, unknown>> = { '7': { id: 7, contact: { email: 'ann@example.com' } } };
    mapping.lookups.attach('users', { recordOf: (key) => users[key] });
    const thread = mapping.mapRow({ c: [{ id: 1, text: 'a', author: 7 }, { id: 2, text: 'b', author: 8 }] }, 'k').messages;
    expect(thread.map((m) => (m.body.message as { user?: unknown }).user)).toEqual([{ email: 'ann@example.com' }, undefined]);
    const required = compileMapping(parseMapping({
      ...spec,
      conversation: { ...spec.conversation, user: { email: { from: 'requester', transform: [{ lookup: 'users.contact.email' }], required: true } } },
    }, 'm.json'));
    required.lookups.attach('users', { recordOf: (key) => users[key] });
    expect(required.mapRow({ requester: 999, c: [] }, 'k').problems.map(formatProblem)).toEqual([
      'conversation.user.email: required, but 999 ("requester") is not found through lookup "users.contact.email"',
    ]);
    const wrong = { ...spec, messages: { ...spec.messages, user: { email: { from: 'author', transform: [{ lookup: 'people.email' }] } } } };
    expect(() => parseMapping(wrong, 'm.json')).toThrow('messages.user.email.transform[0]: lookup "people" is not declared in "lookups" (declared: "users")');
    expect(() => parseMapping({ ...spec, lookups: { 'us.ers': { key: 'id' } } }, 'm.json')).toThrow('lookups["us.ers"]: must be letters, digits, "_" or "-"');
  });
});

