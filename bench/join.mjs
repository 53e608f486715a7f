// A relational export: `validate tickets.csv --messages comments.csv`, whose comments are staged
// in a temporary SQLite database. Peak RSS with 10× the comments shows whether memory stays flat.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** Tickets of the largest run; the others have a tenth and a hundredth as many, all with 10 comments each. */
const TICKETS = Number(process.env.BENCH_JOIN_TICKETS ?? 200_000);
const PER_TICKET = 10;

const MAPPING = {
  source: { key: 'id' },
  conversation: { subject: '{{subject}}', category: 'support', message: {}, user: { name: '{{name}}', email: '{{email}}' } },
  messages: {
    join: { on: 'ticket_id' }, order_by: 'created', header: '_{{user_id}}, {{created}}_', body: '{{body}}', origin_id: '{{id}}',
    visibility: { from: 'public', map: { TRUE: 0, FALSE: 1 } },
  },
};

async function writeLines(path, count, line, header) {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** `count` tickets, and PER_TICKET comments each, written in an order that is not the tickets'. */
async function generate(dir, count) {
  const tickets = join(dir, `tickets-${count}.csv`);
  const comments = join(dir, `comments-${count}.csv`);
  await writeLines(tickets, count, (i) => `${i + 1},Subject ${i + 1},Customer ${i + 1},c${i + 1}@example.com`, 'id,subject,name,email');
  const total = count * PER_TICKET;
  await writeLines(comments, total, (n) => {
    const ticket = ((n * 7919) % count) + 1;
    return `${n + 1},${ticket},"Comment ${n + 1} on ticket ${ticket}, with a few words of text to make it look like one",2024-05-01 ${String(8 + (n % 12)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00,${n % 5 ? 'TRUE' : 'FALSE'},${1000 + (n % 37)}`;
  }, 'id,ticket_id,body,created,public,user_id');
  return { tickets, comments };
}

/**
 * One `validate` in a fresh process, so its peak RSS is its own. The tickets file is parsed on the
 * main thread at every size (a parse thread, for files of 8 MB and more, would add its own heap to
 * the larger runs only). `nodeOptions` caps V8's heap to show what the run really keeps.
 */
function measure(tickets, comments, mapping, nodeOptions = []) {
  const env = { ...process.env, REAMAZE_IMPORT_THREAD_MIN_BYTES: String(2 ** 40) };
  const args = [...nodeOptions, join(import.meta.dirname, 'child.mjs'), 'validate-join', tickets, comments, mapping];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', env });
  return JSON.parse(output.trim().split('\n').at(-1));
}

export async function benchJoin() {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-join-'));
  try {
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify(MAPPING));
    const rows = [];
    for (const count of [TICKETS / 100, TICKETS / 10, TICKETS]) {
      const { tickets, comments } = await generate(dir, count);
      const result = measure(tickets, comments, mapping);
      const capped = measure(tickets, comments, mapping, ['--max-old-space-size=64']);
      rows.push({ megabytes: statSync(comments).size / 1024 / 1024, ...result, cappedRssMB: capped.maxRssMB });
      rmSync(comments);
      rmSync(tickets);
    }
    console.log('\n| tickets | comments | comments file | valid tickets | time | messages/s | peak RSS | peak RSS, V8 heap capped at 64 MB |\n|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.rows.toLocaleString('en-US')} | ${r.messages.toLocaleString('en-US')} | ${r.megabytes.toFixed(0)} MB | ${r.valid.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(1)} s | ${Math.round(r.messages / (r.ms / 1000)).toLocaleString('en-US')} | ${r.maxRssMB.toFixed(0)} MB | ${r.cappedRssMB.toFixed(0)} MB |`);
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchJoin();
