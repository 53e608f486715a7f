// The import against the sandbox: sustained request rate at a per-token limit L (with --rate = L,
// and with --rate = 2L and no Retry-After), and the pipeline's own ceiling (no latency, no limit).
// The sandbox runs in this process; the importer is the built CLI in a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clearTimeout, setTimeout } from 'node:timers';
import { startSandbox } from '../dist/sandbox/index.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../dist/cli/bin.js');
const SECONDS = Number(process.env.BENCH_IMPORT_SECONDS ?? 20);

function writeExport(dir, rows) {
  const lines = ['ticket_id,subject,body,status,tags,name,email,created_at'];
  for (let i = 1; i <= rows; i++) lines.push(`T${i},Subject ${i},"Body ${i}\nsecond line",open,"a, b",Customer ${i},c${i}@example.com,2024-05-01 10:00:00`);
  const file = join(dir, `export-${rows}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Created conversations per second between the first and the last creation (server clock). */
function sustainedRate(conversations) {
  const times = conversations.map((c) => Date.parse(c.created_at)).sort((a, b) => a - b);
  return (times.length - 1) / ((times.at(-1) - times[0]) / 1000);
}

export async function scenario({ name, limit, latencyMs, rate, rows, concurrency }) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-import-'));
  const sandbox = await startSandbox({ rateLimit: limit ?? null, latencyMs, retryAfter: false });
  try {
    const file = writeExport(dir, rows);
    const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
    const args = [BIN, 'run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', String(rate), '--concurrency', String(concurrency), '--json', '--quiet'];
    const started = performance.now();
    const { stdout } = await run(process.execPath, args, { env, maxBuffer: 1 << 24 }).catch((error) => error);
    const wall = (performance.now() - started) / 1000;
    const summary = JSON.parse(stdout);
    const held = sandbox.conversations();
    const sustained = sustainedRate(held);
    return { name, limit, rate, rows, done: summary.done, failed: summary.failed, uncertain: summary.uncertain, held: held.length, throttled: sandbox.stats().rateLimited, sustained, wall, endRate: summary.rate };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An unknown limit, three times exceeded (limit 20/s, --rate 60, no Retry-After) for
 * `BENCH_LIMIT_SECONDS` (default 180): the share of the limit sustained from the second minute on,
 * and the 429s per minute after the first (the throttle should learn the limit and hold it).
 */
export async function benchUnknownLimit({ limit = 20, rate = 60, seconds = Number(process.env.BENCH_LIMIT_SECONDS ?? 180), bin = BIN } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-limit-'));
  const sandbox = await startSandbox({ rateLimit: limit, latencyMs: 20, retryAfter: false });
  try {
    const file = writeExport(dir, limit * seconds);
    const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
    const args = [bin, 'run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', String(rate), '--concurrency', '8', '--json', '--quiet'];
    let afterFirstMinute;
    const timer = setTimeout(() => (afterFirstMinute = sandbox.stats().rateLimited), 60_000);
    await run(process.execPath, args, { env, maxBuffer: 1 << 24 }).catch((error) => error);
    clearTimeout(timer);
    const times = sandbox.conversations().map((c) => Date.parse(c.created_at)).sort((a, b) => a - b);
    const from = times[0] + 60_000;
    const later = times.filter((t) => t >= from);
    const share = (later.length - 1) / ((later.at(-1) - later[0]) / 1000) / limit;
    const minutesAfter = (times.at(-1) - from) / 60_000;
    const throttledAfter = (sandbox.stats().rateLimited - (afterFirstMinute ?? 0)) / minutesAfter;
    return { limit, rate, created: times.length, throttled: sandbox.stats().rateLimited, share, throttledPerMinute: throttledAfter };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every scenario and prints a Markdown table. */
export async function benchImport() {
  const results = [];
  for (const limit of [5, 50]) {
    const rows = limit * SECONDS;
    results.push(await scenario({ name: `limit ${limit}/s, --rate ${limit}`, limit, latencyMs: 50, rate: limit, rows, concurrency: 8 }));
    results.push(await scenario({ name: `limit ${limit}/s, --rate ${2 * limit}, no Retry-After`, limit, latencyMs: 50, rate: 2 * limit, rows, concurrency: 8 }));
  }
  results.push(await scenario({ name: 'ceiling: no latency, no limit', latencyMs: 0, rate: 100000, rows: 6000, concurrency: 16 }));
  console.log('\n| scenario | rows | created | failed | 429s | sustained req/s | of the limit | rate at end |\n|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const share = r.limit ? `${((r.sustained / r.limit) * 100).toFixed(0)}%` : '—';
    console.log(`| ${r.name} | ${r.rows} | ${r.held} | ${r.failed} | ${r.throttled} | ${r.sustained.toFixed(1)} | ${share} | ${r.endRate} |`);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.env.BENCH_ONLY === 'limit') {
    // Side by side: this build, and another one's CLI (BENCH_BASE_BIN, e.g. a worktree of an earlier commit).
    const builds = [['this build', BIN], ...(process.env.BENCH_BASE_BIN ? [['base', process.env.BENCH_BASE_BIN]] : [])];
    console.log('| build | limit | --rate | created | 429s | of the limit from minute 2 | 429s a minute after minute 1 |\n|---|---|---|---|---|---|---|');
    for (const [name, bin] of builds) {
      const r = await benchUnknownLimit({ bin });
      console.log(`| ${name} | ${r.limit}/s | ${r.rate} | ${r.created} | ${r.throttled} | ${(r.share * 100).toFixed(1)}% | ${r.throttledPerMinute.toFixed(1)} |`);
    }
  } else await benchImport();
}
