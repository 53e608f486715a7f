import { describe, expect, it } from 'vitest';
import { compileTransforms, mayNote } from '../../../src/mapping/transforms.js';
import { Lookups } from '../../../src/mapping/lookups.js';
import { mappingWith } from './helpers.js';
import type { TransformSpec } from '../../../src/mapping/schema.js';
import { leaf } from './helpers.js';

const apply = (specs: TransformSpec[], value: unknown) => compileTransforms(specs)!(value);

describe('text transforms', () => {
  it('trims, changes case and collapses whitespace', () => {
    expect(apply(['trim'], '  a b  ')).toBe('a b');
    expect(apply(['lowercase'], 'AbC')).toBe('abc');
    expect(apply(['uppercase'], 'AbC')).toBe('ABC');
    expect(apply(['collapse-whitespace'], ' a \n\t b  ')).toBe('a b');
  });

  it('runs in order, on each item of a list, and leaves non-text alone', () => {
    expect(apply(['trim', 'uppercase'], [' a ', 'b '])).toEqual(['A', 'B']);
    expect(apply(['lowercase'], 42)).toBe(42);
  });

  it('unescapes literal \\n sequences', () => {
    expect(apply(['unescape-newlines'], 'line 1\\nline 2\\r\\nline 3')).toBe('line 1\nline 2\nline 3');
  });

  it('truncates without splitting a surrogate pair', () => {
    expect(apply([{ truncate: 3 }], 'abcdef')).toBe('abc');
    expect(apply([{ truncate: 10 }], 'abc')).toBe('abc');
    expect(apply([{ truncate: 2 }], 'a😀b')).toBe('a');
  });

  it('empties null tokens, the default list or a custom one', () => {
    for (const token of ['-', 'N/A', 'n/a', 'NULL', 'null', 'none', '(none)', ' None ']) {
      expect(apply(['null-tokens'], token)).toBeUndefined();
    }
    expect(apply(['null-tokens'], 'nothing')).toBe('nothing');
    expect(apply([{ 'null-tokens': ['?', 'unknown'] }], 'Unknown')).toBeUndefined();
    expect(apply([{ 'null-tokens': ['?'] }], '-')).toBe('-');
  });
});

describe('html', () => {
  it('converts HTML to Markdown', () => {
    expect(apply(['html-to-markdown'], '<p>Hi <b>there</b></p><p><a href="https://x.io">link</a></p>')).toBe(
      'Hi **there**\n\n[link](https://x.io)',
    );
  });

  it('converts HTML to text', () => {
    const html = '<style>p{}</style><p>Hello&nbsp;&amp; welcome</p><ul><li>one</li><li>two</li></ul>a<br>b &#233;&#x27;';
    expect(apply(['html-to-text'], html)).toBe("Hello & welcome\n\n- one\n- two\n\na\nb é'");
  });

  it('leaves a plain-text value as written, a stray tag and the sentence after it included', () => {
    // A Kaggle body: the old conversion lost everything after the <input …>.
    const text = 'Please assist.\n\n<input type="submit" name="name"/> I need help with the sentence after it.\nThanks';
    expect(apply(['html-to-markdown'], text)).toBe(text);
    expect(apply(['html-to-text'], text)).toBe(text);
    expect(apply(['html-to-markdown'], 'Tom & Jerry, 3 < 4, *stars*')).toBe('Tom & Jerry, 3 < 4, *stars*');
  });

  it('decides per value, on each item of a list', () => {
    expect(apply(['html-to-markdown'], ['<p>a</p><p>b</p>', 'a <name> b'])).toEqual(['a\n\nb', 'a <name> b']);
  });
});

describe('number and boolean', () => {
  it('parses numbers; empty stays empty', () => {
    expect(apply(['number'], ' 12.5 ')).toBe(12.5);
    expect(apply(['number'], '')).toBeUndefined();
    expect(leaf({ from: 'n', transform: ['number'] }, { n: 'twelve' }).errors).toMatchInlineSnapshot(`
      [
        "conversation.subject: not a number: "twelve"",
      ]
    `);
  });

  it('parses booleans', () => {
    const values = ['true', 'FALSE', 'yes', 'No', '1', '0', 1, true];
    expect(values.map((v) => apply(['boolean'], v))).toEqual([true, false, true, false, true, false, true, true]);
    expect(leaf({ from: 'b', transform: ['boolean'] }, { b: 'maybe' }).errors).toMatchInlineSnapshot(`
      [
        "conversation.subject: not a boolean: "maybe" (expected true/false/yes/no/1/0)",
      ]
    `);
  });
});

describe('date', () => {
  const date = (value: unknown, spec: TransformSpec = 'date') => apply([spec], value);

  it('reads ISO-8601, with or without an offset, and a space before the offset (Zendesk)', () => {
    expect(date('2016-04-28T11:19:34Z')).toBe('2016-04-28T11:19:34.000Z');
    expect(date('2016-04-28T11:19:34+02:00')).toBe('2016-04-28T09:19:34.000Z');
    expect(date('2016-04-28T11:19:34 -10:00')).toBe('2016-04-28T21:19:34.000Z');
    expect(date('2016-04-28T11:19:34.5-0130')).toBe('2016-04-28T12:49:34.500Z');
    expect(date('2016-04-28')).toBe('2016-04-28T00:00:00.000Z');
  });

  it('reads naive "YYYY-MM-DD HH:MM:SS[.fff]" as UTC unless a timezone is given', () => {
    expect(date('2016-04-28 11:19:34')).toBe('2016-04-28T11:19:34.000Z');
    expect(date('2016-04-28 11:19:34.123456')).toBe('2016-04-28T11:19:34.123Z');
    expect(date('2016-04-28 11:19:34 UTC')).toBe('2016-04-28T11:19:34.000Z');
    expect(date('2016-04-28 11:19:34', { date: { timezone: '+05:30' } })).toBe('2016-04-28T05:49:34.000Z');
  });

  it('reads epoch seconds and milliseconds', () => {
    expect(date(1461842374)).toBe('2016-04-28T11:19:34.000Z');
    expect(date('1461842374000')).toBe('2016-04-28T11:19:34.000Z');
  });

  it('reads a format, day first', () => {
    expect(date('25/01/2025 1:30', { date: 'DD/MM/YYYY H:mm' })).toBe('2025-01-25T01:30:00.000Z');
    expect(date('5.1.2025', { date: 'D.M.YYYY' })).toBe('2025-01-05T00:00:00.000Z');
    expect(date('2025-01-05 14:03:09.250', { date: 'YYYY-MM-DD HH:mm:ss.SSS' })).toBe('2025-01-05T14:03:09.250Z');
    expect(date('01/05/2025 02:03 PM', { date: 'MM/DD/YYYY hh:mm A' })).toBe('2025-01-05T14:03:00.000Z');
    expect(date('20250105 at 12:00 +0100', { date: 'YYYYMMDD [at] HH:mm Z' })).toBe('2025-01-05T11:00:00.000Z');
  });

  it('applies an IANA timezone, daylight saving included', () => {
    const paris = { date: { format: 'YYYY-MM-DD HH:mm', timezone: 'Europe/Paris' } };
    expect(date('2025-01-15 12:00', paris)).toBe('2025-01-15T11:00:00.000Z');
    expect(date('2025-07-15 12:00', paris)).toBe('2025-07-15T10:00:00.000Z');
  });

  it('empties an empty value and reports an invalid one with the value and the format', () => {
    expect(date('  ')).toBeUndefined();
    const errors = [
      ...leaf({ from: 'd', transform: [{ date: 'DD/MM/YYYY H:mm' }] }, { d: '31/02/2025 1:30' }).errors,
      ...leaf({ from: 'd', transform: ['date'] }, { d: 'yesterday' }).errors,
      ...leaf({ from: 'd', transform: ['date'] }, { d: '2025-01-01 24:00:00' }).errors,
    ];
    expect(errors).toMatchInlineSnapshot(`
      [
        "conversation.subject: invalid date "31/02/2025 1:30" (expected format "DD/MM/YYYY H:mm")",
        "conversation.subject: invalid date "yesterday" (expected ISO-8601, "YYYY-MM-DD HH:mm:ss" or epoch seconds/ms)",
        "conversation.subject: invalid date "2025-01-01 24:00:00" (expected ISO-8601, "YYYY-MM-DD HH:mm:ss" or epoch seconds/ms)",
      ]
    `);
  });
});

describe('transforms that note a loss', () => {
  it('are the dates and the lookups, alone or in a list', () => {
    const shared = { lookups: new Lookups(['users']) };
    const notes = (specs: TransformSpec[]) => mayNote(compileTransforms(specs, shared)!);
    expect(notes(['trim', 'lowercase', 'html-to-text', 'null-tokens', { truncate: 3 }, 'number'])).toBe(false);
    expect(notes(['trim', 'timestamp'])).toBe(true);
    expect(notes([{ date: 'DD/MM/YYYY' }])).toBe(true);
    expect(notes([{ lookup: 'users.email' }])).toBe(true);
    expect(notes(['trim', { 'lookup-all': 'users.email' }])).toBe(true);
  });

  it('note through a rule, beside transforms that do not', () => {
    const mapping = mappingWith({ data: { at: { from: 'at', transform: ['trim', 'timestamp', 'lowercase'] } } });
    const row = mapping.mapRow({ id: '1', at: ' Yesterday ', email: 'a@b.example', body: 'hi' }, '1');
    expect(row.losses).toEqual([{ kind: 'date_unparsed', path: 'conversation.data.at', detail: '"Yesterday"' }]);
  });
});
