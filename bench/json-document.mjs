// `node bench/json-document.mjs` (or BENCH_ONLY=json npm run bench): reads a ~1 GB JSON array
// document of ticket-like objects through openSource, next to the same records as JSON Lines, and
// prints records/s and peak RSS for each. Inputs are generated at run time and removed.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TARGET_MB = Number(process.env.BENCH_JSON_MB ?? 1024);
const WORDS = 'order parcel invoice refund account password login delivery size colour broken missing late please thanks café 日本'.split(' ');

/** A ticket as a vendor API gives it: nested requester, tags, a thread of comments whose bodies hold brackets and quotes. */
function ticket(i, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const comments = Array.from({ length: 1 + (i % 4) }, (_, c) => ({
    id: i * 10 + c,
    author_id: c % 2 === 0 ? 100 + i : 7,
    public: c !== 2,
    body: `${sentence(12)} [ref {${i}}] "${pick(WORDS)}"\n${sentence(8)}`,
    created_at: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(c).padStart(2, '0')}:00Z`,
  }));
  return {
    id: i,
    subject: sentence(5),
    status: pick(['open', 'pending', 'solved', 'closed']),
    tags: [pick(WORDS), pick(WORDS)],
    requester: { id: 100 + i, name: `Customer ${i}`, email: `user${i}@example.com` },
    custom_fields: [{ id: 1, value: null }, { id: 2, value: sentence(2) }],
    comments,
  };
}

/** Writes the same tickets as a pretty-printed JSON array (`document`) and as JSON Lines (`lines`) until the document reaches `megabytes`. */
export async function generateJsonExports(document, lines, megabytes) {
  let state = 42;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const json = createWriteStream(document);
  const jsonl = createWriteStream(lines);
  let written = 0;
  let count = 0;
  let parts = ['['];
  let lineParts = [];
  for (; written < megabytes * 1024 * 1024; count++) {
    const value = ticket(count + 1, random);
    const text = `${count === 0 ? '\n' : ',\n'}${JSON.stringify(value, null, 2)}`;
    written += Buffer.byteLength(text);
    parts.push(text);
    lineParts.push(`${JSON.stringify(value)}\n`);
    if (parts.length >= 256) {
      json.write(parts.join(''));
      jsonl.write(lineParts.join(''));
      // Asked after both writes: a stream that drained while the other was awaited needs no wait
      if (json.writableNeedDrain) await once(json, 'drain');
      if (jsonl.writableNeedDrain) await once(jsonl, 'drain');
      parts = [];
      lineParts = [];
    }
  }
  json.end(`${parts.join('')}\n]\n`);
  jsonl.end(lineParts.join(''));
  await Promise.all([once(json, 'close'), once(jsonl, 'close')]);
  return count;
}

/** In a child process: reads every record of `file` through the built openSource and reports time and peak RSS. */
async function readInChild(file) {
  const { openSource } = await import(pathToFileURL(join(import.meta.dirname, '../dist/source/index.js')).href);
  const started = performance.now();
  const source = await openSource(file, { format: 'jsonl' });
  let records = 0;
  let broken = 0;
  for await (const record of source.records()) {
    records++;
    if (record.problem) broken++;
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ format: source.dialect.format, records, broken, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function measure(file) {
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', file], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1));
}

/** Generates both inputs, reads each in its own process, prints a table. */
export async function benchJsonDocument() {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-json-'));
  try {
    const document = join(dir, 'tickets.json');
    const lines = join(dir, 'tickets.jsonl');
    console.log(`Generating a ${TARGET_MB} MB JSON array document and the same tickets as JSON Lines…`);
    const count = await generateJsonExports(document, lines, TARGET_MB);
    const rows = [];
    for (const [name, file] of [['JSON document (pretty-printed array)', document], ['JSON Lines', lines]]) {
      const run = measure(file);
      if (run.records !== count || run.broken !== 0) throw new Error(`${name}: read ${run.records} records (${run.broken} broken), wrote ${count}`);
      const megabytes = statSync(file).size / 1024 / 1024;
      const rate = Math.round(count / (run.ms / 1000)).toLocaleString('en-US');
      rows.push(`| ${name} | ${megabytes.toFixed(0)} MB | ${rate} records/s | ${(megabytes / (run.ms / 1000)).toFixed(0)} MB/s | ${run.maxRssMB.toFixed(0)} MB |`);
    }
    console.log(`
| input (${count.toLocaleString('en-US')} tickets, read by openSource) | size | records/s | MB/s | peak RSS |
|---|---|---|---|---|
${rows.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'child') await readInChild(process.argv[3]);
  else await benchJsonDocument();
}
