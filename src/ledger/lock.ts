import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeErrno, ImportError } from '../errors.js';

/** A held ledger lock. */
export interface LedgerLock {
  release(): void;
}

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/**
 * Takes `lockPath` (default `<ledger>.lock`; created exclusively, holding the owner's pid and
 * host). A lock whose process is gone — a run killed with SIGKILL — is taken over; one whose
 * process lives refuses the second writer with a clear message.
 */
export function acquireLock(ledgerPath: string, lockPath = `${ledgerPath}.lock`): LedgerLock {
  const path = lockPath;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') {
        throw new ImportError('LEDGER_UNREADABLE', `Cannot lock the ledger ${ledgerPath}: ${describeErrno(error, { writing: true })}; check that its folder is writable.`);
      }
      if (!isStale(path)) throw inUseError(ledgerPath, readOwner(path));
      takeOverStaleLock(path);
    }
  }
  throw new ImportError('LEDGER_LOCKED', `Cannot lock the ledger ${ledgerPath}: another run keeps taking it.`);
}

/** The refusal of a second writer, naming the run that holds the ledger. */
export function inUseError(ledgerPath: string, owner: LockOwner | undefined): ImportError {
  const who = owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.since}` : 'a run starting just now';
  return new ImportError(
    'LEDGER_LOCKED',
    `The ledger ${ledgerPath} is in use by another run (${who}): ` +
      'wait for it to finish, or stop it; two runs on one ledger could send a ticket twice.',
  );
}

/**
 * Takes the lock of the ledger file itself, whatever name reaches it: a file named by its device
 * and inode in the machine's temporary folder, so a hard link (or a symlink) to a ledger in use is
 * refused like its own name. The ledger file must exist.
 */
export function acquireFileLock(ledgerPath: string): LedgerLock {
  const { dev, ino } = statSync(ledgerPath);
  const folder = join(tmpdir(), 'reamaze-import-locks');
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ImportError('LEDGER_UNREADABLE', `Cannot lock the ledger ${ledgerPath}: ${describeErrno(error, { writing: true })} (${folder}); check that the temporary folder is writable.`);
  }
  return acquireLock(ledgerPath, join(folder, `${dev}-${ino}.lock`));
}

/** A lock whose process is gone; one not yet written (a run creating it this instant) is not. */
function isStale(path: string): boolean {
  const owner = readOwner(path);
  if (owner) return !isAlive(owner);
  try {
    return Date.now() - statSync(path).mtimeMs > 5000;
  } catch {
    return true;
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Whether the process of a lock's owner may still run (another host's is taken to). */
export function isAlive(owner: LockOwner): boolean {
  // Another machine's process cannot be checked from here: its lock is respected.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes a dead run's lock. Two runs starting together may both find it dead: only the one that
 * creates `<lock>.takeover` (exclusively) removes it, so the other cannot delete the lock the first
 * one then takes. A takeover file older than 10 s belongs to a run that died taking over.
 */
function takeOverStaleLock(path: string): void {
  const takeover = `${path}.takeover`;
  try {
    closeSync(openSync(takeover, 'wx', 0o600));
  } catch {
    try {
      if (Date.now() - statSync(takeover).mtimeMs > 10_000) rmSync(takeover, { force: true });
    } catch {
      // gone meanwhile: the other run finished its takeover
    }
    return;
  }
  try {
    if (isStale(path)) rmSync(path, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}
