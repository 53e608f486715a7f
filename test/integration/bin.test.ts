import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openSource } from '../../src/source/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const BIN = join(REPO, 'dist/cli/bin.js');

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function bin(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(BIN)) throw new Error('dist/ is missing: run `npm run build` (npm ci does it) before the tests');
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the installed binary', () => {
  it('prints help and exits 0', async () => {
    const result = await bin(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/validate <files\.\.>[\s\S]*preview <file>[\s\S]*init <files\.\.>/);
  });

  it('exits 2 with one sentence on a usage error', async () => {
    const result = await bin(['validate', 'x.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Missing required argument: mapping');
  });

  it('reads the same records on a thread of its own as on the calling thread', async () => {
    const file = join(dir, 't.csv');
    await writeFile(file, 'id,body\n1,"a\nb"\n2,"unclosed\n3,c\n\n4,d\n');
    // The worker runs only from the build: load the built module, as the binary does.
    const built = (await import(pathToFileURL(join(REPO, 'dist/source/threaded.js')).href)) as typeof import('../../src/source/threaded.js');
    const source = await built.openSourceThreaded(file, {}, 0);
    expect(source.constructor.name).toBe('ThreadedSource');
    const threaded = [];
    for await (const record of source.records()) threaded.push(record);
    const inline = [];
    for await (const record of (await openSource(file)).records()) inline.push(record);
    expect(threaded).toEqual(inline);
    expect(threaded.map((record) => record.line)).toEqual([2, 4, 5, 7]);
  });

  it('streams many batches through the reader thread and stops cleanly when the reader stops early', async () => {
    const file = join(dir, 'many.csv');
    const lines = Array.from({ length: 12_000 }, (_, i) => `${i},"body ${i}\nsecond line"`);
    await writeFile(file, `id,body\n${lines.join('\n')}\n`);
    const built = (await import(pathToFileURL(join(REPO, 'dist/source/threaded.js')).href)) as typeof import('../../src/source/threaded.js');
    const all = await built.openSourceThreaded(file, {}, 0);
    let count = 0;
    let last = 0;
    for await (const record of all.records()) {
      count += 1;
      last = record.line;
    }
    expect({ count, last, bytes: all.bytesRead() }).toEqual({ count: 12_000, last: 2 + 2 * 11_999, bytes: all.size });
    const partial = await built.openSourceThreaded(file, {}, 0);
    const ids: unknown[] = [];
    for await (const record of partial.records()) {
      ids.push(record.fields.id);
      if (ids.length === 5000) break;
    }
    expect(ids.at(-1)).toBe('4999');
    await partial.close();
    expect(() => partial.records()).toThrow(/only once/);
  });

  it('gives the same answers when a file is parsed on its own thread', async () => {
    const file = join(dir, 't.csv');
    const rows = ['ticket_id,subject,body,status,tags,name,email,created_at'];
    for (let i = 1; i <= 3000; i++) {
      const email = i % 250 === 0 ? 'broken@' : `u${i}@example.com`;
      rows.push(`T${i % 2900},S${i},"line one\nline two ${i}",open,"a, b",N${i},${email},2024-05-01 10:00:00`);
    }
    rows.splice(1500, 0, 'T-x,"unclosed,quote,open,,N,n@example.com,2024');
    await writeFile(file, `${rows.join('\n')}\n`);
    const threaded = await bin(['validate', file, '--mapping', 'generic-csv', '--json', '--rejects', join(dir, 'a.jsonl')], {
      REAMAZE_IMPORT_THREAD_MIN_BYTES: '0',
    });
    const inline = await runCli(['validate', file, '--mapping', 'generic-csv', '--json', '--rejects', join(dir, 'b.jsonl')]);
    expect(threaded.code).toBe(1);
    const summary = JSON.parse(threaded.stdout);
    // 12 invalid: 11 bad e-mails (the twelfth, T100, is a duplicate first) and the unclosed quote.
    expect(summary).toMatchObject({ rows: 3001, invalid: 12, duplicates: 100, valid: 2889 });
    expect({ ...summary, rejects: null }).toEqual({ ...JSON.parse(inline.stdout), rejects: null });
    expect(await readFile(join(dir, 'a.jsonl'), 'utf8')).toBe(await readFile(join(dir, 'b.jsonl'), 'utf8'));
  });
});
