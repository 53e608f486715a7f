import { describe, expect, it } from 'vitest';
import { leaf } from './helpers.js';

describe('literals', () => {
  it('keeps strings, numbers and booleans as written', () => {
    expect(leaf('support', {}).value).toBe('support');
    expect(leaf(3, {}).value).toBe(3);
    expect(leaf(false, {}).value).toBe(false);
  });

  it('omits an empty literal', () => {
    expect(leaf('', {}).value).toBeUndefined();
  });
});

describe('templates', () => {
  it('yields the raw value of a single {{field}}', () => {
    expect(leaf('{{tags}}', { tags: ['a', 'b'] }).value).toEqual(['a', 'b']);
    expect(leaf('{{n}}', { n: 42 }).value).toBe(42);
    expect(leaf('{{ Subject }}', { Subject: 'Hi' }).value).toBe('Hi');
  });

  it('yields a string when mixed with text; missing fields are empty', () => {
    expect(leaf('{{First}} {{Last}}', { First: 'Ada', Last: 'Lovelace' }).value).toBe('Ada Lovelace');
    expect(leaf('#{{id}}: {{missing}}', { id: 7 }).value).toBe('#7: ');
    expect(leaf('tags: {{tags}}', { tags: ['a', 'b'] }).value).toBe('tags: a, b');
    expect(leaf('{{o}}!', { o: { a: 1 } }).value).toBe('{"a":1}!');
  });

  it('omits a single missing field', () => {
    expect(leaf('{{missing}}', {}).value).toBeUndefined();
  });
});

describe('field lookup', () => {
  it('prefers the exact key, even with dots (CSV headers)', () => {
    expect(leaf('{{via.channel}}', { 'via.channel': 'email', via: { channel: 'web' } }).value).toBe('email');
  });

  it('follows dotted paths through objects and array indexes', () => {
    const record = { requester: { email: 'bob@example.com' }, comments: [{ body: 'first' }, { body: 'second' }] };
    expect(leaf('{{requester.email}}', record).value).toBe('bob@example.com');
    expect(leaf('{{comments.1.body}}', record).value).toBe('second');
    expect(leaf('{{comments.5.body}}', record).value).toBeUndefined();
    expect(leaf('{{requester.email.length}}', record).value).toBeUndefined();
  });

  it('never reads inherited properties', () => {
    expect(leaf('{{constructor}}', {}).value).toBeUndefined();
    expect(leaf('{{a.toString}}', { a: {} }).value).toBeUndefined();
  });
});

describe('rules', () => {
  it('reads a column or a template in from', () => {
    expect(leaf({ from: 'Subject' }, { Subject: 'Hi' }).value).toBe('Hi');
    expect(leaf({ from: '{{A}}-{{B}}' }, { A: '1', B: '2' }).value).toBe('1-2');
  });

  it('splits text into a trimmed list without empty items; lists pass through', () => {
    expect(leaf({ from: 'Tags', split: ',' }, { Tags: ' a, b ,, c ' }).value).toEqual(['a', 'b', 'c']);
    expect(leaf({ from: 'Tags', split: ',' }, { Tags: ['x', 'y'] }).value).toEqual(['x', 'y']);
    expect(leaf({ from: 'Tags', split: ',' }, { Tags: ' , ' }).value).toBeUndefined();
  });

  it('maps values by their text, exactly first, then case-insensitively', () => {
    const status = { from: 'Status', map: { Open: 0, Closed: 2, true: 'yes' } };
    expect(leaf(status, { Status: 'Closed' }).value).toBe(2);
    expect(leaf(status, { Status: ' open ' }).value).toBe(0);
    expect(leaf(status, { Status: true }).value).toBe('yes');
  });

  it('maps each item of a list', () => {
    const rule = { from: 'Tags', split: ';', map: { a: 'alpha', b: 'beta' } };
    expect(leaf(rule, { Tags: 'a;b' }).value).toEqual(['alpha', 'beta']);
  });

  it('reports an unmapped value with the known keys, unless there is a default', () => {
    const rule = { from: 'Status', map: { Open: 0, Pending: 1 } };
    expect(leaf(rule, { Status: 'Weird' }).errors).toMatchInlineSnapshot(`
      [
        "conversation.subject: "Weird" is not in the map (known: "Open", "Pending")",
      ]
    `);
    expect(leaf({ ...rule, default: 0 }, { Status: 'Weird' })).toEqual({ value: 0, errors: [] });
  });

  it('uses the default for an empty value', () => {
    expect(leaf({ from: 'Status', default: 'none' }, { Status: '' }).value).toBe('none');
    expect(leaf({ from: 'Status', map: { Open: 0 }, default: 0 }, {}).value).toBe(0);
  });

  it('reports a required value that stays empty', () => {
    expect(leaf({ from: 'Subject', required: true }, { Subject: '' }).errors).toMatchInlineSnapshot(`
      [
        "conversation.subject: required, but "Subject" is empty",
      ]
    `);
    expect(leaf({ from: 'Subject', required: true, default: 'x' }, {}).errors).toEqual([]);
  });

  it('names both parts when a required rule and its "or" come out empty', () => {
    expect(leaf({ from: 'sender', or: { from: 'requester', transform: ['trim'] }, required: true }, { sender: '', requester: '  ' }).errors).toEqual([
      'conversation.subject: required, but "sender" is empty, and "  " ("requester") is empty after its transforms',
    ]);
  });

  it('reports an unmapped required value once', () => {
    expect(leaf({ from: 'S', map: { a: 1 }, required: true }, { S: 'b' }).errors).toHaveLength(1);
  });

  it('applies transforms before split and map', () => {
    const rule = { from: 'Tags', transform: ['lowercase'], split: ',', map: { vip: 'VIP' } };
    expect(leaf(rule, { Tags: 'VIP' }).value).toEqual(['VIP']);
  });
});
