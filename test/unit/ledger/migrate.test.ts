import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerReader } from '../../../src/ledger/ledger-reader.js';
import { openSqlite } from '../../../src/ledger/sqlite.js';
import { hashOf } from '../../../src/hash.js';
import { SCHEMA_VERSION } from '../../../src/ledger/schema.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/** Takes version 4 out of a ledger: what every earlier version lacks. */
/** As releases before schema 9 kept them: a row's body and fields in `rows` itself. */
const BODIES_IN_ROWS = `UPDATE rows SET payload = (SELECT payload FROM row_bodies b WHERE b.key = rows.key),
  fields = (SELECT fields FROM row_bodies b WHERE b.key = rows.key); DROP TABLE row_bodies;`;

const DROP_LOSSES = 'DROP INDEX rows_losses; ALTER TABLE rows DROP COLUMN losses;';

/** A ledger as the release before threads left it: schema version 1, one done row. */
function writeVersion1(path: string): void {
  const ledger = SqliteLedger.open(path);
  ledger.startRun({ args: {}, mappingHash: 'h' });
  ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'done', slug: 'slug-1' });
  ledger.close();
  const db = openSqlite(path);
  db.exec('DROP TABLE messages; DROP INDEX rows_join_key; DROP INDEX rows_losses; ALTER TABLE rows DROP COLUMN losses; ALTER TABLE rows DROP COLUMN problems; ALTER TABLE rows DROP COLUMN thread; ALTER TABLE rows DROP COLUMN opener; ALTER TABLE rows DROP COLUMN join_key;');
  db.pragma('user_version = 1');
  db.close();
}

describe('ledger schema versions', () => {
  it('reads a version 1 ledger as it is, and upgrades it in place when a run opens it', () => {
    const path = join(dir, 'old.ledger');
    writeVersion1(path);
    const reader = LedgerReader.open(path);
    expect(reader.counts()).toMatchObject({ done: 1 });
    expect(reader.messageCounts()).toBeUndefined();
    reader.close();

    const ledger = SqliteLedger.open(path);
    expect(ledger.lookup('T1')).toMatchObject({ state: 'done', slug: 'slug-1', threadOpen: false, opener: null });
    // Rows of version 1 are found by the key a messages file gives them.
    expect(ledger.lookupJoined('T1')).toMatchObject({ key: 'T1' });
    ledger.setThread('T1', true);
    ledger.recordMessage({ ticket: 'T1', originId: 'm1', seq: 1, state: 'done' });
    expect(ledger.lookupMessage('T1', 'm1')).toEqual({ state: 'done', payloadHash: null });
    expect(ledger.messageCounts()).toMatchObject({ done: 1, open_threads: 1 });
    ledger.close();
    const db = openSqlite(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('commits a message as sending before its request may leave, together with the others of that instant', async () => {
    const ledger = SqliteLedger.open(join(dir, 'l.ledger'));
    ledger.startRun({ args: {}, mappingHash: 'h' });
    await Promise.all([
      ledger.markSendingSoon({ kind: 'message', update: { ticket: 'T1', originId: 'a', seq: 1, state: 'sending', payload: '{}' } }),
      ledger.markSendingSoon({ kind: 'row', update: { key: 'T2', file: 'a.csv', line: 3, state: 'sending' } }),
    ]);
    // Another connection sees both: they are durable, not queued.
    const db = openSqlite(join(dir, 'l.ledger'), { readonly: true });
    expect(db.prepare('SELECT state FROM messages').pluck().all()).toEqual(['sending']);
    expect(db.prepare('SELECT state FROM rows').pluck().all()).toEqual(['sending']);
    db.close();
    ledger.close();
  });

  it('drops the source fields an earlier release kept for done rows, from the file too', () => {
    const path = join(dir, 'v2.ledger');
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h' });
    ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'failed', fields: JSON.stringify({ email: 'kept-too-long@example.org' }), payload: '{"body":"old words"}' });
    ledger.close();
    // As version 2 left it: a done row that still holds its fields and payload.
    const db = openSqlite(path);
    db.exec(`${BODIES_IN_ROWS} UPDATE rows SET state = 'done'; ${DROP_LOSSES} ALTER TABLE rows DROP COLUMN problems`);
    db.pragma('user_version = 2');
    db.close();
    SqliteLedger.open(path).close();
    const after = openSqlite(path, { readonly: true });
    expect(after.prepare('SELECT fields, payload FROM rows').get()).toEqual({ fields: null, payload: null });
    after.close();
    const bytes = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('');
    expect(bytes).not.toContain('kept-too-long@example.org');
    expect(bytes).not.toContain('old words');
  });

  it('takes an earlier release\'s joined thread out of a row\'s fields, and an invalid row\'s hash with it', () => {
    const path = join(dir, 'joined.ledger');
    const asRead = { id: '7', subject: 'Help' };
    const stored = { ...asRead, '@messages': [{ id: 'c1', body: 'words of the thread' }] };
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h' });
    ledger.record({ key: '7', file: 't.csv', line: 2, state: 'invalid', fields: JSON.stringify(stored), payloadHash: hashOf(stored) });
    ledger.close();
    const db = openSqlite(path);
    db.exec(`${BODIES_IN_ROWS} ${DROP_LOSSES} ALTER TABLE rows DROP COLUMN problems`);
    db.pragma('user_version = 2');
    db.close();
    const reopened = SqliteLedger.open(path);
    // Last night's unchanged invalid row is recognised as unchanged by the hash a run computes now.
    expect(reopened.lookup('7')).toMatchObject({ state: 'invalid', payloadHash: hashOf(asRead) });
    reopened.close();
    const after = openSqlite(path, { readonly: true });
    // Kept while the row is not done, in the table of such rows' bodies since schema 9.
    expect(after.prepare('SELECT fields FROM rows').pluck().get()).toBeNull();
    expect(JSON.parse(after.prepare('SELECT fields FROM row_bodies').pluck().get() as string)).toEqual(asRead);
    after.close();
  });

  it('adds loss counts to a version 3 ledger in place, keeping its rows; a reader of it finds none', () => {
    const path = join(dir, 'v3.ledger');
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h' });
    ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'done', slug: 'slug-1' });
    ledger.record({ key: 'T2', file: 'a.csv', line: 3, state: 'invalid', problems: '[{"code":"x","path":"p","message":"m"}]', fields: '{"id":"T2"}' });
    ledger.record({ key: 'T3', file: 'a.csv', line: 4, state: 'failed', payload: '{"body":"b"}' });
    ledger.close();
    const db = openSqlite(path);
    db.exec(`${BODIES_IN_ROWS} ${DROP_LOSSES}`);
    db.pragma('user_version = 3');
    db.close();

    // Read-only, as `status` reads it: no column to sum, so no losses, and everything else as before.
    const reader = LedgerReader.open(path);
    expect(reader.lossCounts()).toEqual({ done: {}, notDone: {} });
    expect(reader.counts()).toMatchObject({ done: 1, invalid: 1, failed: 1 });
    reader.close();

    const reopened = SqliteLedger.open(path);
    expect(reopened.lookup('T1')).toMatchObject({ state: 'done', slug: 'slug-1' });
    expect(reopened.lossCounts()).toEqual({ done: {}, notDone: {} });
    reopened.record({ key: 'T3', file: 'a.csv', line: 4, state: 'done', slug: 'slug-3', losses: '{"date_unparsed":2}' });
    expect(reopened.lossCounts()).toEqual({ done: { date_unparsed: 2 }, notDone: {} });
    reopened.close();
    const after = openSqlite(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(9);
    // Every later step ran: a token column (8) and a source hash (9), none known for old rows.
    expect(after.prepare('SELECT key, state, problems, (SELECT fields FROM row_bodies b WHERE b.key = rows.key) AS fields, losses, token, source_hash FROM rows ORDER BY key').all()).toEqual([
      { key: 'T1', state: 'done', problems: null, fields: null, losses: null, token: null, source_hash: null },
      { key: 'T2', state: 'invalid', problems: '[{"code":"x","path":"p","message":"m"}]', fields: '{"id":"T2"}', losses: null, token: null, source_hash: null },
      { key: 'T3', state: 'done', problems: null, fields: null, losses: '{"date_unparsed":2}', token: null, source_hash: null },
    ]);
    after.close();
    expect(withReader(path, (r) => r.lossCounts())).toEqual({ done: { date_unparsed: 2 }, notDone: {} });
  });
});

describe('version 5: what the API was seen to do', () => {
  it('adds the facts table to a version 4 ledger, keeping its rows; a fact once learned is kept, across opens', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = join(dir, 'v4.ledger');
      const ledger = SqliteLedger.open(path);
      ledger.startRun({ args: {}, mappingHash: 'h' });
      ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'done', slug: 'slug-1' });
      ledger.close();
      const db = openSqlite(path);
      db.exec('DROP TABLE api_facts');
      db.pragma('user_version = 4');
      db.close();

      const reopened = SqliteLedger.open(path);
      expect(reopened.lookup('T1')).toMatchObject({ state: 'done', slug: 'slug-1' });
      expect(reopened.apiFacts()).toEqual({});
      reopened.learnApiFacts({ listsOpener: true });
      reopened.learnApiFacts({ listsOpener: false, echoesOriginIds: false });
      reopened.close();
      const again = SqliteLedger.open(path);
      expect(again.apiFacts()).toEqual({ listsOpener: true, echoesOriginIds: false });
      again.close();
    } finally {
      await cleanup();
    }
  });
});

function withReader<T>(path: string, read: (reader: LedgerReader) => T): T {
  const reader = LedgerReader.open(path);
  try {
    return read(reader);
  } finally {
    reader.close();
  }
}
