import type { StoredMismatch } from './sqlite-verify.js';
import { placeKey, type RequestMinute } from './ledger.js';
import type { SqliteDatabase } from './sqlite.js';
import { LAST_DUPLICATES } from './sqlite-reads.js';

/**
 * The reads of a ledger that only the report needs: requests per minute, the example rows of an
 * error, and what the latest `verify` found. Tables of schema 6 are looked for first, so a ledger
 * written by an older release reads as one without them (no chart, no verify section).
 */

/** One minute of one run's answers. */
export interface RunMinute extends RequestMinute {
  runId: number;
}

/** One row that failed a given way, at its place. */
export interface ErrorExample {
  /** Null for a row whose key was empty (as `ErrorGroup.example`). */
  key: string | null;
  file: string;
  line: number;
  error: string;
}

/** The latest `verify` of the ledger, as recorded (it may still be going on: `complete` false). */
export interface VerificationRecord {
  id: number;
  startedAt: string;
  endedAt: string | null;
  mode: 'all' | 'sample';
  sampleSize: number | null;
  seed: string | null;
  population: number;
  checked: number;
  mismatched: number;
  /** Mismatches per kind (missing, status, tags, …). */
  counts: Record<string, number>;
  complete: boolean;
  /** The first mismatches in file and line order (at most the number asked for). */
  mismatches: VerifyMismatch[];
}

/** One difference `verify` found between the ledger and Re:amaze (never a message body), as it stored it. */
export type VerifyMismatch = StoredMismatch;

/** Thread messages that did not make it, at their ticket's place (for the commonest errors). */
const MESSAGE_ERRORS = `
            UNION ALL SELECT r.file, r.line, m.ticket, m.error_code, m.error FROM messages m JOIN rows r ON r.key = m.ticket
              WHERE m.state <> 'done' AND m.error IS NOT NULL`;

/** Every error the commonest-errors list counts: rows not done, the last run's duplicates and (with threads) messages. */
export function errorSource(threads: boolean): string {
  return `SELECT file, line, key, error_code, error FROM rows WHERE state <> 'done' AND error IS NOT NULL
            UNION ALL SELECT file, line, key, error_code, error FROM (${LAST_DUPLICATES})${threads ? MESSAGE_ERRORS : ''}`;
}

/** True when the ledger has table `name` (those of schema 6 are missing from older ledgers). */
export function hasTable(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Every recorded minute of every run, in time order; none for a ledger from before they were kept. */
export function listRunMinutes(db: SqliteDatabase): RunMinute[] {
  if (!hasTable(db, 'run_minutes')) return [];
  const rows = db.prepare('SELECT run_id, minute, requests, throttled, failures FROM run_minutes ORDER BY minute, run_id').all() as
    { run_id: number; minute: string; requests: number; throttled: number; failures: number }[];
  return rows.map((row) => ({ runId: row.run_id, minute: row.minute, requests: row.requests, throttled: row.throttled, failures: row.failures }));
}

/** Up to `n` rows with error code `code` and error kind `kind` (see `errorKind`), in file and line order. */
export function listErrorExamples(db: SqliteDatabase, threads: boolean, group: { code: string | null; kind: string }, n: number): ErrorExample[] {
  // Needs the `error_kind` function the reader registers on its connection.
  const rows = db.prepare(`SELECT file, line, key, error FROM (${errorSource(threads)})
    WHERE error_code IS ? AND error_kind(error) = ? ORDER BY file, line LIMIT ?`).all(group.code, group.kind, n) as (ErrorExample & { key: string })[];
  // A row without a key is stored under its place: no key a user could search for.
  return rows.map((row) => ({ ...row, key: row.key === placeKey(row.file, row.line) ? null : row.key }));
}

/** The latest verification with its first `n` mismatches; undefined when there was none (or the ledger predates `verify`). */
export function latestVerification(db: SqliteDatabase, n: number): VerificationRecord | undefined {
  if (!hasTable(db, 'verifications')) return undefined;
  const row = db.prepare('SELECT * FROM verifications ORDER BY id DESC LIMIT 1').get() as VerificationRow | undefined;
  if (row === undefined) return undefined;
  const mismatches = hasTable(db, 'verify_mismatches')
    ? db.prepare('SELECT key, slug, file, line, kind, detail FROM verify_mismatches WHERE verification = ? ORDER BY file, line, key, kind LIMIT ?').all(row.id, n) as VerifyMismatch[]
    : [];
  return {
    id: row.id, startedAt: row.started_at, endedAt: row.ended_at, mode: row.mode === 'sample' ? 'sample' : 'all',
    sampleSize: row.sample_size, seed: row.seed, population: row.population, checked: row.checked, mismatched: row.mismatched,
    counts: parseCounts(row.counts), complete: row.complete !== 0, mismatches,
  };
}

interface VerificationRow {
  id: number;
  started_at: string;
  ended_at: string | null;
  mode: string;
  sample_size: number | null;
  seed: string | null;
  population: number;
  checked: number;
  mismatched: number;
  counts: string | null;
  complete: number;
}

/** `{kind: n}` as stored; counts that are not numbers are left out, text that is not JSON reads as none. */
function parseCounts(text: string | null): Record<string, number> {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return {};
  }
}
