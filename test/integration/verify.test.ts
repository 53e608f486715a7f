import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { openSqlite } from '../../src/ledger/sqlite.js';
import { main } from '../../src/cli/main.js';
import { hasStackTrace, REPO, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
const servers: Sandbox[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function server(): Promise<Sandbox> {
  const started = await sandbox();
  servers.push(started);
  return started;
}

const STAFF = { name: 'Agent Smith', email: 'importer@example.com' };

/** Eight tickets with threads of 1 to 4 comments; an open one ends on an agent reply, so only the final PUT sets its status. */
function tickets() {
  return Array.from({ length: 8 }, (_, t) => {
    const id = String(1000 + t);
    const customer = { name: `Customer ${t}`, email: `c${t}@example.com` };
    const status = t % 2 === 0 ? 'open' : 'solved';
    const length = 1 + (t % 4);
    const comments = Array.from({ length }, (_, c) => {
      const byStaff = c > 0 && (c === length - 1 ? status === 'open' : c % 2 === 1);
      const author = byStaff ? STAFF : customer;
      return { id: `c-${id}-${c + 1}`, body: `Message ${c + 1} of ticket ${id}`, created: `2024-03-0${1 + (t % 8)} 1${c}:15:00`, author_name: author.name, author_email: author.email };
    });
    return { id, subject: `Subject ${id}`, status, tags: 'legacy, batch-1', ...customer, comments };
  });
}

const MAPPING = {
  source: { key: 'id' },
  conversation: {
    subject: '{{subject}}', category: 'support', status: { from: 'status', map: { open: 0, solved: 2 } },
    tag_list: { from: 'tags', split: ',' }, message: {}, user: { name: '{{name}}', email: '{{email}}' },
  },
  messages: {
    from: 'comments', order_by: 'created', body: '{{body}}', origin_id: '{{id}}', visibility: 0,
    user: { name: '{{author_name}}', email: '{{author_email}}' }, suppress_autoresolve: false,
  },
};

const ledger = () => join(dir, 'import.ledger');

/** Imports the tickets into `api`; the command line of that run. */
async function imported(api: Sandbox): Promise<string[]> {
  const file = join(dir, 'tickets.jsonl');
  await writeFile(file, tickets().map((ticket) => JSON.stringify(ticket)).join('\n') + '\n');
  const mapping = join(dir, 'mapping.json');
  await writeFile(mapping, JSON.stringify(MAPPING));
  const run = ['run', file, '--mapping', mapping, '--ledger', ledger(), '--rate', '400', '--json', '--quiet'];
  const result = await runCli(run, { env: sandboxEnv(api) });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return run;
}

async function verify(api: Sandbox, extra: string[] = []) {
  const result = await runCli(['verify', '--ledger', ledger(), '--rate', '400', '--out', join(dir, 'mismatches.jsonl'), ...extra], { env: sandboxEnv(api) });
  expect(hasStackTrace(result.stderr)).toBe(false);
  return { ...result, json: extra.includes('--json') ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined };
}

async function mismatches(): Promise<{ key: string; state: string; error: string; fields: { slug: string; kind: string } }[]> {
  const text = await readFile(join(dir, 'mismatches.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as never);
}

const slugOf = (api: Sandbox, key: string) => api.conversations().find((held) => held.data.import_key === key)!.slug;

function sql<T>(query: string, ...params: unknown[]): T[] {
  const db = openSqlite(ledger());
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe('verify', () => {
  it('finds nothing to say after a clean import, and names exactly what an admin changed afterwards', async () => {
    const api = await server();
    await imported(api);
    const clean = await verify(api, ['--json']);
    expect(clean.code).toBe(0);
    expect(clean.json).toMatchObject({ mode: 'all', population: 8, checked: 8, matched: 8, mismatched: 0, by_kind: {} });
    expect(await mismatches()).toEqual([]);
    const before = api.stats().byRoute;

    expect(api.deleteConversation(slugOf(api, '1001'))).toBe(true);
    expect(api.setStatus(slugOf(api, '1002'), 4)).toBe(true);
    expect(api.removeMessage(slugOf(api, '1003'), 2)).toBe(true);
    const found = await verify(api);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('8 checked: 5 match, 3 mismatched.');
    expect(found.stdout).toContain('Mismatches by kind: message_missing 1 · missing 1 · status 1.');
    const rows = await mismatches();
    expect(rows.map((row) => [row.key, row.state])).toEqual([['1001', 'missing'], ['1002', 'status'], ['1003', 'message_missing']]);
    expect(rows[2]).toMatchObject({ file: join(dir, 'tickets.jsonl'), line: 4, error: 'message 3 of the thread (origin_id c-1003-3) is not in the conversation' });
    expect(rows[1]?.error).toBe('status 0 was sent, Re:amaze has 4');
    expect(JSON.stringify(rows)).not.toContain('Message ');
    // Only reads: nothing was created, changed or added.
    const after = api.stats().byRoute;
    for (const route of ['POST /conversations', 'PUT /conversations/{slug}', 'POST /conversations/{slug}/messages']) expect(after[route]).toBe(before[route]);
  });

  it('--sample draws the asked number with a seed, says so, and draws the same again', async () => {
    const api = await server();
    await imported(api);
    const first = await verify(api, ['--sample', '5', '--seed', 'x', '--json']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ mode: 'sample', sample_size: 5, seed: 'x', population: 8, checked: 5, mismatched: 0 });
    const text = await verify(api, ['--sample', '5', '--seed', 'x']);
    expect(text.stdout).toContain('A sample: 5 of the 8 done conversations, drawn uniformly at random without replacement with seed x');
    expect(text.stdout).toContain('5 checked: 5 match, 0 mismatched.');
    expect(text.stdout).toMatch(/Mismatched share: 0\.0% \(95% interval 0\.0%–43\.\d%\)/);
    const drawn = sql<{ verification: number; key: string }>('SELECT verification, key FROM verify_results ORDER BY key');
    const keysOf = (id: number) => drawn.filter((row) => row.verification === id).map((row) => row.key);
    expect(keysOf(1)).toHaveLength(5);
    expect(keysOf(2)).toEqual(keysOf(1));
  });

  it('resumes an unfinished verification: the conversations already checked are not read again', async () => {
    const api = await server();
    await imported(api);
    // As a verification stopped after three conversations leaves it.
    const db = openSqlite(ledger());
    db.prepare("INSERT INTO verifications (id, started_at, mode, population) VALUES (1, '2024-01-01T00:00:00Z', 'all', 8)").run();
    for (const key of ['1000', '1001', '1002']) db.prepare("INSERT INTO verify_results (verification, key, outcome) VALUES (1, ?, 'match')").run(key);
    db.close();
    const reads = () => api.stats().byRoute['GET /conversations/{slug}'] ?? 0;
    const result = await verify(api, ['--json']);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ resumed: true, checked: 8, mismatched: 0 });
    expect(reads()).toBe(5);
    expect(sql('SELECT id, complete, checked FROM verifications')).toEqual([{ id: 1, complete: 1, checked: 8 }]);
    // Finished: the next verify starts a new one.
    expect((await verify(api, ['--json'])).json).toMatchObject({ resumed: false, checked: 8 });
    expect(reads()).toBe(13);
  });

  it('stops on Ctrl-C with 130, keeps what was checked, and the same command resumes', async () => {
    const api = await server();
    await imported(api);
    api.setOptions({ latencyMs: 40 });
    let signal: (() => void) | undefined;
    let stderr = '';
    const argv = ['verify', '--ledger', ledger(), '--rate', '20', '--concurrency', '1', '--json'];
    const running = main(argv, {
      stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text), isTTY: false, columns: 100 },
      env: sandboxEnv(api), cwd: REPO, onSignal: (handler) => ((signal = handler), () => undefined),
    });
    const started = Date.now();
    while ((api.stats().byRoute['GET /conversations/{slug}'] ?? 0) < 3 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 60));
    signal?.();
    expect(await running).toBe(130);
    expect(stderr).toContain('Stopping:');
    const [partial] = sql<{ complete: number; checked: number }>('SELECT complete, checked FROM verifications');
    expect(partial?.complete).toBe(0);
    expect(partial?.checked).toBeGreaterThan(0);
    expect(partial?.checked).toBeLessThan(8);
    const resumed = await verify(api, ['--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.json).toMatchObject({ resumed: true, checked: 8, mismatched: 0 });
    expect(api.stats().byRoute['GET /conversations/{slug}']).toBeLessThan(8 + 4);
  });

  it('--repair makes a missing conversation pending; the next run creates it once, with its thread', async () => {
    const api = await server();
    const run = await imported(api);
    expect(api.deleteConversation(slugOf(api, '1003'))).toBe(true);
    const repaired = await verify(api, ['--repair', '--json']);
    expect(repaired.code).toBe(1);
    expect(repaired.json).toMatchObject({ mismatched: 1, by_kind: { missing: 1 }, repaired: 1 });
    expect(sql('SELECT state, slug FROM rows WHERE key = ?', '1003')).toEqual([{ state: 'pending', slug: null }]);
    const again = await runCli(run, { env: sandboxEnv(api) });
    expect(again.code).toBe(0);
    expect(api.conversations()).toHaveLength(8);
    expect(api.stats().duplicateKeys).toBe(0);
    expect(api.conversations().find((held) => held.data.import_key === '1003')?.messages).toHaveLength(4);
    expect((await verify(api, ['--json'])).json).toMatchObject({ checked: 8, mismatched: 0 });
  });

  it('refuses a ledger that does not exist, in one sentence', async () => {
    const api = await server();
    const result = await runCli(['verify', '--ledger', join(dir, 'none.ledger')], { env: sandboxEnv(api) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^No ledger at .*none\.ledger: verify reads back what a run recorded there; check the path\.\n$/);
  });
});
