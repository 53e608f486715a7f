import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../ledger/sqlite.js';

/** Where a key was first seen. */
export interface FirstSeen {
  fileIndex: number;
  line: number;
}

/** Keys held in memory before they are moved to SQLite in one sorted batch. Default 262,144 (about 20 MB). */
export const MEMORY_KEYS = 1 << 18;

/** Page cache of the spilled keys, in KiB: the most memory SQLite takes, however many keys it holds. */
const CACHE_KIB = 8192;

/** Bits of the filter in front of the spilled keys (8 MB): about 0.5% false hits at 5 M keys. */
const FILTER_BITS = 1 << 26;

/** Two 32-bit hashes of a key (FNV-1a and a multiplicative one), for the filter's probes. */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}

/** A Bloom filter over the spilled keys: "certainly not spilled" for almost every new key, without asking SQLite. */
class KeyFilter {
  private readonly bits = new Uint32Array(FILTER_BITS / 32);

  add(key: string): void {
    const [a, b] = hashes(key);
    for (let k = 0; k < 4; k++) {
      const bit = (a + Math.imul(k, b)) & (FILTER_BITS - 1);
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mayHold(key: string): boolean {
    const [a, b] = hashes(key);
    for (let k = 0; k < 4; k++) {
      const bit = (a + Math.imul(k, b)) & (FILTER_BITS - 1);
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** The keys moved out of memory: a temporary SQLite database (deleted on close) behind a filter. */
class SpilledKeys {
  private readonly db: SqliteDatabase;
  private readonly insert: SqliteStatement<[string, number]>;
  private readonly find: SqliteStatement<[string], number>;
  private readonly filter = new KeyFilter();

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

  /** The place of a spilled key, or undefined; SQLite is asked only when the filter cannot rule the key out. */
  placeOf(key: string): number | undefined {
    return this.filter.mayHold(key) ? this.find.get(key) : undefined;
  }

  /** Moves a batch of keys in, in one transaction, sorted so the B-tree's pages are visited once each. */
  add(batch: Map<string, number>): void {
    const keys = [...batch.keys()].sort();
    this.db.exec('BEGIN');
    for (const key of keys) {
      this.insert.run(key, batch.get(key)!);
      this.filter.add(key);
    }
    this.db.exec('COMMIT');
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The keys seen so far in one command, for finding duplicate rows. The keys themselves (not
 * hashes: no false duplicates) are held in a Map up to `memoryKeys`; then they move in one sorted
 * batch to a temporary SQLite database whose page cache is all the memory it takes, and a Bloom
 * filter answers "not seen" for new keys without asking it. A file of a hundred thousand rows
 * never touches SQLite; one of ten million is checked in the memory of one of a few hundred thousand.
 */
export class KeyIndex {
  private recent = new Map<string, number>();
  private spilled: SpilledKeys | undefined;

  constructor(private readonly memoryKeys = MEMORY_KEYS) {}

  /** Adds the key; returns where it was first seen when it was already there, else undefined. */
  addOrGet(key: string, fileIndex: number, line: number): FirstSeen | undefined {
    const place = this.recent.get(key) ?? this.spilled?.placeOf(key);
    if (place !== undefined) return { fileIndex: Math.floor(place / 2 ** 32), line: place % 2 ** 32 };
    this.recent.set(key, fileIndex * 2 ** 32 + line);
    if (this.recent.size >= this.memoryKeys) {
      this.spilled ??= new SpilledKeys();
      this.spilled.add(this.recent);
      this.recent = new Map();
    }
    return undefined;
  }

  /** Drops the index and its temporary file. */
  close(): void {
    this.recent.clear();
    this.spilled?.close();
    this.spilled = undefined;
  }
}
