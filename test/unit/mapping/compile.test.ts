import { describe, expect, it } from 'vitest';
import { compileMapping, parseMapping } from '../../../src/mapping/compile.js';
import { conversationOf, mappingWith } from './helpers.js';

const EXAMPLE = {
  source: { format: 'csv', key: 'Ticket ID', delimiter: ';', encoding: 'windows-1252' },
  conversation: {
    subject: '{{Subject}}',
    category: 'support',
    tag_list: { from: 'Tags', split: ',' },
    status: { from: 'Status', map: { Open: 0, Pending: 1, Resolved: 2, Closed: 2 }, default: 0 },
    data: { legacy_id: '{{Ticket ID}}', legacy_created_at: { from: 'Created time', transform: [{ date: 'YYYY-MM-DD HH:mm:ss' }] } },
    message: { body: { from: 'Description', transform: ['html-to-markdown'] } },
    user: { name: '{{Full name}}', email: { from: 'Email', transform: ['trim', 'lowercase'], required: true } },
  },
};

describe('compileMapping', () => {
  const mapping = compileMapping(parseMapping(EXAMPLE, 'example.json'));
  const record = {
    'Ticket ID': '1001', Subject: 'Printer on fire', Tags: 'hardware, urgent', Status: 'Resolved',
    'Created time': '2024-02-03 04:05:06', Description: '<p>It <em>burns</em></p>', 'Full name': 'Bob', Email: ' Bob@Example.COM ',
  };

  it('maps a record to the body that would be sent, with the key in data and notifications suppressed', () => {
    expect(mapping.mapRow(record, mapping.keyOf(record))).toEqual({
      body: {
        conversation: {
          subject: 'Printer on fire',
          category: 'support',
          tag_list: ['hardware', 'urgent'],
          status: 2,
          data: { legacy_id: '1001', legacy_created_at: '2024-02-03T04:05:06.000Z', import_key: '1001' },
          message: {
            body: 'It _burns_',
            suppress_notification: true,
            suppress_notifications: true,
            suppress_autoresolve: true,
          },
          user: { name: 'Bob', email: 'bob@example.com' },
        },
      },
      messages: [],
      problems: [],
      losses: [],
    });
  });

  it('exposes the source options without key and key_field', () => {
    expect(mapping.source).toEqual({ format: 'csv', delimiter: ';', encoding: 'windows-1252' });
    expect(mapping.keyField).toBe('import_key');
  });

  it('lists every field it reads, with where and whether it is required', () => {
    expect(mapping.references).toMatchInlineSnapshot(`
      [
        {
          "at": "source.key",
          "field": "Ticket ID",
          "required": true,
        },
        {
          "at": "conversation.subject",
          "field": "Subject",
          "required": false,
        },
        {
          "at": "conversation.tag_list.from",
          "field": "Tags",
          "required": false,
        },
        {
          "at": "conversation.status.from",
          "field": "Status",
          "required": false,
        },
        {
          "at": "conversation.data.legacy_id",
          "field": "Ticket ID",
          "required": false,
        },
        {
          "at": "conversation.data.legacy_created_at.from",
          "field": "Created time",
          "required": false,
        },
        {
          "at": "conversation.message.body.from",
          "field": "Description",
          "required": true,
        },
        {
          "at": "conversation.user.name",
          "field": "Full name",
          "required": false,
        },
        {
          "at": "conversation.user.email.from",
          "field": "Email",
          "required": true,
        },
      ]
    `);
  });

  it('hashes the meaning of the mapping, not its spelling', () => {
    const same = compileMapping(parseMapping({ $schema: './x.json', ...JSON.parse(JSON.stringify(EXAMPLE)) }, 'b.json'));
    const withDefault = compileMapping(parseMapping({ ...EXAMPLE, source: { ...EXAMPLE.source, key_field: 'import_key' } }, 'c.json'));
    const other = compileMapping(parseMapping({ ...EXAMPLE, source: { key: 'Subject' } }, 'd.json'));
    expect(mapping.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(same.hash).toBe(mapping.hash);
    expect(withDefault.hash).toBe(mapping.hash);
    expect(other.hash).not.toBe(mapping.hash);
  });
});

describe('safe defaults', () => {
  it('keeps suppress flags the mapping sets, both spellings independently', () => {
    const message = { body: 'x', suppress_notification: false, suppress_autoresolve: { from: 'auto', transform: ['boolean'] } };
    expect(conversationOf(mappingWith({ message }), { auto: 'no' }).message).toEqual({
      body: 'x', suppress_notification: false, suppress_autoresolve: false, suppress_notifications: true,
    });
  });

  it('falls back to true when a mapped suppress flag comes out empty', () => {
    const message = { body: 'x', suppress_notifications: '{{flag}}' };
    expect(conversationOf(mappingWith({ message }), {}).message).toMatchObject({ suppress_notifications: true });
  });

  it('writes the row key into the configured data field', () => {
    const mapping = mappingWith({}, { source: { key: 'id', key_field: 'legacy_key' } });
    expect(mapping.mapRow({ id: 'T-1' }, 'T-1').body).toMatchObject({ conversation: { data: { legacy_key: 'T-1' } } });
    expect(mapping.mapRow({}, undefined).body).not.toHaveProperty('conversation.data');
  });
});

describe('keyOf', () => {
  it('evaluates source.key, trimmed; empty is undefined', () => {
    const mapping = mappingWith({}, { source: { key: 'Ticket ID' } });
    expect(mapping.keyOf({ 'Ticket ID': ' 42 ' })).toBe('42');
    expect(mapping.keyOf({ 'Ticket ID': '  ' })).toBeUndefined();
    expect(mappingWith({}, { source: { key: 'ticket.id' } }).keyOf({ ticket: { id: 7 } })).toBe('7');
    expect(mappingWith({}, { source: { key: '{{brand}}-{{id}}' } }).keyOf({ brand: 'acme', id: 9 })).toBe('acme-9');
  });

  it('hashes the record without source.key, whatever the order of its fields', () => {
    const mapping = mappingWith({});
    const key = mapping.keyOf({ a: '1', b: { c: 2 } });
    expect(key).toMatch(/^h:[0-9a-f]{20}$/);
    expect(mapping.keyOf({ b: { c: 2 }, a: '1' })).toBe(key);
    expect(mapping.keyOf({ a: '2', b: { c: 2 } })).not.toBe(key);
  });
});

describe('empty results', () => {
  it('omits empty optional values but keeps the user object, so validation names user.email', () => {
    const mapping = mappingWith({ subject: '{{Subject}}', tag_list: { from: 'Tags', split: ',' }, user: { email: '{{Email}}', name: '{{Name}}' } });
    expect(conversationOf(mapping, { Subject: '', Tags: ' , ' })).toEqual({
      category: 'support',
      message: { body: 'text', suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true },
      user: {},
    });
  });
});
