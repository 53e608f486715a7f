import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';
import { startInTerminal } from '../helpers/terminal.js';

// `run`'s progress line as a person at an 80-column terminal sees it (a pseudo-terminal, read
// through a headless xterm): what is left is what is still to send.

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

async function exportOf(count: number): Promise<string> {
  const rows = Array.from({ length: count }, (_, i) => {
    const email = i % 50 === 7 ? 'broken@' : `c${i}@example.com`;
    return `T${i},Subject ${i},"Body ${i}",open,a,Name ${i},${email},2024-05-01 10:00:00\n`;
  });
  const file = join(dir, 'tickets.csv');
  await writeFile(file, HEADER + rows.join(''));
  return file;
}

/** The progress line on a screen: its last line that reads `N/M sent`. */
const progressLine = (screen: string[]) => screen.filter((line) => / sent · failed \d+ · invalid \d+/.test(line)).at(-1);

/** `ETA 13s`, `ETA 1m05s` in seconds. */
function etaSeconds(line: string): number | undefined {
  const match = /ETA (?:(\d+)m)?(\d+)s/.exec(line);
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) : undefined;
}

describe('run at an 80-column terminal', () => {
  it('shows sent of to send, failed and invalid, the request rate, and a time left within 20% of the truth after the first minute', async () => {
    server = await sandbox({ rateLimit: 25 });
    const file = await exportOf(2_000);
    const child = startInTerminal(['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', '20'], sandboxEnv(server));
    expect(await child.code).toBe(1);
    const finishedAt = Date.now() - child.startedAt;
    expect(finishedAt).toBeGreaterThan(80_000);
    const at = 61_000;
    const line = progressLine(await child.screenAt(at));
    expect(line).toBeDefined();
    expect(line!.length).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^[█░]+ \d[\d,]*\/~?1,9\d\d sent · failed 0 · invalid \d+ · \d+\.\d req\/s · ETA /);
    const eta = etaSeconds(line!);
    // The truth: the run ended (its summary printed) this long after the line was shown.
    const truth = (finishedAt - at) / 1000;
    expect(eta).toBeDefined();
    expect(Math.abs(eta! - truth) / truth).toBeLessThanOrEqual(0.2);
    const screen = (await child.screen()).join('\n');
    expect(screen).toMatch(/2,000 rows: 1,960 created, .* 40 invalid/);
    expect(screen).not.toContain('NaN');
    expect(screen).not.toContain('Infinity');
  }, 180_000);

  it('says so on the line when a 429 lowered the rate', async () => {
    server = await sandbox({ rateLimit: 4 });
    const file = await exportOf(80);
    const child = startInTerminal(['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', '20'], sandboxEnv(server));
    await child.code;
    expect(server.stats().rateLimited).toBeGreaterThan(0);
    // Somewhere along the run the line said it: a screen of the run shows the note.
    let seen: string | undefined;
    for (let ms = 1_000; ms < Date.now() - child.startedAt && !seen; ms += 500) seen = progressLine(await child.screenAt(ms))?.match(/429: slowed to \d+\.\d\/s/)?.[0];
    expect(seen).toBeDefined();
  }, 60_000);
});
