import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../ledger/sqlite.js';

/** Where a key was first seen. */
export interface FirstSeen {
  fileIndex: number;
  line: number;
}

/**
 * Keys held in a Map before the index moves to SQLite: 131,072 (about 12 MB). Below it a key
 * costs a Map lookup; past it SQLite's B-tree, whose page cache bounds the memory at any size.
 */
export const MEMORY_KEYS = 1 << 17;

/** Keys added between two commits: large batches keep SQLite's per-transaction cost out of the row loop. */
const COMMIT_EVERY = 8192;

/** Page cache of the SQLite index, in KiB: the most memory it will take, however many keys it holds. */
const CACHE_KIB = 8192;

const toPlace = (fileIndex: number, line: number): number => fileIndex * 2 ** 32 + line;
const fromPlace = (place: number): FirstSeen => ({ fileIndex: Math.floor(place / 2 ** 32), line: place % 2 ** 32 });

/**
 * The keys in a temporary SQLite database that SQLite deletes on close; only its page cache is in
 * memory. Ticket ids mostly grow, which keeps the B-tree's inserts near its right edge.
 */
class SqliteKeys {
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

  /** Moves the keys of a Map in, sorted, in one transaction. */
  addAll(keys: ReadonlyMap<string, number>): void {
    this.db.exec('BEGIN');
    for (const key of [...keys.keys()].sort()) this.insert.run(key, keys.get(key)!);
    this.db.exec('COMMIT');
  }

  addOrGet(key: string, place: number): number | undefined {
    if (this.pending === 0) this.db.exec('BEGIN');
    this.pending = (this.pending + 1) % COMMIT_EVERY;
    const added = this.insert.run(key, place).changes > 0;
    if (this.pending === 0) this.db.exec('COMMIT');
    return added ? undefined : (this.find.get(key) ?? 0);
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}

/**
 * The keys seen so far in one command, for finding duplicate rows. The keys themselves (not
 * hashes: no false duplicates) are held in a Map up to `memoryKeys`; then they all move to a
 * temporary SQLite database, and every later key is looked up there, so a file of ten million
 * rows is checked in the memory of one of a hundred thousand.
 */
export class KeyIndex {
  private recent: Map<string, number> | undefined = new Map();
  private sqlite: SqliteKeys | undefined;

  constructor(private readonly memoryKeys = MEMORY_KEYS) {}

  /** Adds the key; returns where it was first seen when it was already there, else undefined. */
  addOrGet(key: string, fileIndex: number, line: number): FirstSeen | undefined {
    const recent = this.recent;
    if (recent === undefined) {
      const place = this.sqlite?.addOrGet(key, toPlace(fileIndex, line));
      return place === undefined ? undefined : fromPlace(place);
    }
    const place = recent.get(key);
    if (place !== undefined) return fromPlace(place);
    recent.set(key, toPlace(fileIndex, line));
    if (recent.size >= this.memoryKeys) {
      this.sqlite = new SqliteKeys();
      this.sqlite.addAll(recent);
      this.recent = undefined;
    }
    return undefined;
  }

  /** Drops the index and its temporary file. */
  close(): void {
    this.recent?.clear();
    this.sqlite?.close();
    this.sqlite = undefined;
  }
}
