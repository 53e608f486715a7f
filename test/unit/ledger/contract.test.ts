import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../../src/ledger/ledger.js';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import { openSqlite } from '../../../src/ledger/sqlite.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/** Two runs of writes, of every kind the pipeline makes; then everything the contract lets one read. */
async function exercise(ledger: Ledger) {
  ledger.startRun({ args: { mapping_spec: '{"a":1}' }, mappingHash: 'h1' });
  ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'pending', payloadHash: 'p1', payload: '{}', fields: '{"e":"x"}' });
  await ledger.markSendingSoon({ kind: 'row', update: { key: 'T1', file: 'a.csv', line: 2, state: 'sending', payloadHash: 'p1', opener: 'm0' } });
  ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'done', slug: 's1', attempts: 1 });
  ledger.recordMessage({ ticket: 'T1', originId: 'm0', seq: 0, state: 'done' });
  await ledger.markSendingSoon({ kind: 'message', update: { ticket: 'T1', originId: 'm1', seq: 1, state: 'sending', payloadHash: 'q1', payload: '{}' } });
  ledger.recordMessage({ ticket: 'T1', originId: 'm1', seq: 1, state: 'uncertain', errorCode: 'API_UNCERTAIN', error: 'lost', attempts: 1 });
  ledger.setThread('T1', true, 'the final status update failed: x');
  ledger.record({ key: '1077.0', file: 'a.csv', line: 3, state: 'rejected', payloadHash: 'p2', httpStatus: 422, errorCode: 'API_REJECTED', error: 'no', attempts: 1 });
  ledger.record({ key: 'T3', file: 'a.csv', line: 4, state: 'invalid', payloadHash: 'f3', errorCode: 'ROW_INVALID', error: 'bad' });
  ledger.record({ key: 'T4', file: 'a.csv', line: 5, state: 'done', attempts: 1 });
  ledger.recordSlug('T4', 's4');
  ledger.finishRun({ counts: {}, learnedRate: 2.5, exitCode: 1 });
  ledger.startRun({ args: {}, mappingHash: 'h2' });
  ledger.touch('T1');
  ledger.recordDuplicate({ key: 'T1', file: 'b.csv', line: 9, firstFile: 'a.csv', firstLine: 2 });
  await ledger.markSendingSoon({ kind: 'row', update: { key: 'T5', file: 'b.csv', line: 2, state: 'sending', payloadHash: 'p5' } });
  ledger.flush();
  return {
    entries: ['T1', '1077.0', 'T3', 'T4', 'T5', 'nope'].map((key) => ledger.lookup(key)),
    glances: ['T1', 'T4', 'T5', 'nope'].map((key) => ledger.glance(key)),
    joined: ledger.lookupJoined('1077')?.key,
    messages: [ledger.lookupMessage('T1', 'm0'), ledger.lookupMessage('T1', 'm1'), ledger.lookupMessage('T1', 'm9')],
    place: ledger.placeOf('T3'),
    counts: ledger.counts(),
    messageCounts: ledger.messageCounts(),
    learnedRate: ledger.learnedRate(),
    lastMapping: ledger.lastMapping(),
  };
}

/**
 * Loss counts written every way the pipeline may: kept by a write without them (a `sending` or a
 * done without counts), replaced, cleared; in every state; and text that is not counts.
 */
async function exerciseLosses(ledger: Ledger) {
  ledger.startRun({ args: {}, mappingHash: 'h1' });
  const at = (key: string, line: number) => ({ key, file: 'a.csv', line });
  ledger.record({ ...at('K1', 2), state: 'pending', losses: '{"author_unknown":1}' });
  await ledger.markSendingSoon({ kind: 'row', update: { ...at('K1', 2), state: 'sending' } });
  ledger.record({ ...at('K1', 2), state: 'done', slug: 's1' });
  ledger.record({ ...at('K2', 3), state: 'pending', losses: '{"author_not_staff":5}' });
  ledger.record({ ...at('K2', 3), state: 'done', slug: 's2', losses: '{"author_not_staff":2,"attachments_linked":1}' });
  ledger.record({ ...at('K3', 4), state: 'failed', losses: '{"note_reordered":1}' });
  ledger.record({ ...at('K3', 4), state: 'failed', losses: null });
  await ledger.markSendingSoon({ kind: 'row', update: { ...at('K4', 5), state: 'sending', losses: '{"date_unparsed":3}' } });
  ledger.record({ ...at('K5', 6), state: 'failed', losses: '{"date_unparsed":1}' });
  ledger.record({ ...at('K6', 7), state: 'uncertain', losses: 'not json {' });
  ledger.record({ ...at('K7', 8), state: 'pending', losses: '{"author_unknown":"3","no_such_kind":4,"date_sentinel":-1,"custom_field_dropped":1.5,"attachment_not_url":2}' });
  ledger.record({ ...at('K8', 9), state: 'pending', losses: '[1,2]' });
  ledger.record({ ...at('K9', 10), state: 'pending', losses: '7' });
  // Rows that need a fix before they can be sent: their losses are no one's to count yet.
  ledger.record({ ...at('K10', 11), state: 'rejected', losses: '{"opened_by_importer":1}' });
  ledger.record({ ...at('K11', 12), state: 'invalid', losses: '{"assignee_not_staff":1}' });
  return ledger.lossCounts();
}

describe('the ledger contract: SQLite and in-memory alike', () => {
  it('reads back the same entries, counts and runs after the same writes', async () => {
    const sqlite = SqliteLedger.open(join(dir, 'l.ledger'));
    const fromSqlite = await exercise(sqlite);
    sqlite.close();
    const fromMemory = await exercise(new MemoryLedger());
    expect(fromMemory).toEqual(fromSqlite);
    expect(fromSqlite.entries[0]).toMatchObject({ state: 'done', slug: 's1', payloadHash: 'p1', seenRun: 2, threadOpen: true, opener: 'm0', attempts: 1 });
    expect(fromSqlite.counts).toEqual({ done: 2, rejected: 1, failed: 0, invalid: 1, uncertain: 1, pending: 0, duplicate: 1 });
    expect(fromSqlite.messageCounts).toEqual({ done: 1, rejected: 0, failed: 0, uncertain: 1, pending: 0, open_threads: 1 });
    expect(fromSqlite.joined).toBe('1077.0');
  });

  it('glances at a row and its thread: messages done past the opener, and those not done', async () => {
    const sqlite = SqliteLedger.open(join(dir, 'l.ledger'));
    const { glances } = await exercise(sqlite);
    sqlite.close();
    // T1: m0 (its opener) done, m1 uncertain; T4 done without a thread; T5 sending; no row for `nope`
    expect(glances).toEqual([
      { state: 'done', seenRun: 2, threadOpen: true, sourceHash: null, thread: { skipped: 0, notDone: 1 } },
      { state: 'done', seenRun: 1, threadOpen: false, sourceHash: null, thread: { skipped: 0, notDone: 0 } },
      { state: 'sending', seenRun: 2, threadOpen: false, sourceHash: null, thread: { skipped: 0, notDone: 0 } },
      undefined,
    ]);
  });

  it('commits a write made after a glance at once, not when the glance\'s read transaction ends', () => {
    const path = join(dir, 'l.ledger');
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h1' });
    ledger.record({ key: 'T1', file: 'a.csv', line: 2, state: 'done', slug: 's1', sourceHash: 'x1' });
    ledger.flush();
    expect(ledger.glance('T1')).toMatchObject({ state: 'done', sourceHash: 'x1' });
    ledger.record({ key: 'T2', file: 'a.csv', line: 3, state: 'failed', payloadHash: 'p2' });
    ledger.flush();
    // Another connection, in the same synchronous stretch: the write is already committed.
    const other = openSqlite(path);
    expect(other.prepare('SELECT state FROM rows WHERE key = ?').pluck().get('T2')).toBe('failed');
    other.close();
    ledger.close();
  });

  it('commits a `sending` row before its request may leave, though a glance opened a read in the same stretch', async () => {
    const path = join(dir, 'l.ledger');
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h1' });
    const sending = ledger.markSendingSoon({ kind: 'row', update: { key: 'T2', file: 'a.csv', line: 3, state: 'sending', payloadHash: 'p2' } });
    // The read transaction opens after the `sending` commit was scheduled, so it is still open then.
    expect(ledger.glance('T1')).toBeUndefined();
    const other = openSqlite(path);
    // What another process sees the moment the request may leave.
    const seen = await sending.then(() => other.prepare('SELECT state FROM rows WHERE key = ?').pluck().get('T2'));
    other.close();
    ledger.close();
    expect(seen).toBe('sending');
  });

  it('keeps, replaces and clears a row\'s loss counts, and sums done rows apart from those still to import', async () => {
    const path = join(dir, 'l.ledger');
    const sqlite = SqliteLedger.open(path);
    const fromSqlite = await exerciseLosses(sqlite);
    sqlite.close();
    const memory = new MemoryLedger();
    const fromMemory = await exerciseLosses(memory);
    expect(fromSqlite).toEqual({
      done: { author_unknown: 1, author_not_staff: 2, attachments_linked: 1 },
      notDone: { date_unparsed: 4, attachment_not_url: 2 },
    });
    expect(fromMemory).toEqual(fromSqlite);
    // A done row keeps its counts (not customer data) while its payload and fields go.
    expect(memory.rows.get('K1')).toMatchObject({ losses: '{"author_unknown":1}', payload: null, fields: null });
    expect(memory.rows.get('K3')?.losses).toBeNull();
    const db = openSqlite(path, { readonly: true });
    const stored = (key: string) => db.prepare('SELECT losses FROM rows WHERE key = ?').pluck().get(key);
    expect([stored('K1'), stored('K3'), stored('K4')]).toEqual(['{"author_unknown":1}', null, '{"date_unparsed":3}']);
    db.close();
  });

  it('starts with no loss counts', () => {
    const sqlite = SqliteLedger.open(join(dir, 'l.ledger'));
    expect(sqlite.lossCounts()).toEqual({ done: {}, notDone: {} });
    sqlite.close();
    expect(new MemoryLedger().lossCounts()).toEqual({ done: {}, notDone: {} });
  });
});
