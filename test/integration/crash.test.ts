import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { start, waitFor } from '../helpers/child.js';
import { startInTerminal } from '../helpers/terminal.js';
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

  it('SIGTERM with answers hung and dripping: one stop message, out within the grace, what was in flight uncertain, the summary as the ledger says; the next run creates each once', async () => {
    const { file, valid } = await writeExport(200);
    // Some answers never come (created, then the socket held), some drip a byte every half second.
    const slow = valid.slice(10).filter((_, i) => i % 7 === 0);
    const faults = Object.fromEntries(slow.map((key, i) => [key, [i % 2 === 0 ? 'hang-after' : 'drip-after'] as ('hang-after' | 'drip-after')[]]));
    server = await sandbox({ latencyMs: 5, faults, hangMs: 120_000, dripMs: 500 });
    const env = sandboxEnv(server);
    const ledger = join(dir, 'l.ledger');
    const args = ['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '60', '--concurrency', '8', '--timeout', '300', '--json'];
    const child = start(args, env);
    await waitFor(() => server.stats().faultLog.length >= 6, 30_000);
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await child.code).toBe(130);
    // The promise is 10 s for what is in flight; the rest is recording and closing.
    expect(Date.now() - signalled).toBeLessThan(20_000);
    const stderr = child.stderr();
    expect(stderr.match(/Stopping/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/limiter|Warning|at .*\.js:\d+/);
    const summary = JSON.parse(child.stdout());
    expect(summary).toMatchObject({ interrupted: true });
    // A first run: what it says it left is what the ledger holds, and what `status` says.
    const status = JSON.parse((await runCli(['status', '--ledger', ledger, '--json'], { env })).stdout);
    for (const state of ['done', 'uncertain', 'pending', 'invalid'] as const) {
      expect({ state, run: summary[state], ledger: summary.ledger[state] }).toEqual({ state, run: status.counts[state], ledger: status.counts[state] });
    }
    expect(summary.uncertain).toBeGreaterThan(0);
    const again = start(args.filter((arg) => arg !== '300').map((arg) => (arg === '--timeout' ? '--timeout=5' : arg)), env);
    expect(await again.code).toBe(1);
    const held = keysHeld(server);
    expect(new Set(held).size).toBe(held.length);
    expect([...held].sort()).toEqual([...valid].sort());
    expect(server.stats().duplicateKeys).toBe(0);
  }, 120_000);

  it('Ctrl-C at a terminal: the stop note stays on the screen, no warning follows, and the summary says what the ledger holds', async () => {
    const { file, valid } = await writeExport(150);
    const hung = valid.slice(25).filter((_, i) => i % 11 === 0);
    server = await sandbox({ latencyMs: 20, faults: Object.fromEntries(hung.map((key) => [key, ['hang-after' as const]])), hangMs: 120_000 });
    const env = sandboxEnv(server);
    const ledger = join(dir, 'l.ledger');
    const child = startInTerminal(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '25', '--concurrency', '6'], env);
    await waitFor(() => server.stats().faultLog.length >= 2, 30_000);
    child.type('\x03');
    expect(await child.code).toBe(130);
    const screen = (await child.screen()).join('\n');
    expect(screen).toContain('Stopping: no new rows are read; requests in flight may finish (up to 10 s). Press Ctrl-C again to quit at once.');
    expect(screen).not.toMatch(/Warning|limiter|\bat .*\.js:\d+/);
    expect(screen).toContain('To resume, run the same command again');
    const status = JSON.parse((await runCli(['status', '--ledger', ledger, '--json'], { env })).stdout).counts;
    const said = /(\d+) rows: (\d+) created, \d+ already done, \d+ rejected, \d+ failed, (\d+) invalid, (\d+) uncertain, \d+ duplicates, (\d+) not sent yet\./.exec(screen);
    expect(said).not.toBeNull();
    const [, , created, invalid, uncertain, pending] = said!.map(Number);
    expect({ created, invalid, uncertain, pending }).toEqual({ created: status.done, invalid: status.invalid, uncertain: status.uncertain, pending: status.pending });
    expect(uncertain).toBeGreaterThan(0);
    expect(screen).toContain(`The ledger holds: ${Object.entries(status).map(([state, n]) => `${state} ${n}`).join(' · ')}.`);
  }, 90_000);

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
