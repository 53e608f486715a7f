import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorKind } from '../../../src/errors.js';
import { LedgerReader } from '../../../src/ledger/ledger-reader.js';
import type { RowUpdate } from '../../../src/ledger/ledger.js';
import { SCHEMA_VERSION } from '../../../src/ledger/schema.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import { openSqlite } from '../../../src/ledger/sqlite.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, 'import.ledger');
});
afterEach(() => cleanup());

const fields = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, subject: `S ${id}`, ...extra });
const update = (key: string, line: number, state: RowUpdate['state'], more: Partial<RowUpdate> = {}): RowUpdate =>
  ({ key, file: 'a.csv', line, state, fields: fields(key), ...more });

/** One finished run with a row in every state, and a second run with one duplicate. */
function writeLedger(): void {
  const ledger = SqliteLedger.open(path);
  ledger.startRun({ args: { files: ['a.csv'], rate: '2' }, mappingHash: 'h1' });
  ledger.record(update('K1', 2, 'done'));
  ledger.record(update('K2', 3, 'rejected', { httpStatus: 422, errorCode: 'API_REJECTED', error: 'the API refused the row (422): channel "x" unknown' }));
  ledger.record(update('K3', 4, 'rejected', { httpStatus: 422, errorCode: 'API_REJECTED', error: 'the API refused the row (422): channel "y" unknown' }));
  ledger.record(update('K4', 5, 'invalid', { errorCode: 'ROW_INVALID', error: 'user.email: must be an email address, got "b@"; message.body: required', fields: fields('K4', { email: 'b@' }) }));
  ledger.record(update('@a.csv:6', 6, 'invalid', { errorCode: 'ROW_INVALID', error: 'source.key: the key is empty', fields: JSON.stringify({ note: 'n' }) }));
  ledger.record(update('K6', 7, 'failed', { errorCode: 'API_FAILED', error: 'gave up: 503' }));
  ledger.record(update('K7', 8, 'uncertain', { errorCode: 'API_UNCERTAIN', error: 'timed out' }));
  ledger.record(update('K8', 9, 'pending'));
  ledger.markSending([update('K9', 10, 'sending')]);
  ledger.recordDuplicate({ key: 'K1', file: 'a.csv', line: 11, firstFile: 'a.csv', firstLine: 2 });
  ledger.finishRun({ counts: { rows: 10, done: 1 }, learnedRate: 1.5, exitCode: 1 });
  ledger.startRun({ args: { files: ['b.csv'] }, mappingHash: 'h1' });
  ledger.recordDuplicate({ key: 'K2', file: 'b.csv', line: 3, firstFile: 'b.csv', firstLine: 2 });
  ledger.finishRun({ counts: { rows: 2 }, learnedRate: 2.5, exitCode: 1 });
  ledger.close();
}

function withReader<T>(read: (reader: LedgerReader) => T): T {
  const reader = LedgerReader.open(path);
  try {
    return read(reader);
  } finally {
    reader.close();
  }
}

describe('LedgerReader', () => {
  it('counts every state, `sending` as uncertain, and only the last run\'s duplicates', () => {
    writeLedger();
    expect(withReader((reader) => reader.counts())).toEqual({ done: 1, rejected: 2, failed: 1, invalid: 2, uncertain: 2, pending: 1, duplicate: 1 });
  });

  it('lists the runs oldest first with durations, parsed counts and arguments, and the learned rate of the last', () => {
    writeLedger();
    const runs = withReader((reader) => reader.runs());
    expect(runs.map((run) => [run.id, run.exitCode, run.learnedRate])).toEqual([[1, 1, 1.5], [2, 1, 2.5]]);
    expect(runs[0]).toMatchObject({ counts: { rows: 10, done: 1 }, args: { files: ['a.csv'], rate: '2' } });
    expect(runs[0]!.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(withReader((reader) => reader.learnedRate())).toBe(2.5);
  });

  it('groups errors by code and kind, most common first, with the first row as the example', () => {
    writeLedger();
    const groups = withReader((reader) => reader.topErrors(3));
    expect(groups).toHaveLength(3);
    expect(groups[0]).toEqual({
      code: 'API_REJECTED',
      kind: 'the API refused the row (N): channel "…" unknown',
      error: 'the API refused the row (422): channel "x" unknown',
      count: 2,
      example: { key: 'K2', file: 'a.csv', line: 3 },
    });
    const all = withReader((reader) => reader.topErrors(20));
    expect(all.map((group) => group.code)).toContain('ROW_DUPLICATE');
    expect(all.find((group) => group.error === 'source.key: the key is empty')?.example).toEqual({ key: null, file: 'a.csv', line: 6 });
  });

  it('iterates the rows of the states asked for, in file and line order, with their fields', () => {
    writeLedger();
    const rows = withReader((reader) => [...reader.failures(['invalid', 'uncertain', 'duplicate'])]);
    expect(rows.map((row) => [row.file, row.line, row.key, row.state])).toEqual([
      ['a.csv', 5, 'K4', 'invalid'],
      ['a.csv', 6, null, 'invalid'],
      ['a.csv', 8, 'K7', 'uncertain'],
      ['a.csv', 10, 'K9', 'uncertain'],
      ['b.csv', 3, 'K2', 'duplicate'],
    ]);
    expect(rows[0]).toMatchObject({ errorCode: 'ROW_INVALID', fields: { id: 'K4', email: 'b@' } });
    expect(rows[3]!.error).toContain('in flight when a run stopped');
    expect(rows[4]).toMatchObject({ error: 'duplicate key "K2": first seen at b.csv:2', fields: {}, httpStatus: null });
    expect(withReader((reader) => [...reader.failures(['rejected'])].map((row) => row.httpStatus))).toEqual([422, 422]);
  });

  it('names the source fields of those rows in the order of their columns', () => {
    writeLedger();
    expect(withReader((reader) => reader.fieldNames(['invalid']))).toEqual(['id', 'subject', 'email', 'note']);
    expect(withReader((reader) => reader.fieldNames(['duplicate']))).toEqual([]);
  });

  it('reads a ledger a run holds, from one snapshot', () => {
    writeLedger();
    const writer = SqliteLedger.open(path);
    try {
      writer.startRun({ args: {}, mappingHash: 'h1' });
      const reader = LedgerReader.open(path);
      try {
        expect(reader.counts().done).toBe(1);
        writer.record(update('K10', 12, 'done'));
        writer.flush();
        // The read transaction keeps the view the reader opened with: its numbers add up.
        expect(reader.counts().done).toBe(1);
      } finally {
        reader.close();
      }
      expect(withReader((reader) => reader.counts().done)).toBe(2);
    } finally {
      writer.close();
    }
  });

  it('refuses a missing file, a file that is not SQLite, an SQLite file that is not a ledger, and a newer ledger', async () => {
    expect(() => LedgerReader.open(path)).toThrow(`No ledger at ${path}:`);
    await writeFile(path, 'ticket_id,subject\n1,a\n');
    expect(() => LedgerReader.open(path)).toThrow(`${path} is not a reamaze-import ledger (not an SQLite file)`);
    const other = join(dir, 'other.db');
    const db = openSqlite(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => LedgerReader.open(other)).toThrow(`${other} is not a reamaze-import ledger (an SQLite file without the ledger's tables)`);
    const newer = join(dir, 'newer.db');
    const future = openSqlite(newer);
    future.pragma('user_version = 99');
    future.close();
    expect(() => LedgerReader.open(newer)).toThrow(`newer than this reamaze-import reads (${SCHEMA_VERSION}): upgrade reamaze-import.`);
  });

  it('creates nothing in an empty file it is pointed at', async () => {
    await writeFile(path, '');
    expect(() => LedgerReader.open(path)).toThrow('is not a reamaze-import ledger');
    const db = openSqlite(path, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master").pluck().get()).toBe(0);
    db.close();
  });
});

describe('errorKind', () => {
  it('blanks quoted values and numbers so rows failing the same way count together', () => {
    expect(errorKind('user.email: must be an email address, got "b@" (line 12)')).toBe('user.email: must be an email address, got "…" (line N)');
    expect(errorKind('value "a \\"quoted\\" b" is bad')).toBe('value "…" is bad');
  });
});
