import { existsSync } from 'node:fs';
import { errorKind, ImportError } from '../errors.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { SCHEMA_VERSION } from './schema.js';

/** The states `status` counts: the ledger's, with `sending` folded into `uncertain`, plus the last run's duplicates. */
export const STATUS_STATES = ['done', 'rejected', 'failed', 'invalid', 'uncertain', 'pending', 'duplicate'] as const;

/** One of `STATUS_STATES`. */
export type StatusState = (typeof STATUS_STATES)[number];

/** The states of rows that did not make it (what `failures --state` accepts). */
export const FAILURE_STATES = STATUS_STATES.filter((state) => state !== 'done') as readonly Exclude<StatusState, 'done'>[];

/** One of `FAILURE_STATES`. */
export type FailureState = Exclude<StatusState, 'done'>;

/** One recorded run of `run`. */
export interface RunRecord {
  id: number;
  startedAt: string;
  /** Null while the run goes on, or when it was killed before it could record its end. */
  endedAt: string | null;
  durationSeconds: number | null;
  counts: Record<string, number> | null;
  /** Requests per second the run ended with. */
  learnedRate: number | null;
  exitCode: number | null;
  /** The command's options as recorded (never a secret). */
  args: Record<string, unknown>;
}

/** Rows failing the same way, counted together, with the first place one was read. */
export interface ErrorGroup {
  code: string | null;
  /** The error with quoted values and numbers blanked: what the rows of the group share. */
  kind: string;
  /** The error of the example row, as stored. */
  error: string;
  count: number;
  /** The first row of the group in file and line order (`key` null for a row that had none). */
  example: { key: string | null; file: string; line: number };
}

/** A row that did not make it, as the ledger knows it. */
export interface FailureRecord {
  file: string;
  line: number;
  /** Null for a row whose key was empty. */
  key: string | null;
  state: FailureState;
  httpStatus: number | null;
  errorCode: string | null;
  error: string | null;
  /** The source record's fields (empty for duplicates: the ledger keeps the first row's only). */
  fields: Record<string, unknown>;
}

/** The duplicates of the last run, shaped like rows (their error reads like the one `validate` gives). */
const LAST_DUPLICATES = `SELECT file, line, key, 'duplicate' AS state, NULL AS http_status, 'ROW_DUPLICATE' AS error_code,
  'duplicate key "' || key || '": first seen at ' || first_file || ':' || first_line AS error, NULL AS fields
  FROM duplicates WHERE run_id = (SELECT max(id) FROM runs)`;

/** Thread messages that did not make it, at their ticket's place (for the commonest errors). */
const MESSAGE_ERRORS = `
            UNION ALL SELECT r.file, r.line, m.ticket, m.error_code, m.error FROM messages m JOIN rows r ON r.key = m.ticket
              WHERE m.state <> 'done' AND m.error IS NOT NULL`;

/**
 * Reads a ledger without taking its lock: a run may be writing it, and WAL lets readers in.
 * Everything read through one reader comes from one snapshot (a read transaction held until `close`).
 */
export class LedgerReader {
  private constructor(
    readonly path: string,
    private readonly db: SqliteDatabase,
    /** Version 2 and later keep threads (the messages table). */
    private readonly threads: boolean,
  ) {}

  /** Opens the ledger at `path` read-only; LEDGER_UNREADABLE when it is missing, not a ledger, or newer than this code. */
  static open(path: string): LedgerReader {
    if (!existsSync(path)) {
      throw new ImportError('LEDGER_UNREADABLE', `No ledger at ${path}: nothing was imported with it yet, or the path is wrong; check it, or run \`reamaze-import run <files..> --mapping <mapping> --ledger ${path}\` first.`);
    }
    let db: SqliteDatabase | undefined;
    try {
      db = openSqlite(path, { readonly: true });
      db.function('error_kind', { deterministic: true }, (error: unknown) => errorKind(String(error)));
      db.exec('BEGIN');
      const version = checkSchema(db, path);
      return new LedgerReader(path, db, version >= 2);
    } catch (error) {
      db?.close();
      throw unreadable(error, path);
    }
  }

  /** Row counts per state (`sending` counts as `uncertain`; `duplicate` is the last run's duplicate rows). */
  counts(): Record<StatusState, number> {
    const counts = Object.fromEntries(STATUS_STATES.map((state) => [state, 0])) as Record<StatusState, number>;
    for (const { state, n } of this.db.prepare('SELECT state, count(*) AS n FROM rows GROUP BY state').all() as { state: string; n: number }[]) {
      const name = foldState(state);
      if (name in counts) counts[name as StatusState] += n;
    }
    counts.duplicate = this.db.prepare(`SELECT count(*) FROM (${LAST_DUPLICATES})`).pluck().get() as number;
    return counts;
  }

  /** Every run, oldest first. */
  runs(): RunRecord[] {
    const rows = this.db.prepare('SELECT id, started_at, ended_at, args, counts, learned_rate, exit_code FROM runs ORDER BY id').all() as RunRow[];
    return rows.map(toRunRecord);
  }

  /** The rate the next run starts at unless told otherwise: the last run's (as `SqliteLedger.learnedRate`). */
  learnedRate(): number | undefined {
    const rate = this.db.prepare('SELECT learned_rate FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as number | null | undefined;
    return rate ?? undefined;
  }

  /** The `n` most common errors of rows not done (and of the last run's duplicates), by code and kind. */
  topErrors(n = 5): ErrorGroup[] {
    // With exactly one min(), SQLite takes the bare columns (key, file, line, error) from that row:
    // the example is the first row of the group in file and line order.
    const rows = this.db.prepare(`SELECT error_code, error_kind(error) AS kind, count(*) AS n,
        min(file || char(1) || printf('%012d', line)) AS first, key, file, line, error
      FROM (SELECT file, line, key, error_code, error FROM rows WHERE state <> 'done' AND error IS NOT NULL
            UNION ALL SELECT file, line, key, error_code, error FROM (${LAST_DUPLICATES})${this.threads ? MESSAGE_ERRORS : ''})
      GROUP BY error_code, kind ORDER BY n DESC, first LIMIT ?`).all(n) as (FailureRow & { kind: string; n: number; error: string })[];
    return rows.map((row) => ({ code: row.error_code, kind: row.kind, error: row.error, count: row.n, example: { key: realKey(row), file: row.file, line: row.line } }));
  }

  /**
   * Thread messages per state (`sending` counts as `uncertain`) and the threads still open (messages
   * or the final status update to come); undefined for a ledger from before threads.
   */
  messageCounts(): Record<'done' | 'rejected' | 'failed' | 'uncertain' | 'pending' | 'open_threads', number> | undefined {
    if (!this.threads) return undefined;
    const counts = { done: 0, rejected: 0, failed: 0, uncertain: 0, pending: 0, open_threads: 0 };
    for (const { state, n } of this.db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as { state: string; n: number }[]) {
      const name = foldState(state);
      if (name in counts) counts[name as keyof typeof counts] += n;
    }
    counts.open_threads = this.db.prepare("SELECT count(*) FROM rows WHERE thread = 'open'").pluck().get() as number;
    return counts;
  }

  /** The rows in `states`, in file and line order, one at a time (constant memory on a million rows). */
  *failures(states: readonly FailureState[]): Generator<FailureRecord> {
    const { sql, params } = failuresQuery(states, this.threads);
    for (const row of this.db.prepare(`${sql} ORDER BY file, line, key`).iterate(...params) as IterableIterator<FailureRow>) {
      yield toFailureRecord(row);
    }
  }

  /** The source field names of the rows in `states`, in the order of the source's columns (for CSV headers). */
  fieldNames(states: readonly FailureState[]): string[] {
    const { sql, params } = failuresQuery(states, this.threads);
    // Names in order of first appearance: the first row (file, line) holding one, then its place in
    // that record (json_each numbers a record's fields in order), so one header keeps its order.
    return this.db.prepare(`SELECT j.key FROM (${sql}) AS f, json_each(f.fields) AS j
      WHERE f.fields IS NOT NULL AND json_valid(f.fields) AND json_type(f.fields) = 'object'
      GROUP BY j.key ORDER BY min(f.file || char(1) || printf('%012d %012d', f.line, j.id))`).pluck().all(...params) as string[];
  }

  /** Ends the snapshot and closes the file. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface RunRow {
  id: number;
  started_at: string;
  ended_at: string | null;
  args: string;
  counts: string | null;
  learned_rate: number | null;
  exit_code: number | null;
}

interface FailureRow {
  file: string;
  line: number;
  key: string;
  state: string;
  http_status: number | null;
  error_code: string | null;
  error: string | null;
  fields: string | null;
}

function checkSchema(db: SqliteDatabase, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new ImportError('LEDGER_UNREADABLE', `${path} is a ledger of schema version ${version}, newer than this reamaze-import reads (${SCHEMA_VERSION}): upgrade reamaze-import.`);
  }
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'rows', 'duplicates')").pluck().all();
  // A ledger of version 1 (before threads) is read as it is: it has no messages.
  if (version < 1 || tables.length !== 3) {
    throw new ImportError('LEDGER_UNREADABLE', `${path} is not a reamaze-import ledger (an SQLite file without the ledger's tables): check the --ledger path.`);
  }
  return version;
}

function unreadable(error: unknown, path: string): ImportError {
  if (error instanceof ImportError) return error;
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'SQLITE_NOTADB') {
    return new ImportError('LEDGER_UNREADABLE', `${path} is not a reamaze-import ledger (not an SQLite file): check the --ledger path.`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ImportError('LEDGER_UNREADABLE', `Cannot read the ledger ${path}: ${reason}; check that the file and its folder are readable.`, { cause: error });
}

/** A row without a key is stored under `@file:line` (pipeline/import.ts): no key a user could search for. */
function realKey(row: { key: string; file: string; line: number }): string | null {
  return row.key === `@${row.file}:${row.line}` ? null : row.key;
}

/** A row left `sending` was in flight when a run stopped: as unknown as `uncertain`, and looked up the same way. */
function foldState(state: string): string {
  return state === 'sending' ? 'uncertain' : state;
}

function failuresQuery(states: readonly FailureState[], threads: boolean): { sql: string; params: string[] } {
  const ledgerStates = states.filter((state) => state !== 'duplicate') as string[];
  if (ledgerStates.includes('uncertain')) ledgerStates.push('sending');
  // SQLite takes an empty IN list (no row), so the query has one shape for every choice of states.
  const marks = ledgerStates.map(() => '?').join(', ');
  const parts = [`SELECT file, line, key, state, http_status, error_code, error, fields FROM rows WHERE state IN (${marks})`];
  const params = [...ledgerStates];
  if (threads) {
    // A thread message that did not make it is reported at its ticket's place, the message named in the error.
    parts.push(`SELECT r.file, r.line, m.ticket AS key, m.state, m.http_status, m.error_code,
      'message ' || m.origin_id || ': ' || COALESCE(m.error, 'in flight when a run stopped: the next run looks it up in the thread before sending it again') AS error,
      r.fields FROM messages m JOIN rows r ON r.key = m.ticket WHERE m.state IN (${marks})`);
    params.push(...ledgerStates);
    if (states.includes('failed')) {
      parts.push(`SELECT file, line, key, 'failed' AS state, NULL, 'API_FAILED', error, fields FROM rows WHERE state = 'done' AND thread = 'open' AND error IS NOT NULL`);
    }
  }
  if (states.includes('duplicate')) parts.push(LAST_DUPLICATES);
  return { sql: `SELECT * FROM (${parts.join(' UNION ALL ')})`, params };
}

function toFailureRecord(row: FailureRow): FailureRecord {
  const state = foldState(row.state) as FailureState;
  const inFlight = row.state === 'sending' && row.error === null;
  return {
    file: row.file,
    line: row.line,
    key: realKey(row),
    state,
    httpStatus: row.http_status,
    errorCode: row.error_code,
    error: inFlight ? 'the request was in flight when a run stopped: the next run looks the key up before sending it again' : row.error,
    fields: parseObject(row.fields),
  };
}

function toRunRecord(row: RunRow): RunRecord {
  const started = Date.parse(row.started_at);
  const ended = row.ended_at === null ? Number.NaN : Date.parse(row.ended_at);
  return {
    id: row.id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationSeconds: Number.isFinite(ended - started) ? (ended - started) / 1000 : null,
    counts: row.counts === null ? null : (parseObject(row.counts) as Record<string, number>),
    learnedRate: row.learned_rate,
    exitCode: row.exit_code,
    args: parseObject(row.args),
  };
}

/** A JSON object column; anything else (null, damaged text) reads as empty rather than failing the whole report. */
function parseObject(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
