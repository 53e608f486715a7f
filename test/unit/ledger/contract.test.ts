import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../../src/ledger/ledger.js';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
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
    joined: ledger.lookupJoined('1077')?.key,
    messages: [ledger.lookupMessage('T1', 'm0'), ledger.lookupMessage('T1', 'm1'), ledger.lookupMessage('T1', 'm9')],
    place: ledger.placeOf('T3'),
    counts: ledger.counts(),
    messageCounts: ledger.messageCounts(),
    learnedRate: ledger.learnedRate(),
    lastMapping: ledger.lastMapping(),
  };
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
});
