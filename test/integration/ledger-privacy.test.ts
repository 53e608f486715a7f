import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/ledger/sqlite.js';
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

const TICKETS = ['id,subject,status,name,email', ...Array.from({ length: 12 }, (_, t) => `${100 + t},Subject ${100 + t},solved,Customer ${t},${t === 5 ? '' : `customer${t}@example.org`}`)];
const COMMENTS = ['id,ticket_id,body,author_email', ...Array.from({ length: 12 }, (_, t) => [1, 2, 3].map((c) => `m${t}-${c},${100 + t},Secret words ${t}-${c},customer${t}@example.org`)).flat()];

/** A relational export (tickets.csv + comments.csv); ticket 105 has no e-mail, so it is invalid. */
async function writeExport(): Promise<{ tickets: string; comments: string; mapping: string }> {
  const tickets = join(dir, 'tickets.csv');
  const comments = join(dir, 'comments.csv');
  const mapping = join(dir, 'mapping.json');
  await writeFile(tickets, `${TICKETS.join('\n')}\n`);
  await writeFile(comments, `${COMMENTS.join('\n')}\n`);
  await writeFile(mapping, JSON.stringify({
    source: { key: 'id' },
    conversation: { subject: '{{subject}}', category: 'support', status: { from: 'status', map: { solved: 2 } }, message: {}, user: { name: '{{name}}', email: '{{email}}' } },
    messages: { join: { on: 'ticket_id' }, order_by: 'id', body: '{{body}}', origin_id: '{{id}}', user: { email: '{{author_email}}' } },
  }));
  return { tickets, comments, mapping };
}

/** Every text cell of every table of the ledger file. */
function everyCell(path: string): string[] {
  const db = openSqlite(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    return tables.flatMap((table) => (db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).flatMap((row) => Object.values(row).map(String)));
  } finally {
    db.close();
  }
}

describe('what the ledger keeps', () => {
  it('keeps no customer data of done rows and messages, in its columns or in the file, and no joined thread anywhere', async () => {
    server = await sandbox();
    const files = await writeExport();
    const ledger = join(dir, 'import.ledger');
    const result = await runCli(['run', files.tickets, '--messages', files.comments, '--mapping', files.mapping, '--ledger', ledger, '--rate', '400', '--json', '--quiet'], { env: sandboxEnv(server) });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 11, invalid: 1, messages: { done: 22 } });

    const db = openSqlite(ledger, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM rows WHERE fields IS NOT NULL OR payload IS NOT NULL").pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM row_bodies b JOIN rows r ON r.key = b.key WHERE r.state = 'done'").pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM messages WHERE state = 'done' AND payload IS NOT NULL").pluck().get()).toBe(0);
    // The invalid row keeps its source record as it was read, so it can be fixed: no thread in it.
    const invalid = db.prepare("SELECT b.fields FROM rows r JOIN row_bodies b ON b.key = r.key WHERE r.state = 'invalid'").pluck().get() as string;
    expect(JSON.parse(invalid)).toEqual({ id: '105', subject: 'Subject 105', status: 'solved', name: 'Customer 5', email: '' });
    db.close();
    expect(everyCell(ledger).filter((cell) => cell.includes('@messages'))).toEqual([]);

    // Not in freed pages either: the file holds no e-mail or body of a done ticket.
    const bytes = Buffer.concat([ledger, `${ledger}-wal`].filter(existsSync).map((path) => readFileSync(path))).toString('latin1');
    expect(bytes).not.toContain('customer0@example.org');
    expect(bytes).not.toContain('Secret words 0-2');
    expect(bytes).toContain('Customer 5');
  });

  it('counts what the ledger holds the same way in run --json and status --json', async () => {
    server = await sandbox({ faultRates: { '500-after': 0.2, '500-before': 0.1 }, messageFaults: true });
    const files = await writeExport();
    const ledger = join(dir, 'import.ledger');
    const run = await runCli(['run', files.tickets, '--messages', files.comments, '--mapping', files.mapping, '--ledger', ledger, '--rate', '400', '--json', '--quiet'], { env: sandboxEnv(server) });
    const status = await runCli(['status', '--ledger', ledger, '--json']);
    const summary = JSON.parse(run.stdout) as { ledger: unknown; ledger_messages: unknown };
    const counts = JSON.parse(status.stdout) as { counts: unknown; messages: unknown };
    expect(summary.ledger).toEqual(counts.counts);
    expect(summary.ledger_messages).toEqual(counts.messages);
  });
});
