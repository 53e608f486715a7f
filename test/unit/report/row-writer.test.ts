import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { neutraliseFormula, RowWriter, toCsvLine } from '../../../src/report/row-writer.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const row = (line: number, fields: Record<string, unknown>) => ({
  file: 'in.csv', line, key: `K${line}`, state: 'invalid', http_status: null, error: 'e1', errors: ['e1', 'e2'], fields,
});

describe('RowWriter', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(['=SUM(A1)', '+1', '-2', '@x', '\tx', 'plain', ''].map(neutraliseFormula)).toEqual([
      "'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", 'plain', '',
    ]);
  });

  it('quotes cells with commas, quotes and line breaks', () => {
    expect(toCsvLine(['a,b', 'say "hi"', 'one\ntwo', 3, null, { x: 1 }])).toBe('"a,b","say ""hi""","one\ntwo",3,,"{""x"":1}"\n');
  });

  it('writes CSV with the fixed columns first, then the source fields', async () => {
    const path = join(dir, 'r.csv');
    const writer = await RowWriter.open(path, 'csv', ['id', 'body', 'id', 'error']);
    await writer.write(row(2, { id: '=1', body: 'x, y', error: 'source column' }));
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe(
      'file,line,key,state,http_status,error,id,body,raw\n' + "in.csv,2,K2,invalid,,e1; e2,'=1,\"x, y\",\n",
    );
  });

  it('writes one JSON object a line, many rows through a bounded buffer', async () => {
    const path = join(dir, 'r.jsonl');
    const writer = await RowWriter.open(path, 'jsonl');
    for (let line = 1; line <= 5000; line++) await writer.write(row(line, { body: 'x'.repeat(100) }));
    await writer.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999] ?? '')).toMatchObject({ line: 5000, key: 'K5000', errors: ['e1', 'e2'] });
  });

  it('refuses a path it cannot write with one sentence', async () => {
    await expect(RowWriter.open(join(dir, 'missing/r.jsonl'), 'jsonl')).rejects.toThrow(/^Cannot write .*r\.jsonl: no such file or directory\.$/);
  });
});
