import type { RequestMinute, RunEnd, RunInfo, RunStart, TokenPace } from './ledger.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite.js';
import { redact } from '../redact.js';

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

interface LastRun {
  mapping_hash: string;
  learned_rate: number | null;
  learned_limit: number | null;
  args: string;
}

/** The `runs` table: one row per `run`, its options (never a secret), counts and learned rate. */
export class SqliteRuns {
  private readonly last: SqliteStatement;
  private readonly start: SqliteStatement;
  private readonly finish: SqliteStatement;
  private readonly minute: SqliteStatement;
  private readonly paceOf: SqliteStatement;
  private readonly keepPace: SqliteStatement;
  /** The run this ledger writes for, once started. */
  id = 0;

  constructor(db: SqliteDatabase) {
    this.last = db.prepare('SELECT mapping_hash, learned_rate, learned_limit, args FROM runs ORDER BY id DESC LIMIT 1');
    this.start = db.prepare('INSERT INTO runs (started_at, args, mapping_hash) VALUES (?, ?, ?)');
    this.finish = db.prepare('UPDATE runs SET ended_at = ?, counts = ?, learned_rate = ?, learned_limit = ?, exit_code = ? WHERE id = ?');
    this.paceOf = db.prepare('SELECT learned_rate, learned_limit FROM tokens WHERE email = ?');
    // A limit once learned is kept when this run learned none (it met no 429).
    this.keepPace = db.prepare(`INSERT INTO tokens (email, learned_rate, learned_limit, updated_at) VALUES (@email, @rate, @limit, @at)
      ON CONFLICT (email) DO UPDATE SET learned_rate = COALESCE(excluded.learned_rate, tokens.learned_rate),
        learned_limit = COALESCE(excluded.learned_limit, tokens.learned_limit), updated_at = excluded.updated_at`);
    this.minute = db.prepare(`INSERT INTO run_minutes (run_id, minute, requests, throttled, failures) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (run_id, minute) DO UPDATE SET requests = requests + excluded.requests, throttled = throttled + excluded.throttled, failures = failures + excluded.failures`);
  }

  /** Adds one minute's answers of this run (a minute recorded twice adds up). */
  recordMinute(minute: RequestMinute): void {
    if (this.id === 0) return;
    this.minute.run(this.id, minute.minute, minute.requests, minute.throttled, minute.failures);
  }

  /** The rate the last run ended with (undefined on a new ledger). */
  learnedRate(): number | undefined {
    return (this.last.get() as LastRun | undefined)?.learned_rate ?? undefined;
  }

  /** The API's limit the last run learned from 429s (undefined when none did). */
  learnedLimit(): number | undefined {
    return (this.last.get() as LastRun | undefined)?.learned_limit ?? undefined;
  }

  /** What the token of this staff e-mail learned of its pace; undefined when it never ran. */
  tokenPace(email: string): TokenPace | undefined {
    const row = this.paceOf.get(email.toLowerCase()) as { learned_rate: number | null; learned_limit: number | null } | undefined;
    if (!row || (row.learned_rate === null && row.learned_limit === null)) return undefined;
    return { rate: row.learned_rate ?? undefined, limit: row.learned_limit ?? undefined };
  }

  /** Keeps the pace a token ended the run with. */
  recordTokenPace(email: string, pace: TokenPace): void {
    this.keepPace.run({ email: email.toLowerCase(), rate: pace.rate ?? null, limit: pace.limit ?? null, at: new Date().toISOString() });
  }

  /** The last run's mapping (canonical JSON), undefined on a new ledger. */
  lastMapping(): string | undefined {
    return mappingOf(this.last.get() as LastRun | undefined);
  }

  /** Records the start of a run and tells it what the previous run left. */
  begin(start: RunStart): RunInfo {
    const previous = this.last.get() as LastRun | undefined;
    this.id = Number(this.start.run(new Date().toISOString(), redact(JSON.stringify(start.args)), start.mappingHash).lastInsertRowid);
    return {
      id: this.id,
      previousMappingHash: previous?.mapping_hash,
      previousMapping: mappingOf(previous),
      learnedRate: previous?.learned_rate ?? undefined,
    };
  }

  /** Records the end of the run. */
  end(end: RunEnd): void {
    this.finish.run(new Date().toISOString(), JSON.stringify(end.counts), end.learnedRate ?? null, end.learnedLimit ?? null, end.exitCode, this.id);
  }
}

function mappingOf(run: LastRun | undefined): string | undefined {
  const spec = run ? (JSON.parse(run.args) as { mapping_spec?: unknown }).mapping_spec : undefined;
  return typeof spec === 'string' ? spec : undefined;
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

/** Every run, oldest first. */
export function listRuns(db: SqliteDatabase): RunRecord[] {
  const rows = db.prepare('SELECT id, started_at, ended_at, args, counts, learned_rate, exit_code FROM runs ORDER BY id').all() as RunRow[];
  return rows.map(toRunRecord);
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
export function parseObject(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
