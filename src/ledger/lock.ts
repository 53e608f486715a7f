import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ImportError } from '../errors.js';

/** A held ledger lock. */
export interface LedgerLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/**
 * Takes `<ledger>.lock` (created exclusively, holding the owner's pid and host). A lock whose
 * process is gone — a run killed with SIGKILL — is taken over; one whose process lives refuses
 * the second writer with a clear message.
 */
export function acquireLock(ledgerPath: string): LedgerLock {
  const path = `${ledgerPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') {
        throw new ImportError('LEDGER_UNREADABLE', `Cannot lock the ledger ${ledgerPath}: ${(error as Error).message}.`);
      }
      const owner = readOwner(path);
      if (owner && isAlive(owner)) {
        throw new ImportError(
          'LEDGER_LOCKED',
          `The ledger ${ledgerPath} is in use by another run (pid ${owner.pid} on ${owner.host}, since ${owner.since}): ` +
            'wait for it to finish, or stop it; two runs on one ledger could send a ticket twice.',
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new ImportError('LEDGER_LOCKED', `Cannot lock the ledger ${ledgerPath}: another run keeps taking it.`);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
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
