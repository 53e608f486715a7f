import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

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
const row = (id: string) => `${id},Subject ${id},Body of ${id},open,,Name ${id},${id.toLowerCase()}@example.com,2024-05-01 10:00:00\n`;

describe('resolve: a person settles what no answer of the API can', () => {
  it('status names the uncertain ticket with the commands; resolved absent, the next run sends it once', async () => {
    // T2's POST fails before creating, and the API's listing is not filtered: the lookup proves nothing
    server = await sandbox({ ignoreDataFilter: true, faults: { T2: ['500-before'] } });
    const env = sandboxEnv(server);
    const file = join(dir, 'tickets.csv');
    await writeFile(file, HEADER + row('T1') + row('T2'));
    const ledger = join(dir, 'import.ledger');
    const runArgs = ['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200', '--json', '--quiet'];
    const first = await runCli(runArgs, { env });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 1, uncertain: 1 });

    const status = await runCli(['status', '--ledger', ledger]);
    expect(status.stdout).toContain('ticket T2 (');
    expect(status.stdout).toContain(`not there: reamaze-import resolve --ledger ${ledger} --key T2 --as absent`);
    expect(status.stdout).toContain(`found: reamaze-import resolve --ledger ${ledger} --key T2 --as done --slug SLUG`);
    const json = JSON.parse((await runCli(['status', '--ledger', ledger, '--json'])).stdout) as { uncertain: { key: string; resolve: { absent: string } }[] };
    expect(json.uncertain.map((item) => item.key)).toEqual(['T2']);

    // Only what is uncertain is settled by hand
    const refused = await runCli(['resolve', '--ledger', ledger, '--key', 'T1', '--as', 'absent']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ticket T1 is done, not uncertain');
    expect(hasStackTrace(refused.stderr)).toBe(false);
    const unknown = await runCli(['resolve', '--ledger', ledger, '--key', 'T9', '--as', 'absent']);
    expect(unknown.stderr).toContain('holds no ticket T9');

    const resolved = await runCli(['resolve', '--ledger', ledger, '--key', 'T2', '--as', 'absent']);
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain('Recorded ticket T2 as not in Re:amaze: the next run sends it.');
    const again = await runCli(runArgs, { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 1, skipped: 1, uncertain: 0 });
    expect(server.conversations().map((held) => held.data.import_key).sort()).toEqual(['T1', 'T2']);
  });

  it('resolved done with the slug found in Re:amaze: never sent again', async () => {
    server = await sandbox({ ignoreDataFilter: true, faults: { T2: ['500-before'] } });
    const env = sandboxEnv(server);
    const file = join(dir, 'tickets.csv');
    await writeFile(file, HEADER + row('T1') + row('T2'));
    const ledger = join(dir, 'import.ledger');
    const runArgs = ['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200', '--json', '--quiet'];
    await runCli(runArgs, { env });
    const noSlug = await runCli(['resolve', '--ledger', ledger, '--key', 'T2', '--as', 'done']);
    expect(noSlug.code).toBe(2);
    expect(noSlug.stderr).toContain('--as done needs --slug');
    const resolved = await runCli(['resolve', '--ledger', ledger, '--key', 'T2', '--as', 'done', '--slug', 'found-by-hand']);
    expect(resolved.stdout).toContain('Recorded ticket T2 as done (conversation found-by-hand): it is never sent again.');
    const again = await runCli(runArgs, { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 0, skipped: 2 });
    expect(server.conversations().map((held) => held.data.import_key)).toEqual(['T1']);
  });
});
