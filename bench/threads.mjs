// Threads against the sandbox: the write requests per second of an import whose tickets have
// messages (conversation, messages, final PUT) next to one of bare conversations, at the same
// per-token limit. Both go through the one limiter, so they should sustain the same rate.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../dist/sandbox/index.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../dist/cli/bin.js');
const SECONDS = Number(process.env.BENCH_IMPORT_SECONDS ?? 20);

const MAPPING = {
  source: { key: 'id' },
  conversation: {
    subject: '{{subject}}', category: 'support', status: { from: 'status', map: { open: 0, solved: 2 } },
    message: {}, user: { name: '{{name}}', email: '{{email}}' },
  },
  messages: {
    from: 'comments', order_by: 'created', body: '{{body}}', origin_id: '{{id}}', header: '_{{author}}, {{created}}_',
    visibility: { from: 'public', map: { true: 0, false: 1 } }, user: { name: '{{author}}', email: '{{email}}' },
  },
};

/** `tickets` tickets of `length` messages each (the first opens the conversation). */
function writeExport(dir, tickets, length) {
  const lines = [];
  for (let t = 1; t <= tickets; t++) {
    const comments = Array.from({ length }, (_, c) => ({
      id: `m${t}-${c}`, body: `Message ${c} of ticket ${t}`, created: `2024-05-01 ${String(8 + c).padStart(2, '0')}:00:00`,
      public: c % 3 !== 2, author: c % 2 ? 'Agent' : `Customer ${t}`, email: c % 2 ? 'importer@example.com' : `c${t}@example.com`,
    }));
    lines.push(JSON.stringify({ id: `T${t}`, subject: `Subject ${t}`, status: 'solved', name: `Customer ${t}`, email: `c${t}@example.com`, comments }));
  }
  const file = join(dir, `threads-${tickets}x${length}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'mapping.json'), JSON.stringify(MAPPING));
  return file;
}

/**
 * Write requests per second from the first creation to the last write (server clock): every
 * message (the first of each is its conversation's creation) and every final PUT, which sets
 * `updated_at`.
 */
function sustained(conversations, puts) {
  const times = conversations.flatMap((c) => [...c.messages.map((m) => Date.parse(m.created_at)), Date.parse(c.updated_at)]);
  const writes = conversations.reduce((sum, c) => sum + c.messages.length, 0) + puts;
  return (writes - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
}

async function scenario({ limit, length }) {
  const dir = mkdtempSync(join(tmpdir(), 'reamaze-bench-threads-'));
  const sandbox = await startSandbox({ rateLimit: limit, latencyMs: 50, retryAfter: false });
  try {
    // About SECONDS of requests at the limit: one per message, plus a PUT per thread.
    const perTicket = length + (length > 1 ? 1 : 0);
    const tickets = Math.max(4, Math.round((limit * SECONDS) / perTicket));
    const file = writeExport(dir, tickets, length);
    const env = { ...process.env, REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
    const args = [BIN, 'run', file, '--mapping', join(dir, 'mapping.json'), '--ledger', join(dir, 'l.ledger'), '--rate', String(limit), '--concurrency', '8', '--json', '--quiet'];
    const { stdout } = await run(process.execPath, args, { env, maxBuffer: 1 << 24 }).catch((error) => error);
    const summary = JSON.parse(stdout);
    const held = sandbox.conversations();
    const stats = sandbox.stats();
    const puts = stats.byRoute['PUT /conversations/{slug}'] ?? 0;
    return {
      limit, length, tickets, conversations: held.length, messages: summary.messages.done, puts,
      failed: summary.failed + summary.messages.failed, throttled: stats.rateLimited, duplicates: stats.duplicateOriginIds,
      rate: sustained(held, puts),
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bare conversations, then threads of 5 messages, at each limit: a Markdown table. */
export async function benchThreads() {
  const rows = [];
  for (const limit of [5, 50]) {
    const bare = await scenario({ limit, length: 1 });
    const threads = await scenario({ limit, length: 5 });
    rows.push([bare, threads]);
  }
  console.log('\n| limit | tickets × messages | conversations | messages | final PUTs | failed | 429s | write req/s | of the limit | threads ÷ bare |\n|---|---|---|---|---|---|---|---|---|---|');
  for (const [bare, threads] of rows) {
    for (const r of [bare, threads]) {
      const ratio = r === threads ? `**${(threads.rate / bare.rate).toFixed(2)}**` : '—';
      console.log(`| ${r.limit}/s | ${r.tickets} × ${r.length} | ${r.conversations} | ${r.messages} | ${r.puts} | ${r.failed} | ${r.throttled} | ${r.rate.toFixed(1)} | ${((r.rate / r.limit) * 100).toFixed(0)}% | ${ratio} |`);
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchThreads();
