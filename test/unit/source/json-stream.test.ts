import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectEncoding } from '../../../src/source/detect.js';
import { SourceFile } from '../../../src/source/file.js';
import { openJson } from '../../../src/source/json.js';
import type { Source, SourceOptions, SourceRecord } from '../../../src/source/types.js';
import { makeTempDir, readAll, rejection, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

/** Opens a file through the JSON reader with a chunk of `chunk` bytes, so every edge case crosses chunk edges. */
async function readChunked(file: string, chunk: number, options: SourceOptions = {}): Promise<{ source: Source; records: SourceRecord[] }> {
  const handle = await SourceFile.open(file);
  const guess = detectEncoding(await handle.readAt(0), options.encoding, file);
  const source = await openJson({ file: handle, encoding: guess.encoding, bomLength: guess.bomLength, warnings: [] }, options, chunk);
  const records: SourceRecord[] = [];
  for await (const record of source.records()) records.push(record);
  return { source, records };
}

/** `[line, id or problem code]` of each record. */
function idsAt(records: readonly SourceRecord[]): [number, unknown][] {
  return records.map((record) => [record.line, record.problem?.code ?? record.fields['id']]);
}

const LAYOUTS: [string, string, [number, unknown][]][] = [
  ['a top-level array', '[\n  {"id": 1},\n  {"id": 2}\n]\n', [[2, 1], [3, 2]]],
  ['an object with an id of its own', '{\n  "id": 7,\n  "attachments": [{"name": "a"}]\n}', [[1, 7]]],
  ['an envelope with one array of objects', '{"tickets": [\n{"id": 1},\n{"id": 2}\n], "count": 2, "next_page": null}', [[2, 1], [3, 2]]],
  ['an envelope with an object beside its array', '{"comments": [{"id": 5}], "meta": {"has_more": false}}', [[1, 5]]],
  ['a wrapper holding one object', '{\n  "item": {\n    "id": 10,\n    "threads": [{"id": 1}]\n  }\n}\n', [[2, 10]]],
  ['JSON Lines', '{"id": 1}\n\n{"id": 2}\n', [[1, 1], [3, 2]]],
];

describe('JSON and JSON Lines told apart by content', () => {
  for (const [layout, text, expected] of LAYOUTS) {
    it(`reads ${layout} whatever the extension or declared format`, async () => {
      for (const [name, format] of [['t.json', undefined], ['t.jsonl', undefined], ['t.json', 'jsonl'], ['t.jsonl', 'json']] as const) {
        const { source, records } = await readAll(await temp.write(name, text), format === undefined ? {} : { format });
        expect(idsAt(records), `${name} as ${format ?? 'by extension'}`).toEqual(expected);
        expect(source.dialect.format).toBe(layout === 'JSON Lines' ? 'jsonl' : 'json');
      }
    });
  }

  it('reads JSON Lines whose first line is broken, that line one broken record', async () => {
    for (const name of ['t.jsonl', 't.json']) {
      const { source, records } = await readAll(await temp.write(name, '{"id": [1}\n{"id": 2}\n\n{"id": 3}\n'));
      expect(idsAt(records)).toEqual([[1, 'ROW_MALFORMED'], [2, 2], [4, 3]]);
      expect(source.dialect.format).toBe('jsonl');
    }
  });

  it('reads a one-line file holding one object as that record', async () => {
    const { records } = await readAll(await temp.write('t.jsonl', '{"id": 3, "tags": ["a"]}\n'));
    expect(idsAt(records)).toEqual([[1, 3]]);
  });

  it('keeps the records of the inner object, not the wrapper, as columns', async () => {
    const { source } = await readAll(await temp.write('t.json', '{"ticket": {"id": 1, "via": {"channel": "web"}}}'));
    expect(source.columns).toEqual(['id', 'via.channel']);
    expect(source.columnsComplete).toBe(false);
  });

  it('refuses side-loaded arrays, naming them and source.records, and follows source.records', async () => {
    const text = '{"tickets": [{"id": 1}], "users": [{"id": 2}, {"id": 3}]}';
    const error = await rejection(readAll(await temp.write('t.json', text), { format: 'jsonl' }));
    expect(error.message.replace(temp.dir, '<dir>')).toMatchInlineSnapshot(
      `"the JSON document cannot be used: it has several arrays of objects (tickets, users) (<dir>/t.json) — set source.records to the one that holds the records, e.g. "tickets""`,
    );
    const { records } = await readAll(await temp.write('u.json', text), { records: 'users' });
    expect(idsAt(records)).toEqual([[1, 2], [1, 3]]);
  });

  it('says what source.records points at when it is not records', async () => {
    const error = await rejection(readAll(await temp.write('t.json', '{"data": {"count": 2}}'), { records: 'data.count' }));
    expect(error.message).toMatch(/^the JSON document cannot be used: source\.records "data\.count" holds a number, not records/);
  });

  it('reads an empty array as no records', async () => {
    const { source, records } = await readAll(await temp.write('t.json', '[ ]\n'));
    expect(records).toEqual([]);
    expect(source.columns).toEqual([]);
  });
});

describe('JSON documents streamed', () => {
  const tricky = [
    '[',
    '  {"id": 1, "s": "] } [ { , : \\" \\\\", "k\\"ey": "\\\\\\""},',
    '  {"id": 2, "body": "café 日本 😀 \\u00e9", "nested": {"a": [1, {"b": "}"}]}},',
    '',
    '  {"id": 3, "list": [[], {}, "[", true, null, -1.5e3]}',
    ']',
  ];
  const expected = [
    { id: 1, s: '] } [ { , : " \\', 'k"ey': '\\"' },
    { id: 2, body: 'café 日本 😀 é', nested: { a: [1, { b: '}' }] } },
    { id: 3, list: [[], {}, '[', true, null, -1500] },
  ];

  it('reads brackets, escaped quotes and multi-byte characters cut by any chunk edge, with LF, CRLF or CR', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const file = await temp.write('t.json', tricky.join(eol));
      for (let chunk = 1; chunk <= 24; chunk++) {
        const { records } = await readChunked(file, chunk);
        expect(records.map((record) => [record.line, record.fields]), `chunk ${chunk}, ${JSON.stringify(eol)}`).toEqual([
          [2, expected[0]],
          [3, expected[1]],
          [5, expected[2]],
        ]);
      }
    }
  });

  it('finds the records of an envelope by its keys even when they are cut by chunk edges', async () => {
    const file = await temp.write('t.json', '{"next_page": "x\\"]", "tic\\u006bets": [\r\n{"id": 1},\r\n{"id": 2}], "count": 2}');
    for (let chunk = 1; chunk <= 12; chunk++) {
      expect(idsAt((await readChunked(file, chunk)).records)).toEqual([[2, 1], [3, 2]]);
    }
    const { records } = await readChunked(file, 3, { records: 'tickets' });
    expect(records).toHaveLength(2);
  });

  it('reads a bad element as one broken record while the others read', async () => {
    const file = await temp.write('t.json', '[{"id": 1}, {"id": 2 "x": 1}, nope, 4, {"id": 5}]');
    const { records } = await readChunked(file, 5);
    expect(records.map((record) => [record.recordNo, record.problem?.code ?? record.fields['id']])).toEqual([
      [1, 1],
      [2, 'ROW_MALFORMED'],
      [3, 'ROW_MALFORMED'],
      [4, 'ROW_MALFORMED'],
      [5, 5],
    ]);
    expect(records[1]?.fields).toEqual({ raw: '{"id": 2 "x": 1}' });
    expect(records[3]?.problem?.message).toBe('is not a JSON object but a number — each record must be an object');
  });

  it('refuses a cut-short document before handing out any record, naming the line', async () => {
    const cases: [string, string][] = [
      ['[\n{"id": 1},\n{"id": 2,\n', 'it ends on line 4 before the object opened on line 3 is closed, so it looks cut short'],
      ['{"tickets": [\n{"id": 1, "s": "abc', 'it ends on line 2 inside a string, in the object opened on line 2, so it looks cut short'],
      ['[\n{"id": 1,\n "a": [}\n]', 'it has a "}" on line 3 where an array in the object opened on line 2 should close'],
      ['[\n{\n"id": 1\n}\n}\n', 'it has a "}" on line 5 where the array opened on line 1 should close'],
    ];
    for (const [text, why] of cases) {
      const file = await temp.write('t.json', text);
      const error = await rejection(readChunked(file, 4));
      expect(error.code).toBe('HEADER_INVALID');
      expect(error.message.replace(temp.dir, '<dir>')).toBe(
        `the JSON document cannot be used: ${why} (<dir>/t.json:${/line (\d+)/.exec(why)?.[1]}) — export it again or fix the file`,
      );
    }
  });

  it('reads UTF-16 documents', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[\n{"id": 1, "s": "é"},\n{"id": 2}\n]', 'utf16le')]);
    const { records } = await readChunked(await temp.write('t.json', bytes), 3);
    expect(records.map((record) => [record.line, record.fields])).toEqual([
      [2, { id: 1, s: 'é' }],
      [3, { id: 2 }],
    ]);
  });

  it('reports progress from the records read, not the first pass', async () => {
    const text = `[${Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: i, body: 'x'.repeat(100) })).join(',\n')}]`;
    const handle = await SourceFile.open(await temp.write('t.json', text));
    const source = await openJson({ file: handle, encoding: 'utf-8', bomLength: 0, warnings: [] }, {}, 4096);
    expect(source.bytesRead()).toBeLessThan(source.size / 2);
    let count = 0;
    for await (const record of source.records()) count += record.recordNo > 0 ? 1 : 0;
    expect(count).toBe(2000);
    expect(source.bytesRead()).toBe(source.size);
  });
});
