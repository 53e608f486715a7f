import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/** 12,000 tickets; the rare statuses come only after the first 10,000 rows. */
function exportWithRareStatuses(): string {
  const lines = ['ticket_id,subject,description,customer_email,status'];
  for (let i = 1; i <= 12_000; i++) {
    const status = i <= 10_000 ? (i % 2 ? 'Open' : 'Pending') : i % 3 === 0 ? 'Closed' : i % 3 === 1 ? 'On Hold' : 'Spam';
    lines.push(`${i},Subject ${i},Body ${i},c${i}@mail.example,${status}`);
  }
  lines.push('12001,Odd one,Body,odd@mail.example,Quarantined');
  return `${lines.join('\n')}\n`;
}

describe('init reads the whole export', () => {
  it('maps statuses that appear only after the first 10,000 rows, and leaves an unknown one to the user', async () => {
    const file = join(dir, 'tickets.csv');
    const out = join(dir, 'mapping.json');
    await writeFile(file, exportWithRareStatuses());
    const init = await runCli(['init', file, '--out', out]);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('"Closed" (667 rows) → 2 (Resolved)');
    expect(init.stderr).toContain('"On Hold" (666 rows) → 1 (Pending)');
    expect(init.stderr).toContain('"Spam" (667 rows) → 3 (Spam)');
    expect(init.stderr).toContain('To do: conversation.status: "Quarantined" (1 row) is no status init knows');
    const mapping = JSON.parse(await readFile(out, 'utf8')) as { conversation: { status: { map: Record<string, number>; default?: number } } };
    expect(mapping.conversation.status.map).toMatchObject({ open: 0, pending: 1, closed: 2, 'on hold': 1, spam: 3 });
    expect(mapping.conversation.status.default).toBeUndefined();

    // The one value no map covers is a row error naming it and the map; every other row is valid
    const validate = await runCli(['validate', file, '--mapping', out, '--json']);
    const summary = JSON.parse(validate.stdout) as { rows: number; valid: number; invalid: number; top_errors: { error: string }[] };
    expect(summary).toMatchObject({ rows: 12_001, valid: 12_000, invalid: 1 });
    expect(summary.top_errors[0]?.error).toMatch(/conversation\.status: "quarantined" is not in the map/i);
  });

  it('sets source.encoding when the bytes are not UTF-8, so validate reads the accents right', async () => {
    const file = join(dir, 'excel.csv');
    const out = join(dir, 'mapping.json');
    // "Café crème" as Excel writes it on Windows (0xE9, 0xE8): invalid UTF-8
    await writeFile(file, Buffer.concat([Buffer.from('id,subject,body,email\n1,Caf'), Buffer.from([0xe9]), Buffer.from(' cr'), Buffer.from([0xe8]), Buffer.from('me,Hello,a@b.example\n')]));
    const init = await runCli(['init', file, '--out', out]);
    expect(init.stderr).toContain('1 record has bytes that are not UTF-8: source.encoding is set to "windows-1252"');
    const mapping = JSON.parse(await readFile(out, 'utf8')) as { source: { encoding?: string } };
    expect(mapping.source.encoding).toBe('windows-1252');
    const preview = await runCli(['preview', file, '--mapping', out, '--json']);
    expect(JSON.parse(preview.stdout)[0].body.conversation.subject).toBe('Café crème');
  });
});
