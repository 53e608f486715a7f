import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { openSqlite } from '../../src/ledger/sqlite.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, REPO, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  await cleanup();
});

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';
const row = (id: string, email = `${id.toLowerCase()}@example.com`, body = `Body of ${id}`) =>
  `${id},Subject ${id},"${body}",open,"a, b",Name ${id},${email},2024-05-01 10:00:00\n`;

async function exportFile(rows: string[], name = 'tickets.csv'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, HEADER + rows.join(''));
  return path;
}

function runArgs(file: string | string[], extra: string[] = []): string[] {
  return ['run', ...[file].flat(), '--mapping', 'generic-csv', '--ledger', join(dir, 'import.ledger'), '--rate', '200', '--json', '--quiet', ...extra];
}

function ledgerRows(): Record<string, unknown>[] {
  const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
  try {
    return db.prepare('SELECT key, state, http_status, error_code, error, (SELECT fields FROM row_bodies b WHERE b.key = rows.key) AS fields FROM rows ORDER BY key').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('run', () => {
  it('creates every valid row once, never sends invalid rows, and keeps customers from being e-mailed', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1'), row('T2', 'bob@'), row('T3'), row('T4', 'x@example.com', ''), row('T3')]);
    const result = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 5, done: 2, invalid: 2, duplicates: 1, rejected: 0, failed: 0, uncertain: 0 });
    expect(result.code).toBe(1);
    const held = server.conversations();
    expect(held.map((conversation) => conversation.data.import_key).sort()).toEqual(['T1', 'T3']);
    expect(server.stats().notifications).toBe(0);
  });

  it('records its answers minute by minute: every request the API received, and its 429s', async () => {
    server = await sandbox({ rateLimit: 10 });
    const file = await exportFile(Array.from({ length: 60 }, (_, i) => row(`T${i}`)));
    const args = ['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'import.ledger'), '--rate', '40', '--json', '--quiet'];
    const result = await runCli(args, { env: sandboxEnv(server) });
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 60 });
    const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
    const minutes = db.prepare('SELECT run_id, minute, requests, throttled, failures FROM run_minutes ORDER BY minute').all() as { run_id: number; minute: string; requests: number; throttled: number; failures: number }[];
    db.close();
    expect(minutes.length).toBeGreaterThan(0);
    for (const minute of minutes) expect(minute.minute).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    const sum = (name: 'requests' | 'throttled' | 'failures') => minutes.reduce((total, minute) => total + minute[name], 0);
    expect(sum('requests')).toBe(server.stats().requests);
    expect(sum('throttled')).toBe(server.stats().rateLimited);
    expect(sum('throttled')).toBeGreaterThan(0);
    expect(sum('failures')).toBe(0);
  });

  it('keeps the limit it learned from 429s for the next run, which starts just under it and says so', async () => {
    server = await sandbox({ rateLimit: 10 });
    const ledger = join(dir, 'import.ledger');
    const args = (file: string) => ['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '30', '--json'];
    const first = await runCli(args(await exportFile(Array.from({ length: 60 }, (_, i) => row(`A${i}`)), 'first.csv')), { env: sandboxEnv(server) });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 60 });
    const firstThrottled = server.stats().rateLimited;
    expect(firstThrottled).toBeGreaterThan(0);
    const db = openSqlite(ledger, { readonly: true });
    const learned = db.prepare('SELECT learned_limit FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as number;
    db.close();
    expect(learned).toBeGreaterThanOrEqual(9);
    expect(learned).toBeLessThanOrEqual(11);
    const second = await runCli(args(await exportFile(Array.from({ length: 60 }, (_, i) => row(`B${i}`)), 'second.csv')), { env: sandboxEnv(server) });
    expect(JSON.parse(second.stdout)).toMatchObject({ done: 60 });
    const start = /Starting at (\d+\.\d\d) requests\/s: the last run learned from its 429s that the API lets about (\d+\.\d\d)\/s through/.exec(second.stderr);
    expect(start).not.toBeNull();
    // Started just under what it learned, not at --rate 30: no more 429s than the first run, which began three times over the limit.
    expect(Number(start![1])).toBeLessThan(Number(start![2]));
    expect(Number(start![2])).toBeCloseTo(learned, 1);
    expect(server.stats().rateLimited - firstThrottled).toBeLessThanOrEqual(firstThrottled);
  });

  it('posts nothing when the same command runs again', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1'), row('T2')]);
    expect((await runCli(runArgs(file), { env: sandboxEnv(server) })).code).toBe(0);
    const again = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: 2, done: 0, skipped: 2 });
    expect(again.code).toBe(0);
    expect(server.conversations()).toHaveLength(2);
  });

  it('records a 422 with the server reason, and does not resend it unchanged', async () => {
    server = await sandbox({ channels: ['support'] });
    const file = await exportFile([row('T1'), row('T2')]);
    server.setOptions({ faults: { T2: ['422'] } });
    const first = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 1, rejected: 1 });
    expect(first.code).toBe(1);
    const second = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(second.stdout)).toMatchObject({ done: 0, skipped: 1, rejected: 1 });
    expect(server.conversations()).toHaveLength(1);
    const rows = ledgerRows();
    expect(rows.find((r) => r.key === 'T2')).toMatchObject({ state: 'rejected', http_status: 422, error_code: 'API_REJECTED', error: 'the API refused the row (422): scripted rejection' });
    expect(JSON.parse(String(rows.find((r) => r.key === 'T2')?.fields))).toMatchObject({ ticket_id: 'T2' });
  });

  it('stops with exit 3 on bad credentials, marks no row, and never shows the token', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1'), row('T2')]);
    const result = await runCli(runArgs(file), { env: sandboxEnv(server, 'wrong-token-s3cr3t') });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/refused the credentials \(403\)/);
    expect(result.stdout + result.stderr).not.toContain('wrong-token-s3cr3t');
    expect(server.conversations()).toHaveLength(0);
    // A run refused before it recorded anything leaves no ledger behind
    expect(existsSync(join(dir, 'import.ledger'))).toBe(false);
    const status = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(status.stdout)).toMatchObject({ done: 2, skipped: 0 });
    const ledger = await readFile(join(dir, 'import.ledger'));
    expect(ledger.includes('sandbox-token')).toBe(false);
  });

  it('stops with exit 3 when the base URL is not the API', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1')]);
    const result = await runCli(runArgs(file), { env: { ...sandboxEnv(server), REAMAZE_BASE_URL: server.url.replace('/api/v1', '/nope') } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('404');
  });

  it('stops with exit 3 on a redirect, naming where it points, and never follows it', async () => {
    const asked: string[] = [];
    const redirecting = http.createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      response.writeHead(302, { Location: 'https://help.example.com/login' }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const file = await exportFile([row('T1')]);
      const env = { REAMAZE_BASE_URL: `http://127.0.0.1:${port}/api/v1`, REAMAZE_EMAIL: 'a@example.com', REAMAZE_API_TOKEN: 'secret-token' };
      const result = await runCli(runArgs(file), { env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('The API redirected to https://help.example.com/login (302): the base URL is not the API.');
      expect(result.stderr).toContain('Nothing was sent');
      expect(result.stderr).not.toContain('404');
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatch(/^GET \/api\/v1\/conversations\?/);
    } finally {
      await new Promise((resolve) => redirecting.close(resolve));
    }
  });

  it('finishes a 429 storm without Retry-After with no failed row', async () => {
    server = await sandbox({ rateLimit: 20, retryAfter: false });
    const file = await exportFile(Array.from({ length: 60 }, (_, i) => row(`T${i}`)));
    const result = await runCli([...runArgs(file), '--concurrency', '8'], { env: sandboxEnv(server) });
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 60, failed: 0, uncertain: 0 });
    expect(server.stats().rateLimited).toBeGreaterThan(0);
    expect(server.conversations()).toHaveLength(60);
  });

  it('sends a sample with --limit, then the rest; the ledger file is private', async () => {
    server = await sandbox();
    const file = await exportFile(Array.from({ length: 10 }, (_, i) => row(`T${i}`)));
    const sample = await runCli([...runArgs(file), '--limit', '3'], { env: sandboxEnv(server) });
    expect(JSON.parse(sample.stdout)).toMatchObject({ done: 3 });
    expect(server.conversations()).toHaveLength(3);
    const rest = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(rest.stdout)).toMatchObject({ done: 7, skipped: 3 });
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'import.ledger')).mode & 0o777).toBe(0o600);
  });

  it('refuses a second run on a ledger in use', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1')]);
    const holder = SqliteLedger.open(join(dir, 'import.ledger'));
    try {
      const result = await runCli(runArgs(file), { env: sandboxEnv(server) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/is in use by another run \(pid \d+/);
      expect(server.conversations()).toHaveLength(0);
    } finally {
      holder.close();
    }
  });

  it('refuses plain http to anything but this machine, before sending anything', async () => {
    const file = await exportFile([row('T1')]);
    const result = await runCli(runArgs(file), { env: { REAMAZE_BASE_URL: 'http://example.com/api/v1', REAMAZE_EMAIL: 'a@b.co', REAMAZE_API_TOKEN: 't' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plain http is allowed only to this machine');
  });

  it('stores the rate it learned and starts the next run at it', async () => {
    server = await sandbox({ rateLimit: 4 });
    const file = await exportFile(Array.from({ length: 24 }, (_, i) => row(`T${i}`)));
    const first = JSON.parse((await runCli([...runArgs(file), '--concurrency', '8'], { env: sandboxEnv(server) })).stdout);
    expect(server.stats().rateLimited).toBeGreaterThan(0);
    expect(first.rate).toBeLessThan(200);
    server.reset(); // a fresh rate window: the second run must not start with the first one's 429s
    const args = runArgs(await exportFile([row('N1')], 'more.csv')).filter((arg, i, all) => arg !== '--rate' && all[i - 1] !== '--rate');
    const second = JSON.parse((await runCli(args, { env: sandboxEnv(server) })).stdout);
    expect(second.rate).toBeCloseTo(first.rate, 5);
  });

  it('names what changed in the mapping since the last run', async () => {
    server = await sandbox({ channels: ['support', 'billing'] });
    const file = await exportFile([row('T1')]);
    const preset = JSON.parse(await readFile(join(REPO, 'mappings/generic-csv.json'), 'utf8'));
    const mapping = join(dir, 'm.json');
    await writeFile(mapping, JSON.stringify(preset));
    const args = (extra: string[] = []) => ['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '200', ...extra];
    expect((await runCli(args(), { env: sandboxEnv(server) })).code).toBe(0);
    await writeFile(mapping, JSON.stringify({ ...preset, conversation: { ...preset.conversation, category: 'billing' } }));
    const second = await runCli(args(), { env: sandboxEnv(server) });
    expect(second.stderr).toContain('The mapping changed since the last run of this ledger:\n  conversation.category: "support" → "billing"');
    expect(JSON.parse((await runCli(args(['--json', '--quiet']), { env: sandboxEnv(server) })).stdout)).toMatchObject({ skipped: 1, changed: 1 });
  });

  it('demo: imports the bundled sample into a sandbox, every valid ticket exactly once', async () => {
    const result = await runCli(['demo', '--rate', '60']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('288 created, 0 already done, 0 rejected, 0 failed, 12 invalid, 0 uncertain, 0 duplicates.');
    expect(result.stdout).toContain('The sandbox holds 288 conversations, 288 distinct tickets;');
    expect(result.stdout).toContain('customers e-mailed: 0.');
  }, 60_000);

  it('nightly: an overlapping export posts only its new tickets and the fixed ones; done ones never again', async () => {
    server = await sandbox();
    server.setOptions({ faults: { T5: ['422'] } });
    const monday = await exportFile([row('T1'), row('T2'), row('T3'), row('T4', 'bad@'), row('T5')], 'monday.csv');
    const first = await runCli(runArgs(monday), { env: sandboxEnv(server) });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 3, invalid: 1, rejected: 1 });
    // Tuesday's export overlaps: T3 edited since (done: not posted again), T4 fixed, T5 edited, T6-T8 new.
    const tuesday = await exportFile([row('T3', 't3@example.com', 'Edited later'), row('T4'), row('T5', 't5@example.com', 'Fixed body'), row('T6'), row('T7'), row('T8')], 'tuesday.csv');
    const second = await runCli(runArgs(tuesday), { env: sandboxEnv(server) });
    expect(JSON.parse(second.stdout)).toMatchObject({ rows: 6, done: 5, skipped: 1, changed: 1, invalid: 0, rejected: 0 });
    expect(second.code).toBe(0);
    const held = server.conversations().map((c) => String(c.data.import_key)).sort();
    expect(held).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8']);
    const again = await runCli(runArgs([monday, tuesday]), { env: sandboxEnv(server) });
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 0, rows: 11, duplicates: 3 });
    expect(server.conversations()).toHaveLength(8);
  });

  it('nightly: a done row read as it was sent is skipped by its source hash; an edited one is still mapped and counted changed', async () => {
    server = await sandbox();
    const rows = [row('T1'), row('T2'), row('T3')];
    const file = await exportFile(rows);
    expect(JSON.parse((await runCli(runArgs(file), { env: sandboxEnv(server) })).stdout)).toMatchObject({ done: 3 });
    const hashes = () => {
      const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
      try {
        return db.prepare('SELECT key, source_hash FROM rows ORDER BY key').all() as { key: string; source_hash: string | null }[];
      } finally {
        db.close();
      }
    };
    const sent = hashes();
    expect(sent.every((entry) => /^[0-9a-f]{20}$/.test(entry.source_hash ?? ''))).toBe(true);
    // A ledger of an earlier release keeps no source hash: the next run maps its rows and keeps one.
    const db = openSqlite(join(dir, 'import.ledger'));
    db.prepare('UPDATE rows SET source_hash = NULL').run();
    db.close();
    expect(JSON.parse((await runCli(runArgs(file), { env: sandboxEnv(server) })).stdout)).toMatchObject({ done: 0, skipped: 3, changed: 0 });
    expect(hashes()).toEqual(sent);
    // T2 edited, T3 twice in the file: the edit is seen and the copy is a duplicate, on the quick path too.
    await writeFile(file, HEADER + row('T1') + row('T2', 't2@example.com', 'Edited later') + row('T3') + row('T3'));
    const edited = await runCli(runArgs(file), { env: sandboxEnv(server) });
    expect(JSON.parse(edited.stdout)).toMatchObject({ done: 0, skipped: 3, changed: 1, duplicates: 1 });
    // The hash stays the one of the record as sent: the edit is counted again the next night.
    expect(hashes()).toEqual(sent);
    expect(JSON.parse((await runCli(runArgs(file), { env: sandboxEnv(server) })).stdout)).toMatchObject({ skipped: 3, changed: 1 });
    // Another mapping reads the same record differently: nothing is skipped on its hash.
    const mapping = join(dir, 'billing.json');
    const preset = JSON.parse(await readFile(join(REPO, 'mappings/generic-csv.json'), 'utf8'));
    await writeFile(mapping, JSON.stringify({ ...preset, conversation: { ...preset.conversation, category: 'billing' } }));
    const remapped = await runCli(['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '200', '--json', '--quiet'], { env: sandboxEnv(server) });
    expect(JSON.parse(remapped.stdout)).toMatchObject({ skipped: 3, changed: 3 });
    expect(server.conversations()).toHaveLength(3);
  });

  it('--max-errors stops a run whose mapping names a channel the API rejects (exit 3, resumable)', async () => {
    server = await sandbox({ channels: ['support'] });
    const file = await exportFile(Array.from({ length: 200 }, (_, i) => row(`T${i}`)));
    const preset = JSON.parse(await readFile(join(REPO, 'mappings/generic-csv.json'), 'utf8'));
    const mapping = join(dir, 'm.json');
    await writeFile(mapping, JSON.stringify({ ...preset, conversation: { ...preset.conversation, category: 'no-such-channel' } }));
    const args = ['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '200', '--json', '--max-errors', '5'];
    const stopped = await runCli(args, { env: sandboxEnv(server) });
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('the most --max-errors allows: stopped early');
    expect(stopped.stderr).toContain('To resume, run the same command again');
    expect(server.stats().byRoute['POST /conversations']).toBeLessThan(20);
    expect(JSON.parse(stopped.stdout).rejected).toBeGreaterThanOrEqual(5);
    await writeFile(mapping, JSON.stringify(preset));
    const fixed = await runCli(args, { env: sandboxEnv(server) });
    expect(JSON.parse(fixed.stdout)).toMatchObject({ done: 200, rejected: 0 });
    expect(fixed.code).toBe(0);
  });

  it('--max-error-rate stops when most rows fail, and --summary-file keeps the summary', async () => {
    server = await sandbox();
    const rows = Array.from({ length: 120 }, (_, i) => row(`T${i}`, i % 4 === 0 ? `t${i}@example.com` : 'broken@'));
    const file = await exportFile(rows);
    const summaryFile = join(dir, 'summary.json');
    const result = await runCli([...runArgs(file), '--max-error-rate', '0.5', '--summary-file', summaryFile], { env: sandboxEnv(server) });
    expect(result.code).toBe(3);
    const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
    expect(summary).toMatchObject({ aborted: expect.stringContaining('over --max-error-rate') });
    expect(summary.rows).toBeLessThan(120);
    expect(summary.invalid).toBeGreaterThanOrEqual(25);
  });

  it('--tag marks every conversation it creates, so a sample can be found again', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1'), row('T2')]);
    expect((await runCli([...runArgs(file), '--tag', 'sample-1', '--tag', 'nov'], { env: sandboxEnv(server) })).code).toBe(0);
    expect(server.conversations().map((c) => c.tag_list)).toEqual([['a', 'b', 'sample-1', 'nov'], ['a', 'b', 'sample-1', 'nov']]);
  });

  it('an invalid copy of a done key never makes it look unsent', async () => {
    server = await sandbox();
    const good = await exportFile([row('T1'), row('T2')], 'good.csv');
    expect((await runCli(runArgs(good), { env: sandboxEnv(server) })).code).toBe(0);
    const broken = await exportFile([row('T1', 'bad@')], 'broken.csv');
    expect(JSON.parse((await runCli(runArgs(broken), { env: sandboxEnv(server) })).stdout)).toMatchObject({ invalid: 1, done: 0 });
    expect(ledgerRows().find((r) => r.key === 'T1')).toMatchObject({ state: 'done' });
    expect(JSON.parse((await runCli(runArgs(good), { env: sandboxEnv(server) })).stdout)).toMatchObject({ done: 0, skipped: 2 });
    expect(server.conversations()).toHaveLength(2);
  });

  it('refuses a changed row key on an existing ledger instead of creating every ticket again', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1')]);
    expect((await runCli(runArgs(file), { env: sandboxEnv(server) })).code).toBe(0);
    const preset = JSON.parse(await readFile(join(REPO, 'mappings/generic-csv.json'), 'utf8'));
    const mapping = join(dir, 'm.json');
    await writeFile(mapping, JSON.stringify({ ...preset, source: { ...preset.source, key: '{{ticket_id}}-v2' } }));
    const result = await runCli(['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '200'], { env: sandboxEnv(server) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The mapping changes source.key from "ticket_id" to "{{ticket_id}}-v2" since the last run of this ledger');
    const again = await runCli(['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '200'], { env: sandboxEnv(server) });
    expect(again.code).toBe(2);
    expect(server.conversations()).toHaveLength(1);
  });

  it('counts only new invalid rows against --max-errors, so a re-run gets past last night\'s', async () => {
    server = await sandbox();
    const rows = [...Array.from({ length: 6 }, (_, i) => row(`B${i}`, 'bad@')), ...Array.from({ length: 10 }, (_, i) => row(`G${i}`))];
    const file = await exportFile(rows);
    const args = [...runArgs(file), '--max-errors', '5'];
    expect((await runCli(args, { env: sandboxEnv(server) })).code).toBe(3);
    const second = await runCli(args, { env: sandboxEnv(server) });
    expect(JSON.parse(second.stdout)).toMatchObject({ done: 10, invalid: 6 });
    expect(second.code).toBe(1);
  });

  it('never echoes what was given to --token-file', async () => {
    const file = await exportFile([row('T1')]);
    const result = await runCli([...runArgs(file), '--token-file', 'tok-Very-Secret-0042'], { env: { REAMAZE_BASE_URL: 'http://127.0.0.1:9/api/v1', REAMAZE_EMAIL: 'a@b.co' } });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('tok-Very-Secret-0042');
    expect(result.stderr).toContain('Cannot read the file given to --token-file');
  });
});
