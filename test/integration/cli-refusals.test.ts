// Refusals of the command line through the real CLI: numbers out of bounds, a mistyped preset, a
// run refused before anything is sent (which leaves no ledger it created), and folders as inputs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { listPresets } from '../../src/mapping/presets.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, REPO, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

const BIN = join(REPO, 'dist/cli/bin.js');
const PRESETS = listPresets().join(', ');

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
const row = (id: string, email = `${id.toLowerCase()}@example.com`) => `${id},Subject ${id},Body of ${id},open,,Name ${id},${email},2024-05-01 10:00:00\n`;

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A new empty folder in the test's folder. */
async function folder(name: string): Promise<string> {
  await mkdir(join(dir, name));
  return join(dir, name);
}

/** `run` of `file` with the generic preset on the ledger `import.ledger` of the test's folder. */
function runArgs(file: string, extra: string[] = []): string[] {
  return ['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'import.ledger'), '--rate', '200', '--quiet', ...extra];
}

/** The ledger's files in the test's folder: the database, its -wal and -shm, its lock. */
async function ledgerFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('import.ledger')).sort();
}

/** The real binary in a child process, as a user or cron runs it. */
async function bin(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('numeric options', () => {
  it('refuses run --limit 0 in one sentence, exit 2, before a ledger is made', async () => {
    const file = await write('tickets.csv', HEADER + row('T1'));
    const result = await bin(runArgs(file, ['--limit', '0']));
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('--limit must be a whole number of rows, at least 1; got 0.');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(await ledgerFiles()).toEqual([]);
  });

  it('refuses preview -n 2.5 and sandbox --port abc', async () => {
    const file = await write('tickets.csv', HEADER + row('T1'));
    const preview = await bin(['preview', file, '--mapping', 'generic-csv', '-n', '2.5']);
    expect(preview.code).toBe(2);
    expect(preview.stderr.split('\n')[0]).toBe('-n must be a whole number of rows, at least 1; got 2.5.');
    const port = await bin(['sandbox', '--port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr.split('\n')[0]).toBe('--port must be a whole number, from 0 to 65535 (0: any free port); got abc.');
    expect(port.stdout).toBe('');
  });
});

describe('a --mapping that is neither a file nor a preset', () => {
  it('names the nearest preset and every preset', async () => {
    const file = await write('tickets.csv', HEADER + row('T1'));
    const result = await runCli(['validate', file, '--mapping', 'zendsk-csv']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `--mapping zendsk-csv is neither a file nor a bundled preset (did you mean the zendesk-csv preset?): give the path of a mapping file, or one of the presets ${PRESETS}.`,
    );
  });

  it('names the missing file of a path, and the preset it resembles', async () => {
    const file = await write('tickets.csv', HEADER + row('T1'));
    const result = await runCli(['preview', file, '--mapping', './zendesk-cvs.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `--mapping ./zendesk-cvs.json is neither a file (there is no ${join(dir, 'zendesk-cvs.json')}) nor a bundled preset (did you mean the zendesk-csv preset?): give the path of a mapping file, or one of the presets ${PRESETS}.`,
    );
  });
});

/** The warehouse preset's tickets and comments, for the lookup refusals. */
async function warehouse(): Promise<string[]> {
  const tickets = await write('ticket_data.csv', [
    'id,subject,status,created_at,updated_at,due_at,priority,type,via_channel,requester_id,assignee_id,group_id,organization_id,description',
    '123,Order lost,open,2020-03-05 04:50:07,2020-03-05 04:50:07,,normal,incident,email,1,,,,Where is my order?',
  ].join('\n'));
  const comments = await write('ticket_comment_data.csv', 'id,ticket_id,created,body,public,user_id\n9001,123,2020-03-05 05:00:00,Looking,TRUE,1\n');
  return [tickets, '--mapping', 'zendesk-warehouse-csv', '--messages', comments];
}

describe('a run refused before anything is sent', () => {
  const refusals: [string, number, RegExp, () => Promise<string[]>][] = [
    ['a mistyped preset', 2, /is neither a file nor a bundled preset/, async () => runArgs(await write('t.csv', HEADER + row('T1')), ['--mapping', 'zendsk-csv'])],
    ['an option out of bounds', 2, /^--concurrency must be/, async () => runArgs(await write('t.csv', HEADER + row('T1')), ['--concurrency', '0'])],
    ['a rate that is none', 2, /^--max-rate fast is not a rate/, async () => runArgs(await write('t.csv', HEADER + row('T1')), ['--max-rate', 'fast'])],
    ['a rate given twice', 2, /^--rate is given 2 times: give it once/, async () => runArgs(await write('t.csv', HEADER + row('T1')), ['--rate', '5'])],
    ['a summary file that is an input', 2, /^--summary-file .* is .*, an input of this command/, async () => {
      const exports = await folder('exports');
      await writeFile(join(exports, 'a.csv'), HEADER + row('T1'));
      await writeFile(join(exports, 'summary.json'), '{}');
      return runArgs(exports, ['--summary-file', join(exports, 'summary.json')]);
    }],
    ['an unknown column', 2, /^The mapping names \d+ columns that .*t\.csv does not have/, async () => runArgs(await write('t.csv', 'id,subject\n1,x\n'))],
    ['a missing file', 2, /no such file/, async () => runArgs(join(dir, 'missing.csv'))],
    ['an empty folder', 2, /^The folder .* holds no/, async () => runArgs(await folder('none'))],
    ['a missing lookup file', 2, /nope\.csv/, async () => [...(await warehouse()), '--lookup', `users=${join(dir, 'nope.csv')}`, '--ledger', join(dir, 'import.ledger'), '--quiet']],
    ['a lookup not given', 2, /lookup "users" is not given/, async () => [...(await warehouse()), '--ledger', join(dir, 'import.ledger'), '--quiet']],
  ];

  it.each(refusals)('%s: exit %i, one message, no ledger file left', async (_name, code, message, argv) => {
    server = await sandbox();
    const args = await argv();
    const result = await runCli(args[0] === 'run' ? args : ['run', ...args], { env: sandboxEnv(server) });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(await ledgerFiles()).toEqual([]);
    expect(server.stats().requests).toBe(0);
  });

  it('bad credentials (exit 3): nothing sent, no ledger file left', async () => {
    server = await sandbox();
    const result = await runCli(runArgs(await write('t.csv', HEADER + row('T1'))), { env: sandboxEnv(server, 'wrong-token') });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^The API refused the credentials \(40[13]\)/);
    expect(server.conversations()).toEqual([]);
    expect(await ledgerFiles()).toEqual([]);
  });

  it('keeps a ledger that existed before, with what it holds, and releases its lock', async () => {
    server = await sandbox();
    const file = await write('t.csv', HEADER + row('T1') + row('T2'));
    expect((await runCli(runArgs(file), { env: sandboxEnv(server) })).code).toBe(0);
    expect((await runCli(runArgs(file), { env: sandboxEnv(server, 'wrong-token') })).code).toBe(3);
    expect((await runCli(runArgs(await write('bad.csv', 'id\n1\n')), { env: sandboxEnv(server) })).code).toBe(2);
    expect(await ledgerFiles()).toEqual(['import.ledger']);
    const ledger = SqliteLedger.open(join(dir, 'import.ledger'));
    expect(ledger.counts()).toMatchObject({ done: 2 });
    ledger.close();
  });

  it('keeps a ledger that existed before even when it holds no row', async () => {
    server = await sandbox();
    SqliteLedger.open(join(dir, 'import.ledger')).close();
    const result = await runCli(runArgs(await write('t.csv', HEADER + row('T1'))), { env: sandboxEnv(server, 'wrong-token') });
    expect(result.code).toBe(3);
    expect(existsSync(join(dir, 'import.ledger'))).toBe(true);
  });

  it('keeps a new ledger once it recorded rows, even when the run then stops (exit 3)', async () => {
    server = await sandbox();
    const file = await write('t.csv', HEADER + row('T1', 'not-an-email') + row('T2', 'nor-this'));
    const result = await runCli(runArgs(file, ['--max-errors', '1']), { env: sandboxEnv(server) });
    expect(result.code).toBe(3);
    expect(existsSync(join(dir, 'import.ledger'))).toBe(true);
    const ledger = SqliteLedger.open(join(dir, 'import.ledger'));
    expect(ledger.counts()).toMatchObject({ invalid: 1 });
    ledger.close();
  });
});

/** A folder of Help Scout style documents: one JSON conversation a file, a file that is no export, and a hidden copy. */
async function conversationsFolder(): Promise<{ folder: string; mapping: string }> {
  const folder = join(dir, 'conversations');
  await mkdir(folder);
  const conversation = (id: number, subject: string) => JSON.stringify({ id, subject, customer: { email: `c${id}@example.com` } });
  await writeFile(join(folder, '10.json'), conversation(10, 'Tenth'));
  await writeFile(join(folder, '2.json'), conversation(2, 'Second'));
  await writeFile(join(folder, 'notes.txt'), 'downloaded with the API');
  await writeFile(join(folder, '._2.json'), Buffer.from([0, 5, 22, 7, 0, 2]));
  const mapping = await write('mapping.json', JSON.stringify({
    source: { format: 'json', key: 'id' },
    conversation: { subject: '{{subject}}', category: 'support', message: { body: '{{subject}}' }, user: { email: { from: 'customer.email', required: true } } },
  }));
  return { folder, mapping };
}

describe('a folder as an input', () => {
  it('stands for its JSON, JSONL, NDJSON and CSV files, in name order', async () => {
    const { folder, mapping } = await conversationsFolder();
    const result = await runCli(['validate', folder, '--mapping', mapping, '--json']);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { rows: number; valid: number; files: { file: string; rows: number }[] };
    expect(summary).toMatchObject({ rows: 2, valid: 2 });
    expect(summary.files.map((file) => [file.file, file.rows])).toEqual([[join(folder, '2.json'), 1], [join(folder, '10.json'), 1]]);
  });

  it('is previewed across its files', async () => {
    const { folder, mapping } = await conversationsFolder();
    const result = await runCli(['preview', folder, '--mapping', mapping, '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { key: string }[]).map((row) => row.key)).toEqual(['2', '10']);
  });

  it('is refused when it holds no such file', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'notes.txt'), 'nothing to import');
    const result = await runCli(['validate', empty, '--mapping', 'generic-csv']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`The folder ${empty} holds no .json, .jsonl, .ndjson or .csv file: give the export's files, or the folder they are in.`);
  });

  it('gives --messages its files too', async () => {
    await warehouse();
    const comments = join(dir, 'comments');
    await mkdir(comments);
    await writeFile(join(comments, 'part-1.csv'), 'id,ticket_id,created,body,public,user_id\n9001,123,2020-03-05 05:00:00,Looking,TRUE,1\n');
    await writeFile(join(comments, 'part-2.csv'), 'id,ticket_id,created,body,public,user_id\n9002,123,2020-03-05 06:00:00,Found it,TRUE,1\n');
    const users = await write('user_data.csv', 'id,name,email,role\n1,Ann,ann@example.com,end-user\n');
    const tags = await write('ticket_tag_data.csv', 'tag,ticket_id\ncustomer,123\n');
    const args = [join(dir, 'ticket_data.csv'), '--mapping', 'zendesk-warehouse-csv', '--messages', comments, '--lookup', `users=${users}`, '--lookup', `tags=${tags}`, '--json'];
    const result = await runCli(['preview', ...args]);
    expect(hasStackTrace(result.stderr)).toBe(false);
    // The first comment opens the conversation, the second follows it: one from each file of the folder.
    const [previewed] = JSON.parse(result.stdout) as { body: { conversation: { message: { body: string } } }; messages: { message: { body: string } }[] }[];
    expect(previewed?.body.conversation.message.body).toContain('Looking');
    expect(previewed?.messages.map((message) => message.message.body)).toEqual([expect.stringContaining('Found it')]);
  });
});
