import { chmodSync, closeSync, existsSync, openSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeErrno, ImportError } from '../errors.js';
import { API_FACTS } from './ledger.js';
import type {
  ApiFacts, DuplicateRow, RequestMinute, Ledger, LedgerEntry, LedgerLossCounts, LedgerMessageCounts, MessageEntry, MessageState, MessageUpdate, RowState, RowUpdate,
  RunEnd, RunInfo, RunStart, SendingWrite, StatusState, RowGlance, TokenPace,
} from './ledger.js';
import { acquireFileLock, acquireLock, type LedgerLock } from './lock.js';
import { guardLedgerFile, ledgerFileError, openSqlite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';
import { migrate } from './schema.js';
import { countMessages, countRows, hasSent, holdsRecords, sumLossCounts } from './sqlite-reads.js';
import { SqliteRuns } from './sqlite-runs.js';
import { SqliteVerify } from './sqlite-verify.js';
import { messageKey, SqliteWrites } from './sqlite-writes.js';

interface EntryRow {
  key: string;
  state: RowState;
  attempts: number;
  payload_hash: string | null;
  slug: string | null;
  seen_run: number;
  thread: string | null;
  opener: string | null;
  sent_by: string | null;
  source_hash: string | null;
}

type GlanceRow = Pick<EntryRow, 'state' | 'seen_run' | 'thread' | 'source_hash'> & { skipped: number; not_done: number };

/** The columns of a row that a lookup returns (with `FROM rows LEFT JOIN tokens …` after them). */
const ENTRY_COLUMNS = 'SELECT key, state, attempts, payload_hash, slug, seen_run, thread, opener, source_hash, tokens.email AS sent_by';

function entryOf(row: EntryRow): LedgerEntry {
  return {
    key: row.key, state: row.state, attempts: row.attempts, payloadHash: row.payload_hash, slug: row.slug,
    seenRun: row.seen_run, threadOpen: row.thread === 'open', opener: row.opener, sentBy: row.sent_by, sourceHash: row.source_hash,
  };
}

/**
 * The ledger of one import in one SQLite file (WAL, secure_delete, mode 0600, locked to one
 * writer): the runs (`SqliteRuns`), the rows and messages (`SqliteWrites`), and the counts that
 * `status` reads the same way (`sqlite-reads`).
 */
export class SqliteLedger implements Ledger {
  private readonly runs: SqliteRuns;
  private readonly writes: SqliteWrites;
  /** A read transaction is open (see `read`). */
  private reading = false;
  private readonly reads: { lookup: SqliteStatement; joined: SqliteStatement; message: SqliteStatement; place: SqliteStatement; glance: SqliteStatement };

  private constructor(
    readonly path: string,
    private readonly db: SqliteDatabase,
    /** The lock of the file (by device and inode), then the one of its path (`<ledger>.lock`). */
    private readonly locks: readonly LedgerLock[],
    /** This open created the file. */
    private readonly created: boolean,
  ) {
    this.runs = new SqliteRuns(db);
    this.writes = new SqliteWrites(db, () => this.runs.id, () => this.endRead());
    this.reads = {
      lookup: db.prepare(`${ENTRY_COLUMNS} FROM rows LEFT JOIN tokens ON tokens.id = rows.token WHERE key = ?`),
      joined: db.prepare('SELECT key FROM rows WHERE join_key = ? ORDER BY key LIMIT 1').pluck(),
      message: db.prepare('SELECT state, payload_hash FROM messages WHERE ticket = ? AND origin_id = ?'),
      place: db.prepare('SELECT file, line FROM rows WHERE key = ?'),
      // Narrow on purpose: each text column returned is a string made (a full lookup costs twice this)
      glance: db.prepare(`SELECT state, seen_run, thread, source_hash,
        (SELECT count(*) FROM messages WHERE ticket = rows.key AND state = 'done' AND origin_id IS NOT rows.opener) AS skipped,
        (SELECT count(*) FROM messages WHERE ticket = rows.key AND state != 'done') AS not_done
        FROM rows WHERE key = ?`),
    };
  }

  /**
   * Opens or creates the ledger at `path` (mode 0600), refusing it when another run holds it,
   * through this name or any other (a symlink, a hard link). A zero-byte file is a new ledger.
   */
  static open(path: string): SqliteLedger {
    // The path's lock (a new file is created by one run), then the file's (any other name of it).
    const locks = [acquireLock(realPathOf(path))];
    let db: SqliteDatabase | undefined;
    try {
      const created = !existsSync(path);
      if (created) closeSync(openSync(path, 'a', 0o600));
      locks.unshift(acquireFileLock(path));
      db = openSqlite(path);
      if (created) chmodSync(path, 0o600);
      db.pragma('journal_mode = WAL');
      // FULL: a `sending` commit survives even a power cut; one fsync a request is cheap at API rates.
      db.pragma('synchronous = FULL');
      // Deleted and overwritten content (a done row's fields) is zeroed, not left in free pages.
      db.pragma('secure_delete = ON');
      // A nightly run looks every key of the export up: 32 MB of pages (SQLite's default is 2 MB)
      // keep a ledger of several hundred thousand rows in memory instead of re-reading its pages.
      db.pragma('cache_size = -32768');
      migrate(db, path);
      return new SqliteLedger(path, db, locks, created);
    } catch (error) {
      db?.close();
      locks.forEach((lock) => lock.release());
      if (error instanceof ImportError) throw error;
      const known = ledgerFileError(error, path);
      if (known) throw known;
      throw new ImportError('LEDGER_UNREADABLE', `Cannot open the ledger ${path}: ${describeErrno(error, { writing: true })}. Use another --ledger file or move this one aside.`);
    }
  }

  learnedRate(): number | undefined {
    return this.guard(() => this.runs.learnedRate());
  }

  learnedLimit(): number | undefined {
    return this.guard(() => this.runs.learnedLimit());
  }

  lastMapping(): string | undefined {
    return this.guard(() => this.runs.lastMapping());
  }

  tokenPace(email: string): TokenPace | undefined {
    return this.guard(() => this.runs.tokenPace(email));
  }

  recordTokenPace(email: string, pace: TokenPace): void {
    this.guard(() => this.runs.recordTokenPace(email, pace));
  }

  /** True once a request of this ledger may have reached the API: a ledger that never sent anything checks the API first. */
  hasSent(): boolean {
    return this.guard(() => hasSent(this.db));
  }

  startRun(start: RunStart): RunInfo {
    return this.guard(() => this.runs.begin(start));
  }

  finishRun(end: RunEnd): void {
    this.guard(() => {
      this.writes.flush();
      this.runs.end(end);
    });
  }

  recordMinute(minute: RequestMinute): void {
    this.guard(() => this.runs.recordMinute(minute));
  }

  lookup(key: string): LedgerEntry | undefined {
    const row = this.guard(() => {
      if (this.writes.queuedKeys.has(key)) this.writes.flush();
      return this.reads.lookup.get(key) as EntryRow | undefined;
    });
    return row && entryOf(row);
  }

  glance(key: string): RowGlance | undefined {
    // The row's own write, or any message write, could change the answer: the others stay queued.
    if (this.writes.queuedKeys.has(key) || this.writes.queuedMessages > 0) this.flush();
    const row = this.read(() => this.reads.glance.get(key) as GlanceRow | undefined);
    return row && { state: row.state, seenRun: row.seen_run, threadOpen: row.thread === 'open', sourceHash: row.source_hash, thread: { skipped: row.skipped, notDone: row.not_done } };
  }

  lookupJoined(joinKey: string): LedgerEntry | undefined {
    const key = this.guard(() => this.reads.joined.get(joinKey) as string | undefined);
    return key === undefined ? undefined : this.lookup(key);
  }

  lookupMessage(ticket: string, originId: string): MessageEntry | undefined {
    const row = this.guard(() => {
      if (this.writes.queuedKeys.has(messageKey(ticket, originId))) this.writes.flush();
      return this.reads.message.get(ticket, originId) as { state: MessageState; payload_hash: string | null } | undefined;
    });
    return row && { state: row.state, payloadHash: row.payload_hash };
  }

  placeOf(key: string): { file: string; line: number } | undefined {
    return this.guard(() => this.reads.place.get(key) as { file: string; line: number } | undefined);
  }

  threadMessages(ticket: string): { originId: string; state: MessageState }[] {
    return this.guard(() => {
      this.writes.flush();
      return this.db.prepare('SELECT origin_id AS originId, state FROM messages WHERE ticket = ? ORDER BY seq').all(ticket) as { originId: string; state: MessageState }[];
    });
  }

  apiFacts(): ApiFacts {
    return this.guard(() => {
      const facts: ApiFacts = {};
      for (const { name, value } of this.db.prepare('SELECT name, value FROM api_facts').all() as { name: string; value: number }[]) {
        if ((API_FACTS as readonly string[]).includes(name)) facts[name as keyof ApiFacts] = value === 1;
      }
      return facts;
    });
  }

  learnApiFacts(facts: ApiFacts): void {
    const learned = API_FACTS.filter((name) => facts[name] !== undefined);
    if (learned.length === 0) return;
    this.guard(() => {
      // A fact once learned is kept: the first listing that showed it was one whose content was known.
      const insert = this.db.prepare('INSERT OR IGNORE INTO api_facts (name, value, learned_at) VALUES (?, ?, ?)');
      const at = new Date().toISOString();
      this.db.transaction(() => learned.forEach((name) => insert.run(name, facts[name] ? 1 : 0, at)))();
    });
  }

  /** Commits these rows as `sending` at once, in one transaction (tests and tools; the pipeline uses `markSendingSoon`). */
  markSending(rows: readonly RowUpdate[]): void {
    this.guard(() => this.writes.commitSending(rows.map((update) => ({ kind: 'row', update }))));
  }

  markSendingSoon(write: SendingWrite): Promise<void> {
    // A failed commit (a full disk) rejects: the request never leaves.
    return this.writes.sendingSoon(write).catch((error: unknown) => {
      throw ledgerFileError(error, this.path) ?? error;
    });
  }

  record(update: RowUpdate): void {
    this.guard(() => this.writes.record(update));
  }

  recordMessage(update: MessageUpdate): void {
    this.guard(() => this.writes.recordMessage(update));
  }

  setThread(key: string, open: boolean, error?: string): void {
    this.guard(() => this.writes.setThread(key, open, error));
  }

  recordSlug(key: string, slug: string): void {
    this.guard(() => this.writes.recordSlug(key, slug));
  }

  touch(key: string, sourceHash?: string): void {
    this.guard(() => this.writes.touch(key, sourceHash));
  }

  recordDuplicate(row: DuplicateRow): void {
    this.guard(() => this.writes.recordDuplicate(row));
  }

  flush(): void {
    this.guard(() => this.writes.flush());
  }

  counts(): Record<StatusState, number> {
    return this.guard(() => {
      this.writes.flush();
      return countRows(this.db);
    });
  }

  messageCounts(): LedgerMessageCounts {
    return this.guard(() => {
      this.writes.flush();
      return countMessages(this.db);
    });
  }

  lossCounts(): LedgerLossCounts {
    return this.guard(() => {
      this.writes.flush();
      return sumLossCounts(this.db);
    });
  }

  /** The verify tables of this ledger (and its one repair), through this open's connection and lock. */
  verifications(): SqliteVerify {
    return this.guard(() => {
      this.writes.flush();
      return new SqliteVerify(this.db);
    });
  }

  close(): void {
    this.closeFiles(false);
  }

  /**
   * Settles by hand a ticket (or, with `originId`, one message of its thread) that no evidence
   * could: `done` is never sent again (a ticket with the slug someone found in Re:amaze), `absent`
   * is sent by the next run without a lookup. Only an `uncertain` (or `sending`) one can be
   * settled; the state it had, or undefined when there is none.
   */
  resolve(target: { key: string; originId?: string | undefined }, as: 'done' | 'absent', note: string, slug?: string): string | undefined {
    return this.guard(() => {
      this.flush();
      const state = as === 'done' ? 'done' : 'pending';
      const at = new Date().toISOString();
      const settle = this.db.transaction((): string | undefined => {
        if (target.originId !== undefined) {
          const had = this.db.prepare('SELECT state FROM messages WHERE ticket = ? AND origin_id = ?').pluck().get(target.key, target.originId) as string | undefined;
          if (had === 'uncertain' || had === 'sending') {
            this.db.prepare(`UPDATE messages SET state = ?, error_code = NULL, error = ?, payload = CASE WHEN ? = 'done' THEN NULL ELSE payload END, updated_at = ? WHERE ticket = ? AND origin_id = ?`)
              .run(state, note, state, at, target.key, target.originId);
          }
          return had;
        }
        const had = this.db.prepare('SELECT state FROM rows WHERE key = ?').pluck().get(target.key) as string | undefined;
        if (had === 'uncertain' || had === 'sending') {
          // A done row keeps no customer data
          this.db.prepare('UPDATE rows SET state = ?, slug = COALESCE(?, slug), error_code = NULL, error = ?, updated_at = ? WHERE key = ?')
            .run(state, slug ?? null, note, at, target.key);
          if (state === 'done') this.db.prepare('DELETE FROM row_bodies WHERE key = ?').run(target.key);
        }
        return had;
      });
      return settle();
    });
  }

  /**
   * Closes the ledger and, when this open created it and it recorded no row, message or duplicate
   * (a run refused before anything was sent), removes its files; true when it did. A ledger that
   * existed before, or that holds anything, is only closed.
   */
  closeDiscardingUnused(): boolean {
    return this.closeFiles(true);
  }

  private closeFiles(discardUnused: boolean): boolean {
    if (!this.db.open) return false;
    let discard = false;
    try {
      this.flush();
      discard = discardUnused && this.created && !holdsRecords(this.db);
    } finally {
      this.db.close();
      // Removed before the locks are released: no other run can have opened the file meanwhile.
      if (discard) for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.path}${suffix}`, { force: true });
      this.locks.forEach((lock) => lock.release());
    }
    return discard;
  }

  /**
   * Runs a read or a write, turning a damaged file or a full disk into its one sentence. The read
   * transaction `read` may have left open is committed first, so every write commits on its own.
   */
  private guard<T>(action: () => T): T {
    return guardLedgerFile(this.path, () => {
      this.endRead();
      return action();
    });
  }

  /**
   * Runs a read inside the read transaction of the current stretch of synchronous work, opened by
   * the first such read and committed by the first write (every write path of the ledger and of
   * `SqliteWrites` ends it first, so no write, above all no `sending` one, waits on it) or when the
   * event loop next turns. A nightly run looks up every row it reads: on its own, each read is a
   * transaction of its own (WAL locks taken and released), about three times the cost of the
   * lookup. Only `glance` reads this way.
   */
  private read<T>(action: () => T): T {
    return guardLedgerFile(this.path, () => {
      if (!this.reading && !this.db.inTransaction) {
        this.db.exec('BEGIN');
        this.reading = true;
        setImmediate(() => this.endRead());
      }
      return action();
    });
  }

  private endRead(): void {
    if (!this.reading) return;
    this.reading = false;
    if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
  }
}

/** The file a ledger path names, through any symlinks (the path itself for a file still to create). */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}
