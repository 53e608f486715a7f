// Several API tokens against the sandbox with a per-token limit: throughput with N = 1, 2, 4
// tokens side by side (the same export, the same --rate at the limit), and a run where one token
// of four has a lower limit, so that its 429s show whether they slow the others.
// The sandbox runs in this process; the importer is the built CLI (dist/) in a child process.
// Run alone with `npm run build && node bench/tokens.mjs` (BENCH_TOKENS_SECONDS: the single
// token's run length, default 60; BENCH_TOKENS_LIMIT: requests per second per token, default 10).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../dist/sandbox/index.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../dist/cli/bin.js');

function writeExport(dir, rows) {
  const lines = ['ticket_id,subject,body,status,tags,name,email,created_at'];
  for (let i = 1; i <= rows; i++) lines.push(`T${i},Subject ${i},"Body ${i}\nsecond line",open,"a, b",Customer ${i},c${i}@example.com,2024-05-01 10:00:00`);
  const file = join(dir, 'export.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** N staff logins: the sandbox's own first, then agent2…; `limits` overrides a login's limit by index. */
function logins(n, limits = {}) {
  return Array.from({ length: n }, (_, i) => ({
    email: i === 0 ? 'importer@example.com' : `agent${i + 1}@example.com`,
    token: i === 0 ? 'sandbox-token' : `bench-token-${i + 1}-0123456789`,
    ...(limits[i] === undefined ? {} : { rateLimit: limits[i] }),
  }));
}

/** Created conversations per second between the first and the last creation (server clock). */
function sustained(times) {
  const sorted = times.map((t) => Date.parse(t)).sort((a, b) => a - b);
  return sorted.length < 2 ? 0 : (sorted.length - 1) / ((sorted.at(-1) - sorted[0]) / 1000);
}

/** One import with `n` tokens at `limit`/s each (a login's own limit in `limits`), --rate at the limit. */
export async function tokensScenario({ name, n, limit, rows, limits = {}, latencyMs = 20, concurrency = 4, bin = BIN }) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-tokens-'));
  const all = logins(n, limits);
  const [own, ...others] = all;
  const sandbox = await startSandbox({ rateLimit: limits[0] ?? limit, latencyMs, retryAfter: false, credentials: others });
  try {
    const file = writeExport(dir, rows);
    const credentials = join(dir, 'credentials.txt');
    writeFileSync(credentials, `${all.map((login) => `${login.email} ${login.token}`).join('\n')}\n`);
    chmodSync(credentials, 0o600);
    const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url };
    const args = [bin, 'run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--credentials', credentials, '--rate', String(limit), '--concurrency', String(concurrency), '--json', '--quiet'];
    const started = performance.now();
    const { stdout } = await run(process.execPath, args, { env, maxBuffer: 1 << 24 }).catch((error) => error);
    const wall = (performance.now() - started) / 1000;
    const summary = JSON.parse(stdout);
    const held = sandbox.conversations();
    const senders = sandbox.senders();
    const perToken = all.map((login) => {
      const times = held.filter((_, i) => senders[i].conversation === login.email).map((c) => c.created_at);
      return { email: login.email, limit: login.rateLimit ?? (login === own ? limits[0] ?? limit : limit), created: times.length, rate: sustained(times) };
    });
    const keys = new Set(held.map((c) => c.data.import_key));
    return {
      name, n, limit, rows, done: summary.done, held: held.length, duplicates: held.length - keys.size,
      throttled: sandbox.stats().rateLimited, sustained: sustained(held.map((c) => c.created_at)), wall, perToken,
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * N = 1, 2, 4 tokens on the same export (`seconds` worth for one token at `limit`/s), then four
 * tokens where one has half the limit: prints a table; returns the scenarios.
 */
export async function benchTokens({ seconds = Number(process.env.BENCH_TOKENS_SECONDS ?? 60), limit = Number(process.env.BENCH_TOKENS_LIMIT ?? 10), bin = BIN } = {}) {
  const rows = Math.round(seconds * limit);
  const results = [];
  for (const n of [1, 2, 4]) results.push(await tokensScenario({ name: `${n} token${n === 1 ? '' : 's'}`, n, limit, rows, bin }));
  const slow = await tokensScenario({ name: '4 tokens, one at half the limit', n: 4, limit, rows, limits: { 1: limit / 2 }, bin });
  const single = results[0].sustained;
  console.log(`Several tokens against the sandbox: ${limit} requests/s per token (429 above it, no Retry-After), 20 ms latency, --rate ${limit}, --concurrency 4, ${rows} tickets each run`);
  console.log('| run | tickets/s sustained | × one token | target ≥ 0.95·N | of the tokens\' limits added up | 429s | wall s | done | duplicates |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of [...results, slow]) {
    const times = r.sustained / single;
    const target = r === slow ? '—' : `${(0.95 * r.n).toFixed(2)} ${times >= 0.95 * r.n ? 'met' : 'missed'}`;
    const limits = r.perToken.reduce((sum, t) => sum + t.limit, 0);
    console.log(`| ${r.name} | ${r.sustained.toFixed(2)} | ${times.toFixed(2)} | ${target} | ${((r.sustained / limits) * 100).toFixed(1)}% | ${r.throttled} | ${r.wall.toFixed(1)} | ${r.done}/${r.rows} | ${r.duplicates} |`);
  }
  console.log('\nOne token at half the limit: each token\'s own pace (tickets it created / its own span):');
  console.log('| token | its limit | tickets | tickets/s | share of its limit |');
  console.log('|---|---|---|---|---|');
  for (const t of slow.perToken) console.log(`| ${t.email} | ${t.limit}/s | ${t.created} | ${t.rate.toFixed(2)} | ${((t.rate / t.limit) * 100).toFixed(1)}% |`);
  const clean = results[2].perToken;
  const others = slow.perToken.filter((t) => t.limit === limit);
  const cleanMean = clean.reduce((sum, t) => sum + t.rate, 0) / clean.length;
  const othersMean = others.reduce((sum, t) => sum + t.rate, 0) / others.length;
  console.log(`\nThe other three tokens: ${othersMean.toFixed(2)} tickets/s each, against ${cleanMean.toFixed(2)} each when no token is throttled (${((othersMean / cleanMean) * 100).toFixed(1)}%).`);
  return { results, slow };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTokens();
