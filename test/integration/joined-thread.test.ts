import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/ledger/sqlite.js';
import { hashOf } from '../../src/hash.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
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

/** Ticket T2 as read from tickets.csv: no e-mail, so it is invalid. */
const INVALID = { id: 'T2', subject: 'Second', name: 'Bea', email: '' };

/** A relational export: tickets.csv and comments.csv joined by ticket_id; T2 has comments too. */
async function writeExport(): Promise<{ tickets: string; comments: string; mapping: string }> {
  const tickets = join(dir, 'tickets.csv');
  const comments = join(dir, 'comments.csv');
  const mapping = join(dir, 'mapping.json');
  await writeFile(tickets, 'id,subject,name,email\nT1,First,Ann,ann@example.com\nT2,Second,Bea,\nT3,Third,Cid,cid@example.com\n');
  await writeFile(comments, 'id,ticket_id,body,author\nc1,T1,Hello,ann@example.com\nc2,T2,Secret words of T2,bea@example.com\nc3,T2,More of T2,bea@example.com\nc4,T3,Hi,cid@example.com\n');
  await writeFile(mapping, JSON.stringify({
    source: { key: 'id' },
    conversation: { subject: '{{subject}}', category: 'support', message: {}, user: { name: '{{name}}', email: '{{email}}' } },
    messages: { join: { on: 'ticket_id' }, order_by: 'id', body: '{{body}}', origin_id: '{{id}}', user: { email: '{{author}}' } },
  }));
  return { tickets, comments, mapping };
}

describe('a joined thread stays out of the row', () => {
  it('validate --rejects writes the invalid ticket as it was read, without its thread', async () => {
    const files = await writeExport();
    const rejects = join(dir, 'rejects.jsonl');
    const result = await runCli(['validate', files.tickets, '--messages', files.comments, '--mapping', files.mapping, '--rejects', rejects, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 3, valid: 2, invalid: 1 });
    const text = await readFile(rejects, 'utf8');
    expect(text).not.toContain('@messages');
    expect(text).not.toContain('Secret words');
    const [row, ...more] = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ file: files.tickets, line: 3, key: 'T2', state: 'invalid', error: 'conversation.user.email: required' });
    expect(row?.fields).toEqual(INVALID);
    expect(row?.problems).toEqual([{ code: 'ROW_INVALID', path: 'conversation.user.email', message: 'required' }]);
  });

  it('run keeps the invalid ticket in the ledger as it was read; failures exports it so', async () => {
    server = await sandbox();
    const files = await writeExport();
    const ledger = join(dir, 'import.ledger');
    const args = ['run', files.tickets, '--messages', files.comments, '--mapping', files.mapping, '--ledger', ledger, '--rate', '400', '--json', '--quiet'];
    const result = await runCli(args, { env: sandboxEnv(server) });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 2, invalid: 1 });

    const db = openSqlite(ledger, { readonly: true });
    try {
      const rows = db.prepare('SELECT key, state, error, (SELECT fields FROM row_bodies b WHERE b.key = rows.key) AS fields, payload_hash AS hash FROM rows ORDER BY key').all() as Record<string, string | null>[];
      const invalid = rows.find((row) => row.state === 'invalid');
      expect(invalid).toMatchObject({ key: 'T2', error: 'conversation.user.email: required' });
      expect(JSON.parse(invalid?.fields ?? 'null')).toEqual(INVALID);
      // The invalid row's hash is of the record as read: the thread does not make it look changed.
      expect(invalid?.hash).toBe(hashOf(INVALID));
      expect(rows.filter((row) => JSON.stringify(row).includes('@messages'))).toEqual([]);
    } finally {
      db.close();
    }

    const out = join(dir, 'failures.jsonl');
    expect((await runCli(['failures', '--ledger', ledger, '--out', out])).code).toBe(0);
    const exported = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { key: string; fields: unknown });
    expect(exported.map((row) => [row.key, row.fields])).toEqual([['T2', INVALID]]);
  });
});
