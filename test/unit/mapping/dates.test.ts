import { describe, expect, it } from 'vitest';
import { SENTINEL_DATES } from '../../../src/mapping/date-sentinels.js';
import { compileDateParser, compileInstantParser, SENTINEL, type DateOptions } from '../../../src/mapping/dates.js';
import type { Shared } from '../../../src/mapping/leaf.js';
import { Lookups } from '../../../src/mapping/lookups.js';
import type { Loss } from '../../../src/mapping/losses.js';
import type { TransformSpec } from '../../../src/mapping/schema.js';
import { compileTransforms, TransformFailure } from '../../../src/mapping/transforms.js';
import { conversationOf, mappingWith } from './helpers.js';

const shared = (timezone?: string): Shared => ({ lookups: new Lookups([]), timezone });

/** Applies one transform, with the mapping's source.timezone; the value and what it noted. */
function apply(spec: TransformSpec, value: unknown, timezone?: string): { value: unknown; notes: Omit<Loss, 'path'>[] } {
  const notes: Omit<Loss, 'path'>[] = [];
  const result = compileTransforms([spec], shared(timezone))!(value, (kind, detail) => notes.push({ kind, detail }));
  return { value: result, notes };
}

const timestamp = (value: unknown, timezone?: string) => apply('timestamp', value, timezone).value;
const date = (value: unknown, spec: TransformSpec = 'date', timezone?: string) => apply(spec, value, timezone).value;

describe('the forms real exports mix', () => {
  const forms: [unknown, string][] = [
    ['2016-04-28T11:19:34 -10:00', '2016-04-28T21:19:34.000Z'],
    ['2020-02-19 01:54:52', '2020-02-19T01:54:52.000Z'],
    ['2020-03-20 02:32:49.426', '2020-03-20T02:32:49.426Z'],
    ['2020-03-20 02:32:49.426999', '2020-03-20T02:32:49.426Z'],
    ['2020-03-20 02:32:49.4', '2020-03-20T02:32:49.400Z'],
    ['2019-06-03T02:23:47Z', '2019-06-03T02:23:47.000Z'],
    ['2014-07-28T16:20:03+05:30', '2014-07-28T10:50:03.000Z'],
    ['2014-07-28T16:20:03+0530', '2014-07-28T10:50:03.000Z'],
    ['2014-07-28T16:20:03-03', '2014-07-28T19:20:03.000Z'],
    ['2014-07-28 16:20:03 GMT', '2014-07-28T16:20:03.000Z'],
    ['2014-07-28t16:20z', '2014-07-28T16:20:00.000Z'],
    ['2014-07-28 9:05', '2014-07-28T09:05:00.000Z'],
    ['2014-07-28 09:05:00,5', '2014-07-28T09:05:00.500Z'],
    ['  2014-07-28  ', '2014-07-28T00:00:00.000Z'],
    [1461842374, '2016-04-28T11:19:34.000Z'],
    [1461842374.25, '2016-04-28T11:19:34.250Z'],
    ['1461842374', '2016-04-28T11:19:34.000Z'],
    ['1461842374000', '2016-04-28T11:19:34.000Z'],
    [-86400, '1969-12-31T00:00:00.000Z'],
  ];

  it.each(forms)('reads %j with date and timestamp', (value, iso) => {
    expect(date(value)).toBe(iso);
    expect(apply('timestamp', value)).toEqual({ value: iso, notes: [] });
  });

  it.each([
    '2016-4-28', '2016-04-28T', '2016-04-28 11', '2016-04-28 11:1', '2016-04-28 11:19:34.', '2016-04-28 11:19:34 PM',
    '2016-04-28T11:19:34+', '2016-04-28T11:19:34 +5', '2016-04-31', '2016-04-28 24:00', '1-2', '12.', '',
  ])('does not read %j', (text) => {
    expect(compileDateParser({})(text)).toBeUndefined();
  });

  it('keeps day-first text as written without a format (01/02/2025 is January or February), reads it with one', () => {
    expect(apply('timestamp', ' 25/01/2025 1:30 ')).toEqual({
      value: '25/01/2025 1:30',
      notes: [{ kind: 'date_unparsed', detail: '" 25/01/2025 1:30 "' }],
    });
    expect(date('25/01/2025 1:30', { date: 'DD/MM/YYYY H:mm' })).toBe('2025-01-25T01:30:00.000Z');
  });

  it('fails the row on an unreadable date with date, keeps it with timestamp', () => {
    expect(() => date('yesterday')).toThrow(TransformFailure);
    expect(() => date('25/01/2025 1:30')).toThrow('invalid date "25/01/2025 1:30"');
    expect(apply('timestamp', 'yesterday')).toEqual({ value: 'yesterday', notes: [{ kind: 'date_unparsed', detail: '"yesterday"' }] });
    expect(apply('timestamp', Number.POSITIVE_INFINITY).value).toBe(Number.POSITIVE_INFINITY);
    expect(apply('timestamp', '   ')).toEqual({ value: undefined, notes: [] });
  });

  it('formats instants without a Date exactly as Date does, in the years 0000 to 9999', () => {
    const parse = compileDateParser({});
    for (let i = 0; i < 2000; i++) {
      const ms = -62_000_000_000_000 + ((i * 7919) % 2000) * 150_000_000_000 + i * 12_345_678;
      // Smaller numbers are epoch seconds.
      if (Math.abs(ms) >= 1e11) expect(parse(String(ms))).toBe(new Date(ms).toISOString());
    }
    expect(parse('-62167219200001')).toBeUndefined();
    expect(parse(253402300800000)).toBeUndefined();
  });

  it('reads years below 100 as themselves in a timezone (Date.UTC would make 0050 into 1950)', () => {
    expect(date('0050-06-01 00:00:00', { date: { timezone: '+01:00' } })).toBe('0050-05-31T23:00:00.000Z');
  });
});

describe('source.timezone', () => {
  it('places naive times in it, daylight saving included; times with an offset keep theirs', () => {
    expect(timestamp('2025-01-15 12:00:00', 'Europe/Paris')).toBe('2025-01-15T11:00:00.000Z');
    expect(timestamp('2025-07-15 12:00:00', 'Europe/Paris')).toBe('2025-07-15T10:00:00.000Z');
    expect(date('2025-07-15 12:00:00', 'date', '-08:00')).toBe('2025-07-15T20:00:00.000Z');
    expect(timestamp('2019-06-03T02:23:47Z', 'Europe/Paris')).toBe('2019-06-03T02:23:47.000Z');
    expect(timestamp('2016-04-28T11:19:34 -10:00', 'Europe/Paris')).toBe('2016-04-28T21:19:34.000Z');
    expect(timestamp(1461842374, 'Europe/Paris')).toBe('2016-04-28T11:19:34.000Z');
  });

  it('reads the hours around a change of Europe/Paris: a skipped time moves forward, a repeated one is the earlier', () => {
    const paris = (text: string) => timestamp(text, 'Europe/Paris');
    expect(paris('2025-03-30 01:59:59')).toBe('2025-03-30T00:59:59.000Z');
    expect(paris('2025-03-30 02:30:00')).toBe('2025-03-30T01:30:00.000Z');
    expect(paris('2025-03-30 03:00:00')).toBe('2025-03-30T01:00:00.000Z');
    expect(paris('2025-10-26 01:59:59')).toBe('2025-10-25T23:59:59.000Z');
    expect(paris('2025-10-26 02:30:00')).toBe('2025-10-26T00:30:00.000Z');
    expect(paris('2025-10-26 03:00:00')).toBe('2025-10-26T02:00:00.000Z');
  });

  it('gives naive times over 40 years the wall clock Intl shows at the instant read', () => {
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' });
    const text = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    for (let i = 0; i < 1000; i++) {
      const ms = Date.UTC(2000, 0, 1) + i * 1_262_304_123;
      const iso = timestamp(text(ms), 'Europe/Paris') as string;
      const shown = wall.format(new Date(iso));
      // A time in the hour skipped each spring reads an hour later.
      expect([text(ms), text(ms + 3_600_000)]).toContain(shown);
      if (shown !== text(ms)) expect(text(ms).slice(5, 7)).toBe('03');
    }
    expect(wall.format(new Date(timestamp('2030-03-31 02:15:00', 'Europe/Paris') as string))).toBe('2030-03-31 03:15:00');
  });

  it('gives way to a transform\'s own timezone, also with a format', () => {
    expect(date('2025-07-15 12:00:00', { date: { timezone: '+05:30' } }, 'Europe/Paris')).toBe('2025-07-15T06:30:00.000Z');
    expect(date('2025-07-15 12:00', { date: { format: 'YYYY-MM-DD HH:mm', timezone: 'UTC' } }, 'Europe/Paris')).toBe('2025-07-15T12:00:00.000Z');
    expect(date('15/07/2025 12:00', { date: 'DD/MM/YYYY HH:mm' }, 'Europe/Paris')).toBe('2025-07-15T10:00:00.000Z');
  });

  it('is the mapping\'s source.timezone', () => {
    const mapping = mappingWith(
      { subject: { from: 'created', transform: ['date'] }, data: { updated: { from: 'updated', transform: ['timestamp'] } } },
      { source: { timezone: 'Europe/Paris' } },
    );
    const conversation = conversationOf(mapping, { created: '2025-07-15 12:00:00', updated: '2025-01-15 12:00:00' });
    expect(conversation.subject).toBe('2025-07-15T10:00:00.000Z');
    expect((conversation.data as Record<string, unknown>).updated).toBe('2025-01-15T11:00:00.000Z');
  });
});

describe('placeholder dates', () => {
  const forms: unknown[] = [
    '1900-01-01', '1900-01-01 00:00:00', '1900-01-01T08:00:00Z', '1900-01-01T00:00:00+01:00', '0000-00-00',
    '0000-00-00 00:00:00', '0001-01-01T00:00:00Z', '1899-12-30', '1899-12-31 00:00:00', '1900-01-00',
    '9999-12-31', '9999-12-31 23:59:59', 0, '0', '1970-01-01T00:00:00Z', '1970-01-01 00:00:00.000', '1970-01-01T01:00:00+01:00',
  ];

  it.each(forms)('empties %j with date and timestamp, noted date_sentinel', (value) => {
    const note = [{ kind: 'date_sentinel', detail: typeof value === 'string' ? JSON.stringify(value) : String(value) }];
    expect(apply('date', value)).toEqual({ value: undefined, notes: note });
    expect(apply('timestamp', value)).toEqual({ value: undefined, notes: note });
  });

  it('knows every day of SENTINEL_DATES, in any timezone and through a format', () => {
    for (const { date: day } of SENTINEL_DATES) expect(apply('timestamp', day, 'Europe/Paris').notes[0]?.kind).toBe('date_sentinel');
    expect(apply({ date: 'DD/MM/YYYY' }, '01/01/1900').notes).toEqual([{ kind: 'date_sentinel', detail: '"01/01/1900"' }]);
    expect(apply({ date: 'DD/MM/YYYY' }, '00/00/0000').value).toBeUndefined();
  });

  it('keeps the days and instants next to them', () => {
    expect(timestamp('1900-01-02')).toBe('1900-01-02T00:00:00.000Z');
    expect(timestamp('1899-12-29 23:59:59')).toBe('1899-12-29T23:59:59.000Z');
    expect(timestamp('1970-01-01T00:00:01Z')).toBe('1970-01-01T00:00:01.000Z');
    expect(timestamp(1)).toBe('1970-01-01T00:00:01.000Z');
    expect(timestamp('9999-12-30')).toBe('9999-12-30T00:00:00.000Z');
    expect(timestamp('0002-01-01')).toBe('0002-01-01T00:00:00.000Z');
  });
});

describe('instants (the order of a thread)', () => {
  const texts = [
    '2016-04-28T11:19:34 -10:00', '2020-02-19 01:54:52', '2020-03-20 02:32:49.426999', '2014-07-28T16:20:03+05:30',
    '2014-07-28 16:20:03 GMT', '  2014-07-28  ', '2025-03-30 02:30:00', '2025-10-26 02:30:00', '0050-06-01 00:00:00',
    '0000-01-01 00:30:00+01:00', '9999-12-30 23:00:00-05:00', '1461842374', '-86400', '1461842374000.5', '1900-01-01',
    '1970-01-01T00:00:00Z', '0', '2016-04-31', 'yesterday', '25/01/2025 1:30', '01/02/2025 1:30 PM', '',
  ];
  const options: DateOptions[] = [{}, { timezone: 'Europe/Paris' }, { timezone: '-08:00' }, { format: 'DD/MM/YYYY h:mm A' }, { format: 'DD/MM/YYYY H:mm', timezone: 'America/New_York' }];

  it.each(options)('are the instants of the dates compileDateParser reads, with %j', (option) => {
    const [text, instant] = [compileDateParser(option), compileInstantParser(option)];
    for (const value of texts) {
      const iso = text(value);
      expect([value, instant(value)]).toEqual([value, typeof iso === 'string' ? Date.parse(iso) : undefined]);
    }
  });

  it('are undefined for placeholders and for times outside the years 0000 to 9999', () => {
    expect(compileDateParser({})('1900-01-01')).toBe(SENTINEL);
    expect(compileInstantParser({})('1900-01-01')).toBeUndefined();
    expect(compileInstantParser({})('0000-01-01 00:30:00+01:00')).toBeUndefined();
    expect(compileInstantParser({ timezone: '+01:00' })('0000-01-01 00:30:00')).toBeUndefined();
    expect(compileInstantParser({})('0000-01-01 00:30:00-01:00')).toBe(Date.parse('0000-01-01T01:30:00.000Z'));
  });
});
