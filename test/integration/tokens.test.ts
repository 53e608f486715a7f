// Several staff members' API tokens (`run --credentials FILE`): tickets spread over them, each
// token with its own limiter; exactly once still, every thread in order and through one token; a
// token the API refuses is retired and the run completes on the others.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxCredential } from '../../src/sandbox/index.js';
import { openSqlite } from '../../src/ledger/sqlite.js';
import { forgetSecrets } from '../../src/redact.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { start, waitFor } from '../helpers/child.js';
import { sandbox } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  forgetSecrets();
  await server?.close();
  server = undefined;
  await cleanup();
});

/** The sandbox's own login, and two more staff members' tokens. */
const PRIMARY = { email: 'importer@example.com', token: 'sandbox-token' };
const SECOND = { email: 'agent.two@example.com', token: 'tok_two_9f8e7d6c5b' };
const THIRD = { email: 'agent.three@example.com', token: 'tok_three_1a2b3c4d' };
const TOKENS = [PRIMARY.token, SECOND.token, THIRD.token];

async function credentialsFile(lines: string[], mode = 0o600, name = 'credentials.txt'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  await chmod(file, mode);
  return file;
}

const lineOf = (login: { email: string; token: string }) => `${login.email} ${login.token}`;

interface Ticket {
  id: string;
  subject: string;
  name: string;
  email: string;
  comments: { id: string; body: string; created: string; author_name: string; author_email: string }[];
}

/** Tickets with threads of 1 to 4 comments: the customer opens, an agent and the customer alternate. */
function tickets(count: number): Ticket[] {
  return Array.from({ length: count }, (_, t) => {
    const id = String(5000 + t);
    const customer = { name: `Customer ${t}`, email: `c${t}@example.com` };
    const comments = Array.from({ length: 1 + (t % 4) }, (_, c) => {
      const author = c % 2 === 1 ? { name: 'Agent', email: PRIMARY.email } : customer;
      return { id: `m-${id}-${c + 1}`, body: `Message ${c + 1} of ${id}`, created: `2024-03-01 ${String(8 + c).padStart(2, '0')}:00:00`, author_name: author.name, author_email: author.email };
    });
    return { id, subject: `Subject ${id}`, ...customer, comments };
  });
}

async function writeThreads(list: Ticket[]): Promise<{ file: string; mapping: string }> {
  const file = join(dir, 'tickets.jsonl');
  await writeFile(file, list.map((ticket) => JSON.stringify(ticket)).join('\n') + '\n');
  const mapping = join(dir, 'mapping.json');
  await writeFile(mapping, JSON.stringify({
    source: { key: 'id' },
    conversation: { subject: '{{subject}}', category: 'support', message: {}, user: { name: '{{name}}', email: '{{email}}' } },
    messages: { from: 'comments', order_by: 'created', body: '{{body}}', origin_id: '{{id}}', user: { name: '{{author_name}}', email: '{{author_email}}' } },
  }));
  return { file, mapping };
}

async function writeCsv(count: number, first = 1, name = 'tickets.csv'): Promise<string> {
  const rows = Array.from({ length: count }, (_, i) => `T${first + i},Subject ${first + i},Body ${first + i},open,,Customer ${i},c${first + i}@example.com,2024-05-01 10:00:00`);
  const file = join(dir, name);
  await writeFile(file, `ticket_id,subject,body,status,tags,name,email,created_at\n${rows.join('\n')}\n`);
  return file;
}

const env = (held: Sandbox) => ({ REAMAZE_BASE_URL: held.url });

function keysHeld(held: Sandbox): string[] {
  return held.conversations().map((conversation) => String(conversation.data.import_key));
}

/** Every ticket once, every thread whole and in order. */
function expectExactlyOnceInOrder(held: Sandbox, list: Ticket[]): void {
  const byKey = new Map(held.conversations().map((conversation) => [String(conversation.data.import_key), conversation]));
  expect(keysHeld(held).sort()).toEqual(list.map((ticket) => ticket.id).sort());
  for (const ticket of list) {
    const origins = byKey.get(ticket.id)!.messages.map((message) => message.origin_id);
    expect(origins).toEqual([null, ...ticket.comments.slice(1).map((comment) => comment.id)]);
  }
  expect(held.stats()).toMatchObject({ duplicateKeys: 0, duplicateOriginIds: 0 });
}

function ledgerRows(ledger: string, sql: string): unknown[] {
  const db = openSqlite(ledger, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('several tokens', () => {
  it('SIGKILL mid-run under faults, then the same command again: every ticket once, every thread in order, each through the token that created its conversation', async () => {
    server = await sandbox({
      credentials: [SECOND, THIRD], rateLimit: 60, retryAfter: true, latencyMs: 3, seed: 11, messageFaults: true,
      faultRates: { '500-after': 0.06, 'drop-after': 0.06, '500-before': 0.03 },
    });
    const list = tickets(90);
    const { file, mapping } = await writeThreads(list);
    const credentials = await credentialsFile(['# three staff members', lineOf(PRIMARY), '', lineOf(SECOND), lineOf(THIRD)]);
    const ledger = join(dir, 'tokens.ledger');
    const args = ['run', file, '--mapping', mapping, '--ledger', ledger, '--credentials', credentials, '--rate', '40', '--concurrency', '3', '--json', '--quiet', '--timeout', '5'];

    const child = start(args, env(server));
    await waitFor(() => server!.conversations().length >= 25);
    child.kill('SIGKILL');
    await child.code;
    expect(server.conversations().length).toBeLessThan(list.length);

    let last = { code: -1 as number | null, stdout: '', stderr: '' };
    for (let attempt = 0; attempt < 6 && last.code !== 0; attempt++) {
      const again = start(args, env(server));
      last = { code: await again.code, stdout: again.stdout(), stderr: again.stderr() };
    }
    expect(hasStackTrace(last.stderr)).toBe(false);
    expect(last.code).toBe(0);
    expectExactlyOnceInOrder(server, list);
    // The faults hit every token's requests, and every token created conversations.
    expect(server.stats().faultLog.length).toBeGreaterThan(5);
    const senders = server.senders();
    expect(new Set(senders.map((sent) => sent.conversation))).toEqual(new Set([PRIMARY.email, SECOND.email, THIRD.email]));
    for (const sent of senders) expect(sent.messages.every((login) => login === sent.conversation)).toBe(true);
    // The ledger names each conversation's token by its staff e-mail, never by the token.
    const recorded = ledgerRows(ledger, 'SELECT rows.key, tokens.email FROM rows JOIN tokens ON tokens.id = rows.token') as { key: string; email: string }[];
    const creator = new Map(senders.map((sent, i) => [String(server!.conversations()[i]!.data.import_key), sent.conversation]));
    expect(recorded).toHaveLength(list.length);
    for (const { key, email } of recorded) expect(email).toBe(creator.get(key));
    const bytes = await readFile(ledger);
    for (const token of TOKENS) expect(bytes.includes(token)).toBe(false);
    expect(JSON.parse(last.stdout).tokens.map((token: { email: string }) => token.email)).toEqual([PRIMARY.email, SECOND.email, THIRD.email]);
  }, 120_000);

  it('a token with a bad password is named (never its token) and the run completes on the others, exit 0', async () => {
    server = await sandbox({ credentials: [SECOND] });
    const csv = await writeCsv(40);
    const wrong = { email: THIRD.email, token: 'tok_wrong_5e6f7a8b9c' };
    const credentials = await credentialsFile([lineOf(PRIMARY), lineOf(wrong), lineOf(SECOND)]);
    const summaryFile = join(dir, 'summary.json');
    const ledger = join(dir, 'bad.ledger');
    const result = await runCli(['run', csv, '--mapping', 'generic-csv', '--ledger', ledger, '--credentials', credentials, '--rate', '200', '--json', '--summary-file', summaryFile], { env: env(server) });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Warning: The API refused the token of ${THIRD.email} (403): it sends nothing more in this run, and its tickets go to the other 2 tokens. Check that staff member's API token in the credentials file.`);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 40, done: 40, aborted: null });
    expect(summary.tokens).toMatchObject([{ email: PRIMARY.email, refused: false }, { email: THIRD.email, refused: true }, { email: SECOND.email, refused: false }]);
    expect(keysHeld(server).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `T${i + 1}`).sort());
    expect(new Set(server.senders().map((sent) => sent.conversation))).toEqual(new Set([PRIMARY.email, SECOND.email]));
    // No token anywhere: output, summary file, ledger.
    const written = [result.stdout, result.stderr, await readFile(summaryFile, 'utf8'), (await readFile(ledger)).toString('latin1')];
    for (const text of written) for (const token of [...TOKENS, wrong.token]) expect(text).not.toContain(token);
  });

  it('a token refused in the middle of the run: its tickets go to the others, each once', async () => {
    server = await sandbox({ credentials: [SECOND, THIRD], rateLimit: 15, latencyMs: 5 });
    const csv = await writeCsv(120);
    const credentials = await credentialsFile([lineOf(PRIMARY), lineOf(SECOND), lineOf(THIRD)]);
    const running = runCli(['run', csv, '--mapping', 'generic-csv', '--ledger', join(dir, 'revoked.ledger'), '--credentials', credentials, '--rate', '15', '--json'], { env: env(server) });
    await waitFor(() => server!.conversations().length >= 30);
    // The third staff member's token is revoked: the sandbox no longer accepts it.
    server.setOptions({ credentials: [SECOND] });
    const result = await running;
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`The API refused the token of ${THIRD.email} (403)`);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 120, done: 120, pending: 0, uncertain: 0 });
    expect(keysHeld(server).sort()).toEqual(Array.from({ length: 120 }, (_, i) => `T${i + 1}`).sort());
    expect(server.stats().duplicateKeys).toBe(0);
    const late = server.senders().slice(60).map((sent) => sent.conversation);
    expect(late).not.toContain(THIRD.email);
  }, 60_000);

  it('every token refused: the run stops before anything is sent (exit 3), naming the staff members', async () => {
    server = await sandbox();
    const csv = await writeCsv(5);
    const credentials = await credentialsFile([`${PRIMARY.email} tok_bad_one_123`, `${SECOND.email} tok_bad_two_456`]);
    const ledger = join(dir, 'none.ledger');
    const result = await runCli(['run', csv, '--mapping', 'generic-csv', '--ledger', ledger, '--credentials', credentials], { env: env(server) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`The API refused the token of every staff member of the credentials file (${PRIMARY.email}, ${SECOND.email}): check their API tokens. Nothing was sent.`);
    expect(server.conversations()).toHaveLength(0);
    expect(existsSync(ledger)).toBe(false);
  });

  it('keeps the limit each token learned from its 429s, and the next run starts that token under it', async () => {
    server = await sandbox({ credentials: [{ ...SECOND, rateLimit: 4 }], rateLimit: null, latencyMs: 2 });
    const credentials = await credentialsFile([lineOf(PRIMARY), lineOf(SECOND)]);
    const ledger = join(dir, 'pace.ledger');
    const run = async (csv: string) => runCli(['run', csv, '--mapping', 'generic-csv', '--ledger', ledger, '--credentials', credentials, '--rate', '12', '--json'], { env: env(server!) });
    const first = await run(await writeCsv(70));
    expect(first.code).toBe(0);
    const paces = ledgerRows(ledger, 'SELECT email, learned_rate, learned_limit FROM tokens ORDER BY email DESC') as { email: string; learned_rate: number; learned_limit: number | null }[];
    expect(paces.map((pace) => pace.email)).toEqual([PRIMARY.email, SECOND.email]);
    expect(paces[0]!.learned_limit).toBeNull();
    expect(paces[1]!.learned_limit).toBeGreaterThan(2.5);
    expect(paces[1]!.learned_limit).toBeLessThan(6);
    // The limited token got fewer tickets than the other.
    const senders = server.senders().map((sent) => sent.conversation);
    expect(senders.filter((email) => email === SECOND.email).length).toBeLessThan(senders.filter((email) => email === PRIMARY.email).length);
    // status: each token's pace and the conversations it created, as the API saw them
    const status = await runCli(['status', '--ledger', ledger, '--json']);
    const tokens = (JSON.parse(status.stdout) as { tokens: { email: string; conversations_done: number; learned_limit: number | null }[] }).tokens;
    // Listed in the order the tokens were first used, which the run decides.
    expect(Object.fromEntries(tokens.map(({ email, conversations_done }) => [email, conversations_done]))).toEqual(
      Object.fromEntries([PRIMARY, SECOND].map(({ email }) => [email, senders.filter((sender) => sender === email).length])),
    );
    const limited = tokens.find((token) => token.email === SECOND.email)!;
    expect(limited.learned_limit).toBe(paces[1]!.learned_limit);
    const human = await runCli(['status', '--ledger', ledger]);
    expect(human.stdout).toContain('Tokens (2, each with its own pace):');
    const created = limited.conversations_done;
    expect(human.stdout).toContain(`${SECOND.email}: ${created} conversation${created === 1 ? '' : 's'} and 0 messages done`);

    const throttledBefore = server.stats().rateLimited;
    const second = await run(await writeCsv(30, 1000, 'more.csv'));
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`${SECOND.email}: Starting at`);
    expect(second.stderr).toContain(`the token of ${SECOND.email} learned from its 429s that the API lets it about ${paces[1]!.learned_limit!.toFixed(2)}/s through`);
    expect(second.stderr).not.toContain(`${PRIMARY.email}: Starting at`);
    // Started under its limit: few 429s, where the first run met many.
    expect(server.stats().rateLimited - throttledBefore).toBeLessThan(Math.max(4, throttledBefore / 2));
  }, 60_000);
});

describe('the credentials file', () => {
  const run = (credentials: string, extra: string[] = []) => runCli(['run', join(dir, 'none.csv'), '--mapping', 'generic-csv', '--ledger', join(dir, 'l.ledger'), '--credentials', credentials, ...extra], { env: { REAMAZE_BASE_URL: 'http://127.0.0.1:9/api/v1' } });

  it('is refused when others than its owner may read it', async () => {
    const file = await credentialsFile([lineOf(PRIMARY)], 0o644);
    const result = await run(file);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`The credentials file ${file} can be read by others than its owner: make it private (chmod 600 ${file}), then run again. Nothing was sent.`);
    expect(existsSync(join(dir, 'l.ledger'))).toBe(false);
  });

  it('names a malformed line by its number, never echoing it', async () => {
    const file = await credentialsFile(['# comment', lineOf(PRIMARY), '', `${SECOND.email}:${SECOND.token}`]);
    const result = await run(file);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`Line 4 of the credentials file ${file} is not "email token" (a staff login e-mail, a space, its API token): fix that line. Nothing was sent.`);
    expect(result.stderr).not.toContain(SECOND.token);
    const extra = await credentialsFile([`${PRIMARY.email} ${PRIMARY.token} ${SECOND.token}`], 0o600, 'extra.txt');
    const three = await run(extra);
    expect(three.stderr).toContain('Line 1 of the credentials file');
    expect(three.stderr).not.toContain(SECOND.token);
  });

  it('refuses an e-mail or a token given twice, and an empty file', async () => {
    const twice = await credentialsFile([lineOf(PRIMARY), lineOf(SECOND), `${PRIMARY.email} tok_other_1234`]);
    expect((await run(twice)).stderr.trim()).toBe(`Line 3 of the credentials file ${twice} repeats the e-mail ${PRIMARY.email} of line 1: give each staff member's token once. Nothing was sent.`);
    const sameToken = await credentialsFile([lineOf(PRIMARY), `${SECOND.email} ${PRIMARY.token}`], 0o600, 'same.txt');
    const refused = await run(sameToken);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`Line 2 of the credentials file ${sameToken} repeats the same token as line 1: give each staff member's token once. Nothing was sent.`);
    const empty = await credentialsFile(['# nobody yet', ''], 0o600, 'empty.txt');
    expect((await run(empty)).stderr.trim()).toBe(`The credentials file ${empty} holds no "email token" line. Nothing was sent.`);
  });

  it('is refused beside --email or --token-file, and --unattributed-as must name one of its e-mails', async () => {
    const file = await credentialsFile([lineOf(PRIMARY), lineOf(SECOND)]);
    const withEmail = await run(file, ['--email', PRIMARY.email]);
    expect(withEmail.code).toBe(2);
    expect(withEmail.stderr.trim()).toBe('--credentials and --email are both given: the file names every token with its e-mail, so give only --credentials.');
    const unknown = await run(file, ['--unattributed-as', 'nobody@example.com']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(`--unattributed-as nobody@example.com is not the e-mail of any token given: name one of ${PRIMARY.email}, ${SECOND.email}.`);
    const missing = await run(join(dir, 'missing.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Cannot read the credentials file ${join(dir, 'missing.txt')}`);
  });

  it('--unattributed-as names the staff member of messages without a resolvable author, whichever token sends them', async () => {
    server = await sandbox({ credentials: [SECOND] });
    const list = tickets(8).map((ticket) => ({ ...ticket, comments: ticket.comments.map((comment, c) => (c === 1 ? { ...comment, author_email: '', author_name: '' } : comment)) }));
    const { file, mapping } = await writeThreads(list);
    const credentials = await credentialsFile([lineOf(PRIMARY), lineOf(SECOND)]);
    const result = await runCli(['run', file, '--mapping', mapping, '--ledger', join(dir, 'u.ledger'), '--credentials', credentials, '--unattributed-as', SECOND.email, '--rate', '200', '--json'], { env: env(server) });
    expect(result.code).toBe(0);
    const unattributed = server.conversations().flatMap((conversation) => conversation.messages.filter((message) => /^m-\d+-2$/.test(message.origin_id ?? '')));
    expect(unattributed.length).toBeGreaterThan(0);
    expect(new Set(unattributed.map((message) => message.user.email))).toEqual(new Set([SECOND.email]));
    expect(new Set(server.senders().map((sent) => sent.conversation))).toEqual(new Set([PRIMARY.email, SECOND.email]));
    // Without it, such a message goes as the staff member of whichever token sends it.
    server.reset();
    const varied = await runCli(['run', file, '--mapping', mapping, '--ledger', join(dir, 'v.ledger'), '--credentials', credentials, '--rate', '200', '--json'], { env: env(server) });
    expect(varied.code).toBe(0);
    const bySender = server.conversations().flatMap((conversation, i) => conversation.messages
      .filter((message) => /^m-\d+-2$/.test(message.origin_id ?? '')).map((message) => [message.user.email, server!.senders()[i]!.conversation]));
    expect(bySender.length).toBeGreaterThan(0);
    for (const [author, sender] of bySender) expect(author).toBe(sender);
  });
});

/** The sandbox accepts each login, each with its own bucket. */
describe('the sandbox with several logins', () => {
  it('answers each login with its own rate limit and records who sent what', async () => {
    const logins: SandboxCredential[] = [{ ...SECOND, rateLimit: 2 }, THIRD];
    server = await sandbox({ credentials: logins, rateLimit: 5 });
    const ask = (login: { email: string; token: string }) => fetch(`${server!.url}/conversations`, {
      headers: { Accept: 'application/json', Authorization: `Basic ${Buffer.from(`${login.email}:${login.token}`).toString('base64')}` },
    }).then((response) => response.status);
    const statuses = async (login: { email: string; token: string }, n: number) => Promise.all(Array.from({ length: n }, () => ask(login)));
    expect((await statuses(SECOND, 4)).filter((status) => status === 429)).toHaveLength(2);
    expect((await statuses(THIRD, 5)).every((status) => status === 200)).toBe(true);
    expect((await statuses(PRIMARY, 5)).every((status) => status === 200)).toBe(true);
    expect(await ask({ email: SECOND.email, token: THIRD.token })).toBe(403);
    expect(server.options().staff).toEqual([]);
  });
});
