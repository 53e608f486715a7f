import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, readAll, rejection, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('JSON documents', () => {
  it('reads a top-level array, naming each record by the line it starts on', async () => {
    const text = '[\n  {"id": 1, "s": "a ] { \\" ,"},\n\n  {\n    "id": 2\n  },\n  3\n]\n';
    const { source, records } = await readAll(await temp.write('t.json', text));
    expect(records.map((record) => [record.line, record.recordNo, record.problem?.code ?? record.fields])).toEqual([
      [2, 1, { id: 1, s: 'a ] { " ,' }],
      [4, 2, { id: 2 }],
      [7, 3, 'ROW_MALFORMED'],
    ]);
    expect(source.columns).toEqual(['id', 's']);
    expect(source.dialect).toEqual({ format: 'json', encoding: 'utf-8' });
  });

  it('uses the one array property of an envelope object', async () => {
    const text = '{\n "count": 2,\n "tickets": [\n  {"id": 1},\n  {"id": 2}\n ],\n "next_page": null\n}';
    const { records } = await readAll(await temp.write('t.json', text));
    expect(records.map((record) => [record.line, record.fields])).toEqual([
      [4, { id: 1 }],
      [5, { id: 2 }],
    ]);
  });

  it('reads a single object as one record, and the object a wrapper holds as its only property', async () => {
    const wrapped = await readAll(await temp.write('t.json', '\n{"ticket": {"id": 7, "via": {"channel": "web"}}}'));
    expect(wrapped.records).toEqual([{ file: wrapped.source.file, line: 2, recordNo: 1, fields: { id: 7, via: { channel: 'web' } } }]);
    expect(wrapped.source.columns).toEqual(['id', 'via.channel']);
    const plain = await readAll(await temp.write('u.json', '{"subject": "s", "requester": {"email": "a@x"}}'));
    expect(plain.records.map((record) => record.fields)).toEqual([{ subject: 's', requester: { email: 'a@x' } }]);
  });

  it('follows source.records, through nested keys', async () => {
    const text = '{"data": {"page": 1, "items": [{"id": "a"}, {"id": "b"}]}, "items": [{"x": 1}]}';
    const { records } = await readAll(await temp.write('t.json', text), { records: 'data.items' });
    expect(records.map((record) => record.fields)).toEqual([{ id: 'a' }, { id: 'b' }]);
    const error = await rejection(readAll(await temp.write('u.json', text), { records: 'data.tickets' }));
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message).toContain('source.records "data.tickets" has no "tickets" at "data" (it has: page, items)');
  });

  it('asks for source.records when several arrays could be the records', async () => {
    const error = await rejection(readAll(await temp.write('t.json', '{"tickets": [{"id": 1}], "users": [{"id": 2}]}')));
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message).toMatch(/several arrays of objects \(tickets, users\).*set source\.records/);
  });

  it('flags a record with invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"a": "ok"}, {"a": "caf'), Buffer.from([0xe9]), Buffer.from('"}]')]);
    const { records } = await readAll(await temp.write('t.json', bytes));
    expect(records.map((record) => record.problem?.code)).toEqual([undefined, 'ROW_ENCODING']);
  });

  it('reads an invalid element as one broken record with its line, and the others', async () => {
    const { records } = await readAll(await temp.write('t.json', '[\n {"id": 1},\n {"id": 2,}\n, {"id": 3}]'));
    expect(records.map((record) => [record.line, record.problem?.code ?? record.fields])).toEqual([
      [2, { id: 1 }],
      [3, 'ROW_MALFORMED'],
      [4, { id: 3 }],
    ]);
    expect(records[1]?.fields).toEqual({ raw: '{"id": 2,}' });
    expect(records[1]?.problem?.message).toMatch(/^is not valid JSON: /);
  });
});
