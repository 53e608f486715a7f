import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/ledger/sqlite.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { BODY_MARK, importForReport, REPORT_TOKEN } from '../helpers/report-import.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** Every `data-figure` of the page with its `data-value`. */
function figures(page: string): Map<string, string> {
  return new Map([...page.matchAll(/data-figure="([^"]+)" data-value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
}

/** The value at a dotted path (`runs.0.counts.done`) of `status --json`. */
function at(status: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], status);
}

async function report(ledger: string, out = join(dir, 'report.html')): Promise<string> {
  const result = await runCli(['report', '--ledger', ledger, '--out', out]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Wrote the report to .*report\.html \(\d+ KB, \d+ conversations done\)/);
  return readFile(out, 'utf8');
}

describe('report', () => {
  it('writes a self-contained page whose figures are those of status --json, without the token or a message body', async () => {
    const imported = await importForReport(dir);
    server = imported.server;
    const page = await report(imported.ledger);
    const status = JSON.parse((await runCli(['status', '--ledger', imported.ledger, '--json'])).stdout);
    expect(status.counts).toMatchObject({ done: 27, invalid: 2, rejected: 1, duplicate: 1 });

    const shown = figures(page);
    for (const state of Object.keys(status.counts)) expect(shown.get(`counts.${state}`), state).toBe(String(status.counts[state]));
    for (const [path, value] of shown) expect(value, path).toBe(String(at(status, path) ?? ''));
    expect(shown.get('runs.0.counts.done')).toBe('27');
    expect(shown.get('top_errors.0.count')).toBe(String(status.top_errors[0].count));

    // Self-contained: nothing is loaded from elsewhere.
    expect(page).not.toMatch(/<script[^>]+src=/i);
    expect(page).not.toMatch(/<link[^>]+href=/i);
    expect(page).not.toMatch(/<img[^>]+src="?https?:/i);
    expect(page).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(page).not.toContain(REPORT_TOKEN);
    expect(page).not.toContain(Buffer.from(`importer@example.com:${REPORT_TOKEN}`).toString('base64'));
    expect(page).not.toContain(BODY_MARK);
    expect(page.length).toBeLessThan(120_000);

    // The chart's data holds every request the API answered, its 429s among them.
    const chart = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(page)![1]!);
    const sum = (column: (number | null)[]) => column.reduce<number>((total, n) => total + (n ?? 0), 0);
    expect(sum(chart.requests)).toBe(server.stats().requests);
    expect(sum(chart.throttled)).toBe(server.stats().rateLimited);
    expect(sum(chart.throttled)).toBeGreaterThan(0);

    // The errors with their rows, the invalid rows by reason (an error may name an e-mail address).
    expect(page).toContain(`<code>${imported.file}:7</code> key <code>T5</code>`);
    expect(page).toContain('conversation.user.email: must be an email address, got &#34;…&#34;');
    expect(page).toContain('the API refused the row (422): scripted rejection');
    expect(page).not.toContain('id="verify"');
  });

  it('shows the latest verification when there is one', async () => {
    const imported = await importForReport(dir, 8);
    server = imported.server;
    const db = openSqlite(imported.ledger);
    db.prepare(`INSERT INTO verifications (started_at, ended_at, mode, sample_size, seed, population, checked, mismatched, counts, complete)
      VALUES ('2024-05-02T10:00:00.000Z', '2024-05-02T10:01:00.000Z', 'sample', 3, 's1', 4, 3, 1, '{"status":1}', 1)`).run();
    db.prepare(`INSERT INTO verify_mismatches VALUES (1, 'T1', 'abc-1', ?, 2, 'status', 'status: sent open, Re:amaze holds <resolved>')`).run(imported.file);
    db.close();
    const page = await report(imported.ledger);
    expect(page).toContain('id="verify"');
    expect(page).toContain('<span data-verify="checked">3</span> checked, <span data-verify="mismatched">1</span> with a mismatch');
    expect(page).toContain('a random sample of 3 of 4 done conversations');
    expect(page).toContain('status: sent open, Re:amaze holds &#60;resolved&#62;');
  });

  it('reads a ledger from before schema 6: no chart data, no verify section', async () => {
    const imported = await importForReport(dir, 6);
    server = imported.server;
    const old = join(dir, 'old.ledger');
    await copyFile(imported.ledger, old);
    const db = openSqlite(old);
    db.exec('DROP TABLE run_minutes; DROP TABLE verify_mismatches; DROP TABLE verify_results; DROP TABLE verifications; PRAGMA user_version = 5');
    db.close();
    const page = await report(old);
    expect(page).toContain('No requests recorded per minute');
    expect(page).toContain('data-minutes="0"');
    expect(figures(page).get('counts.done')).toBe('3');
  });

  it('says in one sentence what is wrong with the ledger or the output, without a stack trace', async () => {
    const missing = await runCli(['report', '--ledger', join(dir, 'nope.ledger'), '--out', join(dir, 'r.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('No ledger at');

    const imported = await importForReport(dir, 3);
    server = imported.server;
    const intoLedger = await runCli(['report', '--ledger', imported.ledger, '--out', imported.ledger]);
    expect(intoLedger.code).toBe(2);
    expect(intoLedger.stderr).toContain('an input of this command: writing it would destroy it');

    await mkdir(join(dir, 'folder'));
    const unwritable = await runCli(['report', '--ledger', imported.ledger, '--out', join(dir, 'folder')]);
    const noFolder = await runCli(['report', '--ledger', imported.ledger, '--out', join(dir, 'no', 'such', 'r.html')]);
    for (const result of [intoLedger, unwritable, noFolder]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    expect(unwritable.stderr).toMatch(/^Cannot write the report .*folder: /);
    expect(noFolder.stderr).toMatch(/^Cannot write the report .*r\.html: /);
  });
});
