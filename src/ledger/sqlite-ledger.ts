import { chmodSync, existsSync } from 'node:fs';
import { ImportError } from '../errors.js';
import type { DuplicateRow, LedgerEntry, MessageEntry, MessageState, MessageUpdate, RowState, RowUpdate, RunEnd, RunInfo, RunStart } from './ledger.js';
import { acquireLock, type LedgerLock } from './lock.js';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';
import { migrate } from './schema.js';
import { joinKey } from './join-key.js';

/** Updates queued before a commit is forced: group commit keeps SQLite out of the per-row cost. */
const GROUP_COMMIT_ROWS = 512;

interface EntryRow {
  key: string;
  state: RowState;
  attempts: number;
  payload_hash: string | null;
  slug: string | null;
  seen_run: number;
  thread: string | null;
  opener: string | null;
}

/** A queued write: a row, a message, or a thread opened or closed. */
type QueuedWrite =
  | { kind: 'row'; update: RowUpdate }
  | { kind: 'message'; update: MessageUpdate }
  | { kind: 'thread'; key: string; open: boolean; error: string | null }
  | { kind: 'slug'; key: string; slug: string };

/** A write committed as `sending` before its request leaves: a conversation or a message. */
type SendingWrite = Extract<QueuedWrite, { kind: 'row' | 'message' }>;

/** The key under which a message's queued writes are remembered. */
const messageKey = (ticket: string, originId: string) => `${ticket}\u0000${originId}`;

/**
 * The ledger of one import in one SQLite file (WAL): what every key's state is, across runs.
 * Writes are queued and committed in groups (`flush`), except `markSending`, which commits at
 * once: a request may leave only after its row is durably `sending`.
 */
export class SqliteLedger {
  private readonly statements: ReturnType<typeof prepare>;
  private queue: QueuedWrite[] = [];
  private seen: string[] = [];
  /** Keys with queued writes: a lookup of one of them (a duplicate, in practice) commits first. */
  private readonly queuedKeys = new Set<string>();
  private sendingBatch: { write: SendingWrite; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private runId = 0;

  private constructor(
    readonly path: string,
    private readonly db: SqliteDatabase,
    private readonly lock: LedgerLock,
  ) {
    this.statements = prepare(db);
  }

  /** Opens or creates the ledger at `path` (mode 0600), refusing it when another run holds it. */
  static open(path: string): SqliteLedger {
    const lock = acquireLock(path);
    let db: SqliteDatabase | undefined;
    try {
      const created = !existsSync(path);
      db = openSqlite(path);
      if (created) chmodSync(path, 0o600);
      db.pragma('journal_mode = WAL');
      // FULL: a `sending` commit survives even a power cut; one fsync a request is cheap at API rates.
      db.pragma('synchronous = FULL');
      migrate(db, path);
      return new SqliteLedger(path, db, lock);
    } catch (error) {
      db?.close();
      lock.release();
      if (error instanceof ImportError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImportError('LEDGER_UNREADABLE', `Cannot open the ledger ${path}: ${reason}. Use another --ledger file or move this one aside.`);
    }
  }

  /** The rate the last run ended with, for the next run's throttle (undefined on a new ledger). */
  learnedRate(): number | undefined {
    const previous = this.statements.lastRun.get() as { learned_rate: number | null } | undefined;
    return previous?.learned_rate ?? undefined;
  }

  /** The last run's mapping (canonical JSON), undefined on a new ledger. */
  lastMapping(): string | undefined {
    const previous = this.statements.lastRun.get() as { args: string } | undefined;
    const spec = previous ? (JSON.parse(previous.args) as { mapping_spec?: unknown }).mapping_spec : undefined;
    return typeof spec === 'string' ? spec : undefined;
  }

  /** Records the start of a run and tells it what the previous run left. */
  startRun(start: RunStart): RunInfo {
    const previous = this.statements.lastRun.get() as { mapping_hash: string; learned_rate: number | null; args: string } | undefined;
    const result = this.statements.startRun.run(new Date().toISOString(), JSON.stringify(start.args), start.mappingHash);
    this.runId = Number(result.lastInsertRowid);
    const previousArgs = previous ? (JSON.parse(previous.args) as { mapping_spec?: unknown }) : undefined;
    return {
      id: this.runId,
      previousMappingHash: previous?.mapping_hash,
      previousMapping: typeof previousArgs?.mapping_spec === 'string' ? previousArgs.mapping_spec : undefined,
      learnedRate: previous?.learned_rate ?? undefined,
    };
  }

  /** What the ledger knows of `key` (pending updates included). */
  lookup(key: string): LedgerEntry | undefined {
    if (this.queuedKeys.has(key)) this.flush();
    const row = this.statements.lookup.get(key) as EntryRow | undefined;
    return row && {
      key: row.key, state: row.state, attempts: row.attempts, payloadHash: row.payload_hash, slug: row.slug,
      seenRun: row.seen_run, threadOpen: row.thread === 'open', opener: row.opener,
    };
  }

  /** The row whose key a messages file names this way (`1077.0` for `1077`), when there is one. */
  lookupJoined(joinKey: string): LedgerEntry | undefined {
    const key = this.statements.joined.get(joinKey) as string | undefined;
    return key === undefined ? undefined : this.lookup(key);
  }

  /** What the ledger knows of one message of a ticket's thread (pending updates included). */
  lookupMessage(ticket: string, originId: string): MessageEntry | undefined {
    if (this.queuedKeys.has(messageKey(ticket, originId))) this.flush();
    const row = this.statements.lookupMessage.get(ticket, originId) as { state: MessageState; payload_hash: string | null } | undefined;
    return row && { state: row.state, payloadHash: row.payload_hash };
  }

  /** Commits these rows as `sending` before their requests leave (one transaction for the group). */
  markSending(rows: readonly RowUpdate[]): void {
    this.commitSending(rows.map((update) => ({ kind: 'row', update })));
  }

  private commitSending(writes: readonly SendingWrite[]): void {
    this.flush();
    this.db.transaction(() => {
      for (const write of writes) {
        if (write.kind === 'row') this.write({ ...write.update, state: 'sending' });
        else this.writeMessage({ ...write.update, state: 'sending' });
      }
    })();
  }

  /**
   * Commits the row as `sending` together with the others asking in the same turn of the event
   * loop (one transaction, one fsync), and resolves once it is durable: the caller sends then.
   */
  markSendingSoon(row: RowUpdate): Promise<void> {
    return this.sendingSoon({ kind: 'row', update: row });
  }

  /** As `markSendingSoon`, for one message of a thread. */
  markMessageSendingSoon(message: MessageUpdate): Promise<void> {
    return this.sendingSoon({ kind: 'message', update: message });
  }

  private sendingSoon(write: SendingWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sendingBatch.push({ write, resolve, reject });
      if (this.sendingBatch.length > 1) return;
      setImmediate(() => {
        const batch = this.sendingBatch;
        this.sendingBatch = [];
        try {
          this.commitSending(batch.map((entry) => entry.write));
          batch.forEach((entry) => entry.resolve());
        } catch (error) {
          batch.forEach((entry) => entry.reject(error));
        }
      });
    });
  }

  /** Queues an update; committed with the next group. */
  record(update: RowUpdate): void {
    this.enqueue({ kind: 'row', update }, update.key);
  }

  /** Queues a message's update; committed with the next group. */
  recordMessage(update: MessageUpdate): void {
    this.enqueue({ kind: 'message', update }, messageKey(update.ticket, update.originId));
  }

  /** Queues marking a ticket's thread open (messages or its final update to come, `error` why) or finished. */
  setThread(key: string, open: boolean, error?: string): void {
    this.enqueue({ kind: 'thread', key, open, error: error ?? null }, key);
  }

  /** Queues the slug of a done row whose create answer carried none (found by its key since). */
  recordSlug(key: string, slug: string): void {
    this.enqueue({ kind: 'slug', key, slug }, key);
  }

  private enqueue(write: QueuedWrite, key: string): void {
    this.queue.push(write);
    this.queuedKeys.add(key);
    if (this.queue.length >= GROUP_COMMIT_ROWS) this.flush();
  }

  /** Notes that `key` was read in this run without changing its state (a skipped done row). */
  touch(key: string): void {
    this.seen.push(key);
    this.queuedKeys.add(key);
    if (this.seen.length >= GROUP_COMMIT_ROWS) this.flush();
  }

  /** Records a duplicate row of this run. */
  recordDuplicate(row: DuplicateRow): void {
    this.flush();
    this.statements.duplicate.run(this.runId, row.key, row.file, row.line, row.firstFile, row.firstLine);
  }

  /** Where `key` was read in this run, for a duplicate's message. */
  placeOf(key: string): { file: string; line: number } | undefined {
    return this.statements.place.get(key) as { file: string; line: number } | undefined;
  }

  /** Commits every queued update in one transaction. */
  flush(): void {
    if (this.queue.length === 0 && this.seen.length === 0) return;
    this.db.transaction(() => {
      for (const write of this.queue) this.apply(write);
      for (const key of this.seen) this.statements.touch.run(this.runId, key);
    })();
    // Dropped only once committed: a failed commit keeps them for the next try.
    this.queue = [];
    this.seen = [];
    this.queuedKeys.clear();
  }

  /** Keys a previous run left `sending` or `uncertain`: to be looked up before anything is sent again. */
  unsettledKeys(): string[] {
    this.flush();
    return this.statements.unsettled.all() as string[];
  }

  /** Row counts per state. */
  counts(): Record<RowState, number> {
    this.flush();
    const counts: Record<string, number> = { done: 0, rejected: 0, failed: 0, invalid: 0, uncertain: 0, sending: 0, pending: 0 };
    for (const { state, n } of this.statements.counts.all() as { state: string; n: number }[]) counts[state] = n;
    return counts as Record<RowState, number>;
  }

  /** Message counts per state, and how many threads are still open. */
  messageCounts(): Record<MessageState | 'open_threads', number> {
    this.flush();
    const counts: Record<string, number> = { done: 0, rejected: 0, failed: 0, uncertain: 0, sending: 0, pending: 0 };
    for (const { state, n } of this.statements.messageCounts.all() as { state: string; n: number }[]) counts[state] = n;
    counts.open_threads = this.statements.openThreads.get() as number;
    return counts as Record<MessageState | 'open_threads', number>;
  }

  /** Records the end of the run (counts, learned rate, exit code). */
  finishRun(end: RunEnd): void {
    this.flush();
    this.statements.finishRun.run(new Date().toISOString(), JSON.stringify(end.counts), end.learnedRate ?? null, end.exitCode, this.runId);
  }

  /** Commits what is queued and releases the file and its lock. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.flush();
    } finally {
      this.db.close();
      this.lock.release();
    }
  }

  private apply(write: QueuedWrite): void {
    if (write.kind === 'row') this.write(write.update);
    else if (write.kind === 'thread') this.statements.thread.run({ thread: write.open ? 'open' : null, error: write.error, key: write.key });
    else if (write.kind === 'slug') this.statements.slug.run(write.slug, write.key);
    else this.writeMessage(write.update);
  }

  private writeMessage(update: MessageUpdate): void {
    this.statements.upsertMessage.run({
      ticket: update.ticket,
      origin_id: update.originId,
      seq: update.seq,
      state: update.state,
      attempts: update.attempts ?? 0,
      http_status: update.httpStatus ?? null,
      error_code: update.errorCode ?? null,
      error: update.error ?? null,
      payload_hash: update.payloadHash ?? null,
      payload: update.state === 'done' ? null : (update.payload ?? null),
      at: new Date().toISOString(),
    });
  }

  private write(update: RowUpdate): void {
    this.statements.upsert.run({
      key: update.key,
      file: update.file,
      line: update.line,
      state: update.state,
      attempts: update.attempts ?? 0,
      http_status: update.httpStatus ?? null,
      slug: update.slug ?? null,
      error_code: update.errorCode ?? null,
      error: update.error ?? null,
      payload_hash: update.payloadHash ?? null,
      // Done rows keep no payload or fields: the ledger stays small on a million-row import.
      payload: update.state === 'done' ? null : (update.payload ?? null),
      fields: update.state === 'done' ? null : (update.fields ?? null),
      run: this.runId,
      at: new Date().toISOString(),
      opener: update.opener ?? null,
      join_key: joinKey(update.key),
    });
  }
}

function prepare(db: SqliteDatabase) {
  const statement = (sql: string): SqliteStatement => db.prepare(sql);
  return {
    lookup: statement('SELECT key, state, attempts, payload_hash, slug, seen_run, thread, opener FROM rows WHERE key = ?'),
    joined: statement('SELECT key FROM rows WHERE join_key = ? ORDER BY key LIMIT 1').pluck(),
    lookupMessage: statement('SELECT state, payload_hash FROM messages WHERE ticket = ? AND origin_id = ?'),
    upsertMessage: statement(`INSERT INTO messages (ticket, origin_id, seq, state, attempts, http_status, error_code, error, payload_hash, payload, updated_at)
      VALUES (@ticket, @origin_id, @seq, @state, @attempts, @http_status, @error_code, @error, @payload_hash, @payload, @at)
      ON CONFLICT (ticket, origin_id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
        attempts = messages.attempts + excluded.attempts, http_status = excluded.http_status,
        error_code = excluded.error_code, error = excluded.error,
        payload_hash = COALESCE(excluded.payload_hash, messages.payload_hash), payload = excluded.payload,
        updated_at = excluded.updated_at`),
    // A thread's error (a failed final update) is kept in the row's error while the row is done.
    slug: statement('UPDATE rows SET slug = ? WHERE key = ?'),
    thread: statement("UPDATE rows SET thread = @thread, error = CASE WHEN state = 'done' THEN @error ELSE error END WHERE key = @key"),
    messageCounts: statement('SELECT state, count(*) AS n FROM messages GROUP BY state'),
    openThreads: statement("SELECT count(*) FROM rows WHERE thread = 'open'").pluck(),
    upsert: statement(`INSERT INTO rows (key, file, line, state, attempts, http_status, slug, error_code, error, payload_hash, payload, fields, seen_run, updated_at, opener, join_key)
      VALUES (@key, @file, @line, @state, @attempts, @http_status, @slug, @error_code, @error, @payload_hash, @payload, @fields, @run, @at, @opener, @join_key)
      ON CONFLICT (key) DO UPDATE SET file = excluded.file, line = excluded.line, state = excluded.state,
        attempts = rows.attempts + excluded.attempts, http_status = excluded.http_status,
        slug = COALESCE(excluded.slug, rows.slug), error_code = excluded.error_code, error = excluded.error,
        payload_hash = COALESCE(excluded.payload_hash, rows.payload_hash), payload = excluded.payload,
        fields = COALESCE(excluded.fields, rows.fields), seen_run = excluded.seen_run, updated_at = excluded.updated_at,
        opener = COALESCE(excluded.opener, rows.opener)`),
    touch: statement('UPDATE rows SET seen_run = ? WHERE key = ?'),
    place: statement('SELECT file, line FROM rows WHERE key = ?'),
    duplicate: statement('INSERT INTO duplicates (run_id, key, file, line, first_file, first_line) VALUES (?, ?, ?, ?, ?, ?)'),
    unsettled: statement("SELECT key FROM rows WHERE state IN ('sending', 'uncertain') ORDER BY key").pluck(),
    counts: statement('SELECT state, count(*) AS n FROM rows GROUP BY state'),
    lastRun: statement('SELECT mapping_hash, learned_rate, args FROM runs ORDER BY id DESC LIMIT 1'),
    startRun: statement('INSERT INTO runs (started_at, args, mapping_hash) VALUES (?, ?, ?)'),
    finishRun: statement('UPDATE runs SET ended_at = ?, counts = ?, learned_rate = ?, exit_code = ? WHERE id = ?'),
  };
}

