// `node bench/validate-layouts.mjs` (after `npx tsc -p tsconfig.build.json`): `validate` against its
// bare parser on several layouts, side by side, as whole processes (peak RSS by /usr/bin/time -v):
//   generic    the generated layout of bench/generate.mjs, mapping generic-csv, against csv-parse;
//   freshdesk  a Freshdesk-style CSV (quoted multi-line bodies full of "", commas and non-ASCII
//              text; split, map, lowercase; ~2% invalid rows, ~1% duplicate keys), against csv-parse;
//   jsonl      JSON Lines tickets with nested comments (messages.from: comments), against
//              readline + JSON.parse;
//   json       the same tickets as one pretty-printed JSON array (peak RSS; against readline + JSON.parse of the JSONL).
// Knobs: BENCH_ROWS (the larger size, default 1,000,000; the smaller is a tenth), BENCH_ROUNDS
// (default 3, alternating), BENCH_LAYOUTS (comma list, default all), BENCH_BASE_BIN (an earlier
// build's dist/cli/bin.js, measured in the same rounds), BENCH_RSS_ROWS (a size measured once per
// layout for RSS only, e.g. 5000000). `node bench/validate-layouts.mjs generate <layout> <rows> <dir>`
// writes one input and its mapping and keeps them (for profiling). Inputs are generated in a temp dir, removed afterwards.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateExport } from './generate.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIG = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(BIG / 10);
const RSS_ROWS = Number(process.env.BENCH_RSS_ROWS ?? 0);
const LAYOUTS = (process.env.BENCH_LAYOUTS ?? 'generic,freshdesk,jsonl,json').split(',');
const BIN = join(import.meta.dirname, '../dist/cli/bin.js');
const BASE_BIN = process.env.BENCH_BASE_BIN;

const WORDS = 'order parcel invoice refund account password login delivery size colour broken missing late please thanks hello'.split(' ');
const WIDE = ['café', 'naïve', 'Größe', 'déjà vu', '日本語', 'Ελληνικά', 'żółć', '€12,50', 'señor', 'Привет'];

function seeded(seed = 7) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

async function writeLines(path, rows, line) {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
}

const csvCell = (text) => `"${text.replaceAll('"', '""')}"`;

/** A Freshdesk-style ticket export: one row in 50 invalid (no e-mail, no body, or an unknown status), one in 100 repeats an earlier ticket id. */
async function writeFreshdesk(path, rows) {
  const random = seeded();
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = (n) => Array.from({ length: n }, () => (random() < 0.15 ? pick(WIDE) : pick(WORDS))).join(' ');
  const statuses = ['Open', 'Pending', 'Resolved', 'Closed', 'Waiting on Customer'];
  const header = 'Ticket ID,Subject,Description,Status,Priority,Type,Tags,Full name,Contact ID,Created time,Company Name\n';
  let first = true;
  await writeLines(path, rows, (i) => {
    const lines = 1 + Math.floor(random() * 5);
    const body = Array.from({ length: lines }, () => `${words(10)}, "${pick(WORDS)}", ${pick(WIDE)}.`).join('\n');
    const bad = i % 50 === 0;
    const kind = (i / 50) % 3;
    const id = i % 100 === 37 ? 1000 + Math.floor(random() * (i - 1)) : 1000 + i;
    const email = bad && kind === 0 ? '' : `  Customer.${i}@Example.COM `;
    const status = bad && kind === 2 ? 'Escalated' : pick(statuses);
    const row = [
      id, csvCell(words(5)), csvCell(bad && kind === 1 ? '' : body), status, pick(['Low', 'Medium', 'High']), pick(['Question', 'Incident', 'Problem']),
      csvCell(`${pick(WORDS)}, ${pick(WORDS)}, ${pick(WIDE)}`), csvCell(`Kund ${pick(WIDE)} ${i}`), email, `2024-03-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`,
      csvCell(`${pick(WIDE)} GmbH, Ltd.`),
    ].join(',');
    const text = `${first ? header : ''}${row}\n`;
    first = false;
    return text;
  });
}

const FRESHDESK_MAPPING = {
  source: { format: 'csv', key: 'Ticket ID' },
  conversation: {
    subject: '{{Subject}}',
    category: 'support',
    tag_list: { from: 'Tags', split: ',' },
    status: {
      from: 'Status',
      transform: ['trim', 'lowercase'],
      map: { open: 0, pending: 1, 'waiting on customer': 1, resolved: 2, closed: 2 },
    },
    data: {
      legacy_id: '{{Ticket ID}}',
      legacy_created_at: { from: 'Created time', transform: ['timestamp'] },
      legacy_priority: { from: 'Priority', transform: ['lowercase'] },
      legacy_type: '{{Type}}',
      legacy_company: '{{Company Name}}',
    },
    message: { body: { from: 'Description', required: true } },
    user: { name: '{{Full name}}', email: { from: 'Contact ID', transform: ['trim', 'lowercase'], required: true } },
  },
};

function ticket(i, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = (n) => Array.from({ length: n }, () => (random() < 0.1 ? pick(WIDE) : pick(WORDS))).join(' ');
  const comments = Array.from({ length: 3 }, (_, c) => ({
    id: i * 10 + c,
    public: c !== 2,
    author: c % 2 === 0 ? { name: `Customer ${i}`, email: `user${i}@example.com` } : { name: 'Agent Smith', email: 'agent@example.com' },
    body: `${words(12)} [ref {${i}}] "${pick(WORDS)}"\n${words(8)}`,
    created_at: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(c).padStart(2, '0')}:00Z`,
  }));
  return {
    id: i % 100 === 37 ? Math.max(1, i - 17) : i,
    subject: words(5),
    description: comments[0].body,
    status: pick(['open', 'pending', 'solved', 'closed']),
    tags: [pick(WORDS), pick(WORDS)],
    requester: { name: `Customer ${i}`, email: i % 50 === 0 ? `user${i}@` : `user${i}@example.com` },
    created_at: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
    comments,
  };
}

async function writeTickets(path, rows, pretty) {
  const random = seeded(11);
  if (!pretty) return writeLines(path, rows, (i) => `${JSON.stringify(ticket(i, random))}\n`);
  await writeLines(path, rows, (i) => `${i === 1 ? '[\n' : ',\n'}${JSON.stringify(ticket(i, random), null, 2)}${i === rows ? '\n]\n' : ''}`);
}

const TICKETS_MAPPING = {
  source: { format: 'jsonl', key: 'id' },
  conversation: {
    subject: '{{subject}}',
    category: 'support',
    tag_list: { from: 'tags' },
    status: { from: 'status', transform: ['trim', 'lowercase'], map: { open: 0, pending: 1, solved: 2, closed: 2 } },
    data: { legacy_id: '{{id}}', legacy_created_at: { from: 'created_at', transform: ['timestamp'] } },
    message: { body: { from: 'description', transform: ['trim'] } },
    user: { name: '{{requester.name}}', email: { from: 'requester.email', transform: ['trim', 'lowercase'], required: true } },
  },
  messages: {
    from: 'comments',
    opens_conversation: true,
    order_by: 'created_at',
    body: { from: 'body', transform: ['trim'] },
    visibility: { from: 'public', map: { true: 0, false: 1 }, default: 1 },
    user: { name: '{{author.name}}', email: { from: 'author.email', transform: ['trim', 'lowercase'] } },
    origin_id: '{{id}}',
  },
};

const LAYOUT = {
  generic: { bare: 'csv', mapping: 'generic-csv', write: (path, rows) => generateExport(path, rows), ext: 'csv' },
  freshdesk: { bare: 'csv', mapping: FRESHDESK_MAPPING, write: writeFreshdesk, ext: 'csv' },
  jsonl: { bare: 'jsonl', mapping: TICKETS_MAPPING, write: (path, rows) => writeTickets(path, rows, false), ext: 'jsonl' },
  json: { bare: 'jsonl', mapping: { ...TICKETS_MAPPING, source: { format: 'json', key: 'id' } }, write: (path, rows) => writeTickets(path, rows, true), ext: 'json', bareFile: 'jsonl' },
};

/** The bare parser in this process: csv-parse with validate's own options, or readline + JSON.parse. */
async function bareParse(kind, file) {
  let rows = 0;
  if (kind === 'csv') {
    const { parse } = await import('csv-parse');
    const options = { columns: true, relax_quotes: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] };
    for await (const _record of createReadStream(file).pipe(parse(options))) rows += 1;
  } else {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line !== '' && JSON.parse(line)) rows += 1;
  }
  return rows;
}

/** Runs a command as a whole process under /usr/bin/time -v: wall time and peak RSS. */
function timed(command, args) {
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  // validate exits 1 when some rows are not valid: expected here
  if (child.status !== 0 && child.status !== 1) throw new Error(`${command} ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const { stdout, stderr } = child;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { ms, stdout, maxRssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

function runBare(kind, file) {
  const run = timed(process.execPath, [fileURLToPath(import.meta.url), 'bare', kind, file]);
  return { ...run, rows: Number(run.stdout.trim()) };
}

/** `validate --json --quiet` of `bin` in its own process; stderr captured by time -v. */
function runValidate(bin, file, mapping) {
  const run = timed(process.execPath, [bin, 'validate', file, '--mapping', mapping, '--json', '--quiet']);
  let summary;
  try {
    summary = JSON.parse(run.stdout);
  } catch {
    throw new Error(`validate of ${file} printed no summary: ${run.stdout.slice(0, 500)}`);
  }
  return { ...run, rows: summary.rows, summary };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Same verdicts from both builds, or the comparison means nothing. */
function sameCounts(a, b) {
  const pick = (s) => JSON.stringify({ rows: s.rows, valid: s.valid, invalid: s.invalid, duplicates: s.duplicates, top: s.top_errors, losses: s.losses, ex: s.loss_examples, fields: s.fields, targets: s.targets, unmapped: s.unmapped_values });
  return pick(a) === pick(b);
}

async function prepare(dir, name, rows) {
  const layout = LAYOUT[name];
  const file = join(dir, `${name}-${rows}.${layout.ext}`);
  await layout.write(file, rows);
  let bareFile = file;
  if (layout.bareFile) {
    bareFile = join(dir, `${name}-${rows}.${layout.bareFile}`);
    await writeTickets(bareFile, rows, false);
  }
  let mapping = layout.mapping;
  if (typeof mapping !== 'string') {
    mapping = join(dir, `${name}.mapping.json`);
    writeFileSync(mapping, JSON.stringify(layout.mapping, null, 2));
  }
  return { file, bareFile, mapping, megabytes: statSync(file).size / 1024 / 1024 };
}

/** One layout at one size: ROUNDS alternating rounds of bare parser, this build and (if given) the base build. */
function compare(name, input, rows) {
  const layout = LAYOUT[name];
  const sides = [['bare', () => runBare(layout.bare, input.bareFile)], ['after', () => runValidate(BIN, input.file, input.mapping)]];
  if (BASE_BIN) sides.push(['before', () => runValidate(BASE_BIN, input.file, input.mapping)]);
  const runs = Object.fromEntries(sides.map(([side]) => [side, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...sides].reverse() : sides;
    for (const [side, run] of order) runs[side].push(run());
    console.error(`  ${name} ${rows} round ${round + 1}: ${sides.map(([side]) => `${side} ${runs[side].at(-1).ms.toFixed(0)} ms ${runs[side].at(-1).maxRssMB.toFixed(0)} MB`).join(', ')}`);
  }
  if (BASE_BIN && !sameCounts(runs.after[0].summary, runs.before[0].summary)) console.error(`  WARNING: ${name}: the two builds disagree`);
  const ms = (side) => median(runs[side].map((run) => run.ms));
  const rss = (side) => median(runs[side].map((run) => run.maxRssMB));
  const summary = runs.after[0].summary;
  return { name, rows, megabytes: input.megabytes, bareMs: ms('bare'), afterMs: ms('after'), beforeMs: BASE_BIN ? ms('before') : undefined, bareRss: rss('bare'), afterRss: rss('after'), beforeRss: BASE_BIN ? rss('before') : undefined, valid: summary.valid, invalid: summary.invalid, duplicates: summary.duplicates };
}

function formatRow(r) {
  const rate = (ms) => Math.round(r.rows / (ms / 1000)).toLocaleString('en-US');
  const before = r.beforeMs === undefined ? '' : ` ${(r.bareMs / r.beforeMs).toFixed(2)}× (${rate(r.beforeMs)}/s, ${r.beforeRss.toFixed(0)} MB) |`;
  return `| ${r.name} | ${r.rows.toLocaleString('en-US')} (${r.megabytes.toFixed(0)} MB; ${r.invalid} invalid, ${r.duplicates} dup.) | ${rate(r.bareMs)}/s, ${r.bareRss.toFixed(0)} MB | **${(r.bareMs / r.afterMs).toFixed(2)}×** (${rate(r.afterMs)}/s, ${r.afterRss.toFixed(0)} MB) |${before}`;
}

/** Generates every layout at both sizes, compares each side by side, prints one table. */
export async function benchValidateLayouts() {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-layouts-'));
  const results = [];
  try {
    for (const rows of [SMALL, BIG]) {
      for (const name of LAYOUTS) {
        console.error(`Generating ${name}, ${rows.toLocaleString('en-US')} rows…`);
        const input = await prepare(dir, name, rows);
        results.push(compare(name, input, rows));
        rmSync(input.file);
        if (input.bareFile !== input.file) rmSync(input.bareFile);
      }
    }
    if (RSS_ROWS > 0) {
      for (const name of LAYOUTS) {
        const input = await prepare(dir, name, RSS_ROWS);
        const after = runValidate(BIN, input.file, input.mapping);
        const before = BASE_BIN ? runValidate(BASE_BIN, input.file, input.mapping) : undefined;
        console.log(`| ${name} | ${RSS_ROWS.toLocaleString('en-US')} rows (${input.megabytes.toFixed(0)} MB), RSS only | after ${after.maxRssMB.toFixed(0)} MB, ${after.ms.toFixed(0)} ms |${before ? ` before ${before.maxRssMB.toFixed(0)} MB, ${before.ms.toFixed(0)} ms |` : ''}`);
        rmSync(input.file);
        if (input.bareFile !== input.file) rmSync(input.bareFile);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = BASE_BIN ? ' before ÷ bare (rate, peak RSS) |' : '';
  console.log(`
| layout | rows | bare parser (rate, peak RSS) | validate ÷ bare (rate, peak RSS) |${head}
|---|---|---|---|${BASE_BIN ? '---|' : ''}
${results.map(formatRow).join('\n')}`);
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'bare') process.stdout.write(`${await bareParse(process.argv[3], process.argv[4])}\n`);
  // `generate <layout> <rows> <dir>`: writes one input and its mapping to keep (for profiling)
  else if (process.argv[2] === 'generate') console.log(JSON.stringify(await prepare(process.argv[5], process.argv[3], Number(process.argv[4]))));
  else await benchValidateLayouts();
}
