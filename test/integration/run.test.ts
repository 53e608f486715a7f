import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
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
  });

  it('stops with exit 3 on bad credentials, marks no row, and never shows the token', async () => {
    server = await sandbox();
    const file = await exportFile([row('T1'), row('T2')]);
    const result = await runCli(runArgs(file), { env: sandboxEnv(server, 'wrong-token-s3cr3t') });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/refused the credentials \(403\)/);
    expect(result.stdout + result.stderr).not.toContain('wrong-token-s3cr3t');
    expect(server.conversations()).toHaveLength(0);
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

  it('finishes a 429 storm without Retry-After with no failed row', async () => {
    server = await sandbox({ rateLimit: 20, retryAfter: false });
    const file = await exportFile(Array.from({ length: 60 }, (_, i) => row(`T${i}`)));
    const result = await runCli([...runArgs(file), '--concurrency', '8'], { env: sandboxEnv(server) });
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 60, failed: 0, uncertain: 0 });
    expect(server.stats().rateLimited).toBeGreaterThan(0);
    expect(server.conversations()).toHaveLength(60);
  });
});
