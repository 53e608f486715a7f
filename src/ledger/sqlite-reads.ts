import { foldState, STATUS_STATES, type LedgerMessageCounts, type StatusState } from './ledger.js';
import type { SqliteDatabase } from './sqlite.js';

/**
 * The count queries of a ledger file, shared by `run` (its summary's `ledger` section) and
 * `status`: one set of queries, so the two can never count differently.
 */

/** The duplicates of the last run, shaped like rows (their error reads like the one `validate` gives). */
export const LAST_DUPLICATES = `SELECT file, line, key, 'duplicate' AS state, NULL AS http_status, 'ROW_DUPLICATE' AS error_code,
  'duplicate key "' || key || '": first seen at ' || first_file || ':' || first_line AS error, NULL AS fields, NULL AS problems
  FROM duplicates WHERE run_id = (SELECT max(id) FROM runs)`;

/** Rows per state (`sending` counts as `uncertain`; `duplicate` is the last run's duplicate rows). */
export function countRows(db: SqliteDatabase): Record<StatusState, number> {
  const counts = Object.fromEntries(STATUS_STATES.map((state) => [state, 0])) as Record<StatusState, number>;
  for (const { state, n } of db.prepare('SELECT state, count(*) AS n FROM rows GROUP BY state').all() as { state: string; n: number }[]) {
    const name = foldState(state);
    if (name in counts) counts[name as StatusState] += n;
  }
  counts.duplicate = db.prepare(`SELECT count(*) FROM (${LAST_DUPLICATES})`).pluck().get() as number;
  return counts;
}

/** Thread messages per state (`sending` counts as `uncertain`) and the threads still open. */
export function countMessages(db: SqliteDatabase): LedgerMessageCounts {
  const counts: LedgerMessageCounts = { done: 0, rejected: 0, failed: 0, uncertain: 0, pending: 0, open_threads: 0 };
  for (const { state, n } of db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as { state: string; n: number }[]) {
    const name = foldState(state);
    if (name in counts) counts[name as keyof LedgerMessageCounts] += n;
  }
  counts.open_threads = db.prepare("SELECT count(*) FROM rows WHERE thread = 'open'").pluck().get() as number;
  return counts;
}
