import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, readAll, rejection, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('JSONL', () => {
  it('reads one object per line, skipping blank lines but counting them', async () => {
    const text = '{"id":1}\n\n{"id":2}\r\n   \n{"id":3}';
    const { source, records } = await readAll(await temp.write('t.jsonl', text));
    expect(records.map((record) => [record.line, record.recordNo, record.fields])).toEqual([
      [1, 1, { id: 1 }],
      [3, 2, { id: 2 }],
      [5, 3, { id: 3 }],
    ]);
    expect(source.dialect).toEqual({ format: 'jsonl', encoding: 'utf-8' });
  });

  it('samples dotted columns from nested objects without expanding arrays', async () => {
    const text = [
      JSON.stringify({ id: 1, requester: { email: 'a@x', name: 'A' }, tags: ['x'], comments: [{ body: 'hi' }] }),
      JSON.stringify({ id: 2, requester: { email: 'b@x', org: { name: 'O' } }, custom: {} }),
    ].join('\n');
    const { source, records } = await readAll(await temp.write('t.ndjson', `\uFEFF${text}\n`));
    expect(source.columns).toEqual([
      'id',
      'requester.email',
      'requester.name',
      'tags',
      'comments',
      'requester.org.name',
      'custom',
    ]);
    expect(source.columnsComplete).toBe(false);
    expect(records[1]?.fields).toEqual({ id: 2, requester: { email: 'b@x', org: { name: 'O' } }, custom: {} });
  });

  it('reports an invalid line and a non-object line, and goes on', async () => {
    const text = '{"id":1}\n{"id": 2,,}\n[1,2]\n42\n{"id":5}\n';
    const { records } = await readAll(await temp.write('t.jsonl', text));
    expect(records.map((record) => [record.line, record.problem?.code ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'ROW_MALFORMED'],
      [3, 'ROW_MALFORMED'],
      [4, 'ROW_MALFORMED'],
      [5, 'ok'],
    ]);
    expect(records[1]?.fields).toEqual({ raw: '{"id": 2,,}' });
    expect(records[1]?.problem?.message).toMatch(/^is not valid JSON: /);
    expect(records[1]?.problem?.message).not.toMatch(/\n\s+at /);
    expect(records[2]?.problem?.message).toBe('is not a JSON object but an array — each line must hold one object');
    expect(records[3]?.problem?.message).toBe('is not a JSON object but a number — each line must hold one object');
  });

  it('streams many lines across chunks with CRLF split at chunk edges', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ id: i, body: 'x'.repeat(i % 50) }));
    const { records } = await readAll(await temp.write('t.jsonl', `${lines.join('\r\n')}\r\n`));
    expect(records).toHaveLength(20000);
    expect(records.every((record, i) => record.line === i + 1 && record.fields['id'] === i)).toBe(true);
  });

  it('counts a CRLF cut by a chunk edge once, and lone CRs as line ends', async () => {
    const first = `{"pad":"${'x'.repeat(64 * 1024 - 11)}"}`;
    expect(Buffer.byteLength(`${first}\r`)).toBe(64 * 1024);
    const { records } = await readAll(await temp.write('t.jsonl', `${first}\r\n{"id":2}\r{"id":3}\r\r{"id":5}`));
    expect(records.map((record) => [record.line, record.problem?.code])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [5, undefined],
    ]);
  });

  it('flags invalid UTF-8 in a line', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    const { records } = await readAll(await temp.write('t.jsonl', bytes));
    expect(records.map((record) => record.problem?.code)).toEqual([undefined, 'ROW_ENCODING']);
  });

  it('refuses a file of several values none of which is an object', async () => {
    const error = await rejection(readAll(await temp.write('t.jsonl', '[1, 2]\n[3]\n"x"\n')));
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message.replace(temp.dir, '<dir>')).toMatchInlineSnapshot(
      `"the file is not JSON Lines: line 1 is not a JSON object but an array — each line must hold one object (<dir>/t.jsonl) — give one JSON object per line, or one JSON document (an array or an object)"`,
    );
  });
});
