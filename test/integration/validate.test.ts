import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, REPO, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const GENERIC_HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';
const row = (id: string, email = `${id}@example.com`, body = `Body of ${id}`) =>
  `${id},Subject ${id},"${body}",open,"a, b",Name ${id},${email},2024-05-01 10:00:00\n`;

async function write(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('validate', () => {
  it('counts valid, invalid and duplicate rows across files, and rows = valid + invalid + duplicates', async () => {
    const first = await write('a.csv', GENERIC_HEADER + row('T1') + row('T2', 'not-an-email') + row('T3'));
    const second = await write('b.csv', GENERIC_HEADER + row('T3') + row('T4') + row('T5', 'x@example.com', ''));
    const result = await runCli(['validate', first, second, '--mapping', 'generic-csv', '--json']);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 6, valid: 3, invalid: 2, duplicates: 1 });
    expect(summary.rows).toBe(summary.valid + summary.invalid + summary.duplicates);
    expect(result.code).toBe(1);
  });

  it('exits 0 when every row is valid and prints a readable summary', async () => {
    const file = await write('ok.csv', GENERIC_HEADER + row('T1') + row('T2'));
    const result = await runCli(['validate', file, '--mapping', 'generic-csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 rows: 2 valid, 0 invalid, 0 duplicates.');
  });

  it('writes every bad row to a JSONL rejects file with file, line, key, errors and the source fields', async () => {
    const body = 'line one\nline two\nline three';
    const file = await write('t.csv', GENERIC_HEADER + row('T1', 'a@example.com', body) + row('T2', 'bob@') + row('T1'));
    const rejects = join(dir, 'rejects.jsonl');
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--rejects', rejects]);
    expect(result.code).toBe(1);
    const rows = (await readFile(rejects, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ file, line: 5, key: 'T2', state: 'invalid', http_status: null });
    expect(rows[0].errors.join(' ')).toMatch(/user\.email/);
    expect(rows[0].fields).toMatchObject({ ticket_id: 'T2', email: 'bob@' });
    expect(rows[1]).toMatchObject({ line: 6, key: 'T1', state: 'duplicate' });
    expect(rows[1].error).toBe(`duplicate key "T1": first seen at ${file}:2`);
  });

  it('writes CSV rejects that a spreadsheet cannot run as formulas', async () => {
    const file = await write('t.csv', GENERIC_HEADER + '=1+1,"=HYPERLINK(""x"")",body,open,,@name,bad,2024-05-01\n');
    const rejects = join(dir, 'rejects.csv');
    expect((await runCli(['validate', file, '--mapping', 'generic-csv', '--rejects', rejects])).code).toBe(1);
    const text = await readFile(rejects, 'utf8');
    const [header, line] = text.trim().split('\n');
    expect(header).toBe('file,line,key,state,http_status,error,ticket_id,subject,body,status,tags,name,email,created_at,raw');
    expect(line).toContain(`,2,'=1+1,invalid,,`);
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
    expect(line).toContain(`,'@name,`);
  });

  it('reports a broken record with its line and still validates the rows after it', async () => {
    const text = GENERIC_HEADER + row('T1') + 'T2,"unclosed,body,open,,N,n@example.com,2024\n' + row('T3') + row('T4');
    const file = await write('broken.csv', text);
    const rejects = join(dir, 'rejects.jsonl');
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--json', '--rejects', rejects]);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 4, valid: 3, invalid: 1 });
    const bad = JSON.parse((await readFile(rejects, 'utf8')).trim());
    expect(bad).toMatchObject({ line: 3, state: 'invalid' });
    expect(bad.error).toMatch(/quote/i);
  });

  it('keeps the text of a row it could not parse, and one whose quote never closes on the last line', async () => {
    const file = await write('tail.csv', GENERIC_HEADER + row('T1') + 'T2,"never closed,body,open,,N,n@example.com,2024\n');
    const rejects = join(dir, 'rejects.csv');
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--json', '--rejects', rejects]);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 2, valid: 1, invalid: 1 });
    const [, line] = (await readFile(rejects, 'utf8')).trim().split('\n');
    expect(line).toMatch(/^.*tail\.csv,3,,invalid,,.*quote.*,"T2,""never closed,body,open,,N,n@example.com,2024"$/);
  });

  it('refuses a rejects file that is one of its inputs, leaving the export untouched', async () => {
    const file = await write('t.csv', GENERIC_HEADER + row('T1') + row('T2', 'bad'));
    const before = await readFile(file, 'utf8');
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--rejects', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('an input of this command');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('says in one sentence when the rejects file cannot be written', async () => {
    const file = await write('t.csv', GENERIC_HEADER + Array.from({ length: 3000 }, (_, i) => row(`T${i}`, 'bad')).join(''));
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--rejects', '/dev/full']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('Cannot write /dev/full: no space left on the device.');
  });

  it('names the row whose bytes are not UTF-8 and keeps the others', async () => {
    const bytes = Buffer.concat([Buffer.from(GENERIC_HEADER + row('T1')), Buffer.from('T2,Caf'), Buffer.from([0xe9]), Buffer.from(',body,open,,N,n@example.com,2024\n'), Buffer.from(row('T3'))]);
    const file = await write('latin.csv', bytes);
    const result = await runCli(['validate', file, '--mapping', 'generic-csv', '--json']);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 3, valid: 2, invalid: 1 });
    expect(summary.top_errors[0].error).toMatch(/UTF-8/);
    expect(summary.top_errors[0].example).toBe(`${file}:3`);
  });

  it('draws a progress bar on a terminal and plain status lines elsewhere, never on stdout', async () => {
    const file = await write('many.csv', GENERIC_HEADER + Array.from({ length: 5000 }, (_, i) => row(`T${i}`)).join(''));
    const tty = await runCli(['validate', file, '--mapping', 'generic-csv', '--json'], { tty: true });
    expect(tty.stderr).toMatch(/100% \| 5,000 rows \| valid 5,000 · invalid 0 · duplicates 0/);
    expect(JSON.parse(tty.stdout)).toMatchObject({ rows: 5000 });
    const quiet = await runCli(['validate', file, '--mapping', 'generic-csv', '--quiet'], { tty: true });
    expect(quiet.stderr).toBe('');
  });

  it('treats a header-only file as zero rows, not an error', async () => {
    const file = await write('header.csv', GENERIC_HEADER);
    const result = await runCli(['validate', file, '--mapping', 'generic-csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 rows');
  });

  it.each([
    ['a missing file', async () => join(dir, 'nope.csv'), /no such file[\s\S]*nope\.csv|nope\.csv[\s\S]*no such file/i],
    ['an empty file', async () => write('empty.csv', ''), /empty/i],
    ['binary junk', async () => write('junk.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0, 1, 2, 3])), /not.*text|binary/i],
    ['a folder holding no export file', async () => dir, /folder[\s\S]*holds no/i],
  ])('stops on %s with one clear sentence and exit 2', async (_name, makeFile, expected) => {
    const result = await runCli(['validate', await makeFile(), '--mapping', 'generic-csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stdout).toBe('');
  });

  it('stops before any row when the mapping names a column the header lacks, naming the nearest ones', async () => {
    const file = await write('t.csv', 'ticket_id,subject,body,status,tags,name,e_mail,created_at\n' + row('T1'));
    const result = await runCli(['validate', file, '--mapping', 'generic-csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('conversation.user.email.from: "email" (nearest: "e_mail"');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it.each([
    ['not JSON', '{ "source": { "key": "id" }, }', /mapping/i],
    ['a wrong shape', JSON.stringify({ conversation: { status: { from: 'Status', map: 'open' } } }), /conversation\.status/],
    ['an unknown transform', JSON.stringify({ conversation: { category: 'x', message: { body: { from: 'b', transform: ['upcase'] } }, user: { email: '{{e}}' } } }), /upcase/],
  ])('refuses a mapping that is %s with exit 2 and the JSON path', async (_name, text, expected) => {
    const file = await write('t.csv', GENERIC_HEADER + row('T1'));
    const mapping = await write('m.json', text);
    const result = await runCli(['validate', file, '--mapping', mapping]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('runs the bundled fixtures through their presets', async () => {
    const expected: Record<string, { valid: number; invalid: number; duplicates: number }> = {
      'zendesk-tickets.csv': { valid: 3, invalid: 2, duplicates: 0 },
      'freshdesk-tickets.csv': { valid: 4, invalid: 1, duplicates: 0 },
      'osticket-tickets.csv': { valid: 2, invalid: 1, duplicates: 0 },
      'generic-tickets.csv': { valid: 3, invalid: 1, duplicates: 1 },
    };
    for (const [name, counts] of Object.entries(expected)) {
      const preset = name.replace('-tickets.csv', '-csv');
      const result = await runCli(['validate', join(REPO, 'fixtures', name), '--mapping', preset, '--json']);
      expect({ name, ...JSON.parse(result.stdout) }).toMatchObject({ name, ...counts });
    }
  });
});
