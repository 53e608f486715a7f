import Database from 'better-sqlite3';

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
