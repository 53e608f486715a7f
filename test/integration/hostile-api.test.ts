import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/ledger/sqlite.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

// Answers that lie (a 2xx that created nothing, a listing that is not filtered, a redirect) and time
// limits that must hold (Retry-After, a whole-request deadline), against the real sandbox.

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';
const row = (id: string) => `${id},Subject ${id},"Body of ${id}",open,"a, b",Name ${id},${id.toLowerCase()}@example.com,2024-05-01 10:00:00\n`;
const ids = (count: number) => Array.from({ length: count }, (_, i) => `T${String(i + 1).padStart(3, '0')}`);

async function start(options: SandboxOptions): Promise<Sandbox> {
  server = await sandbox(options);
  return server;
}

async function exportOf(keys: string[]): Promise<string> {
  const path = join(dir, 'tickets.csv');
  await writeFile(path, HEADER + keys.map(row).join(''));
  return path;
}

function run(file: string, extra: string[] = [], rate = '200') {
  const args = ['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'import.ledger'), '--rate', rate, '--json', '--quiet', ...extra];
  return runCli(args, { env: sandboxEnv(server!) });
}

function ledgerRow(key: string): Record<string, unknown> | undefined {
  const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
  try {
    return db.prepare('SELECT key, state, slug, error_code, error FROM rows WHERE key = ?').get(key) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

const heldKeys = (sandboxServer: Sandbox) => sandboxServer.conversations().map((held) => String(held.data.import_key)).sort();

describe('a 2xx that is not a created conversation', () => {
  it('is looked up before it counts: created once, whether the HTML page came before or after creating', async () => {
    const sandboxServer = await start({ faults: { T001: ['html-before'], T002: ['html-after'] } });
    const result = await run(await exportOf(ids(3)));
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 3, uncertain: 0, failed: 0 });
    expect(heldKeys(sandboxServer)).toEqual(['T001', 'T002', 'T003']);
    expect(sandboxServer.stats().duplicateKeys).toBe(0);
    // Each is done with the slug of the conversation the server holds.
    const slugs = new Map(sandboxServer.conversations().map((held) => [String(held.data.import_key), held.slug]));
    for (const key of ['T001', 'T002']) expect(ledgerRow(key)).toMatchObject({ state: 'done', slug: slugs.get(key) });
  });
});

describe('a lookup the API does not filter', () => {
  it('proves nothing: the row stays uncertain and is never created twice', async () => {
    // T001's answer is lost after creating; by the time it is looked up, more than a page of newer
    // conversations hides it from a listing that ignores data[...].
    const sandboxServer = await start({ ignoreDataFilter: true, faults: { T001: ['500-after'] } });
    const result = await run(await exportOf(ids(120)), ['--concurrency', '4'], '400');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(sandboxServer.stats().duplicateKeys).toBe(0);
    expect(heldKeys(sandboxServer)).toEqual(ids(120));
    const t001 = ledgerRow('T001');
    expect(t001?.state === 'done' || t001?.state === 'uncertain').toBe(true);
    if (t001?.state === 'uncertain') expect(String(t001.error)).toMatch(/not filtered/);
  });
});

describe('a new ledger on an API whose listing is not filtered', () => {
  it('passes the preflight, but refuses to send when the new ledger\'s keys cannot be checked', async () => {
    const sandboxServer = await start({ ignoreDataFilter: true });
    // A first import on another ledger leaves conversations the unfiltered listing then shows for any key
    const first = await runCli(['run', await exportOf(ids(2)), '--mapping', 'generic-csv', '--ledger', join(dir, 'first.ledger'), '--rate', '200', '--json', '--quiet'], { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 2 });
    const result = await run(await exportOf(['N001', 'N002']));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Cannot check whether Re:amaze already holds the tickets of the new ledger .*the listing is not filtered/);
    expect(result.stderr).not.toMatch(/404/);
    expect(heldKeys(sandboxServer)).toEqual(['T001', 'T002']);
  });
});

describe('a redirect', () => {
  it('stops the run (exit 3), naming where it points and the base URL to fix, not as a 404', async () => {
    await start({ redirectTo: 'https://help.example.com/api/v1' });
    const result = await run(await exportOf(ids(2)));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('redirected to https://help.example.com/api/v1/conversations');
    expect(result.stderr).toMatch(/--base-url/);
    expect(result.stderr).not.toMatch(/404/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('Retry-After', () => {
  it.each(['seconds', 'date'] as const)('holds every request of the run until the time it names (%s)', async (form) => {
    const sandboxServer = await start({ rateLimit: 8, retryAfter: form });
    const result = await run(await exportOf(ids(40)), ['--concurrency', '4'], '40');
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 40 });
    const log = sandboxServer.stats().requestLog;
    const throttled = log.filter((entry) => entry.status === 429 && entry.retryAt !== undefined);
    expect(throttled.length).toBeGreaterThan(0);
    // Requests already on their way when the 429 left may arrive just after it; none may leave later.
    const inside = throttled.flatMap((t) => log.filter((entry) => entry.at > t.at + 40 && entry.at < t.retryAt! - 5));
    expect(inside).toEqual([]);
  }, 60_000);
});

describe('--timeout', () => {
  it('is a deadline for the whole answer: one that drips is a timeout, looked up, and found', async () => {
    const sandboxServer = await start({ faults: { T001: ['drip-after'] }, dripMs: 500 });
    const began = Date.now();
    const result = await run(await exportOf(ids(2)), ['--timeout', '2']);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 2, uncertain: 0 });
    expect(heldKeys(sandboxServer)).toEqual(['T001', 'T002']);
    expect(sandboxServer.stats().duplicateKeys).toBe(0);
  }, 20_000);
});
