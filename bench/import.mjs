// The import against the sandbox: sustained request rate at a per-token limit L (with --rate = L,
// and with --rate = 2L and no Retry-After), and the pipeline's own ceiling (no latency, no limit).
// The sandbox runs in this process; the importer is the built CLI in a child process.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

export async function scenario({ name, limit, latencyMs, rate, rows, concurrency, bin = BIN }) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-import-'));
  const sandbox = await startSandbox({ rateLimit: limit ?? null, latencyMs, retryAfter: false });
  try {
    const file = writeExport(dir, rows);
    const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
    const args = [bin, 'run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--rate', String(rate), '--concurrency', String(concurrency), '--json', '--quiet'];
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

/**
 * A plain script, next to `run`: csv-parse, then one `await fetch` per row, no ledger, no
 * throttle, no retries — the fastest anyone could send one row after another. Run in a child
 * process of its own (the sandbox is in this one), over the same rows `run` reads.
 */
const NAIVE = `
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
const [file, url] = process.argv.slice(2);
const auth = 'Basic ' + Buffer.from('importer@example.com:sandbox-token').toString('base64');
let sent = 0;
for await (const row of createReadStream(file).pipe(parse({ columns: true }))) {
  const body = { conversation: { subject: row.subject, category: 'support', status: 0, tag_list: row.tags.split(',').map((t) => t.trim()),
    data: { origin_id: row.ticket_id }, message: { body: row.body, suppress_notifications: true, suppress_autoresolve: true },
    user: { name: row.name, email: row.email } } };
  const answer = await fetch(url + '/conversations', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  await answer.arrayBuffer();
  if (answer.status !== 201 && answer.status !== 200) throw new Error('status ' + answer.status);
  sent += 1;
}
process.stdout.write(JSON.stringify({ sent }));
`;

async function naiveScript(rows, latencyMs = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-naive-'));
  const sandbox = await startSandbox({ rateLimit: null, latencyMs });
  try {
    const file = writeExport(dir, rows);
    const script = join(import.meta.dirname, '.naive-script.mjs');
    writeFileSync(script, NAIVE);
    try {
      const started = performance.now();
      await run(process.execPath, [script, file, sandbox.url], { maxBuffer: 1 << 24 });
      const wall = (performance.now() - started) / 1000;
      const held = sandbox.conversations();
      return { name: 'plain script: csv-parse, one await fetch a row', held: held.length, sustained: sustainedRate(held), wall };
    } finally {
      rmSync(script, { force: true });
    }
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `run` with the ledger on (synchronous = FULL) against the plain script, no limit, side by side
 * in alternating rounds: with no latency (BENCH_NAIVE_ROWS, default 20,000), where the ledger's
 * fsyncs weigh most, then with an API answering in BENCH_NAIVE_LATENCY ms (default 20; a fifth of
 * the rows), as a real one does. BENCH_ROUNDS, default 3.
 */
export async function benchNaive({ rows = Number(process.env.BENCH_NAIVE_ROWS ?? 20_000), rounds = Number(process.env.BENCH_ROUNDS ?? 3), builds = [['this build', BIN]], latencies = [0, Number(process.env.BENCH_NAIVE_LATENCY ?? 20)] } = {}) {
  const all = [];
  for (const latencyMs of latencies) {
    const count = latencyMs === 0 ? rows : Math.max(500, Math.round(rows / 5));
    const results = new Map();
    const add = (name, r) => results.set(name, [...(results.get(name) ?? []), r]);
    for (let round = 0; round < rounds; round++) {
      const jobs = [
        ['plain script', () => naiveScript(count, latencyMs)],
        ...builds.flatMap(([build, bin]) => [4, 16, 64].map((concurrency) => [`run (${build}), --concurrency ${concurrency}`, () => scenario({ name: 'run', latencyMs, rate: 100000, rows: count, concurrency, bin })])),
      ];
      if (round % 2 === 1) jobs.reverse();
      for (const [name, job] of jobs) add(name, await job());
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const naive = median(results.get('plain script').map((r) => r.held / r.wall));
    const latency = latencyMs === 0 ? 'no latency' : `${latencyMs} ms latency`;
    console.log(`\n| ${count} rows, no limit, ${latency} (median of ${rounds}) | created | req/s (whole process) | ÷ plain script |\n|---|---|---|---|`);
    for (const [name, list] of results) {
      const rate = median(list.map((r) => r.held / r.wall));
      console.log(`| ${name} | ${median(list.map((r) => r.held))} | ${rate.toFixed(0)} | ${(rate / naive).toFixed(2)} |`);
    }
    all.push({ latencyMs, results });
  }
  return all;
}

/**
 * A nightly re-run: the same command again on an export whose rows are all done, next to
 * `validate` on the same file, alternating (BENCH_NIGHTLY_ROWS, default 20,000 and 100,000).
 * The ledger's size per row is measured after the first run (its WAL checkpointed).
 */
export async function benchNightly({ sizes = (process.env.BENCH_NIGHTLY_ROWS ?? '20000,100000').split(',').map(Number), rounds = Number(process.env.BENCH_ROUNDS ?? 3), bin = BIN } = {}) {
  console.log(`\n| rows, all done | first run | ledger bytes/row | validate (median of ${rounds}) | run again (median) | run again ÷ validate |\n|---|---|---|---|---|---|`);
  for (const rows of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-nightly-'));
    const sandbox = await startSandbox({ rateLimit: null, latencyMs: 0 });
    try {
      const file = writeExport(dir, rows);
      const ledger = join(dir, 'l.ledger');
      const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
      const runArgs = [bin, 'run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '100000', '--concurrency', '16', '--json', '--quiet'];
      const timed = async (args) => {
        const started = performance.now();
        const { stdout } = await run(process.execPath, args, { env, maxBuffer: 1 << 26 }).catch((error) => error);
        return { ms: performance.now() - started, summary: JSON.parse(stdout) };
      };
      const first = await timed(runArgs);
      const size = statSync(ledger).size + (existsSync(`${ledger}-wal`) ? statSync(`${ledger}-wal`).size : 0);
      const validate = [];
      const again = [];
      for (let round = 0; round < rounds; round++) {
        const pair = [
          async () => validate.push((await timed([bin, 'validate', file, '--mapping', 'generic-csv', '--json', '--quiet'])).ms),
          async () => {
            const result = await timed(runArgs);
            if (result.summary.skipped !== rows) throw new Error(`run again skipped ${result.summary.skipped} of ${rows}`);
            again.push(result.ms);
          },
        ];
        if (round % 2 === 1) pair.reverse();
        for (const job of pair) await job();
      }
      const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      console.log(`| ${rows.toLocaleString('en')} | ${(first.ms / 1000).toFixed(1)} s, ${first.summary.done} done | ${(size / rows).toFixed(0)} | ${(median(validate) / 1000).toFixed(2)} s | ${(median(again) / 1000).toFixed(2)} s | ${(median(again) / median(validate)).toFixed(2)} |`);
    } finally {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
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
  if (process.env.BENCH_ONLY === 'nightly') {
    await benchNightly();
  } else if (process.env.BENCH_ONLY === 'naive') {
    await benchNaive({ builds: [['this build', BIN], ...(process.env.BENCH_BASE_BIN ? [['base', process.env.BENCH_BASE_BIN]] : [])] });
  } else if (process.env.BENCH_ONLY === 'limit') {
    // Side by side: this build, and another one's CLI (BENCH_BASE_BIN, e.g. a worktree of an earlier commit).
    const builds = [['this build', BIN], ...(process.env.BENCH_BASE_BIN ? [['base', process.env.BENCH_BASE_BIN]] : [])];
    console.log('| build | limit | --rate | created | 429s | of the limit from minute 2 | 429s a minute after minute 1 |\n|---|---|---|---|---|---|---|');
    for (const [name, bin] of builds) {
      const r = await benchUnknownLimit({ bin });
      console.log(`| ${name} | ${r.limit}/s | ${r.rate} | ${r.created} | ${r.throttled} | ${(r.share * 100).toFixed(1)}% | ${r.throttledPerMinute.toFixed(1)} |`);
    }
  } else await benchImport();
}
