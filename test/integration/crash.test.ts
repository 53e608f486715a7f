import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { start, waitFor } from '../helpers/child.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  await cleanup();
});

async function writeExport(count: number): Promise<{ file: string; valid: string[] }> {
  const valid: string[] = [];
  const rows = Array.from({ length: count }, (_, i) => {
    const key = `T${i}`;
    const email = i % 37 === 0 ? 'broken@' : `c${i}@example.com`;
    if (email !== 'broken@') valid.push(key);
    return `${key},Subject ${i},"Hello ${i},\nsecond line",open,"a, b",Customer ${i},${email},2024-05-01 10:00:00\n`;
  });
  const file = join(dir, 'tickets.csv');
  await writeFile(file, HEADER + rows.join(''));
  return { file, valid };
}

function keysHeld(server: Sandbox): string[] {
  return server.conversations().map((conversation) => String(conversation.data.import_key));
}

describe('exactly once, whatever happens to the importer', () => {
  it('SIGKILL mid-import under faults, then the same command again: every valid ticket exists exactly once', async () => {
    server = await sandbox({
      latencyMs: 2,
      seed: 7,
      faultRates: { '500-before': 0.05, '500-after': 0.05, 'drop-after': 0.05, 'drop-before': 0.05, '503-before': 0.03 },
    });
    const { file, valid } = await writeExport(300);
    const env = sandboxEnv(server);
    const args = ['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', '400', '--concurrency', '6', '--json', '--quiet', '--timeout', '5'];

    for (const killAt of [40, 120, 200]) {
      const child = start(args, env);
      await waitFor(() => server.conversations().length >= killAt);
      child.kill('SIGKILL');
      await child.code;
    }
    let last = { code: -1 as number | null, stdout: '' };
    for (let attempt = 0; attempt < 6 && last.code !== 1; attempt++) {
      const child = start(args, env);
      last = { code: await child.code, stdout: child.stdout() };
    }
    // Exit 1: everything sendable is done; only the invalid rows (bad e-mails) did not make it.
    expect(last.code).toBe(1);
    expect(JSON.parse(last.stdout).ledger).toMatchObject({ done: valid.length, invalid: 300 - valid.length, failed: 0, uncertain: 0 });
    const held = keysHeld(server);
    expect(held.length).toBe(valid.length);
    expect(new Set(held).size).toBe(held.length);
    expect([...held].sort()).toEqual([...valid].sort());
    expect(server.stats().duplicateKeys).toBe(0);
    expect(Object.values(server.stats().faults).reduce((sum, n) => sum + (n ?? 0), 0)).toBeGreaterThan(10);
    expect(server.stats().notifications).toBe(0);
  }, 120_000);

  it('SIGINT: stops cleanly with exit 130 and says how to resume; the next run completes', async () => {
    server = await sandbox({ latencyMs: 20 });
    const { file, valid } = await writeExport(120);
    const env = sandboxEnv(server);
    const args = ['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', '40', '--json'];
    const child = start(args, env);
    await waitFor(() => server.conversations().length >= 15);
    child.kill('SIGINT');
    expect(await child.code).toBe(130);
    expect(child.stderr()).toContain('To resume, run the same command again');
    const stopped = JSON.parse(child.stdout());
    expect(stopped).toMatchObject({ interrupted: true });
    const { rows, done, skipped, rejected, failed, invalid, uncertain, duplicates, pending } = stopped;
    expect(done + skipped + rejected + failed + invalid + uncertain + duplicates + pending).toBe(rows);
    const createdBefore = server.conversations().length;
    expect(createdBefore).toBeLessThan(valid.length);
    const again = start(args, env);
    expect(await again.code).toBe(1);
    expect(JSON.parse(again.stdout())).toMatchObject({ skipped: createdBefore, done: valid.length - createdBefore, failed: 0 });
    expect(keysHeld(server).sort()).toEqual([...valid].sort());
  }, 60_000);

  it('never writes the token: not to stdout, stderr, the ledger or its journal', async () => {
    const token = 'tok-Very-Secret-0042';
    server = await sandbox({ token, faultRates: { '500-after': 0.2, '422': 0.1 }, seed: 3 });
    const { file } = await writeExport(40);
    const ledger = join(dir, 'l.ledger');
    const child = start(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200'], sandboxEnv(server, token));
    await child.code;
    const bad = start(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200'], sandboxEnv(server, `${token}-wrong`));
    expect(await bad.code).toBe(3);
    const outputs = child.stdout() + child.stderr() + bad.stdout() + bad.stderr();
    expect(outputs).not.toContain(token);
    for (const name of await readdir(dir)) {
      const bytes = await readFile(join(dir, name));
      expect({ name, leaks: bytes.includes(token) }).toEqual({ name, leaks: false });
    }
  }, 60_000);
});
