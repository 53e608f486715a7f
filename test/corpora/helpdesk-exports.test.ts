import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAll } from '../unit/source/helpers.js';
import { CORPORA } from './corpora-path.js';

const exports = path.join(CORPORA, 'helpdesk-exports');

/** Every record's line must be the physical line that starts with its id: an independent check. */
async function expectLinesStartWithIds(relative: string, idColumn: string, count: number): Promise<void> {
  const file = path.join(exports, relative);
  const physical = readFileSync(file, 'utf8').split(/\r\n|\n|\r/);
  const { records } = await readAll(file);
  expect(records).toHaveLength(count);
  const wrong = records.filter((record) => !physical[record.line - 1]?.startsWith(`${String(record.fields[idColumn])},`));
  expect(wrong.map((record) => record.line)).toEqual([]);
}

describe('real helpdesk CSV exports', () => {
  it('skips the 2,543 spreadsheet-residue rows of the multilingual export', async () => {
    const { source, records } = await readAll(path.join(exports, 'multilingual-tickets-tobi-bueck/aa_dataset-tickets-multi-lang-5-2-50-version.csv'));
    expect(records).toHaveLength(99);
    expect(source.columns.slice(0, 3)).toEqual(['subject', 'body', 'answer']);
    expect(records.every((record) => record.problem === undefined)).toBe(true);
    expect(String(records[0]?.fields['body'])).toContain('möchte');
  });

  it('names the right line for every record of a CRLF file with LF breaks inside cells', async () => {
    await expectLinesStartWithIds('kaggle-customer-support-tickets-suraj520/customer_support_tickets.head.csv', 'Ticket ID', 3183);
  });

  it('reads a plain CRLF Zendesk export', async () => {
    await expectLinesStartWithIds('zendesk-csv-export-plum/DA_Assignment.sample.csv', 'Id', 5492);
  });

  it('reads a header-only Freshdesk export as zero records', async () => {
    const { source, records } = await readAll(
      path.join(exports, 'freshdesk-csv-export-thingtrax-header/80000422910_tickets-February-04-2025-12_12.header-only.csv'),
    );
    expect(source.columns).toHaveLength(29);
    expect(records).toEqual([]);
  });
});
