import { LOSS_KINDS, type LossCounts, type LossKind } from '../mapping/losses.js';
import { foldState, STATUS_STATES, TO_IMPORT_STATES, type LedgerLossCounts, type LedgerMessageCounts, type StatusState } from './ledger.js';
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

/**
 * The loss counts of done rows and of rows still to import, summed in one query: json_each reads
 * each row's counts where they lie (no row is parsed in JS), text that is not JSON reads as `{}`
 * (json_each would throw), a count that is not a positive whole number is skipped, and total()
 * cannot overflow the way sum() can on a garbage count.
 */
export const LOSS_SUMS = `SELECT rows.state = 'done' AS done, j.key AS kind, total(j.value) AS n
  FROM rows, json_each(CASE WHEN json_valid(rows.losses) THEN rows.losses ELSE '{}' END) AS j
  WHERE rows.losses IS NOT NULL AND rows.state IN ('done', ${TO_IMPORT_STATES.map((state) => `'${state}'`).join(', ')})
    AND j.type IN ('integer', 'real') AND j.value > 0 AND j.value = round(j.value)
  GROUP BY 1, j.key`;

/** Loss counts per kind of done rows and of rows still to import; kinds this code does not know are left out. */
export function sumLossCounts(db: SqliteDatabase): LedgerLossCounts {
  const sums: LedgerLossCounts = { done: {}, notDone: {} };
  for (const { done, kind, n } of db.prepare(LOSS_SUMS).all() as { done: number; kind: unknown; n: number }[]) {
    // A sum past 2^53 is garbage (no export holds that many), and would print as a rounded number.
    if (typeof kind !== 'string' || !Object.hasOwn(LOSS_KINDS, kind) || !Number.isSafeInteger(n)) continue;
    const counts: LossCounts = done ? sums.done : sums.notDone;
    counts[kind as LossKind] = n;
  }
  return sums;
}

/** True when the ledger recorded any row, thread message or duplicate (not only runs). */
export function holdsRecords(db: SqliteDatabase): boolean {
  const sql = 'SELECT EXISTS (SELECT 1 FROM rows) OR EXISTS (SELECT 1 FROM messages) OR EXISTS (SELECT 1 FROM duplicates)';
  return db.prepare(sql).pluck().get() === 1;
}

/** True when a row or message ever left `pending` for the API (every request is committed `sending` first). */
export function hasSent(db: SqliteDatabase): boolean {
  const sql = "SELECT EXISTS (SELECT 1 FROM rows WHERE state NOT IN ('pending', 'invalid')) OR EXISTS (SELECT 1 FROM messages)";
  return db.prepare(sql).pluck().get() === 1;
}
