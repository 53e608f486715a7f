import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { LOSS_KINDS } from '../../src/mapping/losses.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { start } from '../helpers/child.js';
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
const row = (id: string, options: { email?: string; body?: string; subject?: string } = {}) =>
  `${id},${options.subject ?? `Subject ${id}`},"${options.body ?? `Body of ${id}`}",open,"a, b",Name ${id},` +
  `${options.email ?? `${id.toLowerCase()}@example.com`},2024-05-01 10:00:00\n`;

const ledger = () => join(dir, 'import.ledger');

/**
 * An export with every way a row can fail to make it: line 3 a bad e-mail, line 5 an empty body,
 * line 6 a row the sandbox answers 422 (its subject a formula), line 7 a duplicate of line 4.
 */
async function importWithFailures(): Promise<{ file: string; result: Awaited<ReturnType<typeof runCli>> }> {
  server = await sandbox();
  server.setOptions({ faults: { T5: ['422'] } });
  const file = join(dir, 'tickets.csv');
  const rows = [row('T1'), row('T2', { email: 'bob@' }), row('T3'), row('T4', { body: '' }), row('T5', { subject: '=cmd' }), row('T3'), row('T6')];
  await writeFile(file, HEADER + rows.join(''));
  const result = await runCli(['run', file, '--mapping', 'generic-csv', '--ledger', ledger(), '--rate', '200', '--json', '--quiet'], { env: sandboxEnv(server) });
  expect(result.code).toBe(1);
  return { file, result };
}

async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('status', () => {
  it('counts what the sandbox holds, the rows it refused and the invalid ones; lists the run and the commonest errors', async () => {
    await importWithFailures();
    const result = await runCli(['status', '--ledger', ledger(), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const status = JSON.parse(result.stdout);
    expect(status.counts).toEqual({ done: server!.conversations().length, rejected: 1, failed: 0, invalid: 2, uncertain: 0, pending: 0, duplicate: 1 });
    expect(status.counts.done).toBe(3);
    expect(status.runs).toHaveLength(1);
    expect(status.runs[0]).toMatchObject({ id: 1, exit_code: 1, counts: { done: 3, rejected: 1, invalid: 2, duplicates: 1 } });
    expect(status.runs[0].duration_seconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(status.runs[0].args)).not.toContain('sandbox-token');
    expect(status.learned_rate).toBeGreaterThan(0);
    const errors = status.top_errors.map((entry: { code: string; error: string }) => `${entry.code} ${entry.error}`);
    expect(errors).toContain('API_REJECTED the API refused the row (422): scripted rejection');
    expect(errors).toContain('ROW_INVALID conversation.user.email: must be an email address, got "bob@"');
  });

  it('prints the counts, the run, the rate and the errors for a person', async () => {
    const { file } = await importWithFailures();
    const result = await runCli(['status', '--ledger', ledger()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Rows: 3 done · 1 rejected · 0 failed · 2 invalid · 0 uncertain · 0 pending · 1 duplicate');
    expect(result.stdout).toMatch(/#1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ → \d\d:\d\d:\d\dZ \(\d+\.\d s\) · exit 1 · 200\.00 req\/s · rows 7, done 3/);
    expect(result.stdout).toContain(`1 × API_REJECTED the API refused the row (422): scripted rejection (first at ${file}:6, key T5)`);
    expect(result.stdout).toContain('Learned rate: 200.00 requests/s');
  });

  it('reads a ledger a run holds (no lock needed)', async () => {
    await importWithFailures();
    const holder = SqliteLedger.open(ledger());
    try {
      const result = await runCli(['status', '--ledger', ledger(), '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).counts).toMatchObject({ done: 3, rejected: 1 });
    } finally {
      holder.close();
    }
  });

  it('says in one sentence that there is no ledger at a path, without a stack trace', async () => {
    const missing = join(dir, 'nope.ledger');
    const result = await runCli(['status', '--ledger', missing]);
    expect(result.code).toBe(2);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`No ledger at ${missing}:`);
    expect(result.stderr).toContain(`--ledger ${missing}\` first.`);
  });

  it('refuses a file that is not a ledger', async () => {
    const notLedger = join(dir, 'tickets.csv');
    await writeFile(notLedger, HEADER + row('T1'));
    const result = await runCli(['status', '--ledger', notLedger]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${notLedger} is not a reamaze-import ledger (not an SQLite file): check the --ledger path.\n`);
  });
});

/** A ledger written as a run would leave it: done rows and rows still to import, with their tickets' losses. */
function writeLedgerWithLosses(): void {
  const writer = SqliteLedger.open(ledger());
  writer.startRun({ args: {}, mappingHash: 'h' });
  const at = (key: string, line: number) => ({ key, file: 't.csv', line });
  writer.record({ ...at('T1', 2), state: 'done', slug: 's1', losses: '{"attachments_linked":1,"author_not_staff":2}' });
  writer.record({ ...at('T2', 3), state: 'done', slug: 's2', losses: '{"author_not_staff":1}' });
  writer.record({ ...at('T3', 4), state: 'done', slug: 's3' });
  writer.record({ ...at('T4', 5), state: 'failed', errorCode: 'API_FAILED', error: 'gave up: 503', losses: '{"date_unparsed":1,"note_reordered":3}' });
  writer.record({ ...at('T5', 6), state: 'invalid', errorCode: 'ROW_INVALID', error: 'bad', losses: '{"date_sentinel":9}' });
  writer.finishRun({ counts: {}, learnedRate: 1, exitCode: 1 });
  writer.close();
}

describe('status: what was not carried as the export held it', () => {
  it('sums the losses of done rows apart from those still to import, in the order of the kinds (--json)', async () => {
    writeLedgerWithLosses();
    const result = await runCli(['status', '--ledger', ledger(), '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.losses).toEqual({ done: { author_not_staff: 3, attachments_linked: 1 }, to_import: { note_reordered: 3, date_unparsed: 1 } });
    const order = Object.keys(LOSS_KINDS);
    for (const counts of [status.losses.done, status.losses.to_import]) {
      const kinds = Object.keys(counts);
      expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
    expect(Object.keys(status)).toEqual(['ledger', 'counts', 'messages', 'runs', 'learned_rate', 'tokens', 'top_errors', 'losses', 'uncertain']);
    expect(status.counts).toMatchObject({ done: 3, failed: 1, invalid: 1 });
  });

  it('prints one line per kind, with what it means, from the built binary', async () => {
    writeLedgerWithLosses();
    const child = start(['status', '--ledger', ledger()], {});
    expect(await child.code).toBe(0);
    const lines = child.stdout().split('\n');
    const from = lines.indexOf('Not carried as the export held it (in Re:amaze):');
    expect(from).toBeGreaterThan(0);
    expect(lines.slice(from, from + 6)).toEqual([
      'Not carried as the export held it (in Re:amaze):',
      `  3 author_not_staff: ${LOSS_KINDS.author_not_staff}`,
      `  1 attachments_linked: ${LOSS_KINDS.attachments_linked}`,
      'Not carried as the export held it (rows still to import):',
      `  3 note_reordered: ${LOSS_KINDS.note_reordered}`,
      `  1 date_unparsed: ${LOSS_KINDS.date_unparsed}`,
    ]);
    expect(child.stdout()).not.toContain('date_sentinel');
  });

  it('says nothing of losses when the ledger holds none, and --json gives empty counts', async () => {
    const writer = SqliteLedger.open(ledger());
    writer.startRun({ args: {}, mappingHash: 'h' });
    writer.record({ key: 'T1', file: 't.csv', line: 2, state: 'done', slug: 's1' });
    writer.record({ key: 'T2', file: 't.csv', line: 3, state: 'pending', losses: 'not json' });
    writer.close();
    const text = await runCli(['status', '--ledger', ledger()]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('Not carried');
    const json = await runCli(['status', '--ledger', ledger(), '--json']);
    expect(JSON.parse(json.stdout).losses).toEqual({ done: {}, to_import: {} });
  });
});

describe('failures', () => {
  it('writes every row that did not make it, with its line, state, reason and source fields', async () => {
    const { file } = await importWithFailures();
    const out = join(dir, 'failures.jsonl');
    const result = await runCli(['failures', '--ledger', ledger(), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote 4 rows to ${out}: 1 rejected, 0 failed, 2 invalid, 0 uncertain, 1 duplicate.`);
    const rows = await readJsonl(out);
    expect(rows.map((r) => [r.line, r.key, r.state, r.http_status])).toEqual([
      [3, 'T2', 'invalid', null],
      [5, 'T4', 'invalid', null],
      [6, 'T5', 'rejected', 422],
      [7, 'T3', 'duplicate', null],
    ]);
    expect(rows.every((r) => r.file === file)).toBe(true);
    expect(rows[2]).toMatchObject({ error: 'the API refused the row (422): scripted rejection', fields: { ticket_id: 'T5', subject: '=cmd', email: 't5@example.com' } });
    expect(rows[0]).toMatchObject({ error: 'conversation.user.email: must be an email address, got "bob@"', fields: { ticket_id: 'T2', email: 'bob@' } });
    expect(rows[1]).toMatchObject({ fields: { ticket_id: 'T4', body: '' } });
    expect(rows[3]).toMatchObject({ error: `duplicate key "T3": first seen at ${file}:4`, fields: {} });
  });

  it('writes spreadsheet-safe CSV: fixed columns, then one per source field, formulas neutralised', async () => {
    await importWithFailures();
    const out = join(dir, 'failures.out');
    const result = await runCli(['failures', '--ledger', ledger(), '--out', out, '--format', 'csv', '--state', 'rejected']);
    expect(result.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('file,line,key,state,http_status,error,ticket_id,subject,body,status,tags,name,email,created_at,raw');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",6,T5,rejected,422,the API refused the row (422): scripted rejection,T5,'=cmd,Body of T5,");
  });

  it('filters by --state, and takes the format from the extension', async () => {
    await importWithFailures();
    const out = join(dir, 'invalid.csv');
    const result = await runCli(['failures', '--ledger', ledger(), '--out', out, '--state', 'invalid,duplicate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Wrote 3 rows');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(/^file,line,key,state,http_status,error,/);
    expect(lines.slice(1).map((line) => line.split(',')[3])).toEqual(['invalid', 'invalid', 'duplicate']);
  });

  it('writes an empty file (exit 0) when no row is in the states asked for', async () => {
    await importWithFailures();
    const out = join(dir, 'failed.jsonl');
    const result = await runCli(['failures', '--ledger', ledger(), '--out', out, '--state', 'failed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote 0 rows to ${out}`);
    expect(await readFile(out, 'utf8')).toBe('');
  });

  it('refuses an unknown state name in one sentence naming the valid ones', async () => {
    await importWithFailures();
    const result = await runCli(['failures', '--ledger', ledger(), '--out', join(dir, 'x.jsonl'), '--state', 'rejected,broken']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatchInlineSnapshot(`
      "--state broken is not a state of a row that did not make it: give one or more of rejected, failed, invalid, uncertain, pending, duplicate, separated by commas.
      "
    `);
  });

  it('refuses a missing ledger in one sentence naming the path, and never writes over the ledger', async () => {
    const missing = join(dir, 'nope.ledger');
    const result = await runCli(['failures', '--ledger', missing, '--out', join(dir, 'x.jsonl')]);
    expect(result.code).toBe(2);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`No ledger at ${missing}`);
    await importWithFailures();
    const clash = await runCli(['failures', '--ledger', ledger(), '--out', ledger()]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('writing it would destroy it');
    expect((await runCli(['status', '--ledger', ledger(), '--json'])).code).toBe(0);
  });

  it('keeps each problem of an invalid row whole, with its path, even when its text holds "; "', async () => {
    server = await sandbox();
    const file = join(dir, 'tickets.jsonl');
    const ticket = { id: '7', subject: 'S', name: 'N', email: 'bad@', comments: [{ id: '5', body: 'a' }, { id: '5', body: 'b' }] };
    await writeFile(file, `${JSON.stringify(ticket)}\n`);
    const mapping = join(dir, 'mapping.json');
    await writeFile(mapping, JSON.stringify({
      source: { key: 'id' },
      conversation: { subject: '{{subject}}', category: 'support', message: { body: 'x' }, user: { name: '{{name}}', email: '{{email}}' } },
      messages: { from: 'comments', body: '{{body}}', origin_id: '{{id}}' },
    }));
    const run = await runCli(['run', file, '--mapping', mapping, '--ledger', ledger(), '--rate', '200', '--json', '--quiet'], { env: sandboxEnv(server) });
    expect(JSON.parse(run.stdout)).toMatchObject({ invalid: 1 });
    const out = join(dir, 'failures.jsonl');
    expect((await runCli(['failures', '--ledger', ledger(), '--out', out])).code).toBe(0);
    const [written] = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { errors: string[]; problems: { path: string; message: string }[] });
    expect(written!.errors).toContain('messages[1].origin_id: "5" is also the origin_id of messages[0]; every message needs its own');
    expect(written!.problems).toContainEqual({ code: 'ROW_INVALID', path: 'messages[1].origin_id', message: '"5" is also the origin_id of messages[0]; every message needs its own' });
    expect(written!.problems.map((problem) => problem.path)).toContain('conversation.user.email');
  });
});
