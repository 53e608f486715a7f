import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, openSync, closeSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { start, waitFor } from '../helpers/child.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** An export of `count` valid tickets, each body `bodySize` characters long. */
function writeExport(count: number, bodySize = 20, name = 'tickets.csv'): string {
  const rows = Array.from({ length: count }, (_, i) => `T${i},Subject ${i},${'x'.repeat(bodySize)} ${i},open,a,Customer ${i},c${i}@example.com,2024-05-01 10:00:00\n`);
  const file = join(dir, name);
  writeFileSync(file, HEADER + rows.join(''));
  return file;
}

function runArgs(file: string, ledger: string, ...more: string[]): string[] {
  return ['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '500', '--concurrency', '8', '--quiet', ...more];
}

function keysHeld(held: Sandbox): string[] {
  return held.conversations().map((conversation) => String(conversation.data.import_key));
}

describe('a ledger that has never sent anything checks the API first', () => {
  it('a zero-byte ledger file and a second new ledger are refused (exit 2) when Re:amaze holds the keys; --adopt-existing rebuilds the ledger', async () => {
    server = await sandbox();
    const env = sandboxEnv(server);
    const file = writeExport(30);
    expect((await runCli(runArgs(file, join(dir, 'first.ledger')), { env })).code).toBe(0);
    expect(keysHeld(server)).toHaveLength(30);

    const empty = join(dir, 'empty.ledger');
    writeFileSync(empty, '');
    const refused = await runCli(runArgs(file, empty), { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--adopt-existing');
    expect(hasStackTrace(refused.stderr)).toBe(false);
    const second = await runCli(runArgs(file, join(dir, 'second.ledger')), { env });
    expect(second.code).toBe(2);
    expect(keysHeld(server)).toHaveLength(30);

    const adopted = await runCli(runArgs(file, empty, '--adopt-existing', '--json'), { env });
    expect(adopted.code).toBe(0);
    expect(JSON.parse(adopted.stdout).ledger).toMatchObject({ done: 30 });
    expect(keysHeld(server)).toHaveLength(30);
    expect(server.stats().duplicateKeys).toBe(0);
    // Adopted rows keep their slugs: a later run skips them without asking the API.
    const again = await runCli(runArgs(file, empty, '--json'), { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: 30, done: 0 });
  }, 60_000);

  it('--adopt-existing creates what Re:amaze does not hold, once', async () => {
    server = await sandbox();
    const env = sandboxEnv(server);
    expect((await runCli(runArgs(writeExport(10, 20, 'part.csv'), join(dir, 'first.ledger')), { env })).code).toBe(0);
    const all = writeExport(25);
    const adopted = await runCli(runArgs(all, join(dir, 'rebuilt.ledger'), '--adopt-existing', '--json'), { env });
    expect(adopted.code).toBe(0);
    expect(JSON.parse(adopted.stdout).ledger).toMatchObject({ done: 25 });
    const held = keysHeld(server);
    expect(held).toHaveLength(25);
    expect(new Set(held).size).toBe(25);
  }, 60_000);
});

describe('the lock belongs to the file, whatever its name', () => {
  for (const kind of ['symlink', 'hard link'] as const) {
    it(`a second run through a ${kind} is refused while the first one runs`, async () => {
      server = await sandbox({ latencyMs: 30 });
      const env = sandboxEnv(server);
      const file = writeExport(200);
      const ledger = join(dir, 'l.ledger');
      const child = start(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '50', '--quiet'], env);
      await waitFor(() => server!.conversations().length >= 5);
      const other = join(dir, 'other.ledger');
      if (kind === 'symlink') symlinkSync(ledger, other);
      else linkSync(ledger, other);
      const second = await runCli(runArgs(file, other), { env });
      child.kill('SIGKILL');
      await child.code;
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('is in use by another run');
      expect(server.stats().duplicateKeys).toBe(0);
    }, 60_000);
  }
});

/** Overwrites the middle of the file with garbage, as a failing disk or a stray copy would. */
function damageMiddle(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(Math.floor(size / 2), 0xa5), 0, Math.floor(size / 2), Math.floor(size / 4));
  closeSync(fd);
}

describe('a damaged ledger is the environment, not a bug', () => {
  it('run, status and failures each say in one sentence that the file is damaged (exit 3)', async () => {
    server = await sandbox();
    const env = sandboxEnv(server);
    const file = writeExport(400, 200);
    const ledger = join(dir, 'l.ledger');
    // Rows not done keep their payload: a ledger of many pages.
    expect((await runCli([...runArgs(file, ledger), '--limit', '5'], { env })).code).toBe(0);
    damageMiddle(ledger);
    for (const argv of [runArgs(file, ledger), ['status', '--ledger', ledger], ['failures', '--ledger', ledger, '--out', join(dir, 'f.csv')]]) {
      const result = await runCli(argv, { env });
      expect(result.code, `${argv[0]}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toContain(`The ledger ${ledger} is damaged`);
      expect(result.stderr).not.toContain('This is a bug');
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  }, 60_000);
});

/** A small file system of its own (root only); undefined where mounting is not allowed. */
function smallDisk(path: string, size: string): string | undefined {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'ignore' });
    return path;
  } catch {
    return undefined;
  }
}

const disk = join(process.env.TMPDIR ?? '/tmp', `reamaze-small-disk-${process.pid}`);
const mounted = process.getuid?.() === 0 ? smallDisk(disk, '4k') : undefined;
if (mounted) execFileSync('umount', [mounted]);

describe.skipIf(!mounted)('a full disk stops the run, resumable', () => {
  afterEach(() => {
    try {
      execFileSync('umount', [disk], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
  });

  it('exit 3 with one sentence; once space is freed, the same command completes with every ticket once', async () => {
    server = await sandbox();
    const env = sandboxEnv(server);
    const file = writeExport(300, 2000);
    smallDisk(disk, '256k');
    const ledger = join(disk, 'l.ledger');
    const full = await runCli(runArgs(file, ledger), { env });
    expect(full.code, full.stderr).toBe(3);
    expect(full.stderr).toContain(`The ledger ${ledger} cannot be written: the disk is full`);
    expect(full.stderr).not.toContain('This is a bug');
    expect(hasStackTrace(full.stderr)).toBe(false);
    const sentBefore = keysHeld(server).length;
    expect(sentBefore).toBeLessThan(300);
    execFileSync('mount', ['-o', 'remount,size=64m', disk]);
    const resumed = await runCli([...runArgs(file, ledger), '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).ledger).toMatchObject({ done: 300 });
    const held = keysHeld(server);
    expect(held).toHaveLength(300);
    expect(new Set(held).size).toBe(300);
  }, 60_000);
});

describe('--adopt-existing with threads', () => {
  it('rebuilds the ledger of threaded tickets: no conversation and no message is sent twice, the missing ones once', async () => {
    server = await sandbox();
    const env = sandboxEnv(server);
    const ticket = (id: number, comments: number) => JSON.stringify({
      id: `T${id}`, subject: `Subject ${id}`, email: `c${id}@example.com`,
      comments: Array.from({ length: comments }, (_, n) => ({ id: `c-${id}-${n}`, body: `Comment ${n} of ${id}`, public: true })),
    });
    const mapping = join(dir, 'threads.json');
    writeFileSync(mapping, JSON.stringify({
      source: { key: 'id' },
      conversation: { subject: '{{subject}}', category: 'support', message: {}, user: { email: '{{email}}' } },
      messages: { from: 'comments', body: '{{body}}', origin_id: '{{id}}', visibility: { from: 'public', map: { true: 0, false: 1 } } },
    }));
    const write = (name: string, comments: number) => {
      const file = join(dir, name);
      writeFileSync(file, `${[1, 2, 3].map((id) => ticket(id, comments)).join('\n')}\n`);
      return file;
    };
    const args = (file: string, ledger: string, ...more: string[]) => ['run', file, '--mapping', mapping, '--ledger', join(dir, ledger), '--rate', '500', '--quiet', '--json', ...more];
    const first = await runCli(args(write('before.jsonl', 3), 'lost.ledger'), { env });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 3 });
    // The ledger is lost; the export has grown by one comment a ticket since
    const rebuilt = await runCli(args(write('after.jsonl', 4), 'rebuilt.ledger', '--adopt-existing'), { env });
    expect(rebuilt.code).toBe(0);
    expect(server.stats().duplicateKeys).toBe(0);
    for (const conversation of server.conversations()) {
      const id = String(conversation.data.import_key).slice(1);
      expect(conversation.messages.map((message) => message.origin_id ?? null)).toEqual([null, `c-${id}-1`, `c-${id}-2`, `c-${id}-3`]);
    }
  });
});
