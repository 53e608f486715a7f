import { ImportError } from '../errors.js';
import { hashOf } from '../hash.js';
import type { SqliteDatabase } from './sqlite.js';

/** The ledger's schema version (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 9;

const SCHEMA_1 = `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  args TEXT NOT NULL,          -- the command's options, never a secret
  mapping_hash TEXT NOT NULL,
  counts TEXT,
  learned_rate REAL,           -- requests per second the run ended with
  exit_code INTEGER
);
CREATE TABLE rows (
  key TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  http_status INTEGER,
  slug TEXT,
  error_code TEXT,
  error TEXT,
  payload_hash TEXT,
  payload TEXT,                -- kept only for rows not done
  fields TEXT,                 -- the source record, kept only for rows not done
  seen_run INTEGER NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX rows_state ON rows (state);
CREATE TABLE duplicates (
  run_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  first_file TEXT NOT NULL,
  first_line INTEGER NOT NULL
);
`;

/**
 * Version 2: threads. Each message is a row of its own under its ticket; `rows.thread` is 'open'
 * while a created conversation still has messages or its final status update to come;
 * `rows.opener` names the message it opened with, committed with its `sending`.
 */
const SCHEMA_2 = `
ALTER TABLE rows ADD COLUMN thread TEXT;
ALTER TABLE rows ADD COLUMN opener TEXT;     -- origin_id of the thread message the conversation opened with
ALTER TABLE rows ADD COLUMN join_key TEXT;   -- the key as a messages file names it (1077.0 is 1077)
UPDATE rows SET join_key = key;
CREATE INDEX rows_join_key ON rows (join_key);
CREATE TABLE messages (
  ticket TEXT NOT NULL,        -- the row key of its conversation
  origin_id TEXT NOT NULL,     -- the legacy message id, or <row key>#<position>
  seq INTEGER NOT NULL,        -- its position in the thread
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  http_status INTEGER,
  error_code TEXT,
  error TEXT,
  payload_hash TEXT,
  payload TEXT,                -- kept only for messages not done
  updated_at TEXT NOT NULL,
  PRIMARY KEY (ticket, origin_id)
) WITHOUT ROWID;
CREATE INDEX messages_state ON messages (state);
`;

/**
 * Version 3: done rows keep no customer data. Earlier releases kept a done row's source fields;
 * they are dropped (and, with secure_delete, zeroed in the file). An invalid row keeps its
 * problems as structured values (`problems`), not only as one text.
 */
const SCHEMA_3 = `
ALTER TABLE rows ADD COLUMN problems TEXT;  -- an invalid row's problems (JSON list of {code, path, message})
UPDATE rows SET fields = NULL, payload = NULL WHERE state = 'done' AND (fields IS NOT NULL OR payload IS NOT NULL);
UPDATE messages SET payload = NULL WHERE state = 'done' AND payload IS NOT NULL;
`;

/**
 * Version 4: each ticket's loss counts (what was not carried as the export held it), kept for done
 * rows too since they are counts, not customer data. The partial index holds the rows with losses
 * and their text (it covers the sum `status` makes): on a million rows, the sum reads it in under a
 * second, where looking each row up through `rows_state` takes half a minute.
 */
const SCHEMA_4 = `
ALTER TABLE rows ADD COLUMN losses TEXT;   -- JSON {kind: count} of the whole ticket, its thread included
CREATE INDEX rows_losses ON rows (state, losses) WHERE losses IS NOT NULL;
`;

/**
 * Version 5: what the API's thread listings were seen to do (does a listing echo origin_id, include
 * the opening message, show the bodies sent), learned once from a thread whose content is known.
 */
const SCHEMA_5 = `
CREATE TABLE IF NOT EXISTS api_facts (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL,      -- 1 true, 0 false
  learned_at TEXT NOT NULL
) WITHOUT ROWID;
`;

/**
 * Version 6: what a run's requests came to minute by minute (for the report's chart), and what
 * `verify` found when it read back what the ledger says was done (resumable: each key checked
 * is recorded). No message body is stored: a mismatch says what differs, not what was written.
 */
const SCHEMA_6 = `
CREATE TABLE IF NOT EXISTS run_minutes (
  run_id INTEGER NOT NULL,
  minute TEXT NOT NULL,          -- the minute's start, ISO 8601 UTC
  requests INTEGER NOT NULL,     -- answers received, of any kind
  throttled INTEGER NOT NULL,    -- of them 429
  failures INTEGER NOT NULL,     -- of them without a usable answer: 5xx, timeouts, resets
  PRIMARY KEY (run_id, minute)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verifications (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  mode TEXT NOT NULL,            -- 'all' or 'sample'
  sample_size INTEGER,           -- --sample N
  seed TEXT,                     -- how the sample was drawn
  population INTEGER NOT NULL DEFAULT 0,  -- done conversations it was drawn from
  checked INTEGER NOT NULL DEFAULT 0,
  mismatched INTEGER NOT NULL DEFAULT 0,
  counts TEXT,                   -- JSON {kind: count} of the mismatches
  complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS verify_results (
  verification INTEGER NOT NULL,
  key TEXT NOT NULL,
  outcome TEXT NOT NULL,         -- 'match', 'mismatch' or 'unreadable'
  PRIMARY KEY (verification, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verify_mismatches (
  verification INTEGER NOT NULL,
  key TEXT NOT NULL,
  slug TEXT,
  file TEXT,
  line INTEGER,
  kind TEXT NOT NULL,            -- missing, message_missing, message_extra, message_order, status, tags, assignee, data, duplicate
  detail TEXT NOT NULL           -- what differs (never a message body)
);
CREATE INDEX IF NOT EXISTS verify_mismatches_verification ON verify_mismatches (verification);
`;

/**
 * Version 8: several API tokens. A token is known by its staff member's login e-mail, never by
 * the token itself nor a hash of it; each keeps the pace it learned (its own limit: Re:amaze limits
 * requests per token). A row and a message name the token whose request last sent them (`token`),
 * so a thread completed later goes through the token that created its conversation.
 */
const SCHEMA_8 = `
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- the staff login of the token (never the token)
  learned_rate REAL,             -- requests per second this token ended its last run with
  learned_limit REAL,            -- the API's limit for this token, learned from its 429s
  updated_at TEXT NOT NULL
);
`;

/**
 * Version 9: a row's request body and source fields, kept while it is not done, live in a table
 * of their own. In `rows` they made every row large while its request was in flight and small
 * once done, so pages split for large rows stayed four-fifths empty (730 bytes a done row, of
 * which 140 held data); here the few rows in flight come and go, and their pages are reused.
 * (`rows.payload` and `rows.fields` stay, always empty.) Also `rows.source_hash`.
 */
const SCHEMA_9 = `
CREATE TABLE IF NOT EXISTS row_bodies (
  key TEXT NOT NULL UNIQUE,      -- the row's key
  payload TEXT,                  -- the request body, while the row is not done
  fields TEXT                    -- the source record as read, while the row is not done
);
`;

/** Moves what `rows` kept of the rows not done into `row_bodies` (version 9). */
function moveBodies(db: SqliteDatabase): void {
  db.exec(`INSERT INTO row_bodies (key, payload, fields)
    SELECT key, payload, fields FROM rows WHERE state != 'done' AND (payload IS NOT NULL OR fields IS NOT NULL)
    ON CONFLICT (key) DO NOTHING`);
  db.exec('UPDATE rows SET payload = NULL, fields = NULL WHERE payload IS NOT NULL OR fields IS NOT NULL');
}

/** Adds a column once: a step run again (a ledger set back to an earlier version) finds it there. */
function addColumn(db: SqliteDatabase, table: string, column: string, type: string): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
  if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/**
 * Earlier releases stored a relational export's joined thread in a row's fields (`@messages`):
 * the fields become the record as it was read, and an invalid row's hash (of those fields) with
 * them, so last night's unchanged invalid rows do not look changed (nor count as new errors).
 */
function dropJoinedThreads(db: SqliteDatabase): void {
  const rows = db.prepare(`SELECT key, fields FROM rows WHERE fields LIKE '%"@messages"%'`).all() as { key: string; fields: string }[];
  const update = db.prepare("UPDATE rows SET fields = ?, payload_hash = CASE WHEN state = 'invalid' THEN ? ELSE payload_hash END WHERE key = ?");
  for (const row of rows) {
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(row.fields) as Record<string, unknown>;
    } catch {
      continue;
    }
    delete fields['@messages'];
    update.run(JSON.stringify(fields), hashOf(fields), row.key);
  }
}

/** Creates the tables of a new ledger, or checks an existing one is of a version this code reads. */
export function migrate(db: SqliteDatabase, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (tables > 0) {
      throw new ImportError('LEDGER_UNREADABLE', `${path} is an SQLite file but not a reamaze-import ledger: choose another --ledger file.`);
    }
  }
  if (version >= 0 && version < SCHEMA_VERSION) {
    // A new ledger, or one of an earlier release: every later step, in order, keeping every row.
    db.transaction(() => {
      if (version < 1) db.exec(SCHEMA_1);
      if (version < 2) db.exec(SCHEMA_2);
      if (version < 3) db.exec(SCHEMA_3);
      if (version < 4) db.exec(SCHEMA_4);
      db.exec(SCHEMA_5);
      db.exec(SCHEMA_6);
      // Version 7: the API's limit a run learned from 429s (requests per second): the next run starts just under it.
      addColumn(db, 'runs', 'learned_limit', 'REAL');
      db.exec(SCHEMA_8);
      addColumn(db, 'rows', 'token', 'INTEGER');
      addColumn(db, 'messages', 'token', 'INTEGER');
      // Version 9: the hash of a row's source record as sent, so a nightly run skips it unmapped.
      addColumn(db, 'rows', 'source_hash', 'TEXT');
      dropJoinedThreads(db);
      db.exec(SCHEMA_9);
      moveBodies(db);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    return;
  }
  throw new ImportError(
    'LEDGER_UNREADABLE',
    `${path} is a ledger of schema version ${version}, newer than this reamaze-import reads (${SCHEMA_VERSION}): upgrade reamaze-import.`,
  );
}
