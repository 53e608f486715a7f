import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerReader } from '../../../src/ledger/ledger-reader.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import { LOSS_SUMS } from '../../../src/ledger/sqlite-reads.js';
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

describe('loss counts in the ledger file', () => {
  it('are summed alike by the writer and by a reader beside it, over many rows', () => {
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h' });
    for (let line = 2; line < 2002; line += 1) {
      const state = line % 4 === 0 ? 'done' : line % 4 === 1 ? 'pending' : line % 4 === 2 ? 'failed' : 'invalid';
      ledger.record({ key: `K${line}`, file: 'a.csv', line, state, losses: line % 2 === 0 ? '{"author_not_staff":2,"attachments_linked":1}' : '{"date_unparsed":1}' });
    }
    const written = ledger.lossCounts();
    // 500 done rows, 500 failed (the even lines); 500 pending (odd), the 500 invalid left out.
    expect(written).toEqual({ done: { author_not_staff: 1000, attachments_linked: 500 }, notDone: { author_not_staff: 1000, attachments_linked: 500, date_unparsed: 500 } });
    const reader = LedgerReader.open(path);
    try {
      expect(reader.lossCounts()).toEqual(written);
    } finally {
      reader.close();
      ledger.close();
    }
  });

  it('are summed from the partial index alone, never by looking each row up (a million rows: under a second, not half a minute)', () => {
    SqliteLedger.open(path).close();
    const db = openSqlite(path, { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${LOSS_SUMS}`).all() as { detail: string }[]).map((step) => step.detail);
    db.close();
    expect(plan.some((detail) => detail.includes('COVERING INDEX rows_losses'))).toBe(true);
  });

  it('ignore a sum no count could reach (garbage), without failing the read', () => {
    const ledger = SqliteLedger.open(path);
    ledger.startRun({ args: {}, mappingHash: 'h' });
    const huge = '{"author_unknown":9223372036854775807}';
    ledger.record({ key: 'K1', file: 'a.csv', line: 2, state: 'done', losses: huge });
    ledger.record({ key: 'K2', file: 'a.csv', line: 3, state: 'done', losses: huge });
    ledger.record({ key: 'K3', file: 'a.csv', line: 4, state: 'done', losses: '{"note_reordered":1}' });
    expect(() => ledger.lossCounts()).not.toThrow();
    expect(ledger.lossCounts().done).toEqual({ note_reordered: 1 });
    ledger.close();
  });
});
