import type { DuplicateRow, MessageUpdate, RowUpdate, SendingWrite } from './ledger.js';
import { joinKey } from './join-key.js';
import type { SqliteDatabase } from './sqlite.js';
import { redact } from '../redact.js';

/** Updates queued before a commit is forced: group commit keeps SQLite out of the per-row cost. */
const GROUP_COMMIT_ROWS = 512;
/**
 * Rows noted as read, before a commit is forced: a nightly run reads mostly done rows, and these
 * notes only tell a duplicate within the run, so they go in larger groups.
 */
const GROUP_COMMIT_SEEN = 16_384;

/** A queued write: a row, a message, a thread opened or closed, a slug found later. */
type QueuedWrite =
  | SendingWrite
  | { kind: 'thread'; key: string; open: boolean; error: string | null }
  | { kind: 'slug'; key: string; slug: string };

/** The key under which a message's queued writes are remembered. */
export const messageKey = (ticket: string, originId: string) => `${ticket}\u0000${originId}`;

/**
 * The writes of a ledger file: queued and committed in groups (`flush`), except `sending`, which
 * commits at once with whatever else asked in the same instant: a request may leave only after
 * its row is durably `sending`.
 */
export class SqliteWrites {
  private readonly statements: ReturnType<typeof prepare>;
  private queue: QueuedWrite[] = [];
  private seen: { key: string; sourceHash: string | null }[] = [];
  /** Keys with queued writes: a lookup of one of them commits first. */
  readonly queuedKeys = new Set<string>();
  /** Message writes queued (a thread's tally commits them first). */
  queuedMessages = 0;
  private sendingBatch: { write: SendingWrite; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** The id of each token's row in `tokens`, by staff e-mail (lower case). */
  private readonly tokenIds = new Map<string, number>();

  constructor(
    private readonly db: SqliteDatabase,
    /** The run writing, for `seen_run` and duplicates. */
    private readonly runId: () => number,
    /** Commits the read transaction the ledger's lookups may hold open, before any write: each write commits on its own. */
    private readonly endRead: () => void,
  ) {
    this.statements = prepare(db);
  }

  /**
   * Commits these writes as `sending` now, in one transaction with the writes queued before them
   * (in order): one fsync for both, where the request's wait is paid anyway.
   */
  commitSending(writes: readonly SendingWrite[]): void {
    this.endRead();
    this.db.transaction(() => {
      this.applyQueued();
      for (const write of writes) this.apply({ ...write, update: { ...write.update, state: 'sending' } } as SendingWrite);
    })();
    this.clearQueued();
  }

  /** Commits `write` as `sending` with the others asking in the same turn of the event loop; resolves once durable. */
  sendingSoon(write: SendingWrite): Promise<void> {
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

  /** Queues a row's new state. */
  record(update: RowUpdate): void {
    this.enqueue({ kind: 'row', update }, update.key);
  }

  /** Queues a message's new state. */
  recordMessage(update: MessageUpdate): void {
    this.queuedMessages += 1;
    this.enqueue({ kind: 'message', update }, messageKey(update.ticket, update.originId));
  }

  /** Queues a thread marked open or finished. */
  setThread(key: string, open: boolean, error?: string): void {
    this.enqueue({ kind: 'thread', key, open, error: error ?? null }, key);
  }

  /** Queues the slug of a done row found later. */
  recordSlug(key: string, slug: string): void {
    this.enqueue({ kind: 'slug', key, slug }, key);
  }

  /** Notes that `key` was read in this run (and, when given, the source hash it was read with). */
  touch(key: string, sourceHash?: string): void {
    this.seen.push({ key, sourceHash: sourceHash ?? null });
    this.queuedKeys.add(key);
    if (this.seen.length >= GROUP_COMMIT_SEEN) this.flush();
  }

  /** Records a duplicate row of this run (at once). */
  recordDuplicate(row: DuplicateRow): void {
    this.flush();
    this.endRead();
    this.statements.duplicate.run(this.runId(), row.key, row.file, row.line, row.firstFile, row.firstLine);
  }

  /** Commits every queued write in one transaction; a failed commit keeps them for the next try. */
  flush(): void {
    if (this.queue.length === 0 && this.seen.length === 0) return;
    this.endRead();
    this.db.transaction(() => this.applyQueued())();
    this.clearQueued();
  }

  private applyQueued(): void {
    for (const write of this.queue) this.apply(write);
    for (const { key, sourceHash } of this.seen) this.statements.touch.run(this.runId(), sourceHash, key);
  }

  private clearQueued(): void {
    this.queuedMessages = 0;
    this.queue = [];
    this.seen = [];
    this.queuedKeys.clear();
  }

  private enqueue(write: QueuedWrite, key: string): void {
    this.queue.push(write);
    this.queuedKeys.add(key);
    if (this.queue.length >= GROUP_COMMIT_ROWS) this.flush();
  }

  /** The id of the token of this staff e-mail in `tokens`, its row made on first use; null for none. */
  tokenId(email: string | null | undefined): number | null {
    if (email == null || email === '') return null;
    const name = email.toLowerCase();
    let id = this.tokenIds.get(name);
    if (id === undefined) {
      this.statements.insertToken.run(name, new Date().toISOString());
      id = this.statements.tokenId.get(name) as number;
      this.tokenIds.set(name, id);
    }
    return id;
  }

  private apply(write: QueuedWrite): void {
    if (write.kind === 'row') {
      this.statements.upsertRow.run({ ...rowParams(write.update, this.runId()), token: this.tokenId(write.update.sentBy) });
      const { key, state, payload, fields } = write.update;
      if (state === 'done') this.statements.dropBody.run(key);
      else this.statements.upsertBody.run({ key, payload: payload ?? null, fields: fields ?? null });
    }
    else if (write.kind === 'message') this.statements.upsertMessage.run({ ...messageParams(write.update), token: this.tokenId(write.update.sentBy) });
    else if (write.kind === 'thread') this.statements.thread.run({ thread: write.open ? 'open' : null, error: write.error === null ? null : redact(write.error), key: write.key });
    else this.statements.slug.run(write.slug, write.key);
  }
}

function rowParams(update: RowUpdate, run: number) {
  return {
    key: update.key, file: update.file, line: update.line, state: update.state,
    attempts: update.attempts ?? 0, http_status: update.httpStatus ?? null, slug: update.slug ?? null,
    error_code: update.errorCode ?? null, error: update.error == null ? null : redact(update.error), payload_hash: update.payloadHash ?? null,
    payload: update.payload ?? null, fields: update.fields ?? null, problems: update.problems ?? null,
    run, at: new Date().toISOString(), opener: update.opener ?? null, join_key: joinKey(update.key),
    losses: update.losses ?? null, keep_losses: update.losses === undefined ? 1 : 0, source_hash: update.sourceHash ?? null,
  };
}

function messageParams(update: MessageUpdate) {
  return {
    ticket: update.ticket, origin_id: update.originId, seq: update.seq, state: update.state,
    attempts: update.attempts ?? 0, http_status: update.httpStatus ?? null, error_code: update.errorCode ?? null,
    error: update.error == null ? null : redact(update.error), payload_hash: update.payloadHash ?? null, payload: update.payload ?? null,
    at: new Date().toISOString(),
  };
}

// A `done` row or message keeps no payload and no source fields, whatever the update carries and
// whatever an earlier state kept: once it is in Re:amaze, its customer data has no business here.
// (The ledger runs with secure_delete, so the old content does not linger in freed pages either.)
// Loss counts are no customer data and stay with a done row; an update without them keeps the old ones.
// The token is named by its id in `tokens` (a staff e-mail there, never the token); an update
// without one keeps the token that sent it.
const ROW_UPSERT = `INSERT INTO rows (key, file, line, state, attempts, http_status, slug, error_code, error, payload_hash, payload, fields, seen_run, updated_at, opener, join_key, problems, losses, token, source_hash)
  VALUES (@key, @file, @line, @state, @attempts, @http_status, @slug, @error_code, @error, @payload_hash,
    NULL, NULL, @run, @at, @opener, @join_key, @problems, @losses, @token, @source_hash)
  ON CONFLICT (key) DO UPDATE SET file = excluded.file, line = excluded.line, state = excluded.state,
    attempts = rows.attempts + excluded.attempts, http_status = excluded.http_status,
    slug = COALESCE(excluded.slug, rows.slug), error_code = excluded.error_code, error = excluded.error,
    payload_hash = COALESCE(excluded.payload_hash, rows.payload_hash),
    payload = NULL, fields = NULL,
    seen_run = excluded.seen_run, updated_at = excluded.updated_at, opener = COALESCE(excluded.opener, rows.opener),
    problems = excluded.problems, losses = CASE WHEN @keep_losses THEN rows.losses ELSE excluded.losses END,
    token = COALESCE(excluded.token, rows.token), source_hash = COALESCE(excluded.source_hash, rows.source_hash)`;

// A row's body and fields, while it is not done, in a table of their own (schema 9): a new state
// without a body clears it, one without fields keeps them; `done` deletes both.
const BODY_UPSERT = `INSERT INTO row_bodies (key, payload, fields) VALUES (@key, @payload, @fields)
  ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, fields = COALESCE(excluded.fields, row_bodies.fields)`;

const MESSAGE_UPSERT = `INSERT INTO messages (ticket, origin_id, seq, state, attempts, http_status, error_code, error, payload_hash, payload, updated_at, token)
  VALUES (@ticket, @origin_id, @seq, @state, @attempts, @http_status, @error_code, @error, @payload_hash,
    CASE WHEN @state = 'done' THEN NULL ELSE @payload END, @at, @token)
  ON CONFLICT (ticket, origin_id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
    attempts = messages.attempts + excluded.attempts, http_status = excluded.http_status,
    error_code = excluded.error_code, error = excluded.error,
    payload_hash = COALESCE(excluded.payload_hash, messages.payload_hash),
    payload = CASE WHEN excluded.state = 'done' THEN NULL ELSE excluded.payload END, updated_at = excluded.updated_at,
    token = COALESCE(excluded.token, messages.token)`;

function prepare(db: SqliteDatabase) {
  return {
    upsertRow: db.prepare(ROW_UPSERT),
    upsertBody: db.prepare(BODY_UPSERT),
    dropBody: db.prepare('DELETE FROM row_bodies WHERE key = ?'),
    upsertMessage: db.prepare(MESSAGE_UPSERT),
    // A thread's error (a failed final update) is kept in the row's error while the row is done.
    thread: db.prepare("UPDATE rows SET thread = @thread, error = CASE WHEN state = 'done' THEN @error ELSE error END WHERE key = @key"),
    slug: db.prepare('UPDATE rows SET slug = ? WHERE key = ?'),
    touch: db.prepare('UPDATE rows SET seen_run = ?, source_hash = COALESCE(?, source_hash) WHERE key = ?'),
    insertToken: db.prepare('INSERT INTO tokens (email, updated_at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING'),
    tokenId: db.prepare('SELECT id FROM tokens WHERE email = ?').pluck(),
    duplicate: db.prepare('INSERT INTO duplicates (run_id, key, file, line, first_file, first_line) VALUES (?, ?, ?, ?, ?, ?)'),
  };
}
