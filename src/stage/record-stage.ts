import { ImportError } from '../errors.js';
import { compileGetter, toText, type Fields } from '../mapping/fields.js';
import { compileTemplate, isTemplate } from '../mapping/template.js';
import type { JoinOptions } from '../mapping/types.js';
import { openSource } from '../source/index.js';
import { joinKey } from '../ledger/join-key.js';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../ledger/sqlite.js';

/** Messages staged between two commits. */
const COMMIT_EVERY = 8192;

/** Page cache of the stage, in KiB: the most memory it takes, however big the messages files. */
const CACHE_KIB = 16384;

/** Records `recordOf` keeps at hand, at most (then it starts again). */
const RECENT_RECORDS = 10_000;

/** Unreadable message records remembered with their place (the rest are only counted). */
const PROBLEMS_KEPT = 100;

/** A message record that could not be staged, and where it is. */
export interface StageProblem {
  file: string;
  line: number;
  message: string;
}

/** What a messages file says about itself before its records are staged. */
export interface StagedFile {
  file: string;
  columns: readonly string[];
  /** True when `columns` is a CSV header (every record has exactly these); false for JSON samples. */
  columnsComplete: boolean;
  warnings: readonly string[];
}

/**
 * Records of a file staged by key in a temporary SQLite database: a relational export's messages
 * by ticket (each ticket's thread one indexed query away), or a lookup's records (users by id).
 * Memory stays flat however large the file; SQLite deletes the database on close.
 */
export class RecordStage {
  /** Records that could not be staged (unreadable, no ticket key), the first PROBLEMS_KEPT of them. */
  readonly problems: StageProblem[] = [];
  /** How many records could not be staged. */
  problemCount = 0;
  /** Messages staged. */
  count = 0;

  private readonly select: SqliteStatement<[string], string>;
  private readonly selectFirst: SqliteStatement<[string], string>;
  private readonly ask: SqliteStatement<[string]>;
  /** Records found by `recordOf` lately: a lookup names the same few users again and again. */
  private readonly recent = new Map<string, Fields | undefined>();

  private constructor(private readonly db: SqliteDatabase) {
    this.select = db.prepare<[string], string>('SELECT fields FROM staged WHERE ticket = ? ORDER BY seq').pluck();
    this.selectFirst = db.prepare<[string], string>('SELECT fields FROM staged WHERE ticket = ? ORDER BY seq LIMIT 1').pluck();
    this.ask = db.prepare('INSERT OR IGNORE INTO asked (ticket) VALUES (?)');
  }

  /**
   * Reads every messages file into the stage. `check` sees each file's columns before its records
   * are read (it throws for a column the mapping needs and the file lacks).
   */
  static async load(files: readonly string[], join: JoinOptions, check: (file: StagedFile) => void, onRecord?: (fields: Fields) => void): Promise<RecordStage> {
    const db = openSqlite('');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.exec(`
      CREATE TABLE staged (ticket TEXT NOT NULL, seq INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL, fields TEXT NOT NULL);
      CREATE TABLE asked (ticket TEXT PRIMARY KEY) WITHOUT ROWID;
    `);
    const stage = new RecordStage(db);
    try {
      const insert = db.prepare('INSERT INTO staged (ticket, seq, file, line, fields) VALUES (?, ?, ?, ?, ?)');
      const keyOf = isTemplate(join.on) ? compileTemplate(join.on) : compileGetter(join.on);
      for (const [fileIndex, file] of files.entries()) {
        const source = await openSource(file, join.source);
        try {
          check({ file, columns: source.columns, columnsComplete: source.columnsComplete, warnings: source.warnings });
          let batch = 0;
          db.exec('BEGIN');
          for await (const record of source.records()) {
            const key = record.problem ? '' : joinKey(toText(keyOf(record.fields)));
            if (record.problem || key === '') {
              stage.noteProblem({ file, line: record.line, message: record.problem?.message ?? `${join.at ?? 'messages.join.on'}: the key (${join.on}) is empty` });
              continue;
            }
            onRecord?.(record.fields);
            insert.run(key, stage.count++, fileIndex, record.line, JSON.stringify(record.fields));
            if (++batch % COMMIT_EVERY === 0) db.exec('COMMIT; BEGIN');
          }
          db.exec('COMMIT');
        } finally {
          await source.close();
        }
      }
      // Built once after loading: far cheaper than keeping it up to date row by row.
      db.exec('CREATE INDEX staged_ticket ON staged (ticket, seq)');
      return stage;
    } catch (error) {
      stage.close();
      if (error instanceof ImportError) throw error;
      throw new ImportError('FILE_UNREADABLE', `Cannot stage ${files.join(', ')} (${join.at ?? 'messages.join'}): ${(error as Error).message}.`, { cause: error });
    }
  }

  /** The message records of one ticket, in the order the files hold them. */
  messagesOf(ticket: string): Fields[] {
    this.ask.run(joinKey(ticket));
    return this.recordsOf(ticket);
  }

  /** The first record staged under `key` (a lookup: users by id…), or undefined. */
  recordOf(key: string): Fields | undefined {
    const normal = joinKey(key);
    if (this.recent.has(normal)) return this.recent.get(normal);
    const text = this.selectFirst.get(normal);
    const record = text === undefined ? undefined : (JSON.parse(text) as Fields);
    if (this.recent.size >= RECENT_RECORDS) this.recent.clear();
    this.recent.set(normal, record);
    return record;
  }

  /**
   * Every record staged under `key`, in the order the files hold them (a lookup's tags of one
   * ticket…); none: an empty list. Not kept at hand: a table keyed by ticket is asked each key once.
   */
  recordsOf(key: string): Fields[] {
    return this.select.all(joinKey(key)).map((text) => JSON.parse(text) as Fields);
  }

  /** Tickets with staged messages that were not asked for yet, in key order, up to `limit` after `after`. */
  unaskedTickets(after: string, limit: number): string[] {
    return this.db
      .prepare<[string, number], string>('SELECT DISTINCT ticket FROM staged WHERE ticket > ? AND ticket NOT IN (SELECT ticket FROM asked) ORDER BY ticket LIMIT ?')
      .pluck()
      .all(after, limit);
  }

  /** Messages whose ticket was never asked for (not in the tickets files), with the first one's place. */
  orphans(files: readonly string[]): { count: number; example: string | undefined } {
    const row = this.db
      .prepare('SELECT count(*) AS n, min(file * 4294967296 + line) AS place, (SELECT ticket FROM staged s WHERE s.ticket NOT IN (SELECT ticket FROM asked) ORDER BY seq LIMIT 1) AS ticket FROM staged WHERE ticket NOT IN (SELECT ticket FROM asked)')
      .get() as { n: number; place: number | null; ticket: string | null };
    if (row.n === 0 || row.place === null) return { count: 0, example: undefined };
    const file = files[Math.floor(row.place / 4294967296)] ?? '?';
    return { count: row.n, example: `${file}:${row.place % 4294967296} (ticket "${row.ticket ?? ''}")` };
  }

  /** Drops the stage and its temporary file. */
  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }

  private noteProblem(problem: StageProblem): void {
    this.problemCount += 1;
    if (this.problems.length < PROBLEMS_KEPT) this.problems.push(problem);
  }
}
