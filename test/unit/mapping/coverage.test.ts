import { describe, expect, it } from 'vitest';
import { coverFields, FieldCounter, NESTED_PATHS } from '../../../src/mapping/coverage.js';
import { DISTINCT_VALUES, ValueCounts } from '../../../src/mapping/leaf-tally.js';
import { mappingWith } from './helpers.js';

/** The counts of a list of records. */
function countsOf(records: Record<string, unknown>[]): { field: string; rows: number }[] {
  const counter = new FieldCounter();
  records.forEach((record) => counter.add(record));
  return counter.counts();
}

/** The tally of the leaf at `at` after mapping every record. */
function tallyAfter(mapping: ReturnType<typeof mappingWith>, at: string, records: Record<string, unknown>[]) {
  records.forEach((fields) => mapping.mapRow(fields, 'K'));
  const tally = mapping.tallies.list().find((t) => t.at === at);
  if (!tally) throw new Error(`no tally at ${at}`);
  return tally;
}

describe('FieldCounter', () => {
  it('counts the records holding a non-empty value per CSV column, empty cells not', () => {
    expect(countsOf([{ a: 'x', b: '', c: 'y' }, { a: 'x', b: '', c: '' }])).toEqual([
      { field: 'a', rows: 2 }, { field: 'b', rows: 0 }, { field: 'c', rows: 1 },
    ]);
  });

  it('follows nested objects to their paths; a list is one path, an empty list, null or {} no value', () => {
    const counts = countsOf([
      { id: 1, requester: { email: 'a@x', name: 'A' }, comments: [{ body: 'hi' }], extra: null },
      { id: 2, requester: { email: '' }, comments: [], extra: {}, late: 'only here' },
    ]);
    expect(counts).toEqual([
      { field: 'id', rows: 2 }, { field: 'requester.email', rows: 1 }, { field: 'requester.name', rows: 1 },
      { field: 'comments', rows: 1 }, { field: 'extra', rows: 0 }, { field: 'late', rows: 1 },
    ]);
  });

  it('keeps a path that is an object in one record and a value in another', () => {
    expect(countsOf([{ via: { channel: 'web' } }, { via: 'email' }])).toEqual([{ field: 'via', rows: 1 }, { field: 'via.channel', rows: 1 }]);
  });

  it('past NESTED_PATHS nested paths, counts a new one for the path above it, once per record', () => {
    const wide = Object.fromEntries(Array.from({ length: NESTED_PATHS + 5 }, (_, i) => [`f${i}`, 'v']));
    const counts = countsOf([{ custom: wide }, { custom: wide }]);
    expect(counts.filter((c) => c.field.startsWith('custom.'))).toHaveLength(NESTED_PATHS);
    expect(counts.find((c) => c.field === 'custom')).toEqual({ field: 'custom', rows: 2 });
  });
});

describe('coverFields', () => {
  const counts = [
    { field: 'id', rows: 3 }, { field: 'requester.email', rows: 3 }, { field: 'comments', rows: 2 },
    { field: 'priority', rows: 1 }, { field: 'internal.note', rows: 2 }, { field: 'blank', rows: 0 }, { field: 'url', rows: 3 },
  ];

  it('reads a field named, one inside a path named, or one above a path named', () => {
    const coverage = coverFields(counts, ['id', 'requester', 'comments.0.body'], ['internal']);
    expect(coverage.source.map((f) => [f.field, f.use])).toEqual([
      ['id', 'read'], ['requester.email', 'read'], ['comments', 'read'], ['priority', 'unread'],
      ['internal.note', 'ignored'], ['blank', 'unread'], ['url', 'unread'],
    ]);
  });

  it('lists as unused only fields holding values, commonest first; counts the fields empty everywhere', () => {
    const coverage = coverFields(counts, ['id', 'requester', 'comments'], ['internal', 'gone']);
    expect(coverage.unused).toEqual([{ field: 'url', rows: 3 }, { field: 'priority', rows: 1 }]);
    expect(coverage.ignored).toEqual([{ field: 'internal.note', rows: 2 }]);
    expect(coverage.emptyEverywhere).toBe(1);
    expect(coverage.ignoreUnmatched).toEqual(['gone']);
  });

  it('does not take a field for read because its name starts like a read one', () => {
    expect(coverFields([{ field: 'idx', rows: 1 }], ['id'], []).unused).toEqual([{ field: 'idx', rows: 1 }]);
  });
});

describe('leaf tallies', () => {
  const status = { from: 'status', transform: ['trim', 'lowercase'], map: { open: 0, closed: 2 }, default: 0 };

  it('counts a value, an empty value and the default taken for an empty value or one not in the map', () => {
    const tally = tallyAfter(mappingWith({ status }), 'conversation.status', [
      { status: 'Open' }, { status: 'closed' }, { status: '' }, { status: 'Escalated' }, { status: 'escalated ' }, { status: 'hold' },
    ]);
    expect({ value: tally.value, empty: tally.empty, defaulted: tally.defaulted, defaultedEmpty: tally.defaultedEmpty }).toEqual({ value: 2, empty: 0, defaulted: 4, defaultedEmpty: 1 });
    expect(tally.unmapped.top(20)).toEqual([{ value: 'escalated', count: 2 }, { value: 'hold', count: 1 }]);
  });

  it('without a default, counts the values no map covers and the rows left empty', () => {
    const mapping = mappingWith({ status: { from: 'status', map: { open: 0 } } });
    const tally = tallyAfter(mapping, 'conversation.status', [{ status: 'open' }, { status: 'Escalated' }, { status: 'Escalated' }, { status: '' }]);
    expect({ value: tally.value, empty: tally.empty, defaulted: tally.defaulted }).toEqual({ value: 1, empty: 3, defaulted: 0 });
    expect(tally.unmapped.top(20)).toEqual([{ value: 'Escalated', count: 2 }]);
  });

  it('does not count a map value equal to the default as the default taken', () => {
    const tally = tallyAfter(mappingWith({ status }), 'conversation.status', [{ status: 'open' }]);
    expect({ value: tally.value, defaulted: tally.defaulted }).toEqual({ value: 1, defaulted: 0 });
  });

  it('counts templates, data leaves and message leaves per message, each with the fields it reads', () => {
    const mapping = mappingWith({ subject: '{{title}}', data: { legacy_priority: { from: 'prio' } } }, {
      messages: { from: 'comments', body: '{{text}}' },
    });
    const records = [{ title: 'A', prio: '', comments: [{ text: 'x' }, { text: 'y' }] }, { title: '', prio: '', comments: [{ text: 'z' }] }];
    records.forEach((fields) => mapping.mapRow(fields, 'K'));
    const byAt = Object.fromEntries(mapping.tallies.list().map((t) => [t.at, { reads: t.reads, value: t.value, empty: t.empty }]));
    expect(byAt['conversation.subject']).toEqual({ reads: ['title'], value: 1, empty: 1 });
    expect(byAt['conversation.data.legacy_priority']).toEqual({ reads: ['prio'], value: 0, empty: 2 });
    expect(byAt['messages.body']).toEqual({ reads: ['text'], value: 3, empty: 0 });
  });

  it('names the record fields read: a message list as the list, the key, and source.ignore', () => {
    const mapping = mappingWith({ subject: '{{title}}' }, { source: { key: 'id', ignore: ['url'] }, messages: { from: 'comments', body: '{{text}}' } });
    expect([...mapping.recordFields].sort()).toEqual(['comments', 'id', 'title']);
    expect(mapping.ignore).toEqual(['url']);
    expect(mapping.source).not.toHaveProperty('ignore');
  });

  it('reads the record\'s own columns for messages written as a list of templates', () => {
    const mapping = mappingWith({}, { messages: [{ body: '{{answer}}', role: 'agent' }] });
    expect(mapping.recordFields).toContain('answer');
  });
});

describe('ValueCounts', () => {
  it('tells apart DISTINCT_VALUES values and counts the rest together', () => {
    const counts = new ValueCounts();
    for (let i = 0; i < DISTINCT_VALUES + 3; i++) counts.add(`v${i}`);
    counts.add('v0');
    expect({ total: counts.total, distinct: counts.distinct, other: counts.other }).toEqual({ total: DISTINCT_VALUES + 4, distinct: DISTINCT_VALUES, other: 3 });
    expect(counts.top(1)).toEqual([{ value: 'v0', count: 2 }]);
  });
});
