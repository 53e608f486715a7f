import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findValueStarts, linesAt } from '../../../src/source/json-scan.js';
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

  it('reads a single object as one record', async () => {
    const { source, records } = await readAll(await temp.write('t.json', '\n{"ticket": {"id": 7, "via": {"channel": "web"}}}'));
    expect(records).toEqual([{ file: source.file, line: 2, recordNo: 1, fields: { ticket: { id: 7, via: { channel: 'web' } } } }]);
    expect(source.columns).toEqual(['ticket.id', 'ticket.via.channel']);
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

  it('reports invalid JSON with its line', async () => {
    const error = await rejection(readAll(await temp.write('t.json', '[\n {"id": 1},\n {"id": 2,}\n]')));
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message).toMatch(/^the JSON document cannot be used: it is not valid JSON: .* \(.*t\.json:3\) — fix the file/);
  });

  it('refuses a document beyond the size cap with advice to convert to JSONL', async () => {
    // Sparse beyond the first 16 KB, which are text so the file passes the binary check
    const file = await temp.write('big.json', `[${' '.repeat(16 * 1024)}`);
    const { truncate } = await import('node:fs/promises');
    await truncate(file, 512 * 1024 * 1024 + 1);
    const error = await rejection(readAll(file));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toMatch(/^the JSON document is too large: it is 513 MB, more than the 512 MB .* convert it to JSON Lines/);
  });
});

describe('findValueStarts', () => {
  it('finds elements of the array at a path, ignoring look-alikes in strings and elsewhere', () => {
    const text = '{"a": {"x": [9]}, "b\\"": "[", "data": {"list": [1, "s", {"k": [2]}, [3], true]}}';
    const starts = findValueStarts(text, ['data', 'list']);
    expect(starts.elements.map((offset) => text.slice(offset, offset + 3))).toEqual(['1, ', '"s"', '{"k', '[3]', 'tru']);
    expect(text.slice(starts.value, starts.value + 2)).toBe('[1');
  });

  it('converts offsets to lines with CRLF, CR and LF', () => {
    expect(linesAt('a\r\nb\rc\nd', [0, 3, 5, 7])).toEqual([1, 2, 3, 4]);
  });
});
