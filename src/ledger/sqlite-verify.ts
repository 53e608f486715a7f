import type { SqliteDatabase } from './sqlite.js';

/** A done conversation, as `verify` reads it back. */
export interface DoneConversation {
  key: string;
  slug: string;
  file: string;
  line: number;
  /** The ledger has its thread open: messages or the final update still to come. */
  threadOpen: boolean;
}

/** How a verification is drawn: every done conversation, or a sample of them. */
export interface VerifyMode {
  mode: 'all' | 'sample';
  sampleSize: number | null;
  seed: string | null;
}

/** How one conversation came out (`unreadable`: no decisive answer; checked again on resume). */
export type VerifyOutcome = 'match' | 'mismatch' | 'unreadable';

/** One mismatch as stored (never a message body). */
export interface StoredMismatch {
  key: string;
  slug: string | null;
  file: string | null;
  line: number | null;
  kind: string;
  detail: string;
}

/** What a verification found so far. */
export interface VerifyTotals {
  checked: number;
  matched: number;
  mismatched: number;
  unreadable: number;
  /** Mismatches per kind. */
  kinds: Record<string, number>;
}

/**
 * The `verifications`, `verify_results` and `verify_mismatches` tables of a ledger, and the one
 * repair `verify --repair` makes. Written through the ledger's own connection (it holds the lock).
 */
export class SqliteVerify {
  constructor(private readonly db: SqliteDatabase) {}

  /** Every done conversation with a slug, by key. */
  doneConversations(): DoneConversation[] {
    const rows = this.db.prepare("SELECT key, slug, file, line, thread FROM rows WHERE state = 'done' AND slug IS NOT NULL ORDER BY key").all() as
      { key: string; slug: string; file: string; line: number; thread: string | null }[];
    return rows.map(({ thread, ...row }) => ({ ...row, threadOpen: thread === 'open' }));
  }

  /** The options of the ledger's last run (never a secret), undefined when it has none. */
  lastRunArgs(): Record<string, unknown> | undefined {
    const text = this.db.prepare('SELECT args FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as string | undefined;
    if (text === undefined) return undefined;
    try {
      const args: unknown = JSON.parse(text);
      return args !== null && typeof args === 'object' ? (args as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  /**
   * The latest unfinished verification drawn the same way, to resume; a sample without a seed
   * given resumes the latest unfinished sample of that size, with its seed.
   */
  findUnfinished(mode: VerifyMode): { id: number; seed: string | null } | undefined {
    const row = this.db.prepare(`SELECT id, seed FROM verifications WHERE complete = 0 AND mode = ?
        AND sample_size IS ? AND (? IS NULL OR seed = ?) ORDER BY id DESC LIMIT 1`)
      .get(mode.mode, mode.sampleSize, mode.seed, mode.seed) as { id: number; seed: string | null } | undefined;
    return row;
  }

  /** Records the start of a verification; its id. */
  begin(mode: VerifyMode, population: number): number {
    return Number(this.db.prepare('INSERT INTO verifications (started_at, mode, sample_size, seed, population) VALUES (?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), mode.mode, mode.sampleSize, mode.seed, population).lastInsertRowid);
  }

  /** The keys a verification has decided (matched or not): a resumed one skips them. */
  decidedKeys(id: number): Set<string> {
    return new Set(this.db.prepare("SELECT key FROM verify_results WHERE verification = ? AND outcome != 'unreadable'").pluck().all(id) as string[]);
  }

  /** Records how one conversation came out, replacing what an earlier attempt recorded for it. */
  record(id: number, key: string, outcome: VerifyOutcome, mismatches: readonly StoredMismatch[]): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO verify_results (verification, key, outcome) VALUES (?, ?, ?)').run(id, key, outcome);
      this.db.prepare('DELETE FROM verify_mismatches WHERE verification = ? AND key = ?').run(id, key);
      const insert = this.db.prepare('INSERT INTO verify_mismatches (verification, key, slug, file, line, kind, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const m of mismatches) insert.run(id, m.key, m.slug, m.file, m.line, m.kind, m.detail);
    })();
  }

  /** What the verification found so far. */
  totals(id: number): VerifyTotals {
    const outcomes = this.db.prepare('SELECT outcome, count(*) AS n FROM verify_results WHERE verification = ? GROUP BY outcome').all(id) as { outcome: string; n: number }[];
    const n = (outcome: string) => outcomes.find((row) => row.outcome === outcome)?.n ?? 0;
    const kinds = this.db.prepare('SELECT kind, count(*) AS n FROM verify_mismatches WHERE verification = ? GROUP BY kind ORDER BY kind').all(id) as { kind: string; n: number }[];
    return {
      checked: n('match') + n('mismatch'), matched: n('match'), mismatched: n('mismatch'), unreadable: n('unreadable'),
      kinds: Object.fromEntries(kinds.map((row) => [row.kind, row.n])),
    };
  }

  /** Records the end (or, `complete` false, the interruption) of a verification with its totals. */
  finish(id: number, complete: boolean): VerifyTotals {
    const totals = this.totals(id);
    this.db.prepare('UPDATE verifications SET ended_at = ?, checked = ?, mismatched = ?, counts = ?, complete = ? WHERE id = ?')
      .run(new Date().toISOString(), totals.checked, totals.mismatched, JSON.stringify(totals.kinds), complete ? 1 : 0, id);
    return totals;
  }

  /** Every mismatch of a verification, by key. */
  mismatches(id: number): StoredMismatch[] {
    return this.db.prepare('SELECT key, slug, file, line, kind, detail FROM verify_mismatches WHERE verification = ? ORDER BY key, rowid').all(id) as StoredMismatch[];
  }

  /**
   * `--repair` of a conversation found missing: its row `pending` again without its slug, and its
   * thread forgotten, so the next run creates it and adds its messages. Only a `done` row is
   * changed; true when it was.
   */
  markMissingPending(key: string, note: string): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE rows SET state = 'pending', slug = NULL, opener = NULL, thread = NULL, error_code = NULL, error = ?, updated_at = ?
          WHERE key = ? AND state = 'done'`).run(note, new Date().toISOString(), key).changes;
      if (changed > 0) this.db.prepare('DELETE FROM messages WHERE ticket = ?').run(key);
      return changed > 0;
    })();
  }
}
