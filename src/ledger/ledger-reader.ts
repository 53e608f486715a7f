import { existsSync } from 'node:fs';
import { errorKind, formatProblem, ImportError, type RowProblem } from '../errors.js';
import { guardLedgerFile, ledgerFileError, openSqlite, type SqliteDatabase } from './sqlite.js';
import { foldState, placeKey, STATUS_STATES, type LedgerLossCounts, type LedgerMessageCounts, type StatusState } from './ledger.js';
import { SCHEMA_VERSION } from './schema.js';
import { countMessages, countRows, LAST_DUPLICATES, sumLossCounts } from './sqlite-reads.js';
import { errorSource, latestVerification, listErrorExamples, listRunMinutes, type ErrorExample, type RunMinute, type VerificationRecord } from './report-reads.js';
import { listRuns, parseObject, type RunRecord } from './sqlite-runs.js';

export { STATUS_STATES, type StatusState } from './ledger.js';
export type { RunRecord } from './sqlite-runs.js';
export type { ErrorExample, RunMinute, VerificationRecord, VerifyMismatch } from './report-reads.js';

/** Invalid rows failing for the same reason (one problem of theirs, values blanked), with a few of them. */
export interface InvalidReason {
  code: string | null;
  reason: string;
  count: number;
  examples: { key: string | null; file: string; line: number }[];
}

/** The states of rows that did not make it (what `failures --state` accepts). */
export const FAILURE_STATES = STATUS_STATES.filter((state) => state !== 'done') as readonly Exclude<StatusState, 'done'>[];

/** One of `FAILURE_STATES`. */
export type FailureState = Exclude<StatusState, 'done'>;

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
/** A ticket (or one message of its thread) no evidence settled. */
export interface UncertainItem {
  key: string;
  originId: string | undefined;
  file: string;
  line: number;
  error: string | null;
}

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
  /** An invalid row's problems, when the ledger keeps them (schema 3 on); else `error` is their text. */
  problems: RowProblem[] | undefined;
}

/** One API token of a ledger (schema 8 on), by its staff e-mail (the token itself is never kept). */
export interface TokenRecord {
  email: string;
  learnedRate: number | null;
  learnedLimit: number | null;
  /** Conversations and thread messages done whose last request went through this token. */
  conversations: number;
  messages: number;
}

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
    /** Version 3 and later keep an invalid row's problems as structured values. */
    private readonly problems: boolean,
    /** Version 4 and later keep each row's loss counts. */
    private readonly losses: boolean,
    /** Version 9 and later keep the fields of rows not done in `row_bodies`. */
    private readonly bodies: boolean,
    /** Version 8 and later keep the tokens a run sent with. */
    private readonly tokenTable: boolean,
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
      return new LedgerReader(path, db, version >= 2, version >= 3, version >= 4, version >= 9, version >= 8);
    } catch (error) {
      db?.close();
      throw unreadable(error, path);
    }
  }

  /** Row counts per state, as `run` counts them (`sending` as `uncertain`; `duplicate`: the last run's). */
  counts(): Record<StatusState, number> {
    return this.guard(() => countRows(this.db));
  }

  /** Every run, oldest first. */
  runs(): RunRecord[] {
    return this.guard(() => listRuns(this.db));
  }

  /** The rate the next run starts at unless told otherwise: the last run's. */
  learnedRate(): number | undefined {
    // Read here, not through SqliteRuns: its write statements need the tables of schema 6, which an older ledger lacks.
    return this.guard(() => (this.db.prepare('SELECT learned_rate FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as number | null | undefined) ?? undefined);
  }

  /** Each token runs sent with, in the order first used, with what it sent that is done; none before schema 8. */
  tokens(): TokenRecord[] {
    if (!this.tokenTable) return [];
    return this.guard(() => {
      // One pass over each table's done rows, not one per token.
      const doneBy = (table: string) => new Map((this.db.prepare(`SELECT token, count(*) AS n FROM ${table} WHERE state = 'done' AND token IS NOT NULL GROUP BY token`).all() as { token: number; n: number }[]).map(({ token, n }) => [token, n]));
      const conversations = doneBy('rows');
      const messages = doneBy('messages');
      const tokens = this.db.prepare('SELECT id, email, learned_rate, learned_limit FROM tokens ORDER BY id').all() as { id: number; email: string; learned_rate: number | null; learned_limit: number | null }[];
      return tokens.map((token) => ({
        email: token.email, learnedRate: token.learned_rate, learnedLimit: token.learned_limit,
        conversations: conversations.get(token.id) ?? 0, messages: messages.get(token.id) ?? 0,
      }));
    });
  }

  /** The `n` most common errors of rows not done (and of the last run's duplicates), by code and kind. */
  topErrors(n = 5): ErrorGroup[] {
    // With exactly one min(), SQLite takes the bare columns (key, file, line, error) from that row:
    // the example is the first row of the group in file and line order.
    const rows = this.guard(() => this.db.prepare(`SELECT error_code, error_kind(error) AS kind, count(*) AS n,
        min(file || char(1) || printf('%012d', line)) AS first, key, file, line, error
      FROM (${errorSource(this.threads)})
      GROUP BY error_code, kind ORDER BY n DESC, first LIMIT ?`).all(n) as (FailureRow & { kind: string; n: number; error: string })[]);
    return rows.map((row) => ({ code: row.error_code, kind: row.kind, error: row.error, count: row.n, example: { key: realKey(row), file: row.file, line: row.line } }));
  }

  /** Up to `n` tickets and messages left uncertain (or sending), in file order: what `resolve` settles. */
  uncertain(n = 20): UncertainItem[] {
    const messages = this.threads
      ? ` UNION ALL SELECT r.file, r.line, m.ticket AS key, m.origin_id, m.error FROM messages m JOIN rows r ON r.key = m.ticket WHERE m.state IN ('uncertain', 'sending')`
      : '';
    const rows = this.guard(() => this.db.prepare(`SELECT file, line, key, NULL AS origin_id, error FROM rows WHERE state IN ('uncertain', 'sending')${messages}
      ORDER BY file, line, origin_id LIMIT ?`).all(n) as { file: string; line: number; key: string; origin_id: string | null; error: string | null }[]);
    return rows.map((row) => ({ key: row.key, originId: row.origin_id ?? undefined, file: row.file, line: row.line, error: row.error }));
  }

  /** Thread messages per state and the threads still open; undefined for a ledger from before threads. */
  messageCounts(): LedgerMessageCounts | undefined {
    return this.threads ? this.guard(() => countMessages(this.db)) : undefined;
  }

  /** Loss counts of done rows and of rows still to import; none for a ledger from before they were kept. */
  lossCounts(): LedgerLossCounts {
    return this.losses ? this.guard(() => sumLossCounts(this.db)) : { done: {}, notDone: {} };
  }

  /** The rows in `states`, in file and line order, one at a time (constant memory on a million rows). */
  *failures(states: readonly FailureState[]): Generator<FailureRecord> {
    const { sql, params } = failuresQuery(states, this.threads, this.problems, this.bodies);
    const rows = this.guard(() => this.db.prepare(`${sql} ORDER BY file, line, key`).iterate(...params) as IterableIterator<FailureRow>);
    for (;;) {
      const next = this.guard(() => rows.next());
      if (next.done) return;
      yield toFailureRecord(next.value);
    }
  }

  /** The source field names of the rows in `states`, in the order of the source's columns (for CSV headers). */
  fieldNames(states: readonly FailureState[]): string[] {
    const { sql, params } = failuresQuery(states, this.threads, this.problems, this.bodies);
    // Names in order of first appearance: the first row (file, line) holding one, then its place in
    // that record (json_each numbers a record's fields in order), so one header keeps its order.
    return this.guard(() => this.db.prepare(`SELECT j.key FROM (${sql}) AS f, json_each(f.fields) AS j
      WHERE f.fields IS NOT NULL AND json_valid(f.fields) AND json_type(f.fields) = 'object'
      GROUP BY j.key ORDER BY min(f.file || char(1) || printf('%012d %012d', f.line, j.id))`).pluck().all(...params) as string[]);
  }

  /** Every run's answers minute by minute, in time order; none for a ledger from before schema 6. */
  runMinutes(): RunMinute[] {
    return this.guard(() => listRunMinutes(this.db));
  }

  /** Up to `n` rows of an error group of `topErrors`, in file and line order. */
  errorExamples(group: Pick<ErrorGroup, 'code' | 'kind'>, n = 3): ErrorExample[] {
    return this.guard(() => listErrorExamples(this.db, this.threads, group, n));
  }

  /** Invalid rows per reason, commonest first (a row with two problems counts under both), each with up to `n` rows. */
  invalidReasons(n = 3): InvalidReason[] {
    const groups = new Map<string, InvalidReason>();
    for (const record of this.failures(['invalid'])) {
      const reasons = record.problems?.map((problem) => ({ code: problem.code as string, text: formatProblem(problem) })) ?? [{ code: record.errorCode, text: record.error ?? '' }];
      for (const { code, text } of reasons) {
        const reason = errorKind(text);
        const id = `${code}\u0001${reason}`;
        const group = groups.get(id) ?? { code, reason, count: 0, examples: [] };
        groups.set(id, group);
        group.count += 1;
        if (group.examples.length < n) group.examples.push({ key: record.key, file: record.file, line: record.line });
      }
    }
    return [...groups.values()].sort((a, b) => b.count - a.count);
  }

  /** The latest `verify` and its first `n` mismatches; undefined when none was run (or before schema 6). */
  latestVerification(n = 20): VerificationRecord | undefined {
    return this.guard(() => latestVerification(this.db, n));
  }

  /** Runs a read, turning a damaged file into its one sentence. */
  private guard<T>(read: () => T): T {
    return guardLedgerFile(this.path, read);
  }

  /** Ends the snapshot and closes the file. */
  close(): void {
    if (this.db.open) this.db.close();
  }
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
  problems: string | null;
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
  const known = ledgerFileError(error, path);
  if (known) return known;
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'SQLITE_NOTADB') {
    return new ImportError('LEDGER_UNREADABLE', `${path} is not a reamaze-import ledger (not an SQLite file): check the --ledger path.`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ImportError('LEDGER_UNREADABLE', `Cannot read the ledger ${path}: ${reason}; check that the file and its folder are readable.`, { cause: error });
}

/** A row without a key is stored under its place (`placeKey`): no key a user could search for. */
function realKey(row: { key: string; file: string; line: number }): string | null {
  return row.key === placeKey(row.file, row.line) ? null : row.key;
}

function failuresQuery(states: readonly FailureState[], threads: boolean, problems: boolean, bodies: boolean): { sql: string; params: string[] } {
  // A row's fields: in `row_bodies` from schema 9, in `rows` before.
  const fieldsOf = (table: string) => (bodies ? `(SELECT b.fields FROM row_bodies b WHERE b.key = ${table}.key)` : `${table}.fields`);
  const ledgerStates = states.filter((state) => state !== 'duplicate') as string[];
  if (ledgerStates.includes('uncertain')) ledgerStates.push('sending');
  // SQLite takes an empty IN list (no row), so the query has one shape for every choice of states.
  const marks = ledgerStates.map(() => '?').join(', ');
  const parts = [`SELECT file, line, key, state, http_status, error_code, error, ${fieldsOf('rows')} AS fields, ${problems ? 'problems' : 'NULL AS problems'} FROM rows WHERE state IN (${marks})`];
  const params = [...ledgerStates];
  if (threads) {
    // A thread message that did not make it is reported at its ticket's place, the message named in the error.
    parts.push(`SELECT r.file, r.line, m.ticket AS key, m.state, m.http_status, m.error_code,
      'message ' || m.origin_id || ': ' || COALESCE(m.error, 'in flight when a run stopped: the next run looks it up in the thread before sending it again') AS error,
      ${fieldsOf('r')} AS fields, NULL AS problems FROM messages m JOIN rows r ON r.key = m.ticket WHERE m.state IN (${marks})`);
    params.push(...ledgerStates);
    if (states.includes('failed')) {
      parts.push(`SELECT file, line, key, 'failed' AS state, NULL, 'API_FAILED', error, ${fieldsOf('rows')} AS fields, NULL FROM rows WHERE state = 'done' AND thread = 'open' AND error IS NOT NULL`);
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
    problems: parseProblems(row.problems),
  };
}

/** An invalid row's stored problems; undefined when there are none or they cannot be read. */
function parseProblems(text: string | null): RowProblem[] | undefined {
  if (text === null) return undefined;
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? (list as RowProblem[]) : undefined;
  } catch {
    return undefined;
  }
}
