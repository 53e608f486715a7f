import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource, formatOf } from '../../../src/source/index.js';
import { MAX_RECORD_BYTES } from '../../../src/source/csv.js';
import { makeTempDir, readAll, rejection, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

/** Messages name the temp file; pin them with a stable name. */
function pinned(message: string): string {
  return message.replaceAll(temp.dir + path.sep, '');
}

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('file-level problems', () => {
  it('reports a missing file with the OS reason', async () => {
    const error = await rejection(openSource(path.join(temp.dir, 'nope.csv')));
    expect(error).toMatchObject({ code: 'FILE_UNREADABLE', scope: 'run' });
    expect(pinned(error.message)).toMatchInlineSnapshot(`"cannot read the source file: no such file (nope.csv) — check the path"`);
  });

  it('reports a directory', async () => {
    const error = await rejection(openSource(temp.dir));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toContain('it is a directory');
  });

  it.skipIf(process.getuid?.() === 0)('reports permission denied', async () => {
    const file = await temp.write('locked.csv', 'a\n1\n');
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o000);
    const error = await rejection(openSource(file));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toContain('permission denied');
  });

  it('reports an empty file', async () => {
    const error = await rejection(openSource(await temp.write('e.csv', '')));
    expect(error.code).toBe('FILE_EMPTY');
    expect(pinned(error.message)).toMatchInlineSnapshot(`"the source file is empty: it has no bytes (e.csv) — export the data again"`);
  });

  it('reports files with nothing but a BOM or blank lines as empty', async () => {
    expect((await rejection(openSource(await temp.write('b.csv', '\uFEFF')))).code).toBe('FILE_EMPTY');
    expect((await rejection(openSource(await temp.write('n.csv', '\n\r\n  \n')))).code).toBe('FILE_EMPTY');
    expect((await rejection(openSource(await temp.write('n.jsonl', '\n\n')))).code).toBe('FILE_EMPTY');
    expect((await rejection(openSource(await temp.write('n.json', ' \n')))).code).toBe('FILE_EMPTY');
  });

  it('refuses binary junk', async () => {
    const junk = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x21, 0x00, 0xff, 0x00, 0x00, 0x10]);
    const error = await rejection(openSource(await temp.write('x.csv', Buffer.concat([junk, junk, junk]))));
    expect(error.code).toBe('FILE_NOT_TEXT');
    expect(pinned(error.message)).toMatchInlineSnapshot(
      `"the source file is not text: it has NUL bytes in its first 8 KB (x.csv) — give a CSV, JSON or JSONL export (not a spreadsheet, archive or database file)"`,
    );
  });

  it('reads a header-only file as zero records, without error', async () => {
    const { source, records } = await readAll(await temp.write('h.csv', 'Ticket ID,Subject,Status\r\n'));
    expect(source.columns).toEqual(['Ticket ID', 'Subject', 'Status']);
    expect(records).toEqual([]);
  });

  it('refuses an invalid delimiter option', async () => {
    const error = await rejection(openSource(await temp.write('t.csv', 'a\n'), { delimiter: '' }));
    expect(error.code).toBe('USAGE');
    expect(pinned(error.message)).toMatchInlineSnapshot(`"source.delimiter is invalid: "" cannot separate fields (t.csv) — use one character such as "," ";" "\\t" or "|""`);
  });

  it('does not leave the file open when opening fails', async () => {
    const before = await openFds();
    await rejection(openSource(await temp.write('x.csv', 'a,"b\n')));
    expect(await openFds()).toBe(before);
  });
});

describe('format, progress and closing', () => {
  it('chooses the format by extension', () => {
    expect([formatOf('a.jsonl'), formatOf('a.NDJSON'), formatOf('a.json'), formatOf('a.tsv'), formatOf('a')]).toEqual([
      'jsonl',
      'jsonl',
      'json',
      'csv',
      'csv',
    ]);
  });

  it('reports size and bytes read', async () => {
    const text = `id,body\n${Array.from({ length: 20000 }, (_, i) => `${i},${'x'.repeat(20)}`).join('\n')}\n`;
    const source = await openSource(await temp.write('t.csv', text));
    expect(source.size).toBe(Buffer.byteLength(text));
    expect(source.bytesRead()).toBeLessThan(source.size);
    let count = 0;
    for await (const _record of source.records()) count++;
    expect(count).toBe(20000);
    expect(source.bytesRead()).toBe(source.size);
  });

  it('releases the file when iteration stops early, and close() is safe to repeat', async () => {
    const text = `id\n${Array.from({ length: 50000 }, (_, i) => i).join('\n')}\n`;
    const file = await temp.write('t.csv', text);
    const before = await openFds();
    const source = await openSource(file);
    expect(await openFds()).toBe(before + 1);
    for await (const record of source.records()) {
      if (record.recordNo === 3) break;
    }
    await source.close();
    await source.close();
    expect(await openFds()).toBe(before);
    expect(source.bytesRead()).toBeLessThan(source.size);
  });

  it('closes without iterating, and records() can be iterated once', async () => {
    const before = await openFds();
    const source = await openSource(await temp.write('t.csv', 'a\n1\n'));
    source.records();
    expect(() => source.records()).toThrow(/only once/);
    await source.close();
    expect(await openFds()).toBe(before);
  });

  it('ends cleanly, without a cut last record, when closed in the middle of iteration', async () => {
    const rows = Array.from({ length: 30000 }, (_, i) => `${i},${'x'.repeat(30)},${i}`);
    const source = await openSource(await temp.write('t.csv', `a,b,c\n${rows.join('\n')}\n`));
    const seen: Record<string, unknown>[] = [];
    for await (const record of source.records()) {
      if (seen.length === 0) await source.close();
      expect(record.problem).toBeUndefined();
      seen.push(record.fields);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(30000);
    expect(seen.every((fields, i) => fields['a'] === String(i) && fields['c'] === String(i))).toBe(true);
  });

  it(`reports a record beyond ${MAX_RECORD_BYTES / 1024 / 1024} MB as broken and goes on`, async () => {
    const filler = `${'y'.repeat(1023)}\n`.repeat(Math.ceil(MAX_RECORD_BYTES / 1024) + 16);
    const text = `a,b\n1,"open\n${filler}2,"closed","x"\n`;
    const { records } = await readAll(await temp.write('big.csv', text));
    expect(records[0]?.problem?.message).toMatch(/grows beyond 32 MB, most likely because a quote is never closed/);
    expect(records[0]?.line).toBe(2);
    expect(records[1]?.line).toBe(3);
    expect(records.length).toBeGreaterThan(1000);
  });
});
