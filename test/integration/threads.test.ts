import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { openSqlite } from '../../src/ledger/sqlite.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { start, waitFor } from '../helpers/child.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
const servers: Sandbox[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function server(options: Parameters<typeof sandbox>[0] = {}): Promise<Sandbox> {
  const started = await sandbox(options);
  servers.push(started);
  return started;
}

/** The sandbox's staff user: a reply by it resolves a conversation, a customer's reopens it. */
const STAFF = { name: 'Agent Smith', email: 'importer@example.com' };

interface Comment {
  id: string;
  ticket_id: string;
  body: string;
  created: string;
  public: 'TRUE' | 'FALSE';
  author_name: string;
  author_email: string;
}

interface Ticket {
  id: string;
  subject: string;
  status: 'open' | 'solved';
  tags: string;
  name: string;
  email: string;
  comments: Comment[];
}

/**
 * Tickets with threads of 1 to `most` comments: the customer opens, then agent replies, internal
 * notes and customer answers alternate; an open ticket ends on an agent reply (which would resolve
 * it) and a solved one on a customer's (which would reopen it), so only the final PUT gets the
 * status right.
 */
function tickets(count: number, most = 5): Ticket[] {
  return Array.from({ length: count }, (_, t) => {
    const id = String(1000 + t);
    const customer = { name: `Customer ${t}`, email: `c${t}@example.com` };
    const status = t % 2 === 0 ? 'open' : 'solved';
    const length = 1 + (t % most);
    const comments = Array.from({ length }, (_, c): Comment => {
      const last = c === length - 1;
      const byStaff = c > 0 && (last ? status === 'open' : c % 2 === 1);
      const author = byStaff ? STAFF : customer;
      return {
        id: `c-${id}-${c + 1}`,
        ticket_id: id,
        body: `Message ${c + 1} of ticket ${id}`,
        created: `2024-03-${String(1 + (t % 28)).padStart(2, '0')} ${String(8 + c).padStart(2, '0')}:15:00`,
        public: c > 0 && c % 3 === 2 ? 'FALSE' : 'TRUE',
        author_name: author.name,
        author_email: author.email,
      };
    });
    return { id, subject: `Subject ${id}`, status, tags: 'legacy, batch-1', ...customer, comments };
  });
}

const CONVERSATION = {
  subject: '{{subject}}',
  category: 'support',
  status: { from: 'status', map: { open: 0, solved: 2 } },
  tag_list: { from: 'tags', split: ',' },
  message: {},
  user: { name: '{{name}}', email: '{{email}}' },
};

/** The thread part of the mapping: the same for a JSONL export and a relational one. */
const MESSAGES = {
  order_by: 'created',
  header: '_{{author_name}}, {{created}}_',
  body: '{{body}}',
  origin_id: '{{id}}',
  visibility: { from: 'public', map: { TRUE: 0, FALSE: 1 } },
  user: { name: '{{author_name}}', email: '{{author_email}}' },
  // Let replies move the status, as the live API may: the final PUT must put it back.
  suppress_autoresolve: false,
};

async function writeJsonl(list: Ticket[], name = 'tickets.jsonl'): Promise<{ file: string; mapping: string }> {
  const file = join(dir, name);
  await writeFile(file, list.map((ticket) => JSON.stringify(ticket)).join('\n') + '\n');
  const mapping = join(dir, 'jsonl-mapping.json');
  await writeFile(mapping, JSON.stringify({ source: { key: 'id' }, conversation: CONVERSATION, messages: { from: 'comments', ...MESSAGES } }));
  return { file, mapping };
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The same tickets as a warehouse export: tickets.csv, and comments.csv in an order that is not chronological. */
async function writeRelational(list: Ticket[]): Promise<{ tickets: string; comments: string; mapping: string }> {
  const tickets = join(dir, 'tickets.csv');
  const comments = join(dir, 'comments.csv');
  const ticketColumns = ['id', 'subject', 'status', 'tags', 'name', 'email'] as const;
  await writeFile(tickets, [ticketColumns.join(','), ...list.map((t) => ticketColumns.map((c) => csvCell(t[c])).join(','))].join('\r\n'));
  const all = list.flatMap((ticket) => ticket.comments);
  const shuffled = all.map((comment, i) => ({ comment, order: (i * 7919) % all.length })).sort((a, b) => a.order - b.order).map((e) => e.comment);
  const commentColumns = ['id', 'ticket_id', 'body', 'created', 'public', 'author_name', 'author_email'] as const;
  await writeFile(comments, [commentColumns.join(','), ...shuffled.map((c) => commentColumns.map((k) => csvCell(c[k])).join(','))].join('\r\n'));
  const mapping = join(dir, 'csv-mapping.json');
  await writeFile(mapping, JSON.stringify({ source: { key: 'id' }, conversation: CONVERSATION, messages: { join: { on: 'ticket_id' }, ...MESSAGES } }));
  return { tickets, comments, mapping };
}

/** Threads the ledger has open (created conversations with messages or the final update to come). */
function openThreads(ledger = 'import.ledger'): number {
  const db = openSqlite(join(dir, ledger), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM rows WHERE thread = 'open'").pluck().get() as number;
  } finally {
    db.close();
  }
}

function runArgs(files: string[], mapping: string, extra: string[] = [], ledger = 'import.ledger'): string[] {
  return ['run', ...files, '--mapping', mapping, '--ledger', join(dir, ledger), '--rate', '400', '--concurrency', '8', '--json', '--quiet', ...extra];
}

/** What a sandbox holds, without what differs between two imports of the same data (slugs, times). */
function held(sandboxServer: Sandbox) {
  return sandboxServer
    .conversations()
    .map(({ subject, status, tag_list, data, user, messages }) => ({
      subject, status, tag_list, data, user,
      messages: messages.map(({ body, visibility, user: author, origin_id }) => ({ body, visibility, user: author, origin_id })),
    }))
    .sort((a, b) => String(a.data.import_key).localeCompare(String(b.data.import_key)));
}

/** The thread a ticket should have in Re:amaze: its comments in order, the first one opening the conversation. */
function expectedThread(ticket: Ticket) {
  return ticket.comments.map((comment, index) => ({
    body: `_${comment.author_name}, ${comment.created}_\n\n${comment.body}`,
    visibility: index === 0 ? 0 : comment.public === 'TRUE' ? 0 : 1,
    user: index === 0 ? { name: ticket.name, email: ticket.email } : { name: comment.author_name, email: comment.author_email },
    origin_id: index === 0 ? null : comment.id,
  }));
}

describe('threads', () => {
  it('arrive complete and in order, with visibility and authors; the final status and tags are set last', async () => {
    const sandboxServer = await server();
    const list = tickets(12);
    const { file, mapping } = await writeJsonl(list);
    const result = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    const messages = list.reduce((sum, ticket) => sum + ticket.comments.length - 1, 0);
    const threaded = list.filter((ticket) => ticket.comments.length > 1).length;
    expect(JSON.parse(result.stdout)).toMatchObject({
      rows: 12, done: 12,
      messages: { done: messages, skipped: 0, failed: 0, uncertain: 0, rejected: 0, pending: 0 },
      updates: { done: threaded, failed: 0 },
      // The ledger knows each opening message too, by its origin_id.
      ledger_messages: { done: messages + list.length, open_threads: 0 },
    });
    const byKey = new Map(held(sandboxServer).map((conversation) => [conversation.data.import_key, conversation]));
    for (const ticket of list) {
      const conversation = byKey.get(ticket.id)!;
      expect(conversation.messages).toEqual(expectedThread(ticket));
      expect(conversation.status).toBe(ticket.status === 'open' ? 0 : 2);
      expect(conversation.tag_list).toEqual(['legacy', 'batch-1']);
    }
    expect(sandboxServer.stats()).toMatchObject({ notifications: 0, duplicateKeys: 0, duplicateOriginIds: 0 });
    // Without the final PUT the replies would have left the status wrong on some of them.
    expect(sandboxServer.stats().byRoute['PUT /conversations/{slug}']).toBe(threaded);
    // `preview` shows the same requests, the final PUT last.
    const preview = await runCli(['preview', file, '--mapping', mapping, '-n', '2', '--json'], {});
    const [, second] = JSON.parse(preview.stdout) as { messages: unknown[]; final: unknown }[];
    expect(second!.messages).toHaveLength(list[1]!.comments.length - 1);
    expect(second!.final).toEqual({ conversation: { status: 2, tag_list: ['legacy', 'batch-1'] } });
  });

  it('posts nothing on a re-run, and only the new message (then the status) when a ticket got a reply', async () => {
    const sandboxServer = await server();
    const list = tickets(6);
    const { file, mapping } = await writeJsonl(list);
    expect((await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) })).code).toBe(0);
    const requests = sandboxServer.stats().requests;
    const again = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    // Counted: the messages after each conversation's first (the opening one goes with the conversation).
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 0, skipped: 6, messages: { done: 0, skipped: list.reduce((sum, t) => sum + t.comments.length - 1, 0) }, updates: { done: 0 } });
    // The preflight GET and the one page of GET /staff only.
    expect(sandboxServer.stats().requests - requests).toBe(2);
    expect(sandboxServer.stats().byRoute['GET /staff']).toBe(2);

    const ticket = list[3]!;
    const before = list.reduce((sum, t) => sum + t.comments.length - 1, 0);
    ticket.comments.push({ ...ticket.comments.at(-1)!, id: `c-${ticket.id}-new`, body: 'A late reply', created: '2024-12-31 23:00:00', author_name: ticket.name, author_email: ticket.email });
    await writeJsonl(list);
    const nightly = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(nightly.stdout)).toMatchObject({ done: 0, skipped: 6, messages: { done: 1, skipped: before }, updates: { done: 1 } });
    const conversation = held(sandboxServer).find((c) => c.data.import_key === ticket.id)!;
    expect(conversation.messages.at(-1)).toMatchObject({ origin_id: `c-${ticket.id}-new`, user: { email: ticket.email } });
    expect(conversation.status).toBe(ticket.status === 'open' ? 0 : 2);
    expect(sandboxServer.stats().duplicateOriginIds).toBe(0);
  });

  it('reconciles an ambiguous answer for a message by its origin_id before sending it again', async () => {
    const list = tickets(8, 4).filter((ticket) => ticket.comments.length >= 3);
    const faults = {
      [list[0]!.comments[1]!.id]: ['500-after' as const],
      [list[1]!.comments[1]!.id]: ['drop-after' as const],
      [list[2]!.comments[2]!.id]: ['500-before' as const, 'drop-after' as const],
      [list[3]!.comments[1]!.id]: ['drop-before' as const],
    };
    const sandboxServer = await server({ faults });
    const { file, mapping } = await writeJsonl(list);
    const result = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(result.code).toBe(0);
    for (const ticket of list) {
      expect(held(sandboxServer).find((c) => c.data.import_key === ticket.id)!.messages).toEqual(expectedThread(ticket));
    }
    expect(sandboxServer.stats().duplicateOriginIds).toBe(0);
    expect(sandboxServer.stats().byRoute['GET /conversations/{slug}/messages']).toBeGreaterThanOrEqual(3);
  });

  it('imports the same threads from a tickets CSV and a comments CSV as from the equivalent JSONL', async () => {
    const list = tickets(15);
    const fromJsonl = await server();
    const jsonl = await writeJsonl(list);
    expect((await runCli(runArgs([jsonl.file], jsonl.mapping, [], 'a.ledger'), { env: sandboxEnv(fromJsonl) })).code).toBe(0);

    const fromCsv = await server();
    const csv = await writeRelational(list);
    const checked = await runCli(['validate', csv.tickets, '--messages', csv.comments, '--mapping', csv.mapping, '--json'], {});
    const total = list.reduce((sum, t) => sum + t.comments.length, 0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ rows: 15, valid: 15, invalid: 0, messages_files: { messages: total, unreadable: 0, orphans: 0 } });
    const result = await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments], 'b.ledger'), { env: sandboxEnv(fromCsv) });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    expect(held(fromCsv)).toEqual(held(fromJsonl));
    expect(held(fromCsv).reduce((sum, c) => sum + c.messages.length, 0)).toBe(list.reduce((sum, t) => sum + t.comments.length, 0));
  });

  it('says what is wrong when the messages files and the mapping do not go together', async () => {
    const csv = await writeRelational(tickets(2));
    const missing = await runCli(['validate', csv.tickets, '--mapping', csv.mapping], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('name them with --messages');
    const { mapping } = await writeJsonl(tickets(2));
    const extra = await runCli(['validate', join(dir, 'tickets.jsonl'), '--messages', csv.comments, '--mapping', mapping], {});
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('no "messages.join"');
    const comments = await readFile(csv.comments, 'utf8');
    await writeFile(csv.comments, `${comments}\r\nc-x,9999,Lost,2024-01-01 10:00:00,TRUE,A,a@example.com\r\nc-y,1000,"unclosed`);
    const orphan = await runCli(['validate', csv.tickets, '--messages', csv.comments, '--mapping', csv.mapping], {});
    expect(orphan.code).toBe(1);
    expect(orphan.stderr + orphan.stdout).toContain('1 messages belong to no ticket of these files (first: ');
    expect(orphan.stderr + orphan.stdout).toContain('(ticket "9999")');
    expect(orphan.stderr + orphan.stdout).toMatch(/1 message records cannot be read and are left out:\n {2}\S*comments\.csv:\d+: /);
    await writeFile(csv.comments, 'id,ticket,body\n1,1000,x\n');
    const column = await runCli(['validate', csv.tickets, '--messages', csv.comments, '--mapping', csv.mapping], {});
    expect(column.code).toBe(2);
    expect(column.stderr).toContain('messages.join.on: "ticket_id" (nearest: "ticket")');
    for (const answer of [missing, extra, orphan, column]) expect(hasStackTrace(answer.stderr)).toBe(false);
  });

  it('says what is wrong with a --lookup: a name the mapping lacks, no name, a file without the key column', async () => {
    const { file } = await writeJsonl(tickets(1));
    const mapping = join(dir, 'lookup-mapping.json');
    const users = join(dir, 'users.csv');
    await writeFile(users, 'uid,name,email\n1,Ann,ann@example.com\n');
    await writeFile(mapping, JSON.stringify({
      source: { key: 'id' }, lookups: { users: { key: 'id' } }, conversation: CONVERSATION,
      messages: { from: 'comments', ...MESSAGES, user: { email: { from: 'author_email', transform: [{ lookup: 'users.email' }] } } },
    }));
    const json = join(dir, 'users.json');
    await writeFile(json, JSON.stringify({ users: [{ user_id: 1, email: 'ann@example.com' }] }));
    const headerOnly = join(dir, 'nobody.csv');
    await writeFile(headerOnly, 'id,name,email\n');
    const answers = await Promise.all([
      runCli(['validate', file, '--mapping', mapping, '--lookup', `people=${users}`], {}),
      runCli(['validate', file, '--mapping', mapping, '--lookup', users], {}),
      runCli(['validate', file, '--mapping', mapping, '--lookup', `users=${users}`], {}),
      // Records without the key: every author would silently be the staff member.
      runCli(['validate', file, '--mapping', mapping, '--lookup', `users=${json}`], {}),
      runCli(['validate', file, '--mapping', mapping, '--lookup', `users=${headerOnly}`], {}),
      runCli(['validate', file, '--mapping', mapping, '--lookup', `constructor=${users}`], {}),
    ]);
    expect(answers.map((answer) => answer.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(answers[0]!.stderr).toContain('the mapping has no lookup "people" (it declares "users" under "lookups")');
    expect(answers[1]!.stderr).toContain('write name=file, e.g. --lookup users=users.json');
    expect(answers[2]!.stderr).toContain('lookups.users.key: "id" (nearest: "uid") is not in');
    expect(answers[3]!.stderr).toMatch(/lookups\.users\.key: "id"( \(nearest: [^)]*\))? is not in /);
    expect(answers[4]!.stderr).toContain(`--lookup users=${headerOnly} holds no record with a key`);
    expect(answers[5]!.stderr).toContain('the mapping has no lookup "constructor"');
    for (const answer of answers) expect(hasStackTrace(answer.stderr)).toBe(false);
  });

  it.each([
    ['origin_ids echoed', {}],
    ['no origin_ids listed', { listedOriginIds: 'omit' }],
    ['no origin_ids and no bodies listed', { listedOriginIds: 'omit', listedBodies: 'omit' }],
  ] as [string, Parameters<typeof sandbox>[0]][])('SIGKILL mid-thread under faults, %s, then the same command again: no message missing or doubled', async (_name, listing) => {
    const sandboxServer = await server({
      ...listing,
      latencyMs: 2,
      seed: 11,
      messageFaults: true,
      faultRates: { '500-before': 0.04, '500-after': 0.05, 'drop-after': 0.05, 'drop-before': 0.04, '503-before': 0.03 },
    });
    const list = tickets(60, 8);
    const { file, mapping } = await writeJsonl(list);
    const env = sandboxEnv(sandboxServer);
    const args = ['run', file, '--mapping', mapping, '--ledger', join(dir, 'import.ledger'), '--rate', '300', '--concurrency', '6', '--timeout', '5', '--json', '--quiet'];
    const messagesHeld = () => sandboxServer.conversations().reduce((sum, c) => sum + c.messages.length, 0);
    let cutThreads = 0;
    for (const killAt of [40, 120, 200]) {
      const child = start(args, env);
      await waitFor(() => messagesHeld() >= killAt);
      child.kill('SIGKILL');
      await child.code;
      cutThreads += openThreads();
    }
    // The kills did land mid-thread: conversations were left with messages still to come.
    expect(cutThreads).toBeGreaterThan(0);
    let last = { code: -1 as number | null, stdout: '' };
    for (let attempt = 0; attempt < 6 && last.code !== 0; attempt++) {
      const child = start(args, env);
      last = { code: await child.code, stdout: child.stdout() };
    }
    expect(last.code).toBe(0);
    const total = list.reduce((sum, ticket) => sum + ticket.comments.length, 0);
    expect(JSON.parse(last.stdout).ledger_messages).toMatchObject({ done: total, failed: 0, uncertain: 0, pending: 0, open_threads: 0 });
    const byKey = new Map(held(sandboxServer).map((conversation) => [conversation.data.import_key, conversation]));
    expect(byKey.size).toBe(list.length);
    for (const ticket of list) {
      expect(byKey.get(ticket.id)!.messages).toEqual(expectedThread(ticket));
      expect(byKey.get(ticket.id)!.status).toBe(ticket.status === 'open' ? 0 : 2);
    }
    const stats = sandboxServer.stats();
    expect(stats).toMatchObject({ duplicateKeys: 0, duplicateOriginIds: 0, notifications: 0 });
    // The faults did hit messages, and some runs were cut mid-thread.
    expect(stats.faultLog.filter((entry) => entry.target === 'message').length).toBeGreaterThan(5);
  }, 120_000);
});

describe('an ambiguous answer to a message, on an API whose listing shows less', () => {
  // However the listing shows its messages, the evidence settles every message in the same run:
  // origin_ids where the API echoes them, else the count the ledger knows against the body sent.
  const listings: [string, Parameters<typeof sandbox>[0]][] = [
    ['origin_ids echoed, none on the opening message', { listedOriginIds: 'echo' }],
    ['origin_id always null, bodies rendered as HTML', { listedOriginIds: 'null', listedBodies: 'html' }],
    ['no origin_ids, replies only (no opening message)', { listedOriginIds: 'omit', listsOpener: false }],
    ['no origin_ids and no bodies: the count alone', { listedOriginIds: 'omit', listedBodies: 'omit' }],
    ['no origin_ids, no bodies, replies only', { listedOriginIds: 'omit', listedBodies: 'omit', listsOpener: false }],
  ];
  it.each(listings)('%s: no thread left open, none doubled', async (_name, listing) => {
    const list = tickets(40, 6);
    // The first added message of a thread, when the listing holds no added message yet, and random ones.
    const first = (t: number) => list[t]!.comments[1]!.id;
    const sandboxServer = await server({
      ...listing,
      seed: 5,
      faults: { [first(1)]: ['500-after'], [first(2)]: ['drop-after'], [first(3)]: ['500-before', '500-after'], [first(13)]: ['drop-after'] },
      messageFaults: true,
      faultRates: { '500-after': 0.05, '500-before': 0.03, 'drop-after': 0.03 },
    });
    const { file, mapping } = await writeJsonl(list);
    const result = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const total = list.reduce((sum, ticket) => sum + ticket.comments.length, 0);
    expect(JSON.parse(result.stdout).ledger_messages).toMatchObject({ done: total, uncertain: 0, failed: 0, pending: 0, open_threads: 0 });
    const byKey = new Map(held(sandboxServer).map((conversation) => [conversation.data.import_key, conversation]));
    for (const ticket of list) expect(byKey.get(ticket.id)!.messages).toEqual(expectedThread(ticket));
    const stats = sandboxServer.stats();
    expect(stats).toMatchObject({ duplicateKeys: 0, duplicateOriginIds: 0 });
    // The faults did hit messages after creating them, and before.
    const hits = stats.faultLog.filter((entry) => entry.target === 'message');
    expect(hits.filter((entry) => entry.kind !== '500-before').length).toBeGreaterThan(2);
    expect(hits.some((entry) => entry.kind === '500-before')).toBe(true);
  }, 60_000);
});

describe('a 2xx to a message that is not a message', () => {
  it('is weighed before it counts: an HTML page or an error in a 200, before or after creating, leaves each message once', async () => {
    const list = tickets(12, 4).filter((ticket) => ticket.comments.length >= 2);
    const kinds = ['html-before', 'html-after', 'error-200-before', 'error-200-after'] as const;
    const faults = Object.fromEntries(kinds.map((kind, i) => [list[i]!.comments[1]!.id, [kind]]));
    // And conversations answered with an error in a 200 (created, or not).
    const sandboxServer = await server({ faults: { ...faults, [list[4]!.id]: ['error-200-after'], [list[5]!.id]: ['error-200-before'] }, listedOriginIds: 'omit' });
    const { file, mapping } = await writeJsonl(list);
    const result = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).ledger_messages).toMatchObject({ uncertain: 0, failed: 0, open_threads: 0 });
    const byKey = new Map(held(sandboxServer).map((conversation) => [conversation.data.import_key, conversation]));
    expect(byKey.size).toBe(list.length);
    for (const ticket of list) expect(byKey.get(ticket.id)!.messages).toEqual(expectedThread(ticket));
    expect(sandboxServer.stats()).toMatchObject({ duplicateKeys: 0, duplicateOriginIds: 0 });
    expect(sandboxServer.stats().faultLog).toHaveLength(6);
  });
});

describe('threads in the ledger', () => {
  it('keeps one row per message under its ticket, and a run resumes a thread where it stopped', async () => {
    const list = tickets(4, 4).filter((ticket) => ticket.comments.length === 4);
    const ticket = list[0]!;
    // The API refuses the third message (422).
    const sandboxServer = await server({ faults: { [ticket.comments[2]!.id]: ['422'] } });
    const { file, mapping } = await writeJsonl([ticket]);
    const first = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ messages: { done: 2, rejected: 1 } });
    const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
    const rows = db.prepare('SELECT ticket, origin_id, seq, state, error_code FROM messages ORDER BY seq').all();
    db.close();
    expect(rows).toEqual([
      { ticket: ticket.id, origin_id: ticket.comments[0]!.id, seq: 0, state: 'done', error_code: null },
      { ticket: ticket.id, origin_id: ticket.comments[1]!.id, seq: 1, state: 'done', error_code: null },
      { ticket: ticket.id, origin_id: ticket.comments[2]!.id, seq: 2, state: 'rejected', error_code: 'API_REJECTED' },
      { ticket: ticket.id, origin_id: ticket.comments[3]!.id, seq: 3, state: 'done', error_code: null },
    ]);
    // A refused message does not hold up the rest of the thread, nor its final status.
    expect(held(sandboxServer)[0]!.messages.map((m) => m.origin_id)).toEqual([null, ticket.comments[1]!.id, ticket.comments[3]!.id]);
    const status = await runCli(['status', '--ledger', join(dir, 'import.ledger'), '--json'], {});
    expect(JSON.parse(status.stdout)).toMatchObject({ messages: { done: 3, rejected: 1 } });
    const human = await runCli(['status', '--ledger', join(dir, 'import.ledger')], {});
    expect(human.stdout).toContain('Thread messages: 3 done · 1 rejected · 0 failed · 0 uncertain · 0 pending; 0 threads still open');
    expect(human.stdout).toMatch(/rows 1, done 1, messages done 2, rejected 1/);
    const out = join(dir, 'failures.jsonl');
    expect((await runCli(['failures', '--ledger', join(dir, 'import.ledger'), '--out', out], {})).code).toBe(0);
    const reported = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(reported).toMatchObject([{ key: ticket.id, state: 'rejected', http_status: 422, error: expect.stringContaining(`message ${ticket.comments[2]!.id}: `) as unknown }]);
  });
  it('a crash after message 3 of 12 resumes at 4: the message in flight is found by origin_id, the rest follow in order', async () => {
    const ticket = tickets(1)[0]!;
    ticket.comments = Array.from({ length: 13 }, (_, c) => ({
      ...ticket.comments[0]!, id: `c-${ticket.id}-${c + 1}`, body: `Message ${c + 1}`, created: `2024-03-01 ${String(8 + c).padStart(2, '0')}:00:00`,
    }));
    // The opening comment and 12 messages; the 4th message is created, then its answer hangs.
    const fourth = ticket.comments[4]!.id;
    const sandboxServer = await server({ faults: { [fourth]: ['hang-after'] }, hangMs: 60_000 });
    const { file, mapping } = await writeJsonl([ticket]);
    const env = sandboxEnv(sandboxServer);
    const child = start(runArgs([file], mapping), env);
    await waitFor(() => (sandboxServer.conversations()[0]?.messages.length ?? 0) === 5);
    child.kill('SIGKILL');
    await child.code;
    const db = openSqlite(join(dir, 'import.ledger'), { readonly: true });
    const states = db.prepare('SELECT origin_id, state FROM messages ORDER BY seq').all();
    db.close();
    expect(states).toEqual([
      ...ticket.comments.slice(0, 4).map((c) => ({ origin_id: c.id, state: 'done' })),
      { origin_id: fourth, state: 'sending' },
    ]);
    // The first run listed the thread twice while its content was known (before messages 1 and 2),
    // learning what this API's listings show; the ledger keeps it, so the next run lists only to reconcile.
    expect(sandboxServer.stats().byRoute['GET /conversations/{slug}/messages']).toBe(2);
    const again = await runCli(runArgs([file], mapping), { env });
    expect(again.code).toBe(0);
    // Skipped: messages 1–3; done: message 4, found in the thread, and 5–12 sent.
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: 1, messages: { done: 9, skipped: 3 }, updates: { done: 1 } });
    expect(sandboxServer.stats().byRoute['POST /conversations/{slug}/messages']).toBe(4 + 8);
    expect(held(sandboxServer)[0]!.messages).toEqual(expectedThread(ticket));
    expect(sandboxServer.stats().byRoute['GET /conversations/{slug}/messages']).toBe(2 + 1);
    expect(sandboxServer.stats().duplicateOriginIds).toBe(0);
  });
});


describe('threads across nightly runs', () => {
  it('knows the opening message by its origin_id: a thread that sorts differently tonight is not posted again', async () => {
    const sandboxServer = await server();
    const [ticket] = tickets(4, 4).filter((t) => t.comments.length === 4);
    // Two messages with the same time: their order is the file's, which may change between exports.
    ticket!.comments[1]!.created = ticket!.comments[0]!.created;
    const { file, mapping } = await writeJsonl([ticket!]);
    expect((await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) })).code).toBe(0);
    const before = held(sandboxServer)[0]!.messages;
    [ticket!.comments[0], ticket!.comments[1]] = [ticket!.comments[1]!, ticket!.comments[0]!];
    await writeJsonl([ticket!]);
    const again = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: 1, messages: { done: 0, skipped: 3 }, updates: { done: 0 } });
    expect(held(sandboxServer)[0]!.messages).toEqual(before);
  });

  it("does not count last night's refused messages against --max-errors again", async () => {
    const list = tickets(6, 3).filter((t) => t.comments.length >= 2).slice(0, 3);
    const sandboxServer = await server({ faults: Object.fromEntries(list.map((t) => [t.comments[1]!.id, ['422' as const]])) });
    const { file, mapping } = await writeJsonl(list);
    const first = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(first.stdout)).toMatchObject({ messages: { rejected: 3 } });
    const nightly = await runCli(runArgs([file], mapping, ['--max-errors', '2']), { env: sandboxEnv(sandboxServer) });
    // Exit 1 (they still need attention), not 3: the run was not stopped early.
    expect(nightly.code).toBe(1);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ aborted: null, skipped: 3, messages: { rejected: 3, done: 0 } });
  });

  it('sets only the status when a later run adds replies: the tags stay as they are in Re:amaze', async () => {
    const sandboxServer = await server();
    const list = tickets(2, 2);
    const { file, mapping } = await writeJsonl(list);
    expect((await runCli(runArgs([file], mapping, ['--tag', 'sample']), { env: sandboxEnv(sandboxServer) })).code).toBe(0);
    const ticket = list[1]!;
    ticket.comments.push({ ...ticket.comments.at(-1)!, id: 'late', body: 'Late', created: '2024-12-01 10:00:00', author_name: ticket.name, author_email: ticket.email });
    await writeJsonl(list);
    const nightly = await runCli(runArgs([file], mapping), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(nightly.stdout)).toMatchObject({ messages: { done: 1 }, updates: { done: 1 } });
    const conversation = held(sandboxServer).find((c) => c.data.import_key === ticket.id)!;
    expect(conversation.tag_list).toEqual(['legacy', 'batch-1', 'sample']);
    expect(conversation.status).toBe(ticket.status === 'open' ? 0 : 2);
  });

  it('adds tonight\'s messages of tickets imported earlier, even when tonight\'s tickets file lacks them; true orphans fail the run', async () => {
    const sandboxServer = await server();
    const list = tickets(4, 3);
    const csv = await writeRelational(list);
    expect((await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments]), { env: sandboxEnv(sandboxServer) })).code).toBe(0);
    // Tonight's delta: one ticket with its comments, comments for another ticket (imported last
    // night, its id written as a decimal by the warehouse), and one for a ticket nobody has seen.
    const earlier = list[2]!;
    await writeFile(csv.tickets, `id,subject,status,tags,name,email\r\n${list[0]!.id},Subject ${list[0]!.id},open,legacy,${list[0]!.name},${list[0]!.email}`);
    await writeFile(csv.comments, [
      'id,ticket_id,body,created,public,author_name,author_email',
      `late-1,${earlier.id}.0,A late answer,2024-12-01 09:00:00,TRUE,${earlier.name},${earlier.email}`,
      `late-2,${earlier.id},A later note,2024-12-01 10:00:00,FALSE,Agent Smith,importer@example.com`,
      'lost-1,424242,Nobody knows this ticket,2024-12-01 11:00:00,TRUE,X,x@example.com',
      ...list[0]!.comments.map((c) => [c.id, c.ticket_id, c.body, c.created, c.public, c.author_name, c.author_email].join(',')),
    ].join('\r\n'));
    const nightly = await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments]), { env: sandboxEnv(sandboxServer) });
    expect(hasStackTrace(nightly.stderr)).toBe(false);
    expect(nightly.code).toBe(1);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ rows: 1, skipped: 1, messages: { done: 2 }, messages_files: { unreadable: 0, orphans: 1 } });
    const conversation = held(sandboxServer).find((c) => c.data.import_key === earlier.id)!;
    expect(conversation.messages.slice(-2).map((m) => [m.origin_id, m.visibility])).toEqual([['late-1', 0], ['late-2', 1]]);
    expect(sandboxServer.stats().duplicateOriginIds).toBe(0);
  });

  it('a conversation found by its key after a lost answer is known by the message it was sent with, even when tonight another sorts first', async () => {
    const ticket = tickets(1)[0]!;
    ticket.comments = ['A', 'B', 'C'].map((name, c) => ({ ...ticket.comments[0]!, id: `m-${name}`, body: `message ${name}`, created: `2024-03-01 0${8 + c}:00:00` }));
    // The conversation is created, then its answer hangs: the importer is killed before it knows.
    const sandboxServer = await server({ faults: { [ticket.id]: ['hang-after'] }, hangMs: 60_000 });
    const { file, mapping } = await writeJsonl([ticket]);
    const env = sandboxEnv(sandboxServer);
    const child = start(runArgs([file], mapping), env);
    await waitFor(() => sandboxServer.conversations().length === 1);
    child.kill('SIGKILL');
    await child.code;
    // Tonight B is dated first: it would open a conversation created now, but this one opened with A.
    ticket.comments[1]!.created = '2024-03-01 07:00:00';
    await writeJsonl([ticket]);
    const again = await runCli(runArgs([file], mapping), { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 1, messages: { done: 2 } });
    expect(held(sandboxServer)[0]!.messages.map((m) => [m.origin_id, m.body.split('\n\n')[1]])).toEqual([
      [null, 'message A'], ['m-B', 'message B'], ['m-C', 'message C'],
    ]);
  });

  it('keeps tonight\'s messages of a ticket whose thread is unfinished waiting, rather than post them out of order', async () => {
    const list = tickets(3, 3).filter((t) => t.comments.length === 3);
    const ticket = list[0]!;
    // Its second message fails for good (the API keeps answering 500 before doing anything).
    const sandboxServer = await server({ faults: { [ticket.comments[1]!.id]: Array(12).fill('500-before' as const) } });
    const csv = await writeRelational([ticket]);
    const retry = ['--timeout', '5'];
    const first = await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments, ...retry]), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 1, messages: { uncertain: 1, pending: 1 }, ledger_messages: { open_threads: 1 } });
    // Tonight: no tickets of its own in the tickets file, one new comment for it.
    await writeFile(csv.tickets, 'id,subject,status,tags,name,email\r\n');
    await writeFile(csv.comments, `id,ticket_id,body,created,public,author_name,author_email\r\nlate,${ticket.id},Late,2024-12-01 10:00:00,TRUE,A,a@example.com`);
    const nightly = await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments, ...retry]), { env: sandboxEnv(sandboxServer) });
    expect(JSON.parse(nightly.stdout)).toMatchObject({ rows: 0, messages: { pending: 1, done: 0 }, messages_files: { orphans: 0 }, ledger_messages: { open_threads: 1 } });
    expect(held(sandboxServer)[0]!.messages.map((m) => m.origin_id)).toEqual([null]);
  }, 60_000);

  it('finds a ticket whose id the tickets file wrote as a decimal when tonight\'s comments name it as an integer', async () => {
    const sandboxServer = await server();
    const [ticket] = tickets(1);
    const csv = await writeRelational([ticket!]);
    const tickets1 = (await readFile(csv.tickets, 'utf8')).replace(`\r\n${ticket!.id},`, `\r\n${ticket!.id}.0,`);
    await writeFile(csv.tickets, tickets1);
    expect((await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments]), { env: sandboxEnv(sandboxServer) })).code).toBe(0);
    await writeFile(csv.tickets, 'id,subject,status,tags,name,email\r\n');
    await writeFile(csv.comments, `id,ticket_id,body,created,public,author_name,author_email\r\nlate,${ticket!.id},Late,2024-12-01 10:00:00,TRUE,A,a@example.com`);
    const nightly = await runCli(runArgs([csv.tickets], csv.mapping, ['--messages', csv.comments]), { env: sandboxEnv(sandboxServer) });
    expect(nightly.code).toBe(0);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ messages: { done: 1 }, messages_files: { orphans: 0 } });
    expect(held(sandboxServer)[0]!.data.import_key).toBe(`${ticket!.id}.0`);
    expect(held(sandboxServer)[0]!.messages.at(-1)!.origin_id).toBe('late');
  });
});
