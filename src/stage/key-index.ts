import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../ledger/sqlite.js';

/** Where a key was first seen. */
export interface FirstSeen {
  fileIndex: number;
  line: number;
}

/** Keys added between two commits: large batches keep SQLite's per-transaction cost out of the row loop. */
const COMMIT_EVERY = 8192;

/** Page cache of the index, in KiB: the most memory it will take, however many keys it holds. */
const CACHE_KIB = 8192;

/**
 * The keys seen so far in one command, for finding duplicate rows. The keys themselves (not
 * hashes: no false duplicates) live in a temporary SQLite database that SQLite deletes on close;
 * only its page cache is in memory, so a file of ten million rows is checked in the memory of one
 * of ten thousand. Ticket ids mostly grow, which keeps the B-tree's inserts near its right edge.
 */
export class KeyIndex {
  private readonly db: SqliteDatabase;
  private readonly insert: SqliteStatement<[string, number]>;
  private readonly find: SqliteStatement<[string], number>;
  private pending = 0;

  constructor() {
    // An empty name is SQLite's private temporary database: on disk when it outgrows the cache, gone on close.
    this.db = openSqlite('');
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.db.exec('CREATE TABLE keys (key TEXT PRIMARY KEY, place INTEGER NOT NULL) WITHOUT ROWID');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO keys (key, place) VALUES (?, ?)');
    this.find = this.db.prepare<[string], number>('SELECT place FROM keys WHERE key = ?').pluck();
  }

  /** Adds the key; returns where it was first seen when it was already there, else undefined. */
  addOrGet(key: string, fileIndex: number, line: number): FirstSeen | undefined {
    if (this.pending === 0) this.db.exec('BEGIN');
    this.pending = (this.pending + 1) % COMMIT_EVERY;
    const added = this.insert.run(key, fileIndex * 2 ** 32 + line).changes > 0;
    if (this.pending === 0) this.db.exec('COMMIT');
    if (added) return undefined;
    const place = this.find.get(key) ?? 0;
    return { fileIndex: Math.floor(place / 2 ** 32), line: place % 2 ** 32 };
  }

  /** Drops the index and its temporary file. */
  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}
