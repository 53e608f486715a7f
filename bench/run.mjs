// `npm run bench`: validate's throughput against bare csv-parse on the same file, side by side,
// and validate's peak RSS at 100 k and 1 M rows. Inputs are generated at run time and removed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExport } from './generate.mjs';
import { benchImport, benchNaive, benchNightly, benchUnknownLimit } from './import.mjs';
import { benchJoin } from './join.mjs';
import { benchJsonDocument } from './json-document.mjs';
import { benchThreads } from './threads.mjs';
import { benchTokens } from './tokens.mjs';
import { benchValidateLayouts } from './validate-layouts.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(BIG / 10);

function measure(mode, file) {
  const output = execFileSync(process.execPath, [join(import.meta.dirname, 'child.mjs'), mode, file], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function benchValidate() {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-'));
  try {
    const big = join(dir, 'big.csv');
    const small = join(dir, 'small.csv');
    const shuffled = join(dir, 'random-keys.csv');
    console.log(`Generating ${BIG.toLocaleString('en-US')} rows (twice: growing and random keys) and ${SMALL.toLocaleString('en-US')} rows…`);
    await generateExport(big, BIG);
    await generateExport(small, SMALL);
    await generateExport(shuffled, BIG, { randomKeys: true });
    const megabytes = statSync(big).size / 1024 / 1024;

    const bare = [];
    const validate = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate the order so neither side always runs on a warmer disk cache.
      const pair = round % 2 ? ['csv-parse', 'validate'] : ['validate', 'csv-parse'];
      for (const mode of pair) (mode === 'csv-parse' ? bare : validate).push(measure(mode, big));
      console.log(`round ${round}: csv-parse ${bare.at(-1).ms.toFixed(0)} ms, validate ${validate.at(-1).ms.toFixed(0)} ms`);
    }
    const smallRun = measure('validate', small);
    const randomRun = measure('validate', shuffled);
    const rate = (runs) => BIG / (median(runs.map((run) => run.ms)) / 1000);
    const bareRate = rate(bare);
    const validateRate = rate(validate);
    const bigRss = median(validate.map((run) => run.maxRssMB));
    console.log(`
| measure (${BIG.toLocaleString('en-US')} rows, ${megabytes.toFixed(0)} MB, median of ${ROUNDS}) | value |
|---|---|
| bare csv-parse (columns: true) | ${Math.round(bareRate).toLocaleString('en-US')} rows/s |
| reamaze-import validate | ${Math.round(validateRate).toLocaleString('en-US')} rows/s |
| validate / csv-parse | ${(validateRate / bareRate).toFixed(2)}× (target ≥ 0.80×) |
| validate, random (UUID-like) keys instead of growing ids | ${Math.round(BIG / (randomRun.ms / 1000)).toLocaleString('en-US')} rows/s (${(BIG / (randomRun.ms / 1000) / bareRate).toFixed(2)}×), peak RSS ${randomRun.maxRssMB.toFixed(0)} MB |
| validate peak RSS at ${SMALL.toLocaleString('en-US')} rows | ${smallRun.maxRssMB.toFixed(0)} MB |
| validate peak RSS at ${BIG.toLocaleString('en-US')} rows | ${bigRss.toFixed(0)} MB (target < 200 MB; growth ${(bigRss - smallRun.maxRssMB).toFixed(0)} MB) |
| bare csv-parse peak RSS | ${median(bare.map((run) => run.maxRssMB)).toFixed(0)} MB |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchLimit() {
  const r = await benchUnknownLimit();
  console.log(`| limit ${r.limit}/s, --rate ${r.rate} | ${r.created} created | ${r.throttled} 429s | ${(r.share * 100).toFixed(1)}% of the limit from minute 2 | ${r.throttledPerMinute.toFixed(1)} 429s a minute after minute 1 |`);
}

/** Every part, in the order `npm run bench` runs them: its BENCH_ONLY name, its title, and the part. */
const PARTS = [
  ['validate', '', benchValidate],
  ['layouts', "validate on several layouts, against each layout's bare parser:", benchValidateLayouts],
  ['import', 'Import against the sandbox (50 ms latency; each scenario about 20 s):', benchImport],
  ['naive', 'run beside a plain csv-parse + await fetch script (no limit; no latency, then an API answering in 20 ms):', benchNaive],
  ['nightly', 'A nightly re-run of an export whose rows are all done, beside validate:', benchNightly],
  ['tokens', 'Several tokens at a per-token limit:', benchTokens],
  ['limit', 'An unknown limit three times exceeded (20/s, --rate 60, no Retry-After; BENCH_LIMIT_SECONDS, default 180):', benchLimit],
  ['threads', 'Threads against the sandbox (50 ms latency): write requests per second, bare conversations next to threads of 5 messages:', benchThreads],
  ['join', 'A relational export: validate tickets.csv --messages comments.csv (comments staged in SQLite):', benchJoin],
  ['json', 'A JSON document (one ~1 GB array, BENCH_JSON_MB) read through openSource, next to the same records as JSON Lines:', benchJsonDocument],
];

const only = process.env.BENCH_ONLY; // one part's name (see PARTS); default all
if (only && !PARTS.some(([name]) => name === only)) {
  console.error(`BENCH_ONLY=${only} names no part: ${PARTS.map(([name]) => name).join(', ')}.`);
  process.exit(2);
}
for (const [name, title, part] of PARTS) {
  if (only && only !== name) continue;
  if (title) console.log(`\n${title}`);
  await part();
}
