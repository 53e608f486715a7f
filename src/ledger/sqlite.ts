import Database from 'better-sqlite3';
import { ImportError } from '../errors.js';

/** An open SQLite database (better-sqlite3); the only module that imports the driver. */
export type SqliteDatabase = Database.Database;

/** A prepared statement of an open database. */
export type SqliteStatement<Params extends unknown[] = unknown[], Result = unknown> = Database.Statement<Params, Result>;

/** Opens (creating) the database at `path`; an empty path is SQLite's private temporary database, deleted on close. */
export function openSqlite(path: string, options: { readonly?: boolean; timeoutMs?: number } = {}): SqliteDatabase {
  return new Database(path, { readonly: options.readonly ?? false, timeout: options.timeoutMs ?? 5000 });
}

/** True for SQLite's "database is locked / busy" errors. */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/**
 * What the user's environment did to the ledger file, in one sentence: a damaged file
 * (SQLITE_CORRUPT), a full disk (SQLITE_FULL), an I/O error or a read-only file. Undefined for
 * any other error. Neither stops the run before its `sending` commits, so nothing is recorded
 * `done` that was not sent.
 */
export function ledgerFileError(error: unknown, path: string): ImportError | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  const code = error.code;
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new ImportError('LEDGER_DAMAGED', `The ledger ${path} is damaged (${error.message}): restore it from a backup, or move it aside and run the same command with a new --ledger and --adopt-existing, which rebuilds it from what Re:amaze holds.`, { cause: error });
  }
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' && /full/i.test(error.message)) {
    return new ImportError('LEDGER_UNWRITABLE', `The ledger ${path} cannot be written: the disk is full. Nothing was recorded done that was not sent; free some space on that disk and run the same command again to resume.`, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) {
    const why = code.startsWith('SQLITE_IOERR') ? 'an input/output error' : 'it is read-only';
    return new ImportError('LEDGER_UNWRITABLE', `The ledger ${path} cannot be written: ${why} (${error.message}). Check the disk and the file's permissions, then run the same command again to resume.`, { cause: error });
  }
  return undefined;
}

/** Runs `action`, turning what the file system did to the ledger into its one sentence (see `ledgerFileError`). */
export function guardLedgerFile<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw ledgerFileError(error, path) ?? error;
  }
}
