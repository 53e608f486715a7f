import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli } from './cli.js';
import { sandbox, sandboxEnv } from './sandbox.js';

/** The API token of the report's import: it must never appear in the page. */
export const REPORT_TOKEN = 'report-secret-token-4711';

/** Text of a message body of the import: it must never appear in the page. */
export const BODY_MARK = 'Confidential body text';

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';
const row = (id: string, email = `${id.toLowerCase()}@example.com`, body = `${BODY_MARK} of ${id}`, subject = `Subject ${id}`) =>
  `${id},${subject},"${body}",open,"a, b",Name ${id},${email},2024-05-01 10:00:00\n`;

/**
 * A real import for the report: `count` rows against a sandbox limited to 10 requests/s while the
 * run starts at 40/s (so 429s happen), two invalid rows (a bad e-mail, an empty body), one the API
 * refuses (422) and a duplicate. Returns the ledger's path and the sandbox (close it).
 */
export async function importForReport(dir: string, count = 30): Promise<{ ledger: string; file: string; server: Sandbox }> {
  const server = await sandbox({ rateLimit: 10, token: REPORT_TOKEN, faults: { T5: ['422'] } });
  const rows = Array.from({ length: count }, (_, i) => {
    if (i === 2) return row(`T${i}`, 'bob@');
    if (i === 4) return row(`T${i}`, 'x@example.com', '');
    return row(`T${i}`);
  });
  rows.push(row('T3'));
  const file = join(dir, 'tickets.csv');
  await writeFile(file, HEADER + rows.join(''));
  const ledger = join(dir, 'import.ledger');
  const result = await runCli(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '40', '--json', '--quiet'], { env: sandboxEnv(server, REPORT_TOKEN) });
  if (result.code !== 1) throw new Error(`the import for the report ended with ${result.code}: ${result.stderr}`);
  return { ledger, file, server };
}
