// The thread presets (zendesk-json, helpscout-json, freshdesk-json, zendesk-warehouse-csv) against
// inputs built at test time from the real API responses and warehouse seeds in the shared corpora.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeldConversation, Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';
import { CORPORA } from './corpora-path.js';

const EXPORTS = join(CORPORA, 'helpdesk-exports');
const corpusText = (path: string) => readFileSync(join(EXPORTS, path), 'utf8');
const corpusJson = (path: string): Record<string, unknown> => JSON.parse(corpusText(path)) as Record<string, unknown>;

/** Messages without a user are posted as the token's staff user (sandboxEnv's login). */
const TOKEN_USER = 'importer@example.com';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** Validates (every row valid), then imports into a fresh sandbox; returns what the sandbox holds by key. */
async function importWith(preset: string, file: string, rows: number, extra: string[] = [], staff: string[] = []): Promise<Map<string, HeldConversation>> {
  const validate = await runCli(['validate', file, '--mapping', preset, '--json', '--quiet', ...extra]);
  expect(hasStackTrace(validate.stderr)).toBe(false);
  expect(validate.stderr).toBe('');
  expect(JSON.parse(validate.stdout)).toMatchObject({ rows, valid: rows, invalid: 0, duplicates: 0 });
  expect(validate.code).toBe(0);

  server = await sandbox({ staff: staff.map((email) => ({ email })) });
  const args = ['run', file, '--mapping', preset, '--ledger', join(dir, 'l.db'), '--rate', '200', '--json', '--quiet', ...extra];
  const result = await runCli(args, { env: sandboxEnv(server) });
  expect(hasStackTrace(result.stderr)).toBe(false);
  expect(JSON.parse(result.stdout)).toMatchObject({ rows, done: rows, invalid: 0, rejected: 0, failed: 0, uncertain: 0 });
  expect(result.code).toBe(0);
  expect(server.stats()).toMatchObject({ notifications: 0, duplicateKeys: 0, duplicateOriginIds: 0 });
  return new Map(server.conversations().map((conversation) => [String(conversation.data.import_key), conversation]));
}

/** A held thread without what differs from run to run (times, attachments). */
const thread = (conversation: HeldConversation | undefined) =>
  (conversation?.messages ?? []).map(({ body, visibility, user, origin_id }) => ({ body, visibility, email: user.email, origin_id }));

describe('zendesk-json: one ticket per line with its "comments"', () => {
  it('names each comment\'s author from a users lookup (--lookup users=users.json)', async () => {
    const ticket = corpusJson('zendesk-api-json-go-zendesk/GET_ticket.json').ticket as Record<string, unknown>;
    const comments = corpusJson('zendesk-api-json-go-zendesk/GET_ticket_comments.json').comments as Record<string, unknown>[];
    const note = { ...comments[0], id: 9001, body: 'Internal: checked the logs', public: false, author_id: 424242, created_at: '2019-06-03T01:50:00Z' };
    const file = join(dir, 'zendesk.jsonl');
    await writeFile(file, `${JSON.stringify({ ...ticket, comments: [...comments, note] })}\n`);
    // The users export of the same account, as Zendesk gives it ({"users": [...]}), its ids those of the authors.
    const users = corpusJson('zendesk-api-json-go-zendesk/GET_users.json') as { users: Record<string, unknown>[] };
    users.users[0]!.id = 424242;
    users.users[1]!.id = 377922500012;
    const usersFile = join(dir, 'users.json');
    await writeFile(usersFile, JSON.stringify(users));

    // nukosuke is an admin of the old helpdesk and, here, a Re:amaze staff member.
    const held = await importWith('zendesk-json', file, 1, ['--lookup', `users=${usersFile}`], ['nukosuke@lavabit.com']);
    expect(thread(held.get('2')).map(({ email, origin_id }) => [origin_id, email])).toEqual([
      [null, 'nukosuke@lavabit.com'], ['9001', 'customer@example.com'], ['3', 'nukosuke@lavabit.com'],
    ]);
    expect(held.get('2')!.messages.slice(1).map((message) => message.user.name)).toEqual(['Sample customer', 'nukosuke']);
  });

  it('opens the conversation with the first comment and adds the rest in time order, notes as notes', async () => {
    const ticket = corpusJson('zendesk-api-json-go-zendesk/GET_ticket.json').ticket as Record<string, unknown>;
    const comments = corpusJson('zendesk-api-json-go-zendesk/GET_ticket_comments.json').comments as Record<string, unknown>[];
    // An internal note by another agent, listed last but written between the two corpus comments.
    const note = { ...comments[0], id: 9001, body: 'Internal: checked the logs', public: false, author_id: 424242, created_at: '2019-06-03T01:50:00Z' };
    const file = join(dir, 'zendesk.jsonl');
    await writeFile(file, `${JSON.stringify({ ...ticket, comments: [...comments, note] })}\n`);

    // A users export that names none of this ticket's authors: each is sent unnamed (author_unknown).
    const usersFile = join(dir, 'users.json');
    await writeFile(usersFile, JSON.stringify({ users: [{ id: 1, name: 'Someone else', email: 'else@example.com', role: 'end-user' }] }));

    const held = await importWith('zendesk-json', file, 1, ['--lookup', `users=${usersFile}`]);
    const conversation = held.get('2')!;
    expect(conversation).toMatchObject({
      subject: 'Mail to create fixture ticket for testing',
      status: 2,
      user: { name: 'Yosuke Tamura', email: 'nukosuke@lavabit.com' },
      data: { legacy_id: 2, legacy_status: 'solved', legacy_created_at: '2019-06-03T02:23:47.000Z', legacy_via: 'email' },
    });
    expect(conversation.tag_list).toEqual([]);
    expect(thread(conversation)).toEqual([
      {
        body: '_Originally written by user 377922500012_\n\n_2019-06-03T01:23:47.000Z · Zendesk user 377922500012_\n\nMail to create fixture ticket for testing',
        visibility: 0, email: 'nukosuke@lavabit.com', origin_id: null,
      },
      { body: '_Originally written by user 424242_\n\n_2019-06-03T01:50:00.000Z · Zendesk user 424242_\n\nInternal: checked the logs', visibility: 1, email: TOKEN_USER, origin_id: '9001' },
      {
        body: '_Originally written by user 377922500012_\n\n_2019-06-03T02:23:47.000Z · Zendesk user 377922500012_\n\nMail to create fixture ticket for testing',
        visibility: 0, email: TOKEN_USER, origin_id: '3',
      },
    ]);
  });
});

describe('helpscout-json: one v1 conversation ("item") per line with its "threads"', () => {
  it('opens with the customer thread, sorts the newest-first threads, keeps notes internal and leaves line items out', async () => {
    const plain = corpusJson('helpscout-api-v1-json-helpscout-api-java/conversation_10.json').item as Record<string, unknown>;
    const item = corpusJson('helpscout-api-v1-json-helpscout-api-java/conversation_13.json').item as Record<string, unknown>;
    const [customerThread] = item.threads as Record<string, unknown>[];
    const agent = { id: 7, firstName: 'Ann', lastName: 'Agent', email: 'Ann@Example.com', type: 'user' };
    // Help Scout v1 lists threads newest first; a line item (a status change) has no body.
    const threads = [
      { ...customerThread, id: 4004, type: 'customer', createdAt: '2016-01-05T08:00:00Z', body: '<p>Thanks, <b>that worked</b>.</p>' },
      { ...customerThread, id: 4003, type: 'lineitem', createdAt: '2016-01-04T10:00:01Z', createdBy: agent, body: null, createdByCustomer: false },
      { ...customerThread, id: 4002, type: 'message', createdAt: '2016-01-04T10:00:00Z', createdBy: agent, body: '<div>Try <i>turning it off</i> and on.</div>', createdByCustomer: false },
      { ...customerThread, id: 4001, type: 'note', createdAt: '2016-01-04T09:00:00Z', createdBy: agent, body: '<div>Known issue #12</div>', createdByCustomer: false },
      customerThread,
    ];
    const file = join(dir, 'helpscout.jsonl');
    await writeFile(file, [plain, { ...item, status: 'closed', tags: ['vip', 'billing'], threads }].map((x) => JSON.stringify(x)).join('\n'));

    // Ann is a Re:amaze staff member: her replies and notes go as hers.
    const held = await importWith('helpscout-json', file, 2, [], ['ann@example.com']);
    expect(held.get('10')).toMatchObject({
      subject: 'Subject',
      status: 0,
      user: { name: 'Karl Tester', email: 'karl@worldoftesters.com' },
      data: { legacy_id: 10, legacy_number: 123, legacy_status: 'active', legacy_mailbox: 'Support' },
    });
    expect(thread(held.get('10'))).toEqual([
      { body: '_2016-01-03T21:35:51.000Z · Karl Tester (customer)_\n\nHello', visibility: 0, email: 'karl@worldoftesters.com', origin_id: null },
    ]);

    const conversation = held.get('11')!;
    expect(conversation).toMatchObject({ status: 2, tag_list: ['vip', 'billing'], data: { legacy_id: 11, legacy_status: 'closed' } });
    expect(thread(conversation)).toEqual([
      { body: '_2016-01-03T21:35:51.000Z · Karl Tester (customer)_\n\nHello', visibility: 0, email: 'karl@worldoftesters.com', origin_id: null },
      { body: '_2016-01-04T09:00:00.000Z · Ann Agent (user)_\n\nKnown issue #12', visibility: 1, email: 'ann@example.com', origin_id: '4001' },
      { body: '_2016-01-04T10:00:00.000Z · Ann Agent (user)_\n\nTry _turning it off_ and on.', visibility: 0, email: 'ann@example.com', origin_id: '4002' },
      { body: '_2016-01-05T08:00:00.000Z · Karl Tester (customer)_\n\nThanks, **that worked**.', visibility: 0, email: 'karl@worldoftesters.com', origin_id: '4004' },
    ]);
    expect(conversation.messages[1]!.user.name).toBe('Ann Agent');
  });
});

describe('freshdesk-json: one v2 ticket per line with its "conversations"', () => {
  it('opens with the description and adds replies and private notes in time order', async () => {
    const ticket = corpusJson('freshdesk-api-json-python-freshdesk/v2_ticket_1.json');
    const conversations = JSON.parse(corpusText('freshdesk-api-json-python-freshdesk/v2_conversations.json')) as Record<string, unknown>[];
    // The customer's answer, listed first but written last.
    const answer = {
      ...conversations[1], id: 3, incoming: true, private: false, user_id: 6012691534, from_email: 'dummyname@example.com',
      body: '<div>Thanks!<br>It works now.</div>', body_text: 'Thanks! It works now.', created_at: '2016-05-20T09:00:00Z',
    };
    const file = join(dir, 'freshdesk.jsonl');
    await writeFile(file, `${JSON.stringify({ ...ticket, status: 4, conversations: [answer, ...conversations] })}\n`);

    // Contacts and agents that name none of this ticket's authors.
    const usersFile = join(dir, 'users.json');
    await writeFile(usersFile, JSON.stringify([{ id: 1234, name: 'Someone else', email: 'else@example.com' }]));

    const held = await importWith('freshdesk-json', file, 1, ['--lookup', `users=${usersFile}`]);
    const conversation = held.get('1')!;
    expect(conversation).toMatchObject({
      subject: 'This is a sample ticket',
      status: 2,
      tag_list: ['foo', 'bar'],
      user: { name: 'Dummyname', email: 'dummyname@example.com' },
      data: { legacy_id: 1, legacy_status: 4, legacy_priority: 'Low', legacy_type: 'Question', legacy_created_at: '2016-05-18T04:36:04.000Z', legacy_cc: 'test2@example.com' },
    });
    expect(conversation.messages[0]!.recipients).toEqual([]);
    expect(thread(conversation)).toEqual([
      {
        // The ticket's Cc, kept in the text (and in data), never as a recipient.
        body: 'Cc: test2@example.com\n\n_2016-05-18T04:36:04.000Z · Dummyname_\n\nThis is a sample ticket, feel free to delete it.',
        visibility: 0, email: 'dummyname@example.com', origin_id: null,
      },
      // Agents the users lookup does not hold: sent by the importer, the original author named.
      { body: '_Originally written by user 1 (agent)_\n\n_2016-05-19T05:36:12.000Z · Freshdesk user 1_\n\nThis is a private note', visibility: 1, email: TOKEN_USER, origin_id: '1' },
      {
        body: '_Originally written by user 1 (agent)_\n\n_2016-05-19T05:36:14.000Z · Freshdesk user 1_ Rachel <rachel@freshdesk.com>\n\nThis is a reply',
        visibility: 0, email: TOKEN_USER, origin_id: '2',
      },
      // A customer's reply (incoming) goes as the ticket's customer, not as a staff reply.
      {
        body: '_Originally written by user 6012691534 (customer)_\n\n_2016-05-20T09:00:00.000Z · Freshdesk user 6012691534_ dummyname@example.com\n\nThanks!  \nIt works now.',
        visibility: 0, email: 'dummyname@example.com', origin_id: '3',
      },
    ]);
  });
});

describe('zendesk-warehouse-csv: ticket_data.csv joined with ticket_comment_data.csv (--messages)', () => {
  const FOLDER = 'zendesk-fivetran-warehouse-csv-dbt_zendesk';

  /** The seeds' comments belong to tickets the seed ticket table lacks: add those tickets (copies of a corpus row). */
  async function files(): Promise<{ tickets: string; comments: string; users: string; commentRows: Record<string, string>[]; added: string[] }> {
    const ticketText = corpusText(`${FOLDER}/ticket_data.csv`);
    // Every seed comment is public: make one of ticket 7367's an internal note.
    const commentText = corpusText(`${FOLDER}/ticket_comment_data.csv`).replace(/^(1227234557733,.*?),TRUE,7367,/m, '$1,FALSE,7367,');
    const [header = '', ...lines] = commentText.split(/\r?\n/).filter((line) => line !== '');
    const columns = header.split(',');
    const commentRows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i]!, cell])));
    const have = new Set(ticketText.split(/\r?\n/).slice(1).map((line) => line.split(',')[0]));
    const added = [...new Set(commentRows.map((row) => row.ticket_id!))].filter((id) => !have.has(id));
    const template = ticketText.split(/\r?\n/).find((line) => line.startsWith('16988,'))!;
    const extra = added.map((id) => template.replace(/^16988,/, `${id},`).replaceAll('/tickets/16988.json', `/tickets/${id}.json`));
    const tickets = join(dir, 'ticket_data.csv');
    const comments = join(dir, 'ticket_comment_data.csv');
    // The seeds use CRLF and have no final newline; keep both.
    await writeFile(tickets, [ticketText.replace(/\r?\n$/, ''), ...extra].join('\r\n'));
    await writeFile(comments, commentText);
    // user_data.csv's seed ids are not those the tickets and comments name: a users table that has them.
    const ticketRows = [ticketText.replace(/\r?\n$/, ''), ...extra].join('\r\n').split('\r\n').slice(1);
    const requesterColumn = ticketText.split(/\r?\n/)[0]!.split(',').indexOf('requester_id');
    const ids = new Set([...ticketRows.map((line) => line.split(',')[requesterColumn]!), ...commentRows.map((row) => row.user_id!)]);
    const users = join(dir, 'user_data.csv');
    await writeFile(users, ['id,name,email', ...[...ids].map((id) => `${id},User ${id},User${id}@Example.com`)].join('\r\n'));
    return { tickets, comments, users, commentRows, added };
  }

  it('imports every ticket, with or without comments, each thread ordered by "created"', async () => {
    const { tickets, comments, users, commentRows, added } = await files();
    expect(added).toContain('7367');
    expect(commentRows.find((row) => row.id === '1227234557733')).toMatchObject({ body: 'body8', public: 'FALSE' });
    const rows = 10 + added.length;
    const held = await importWith('zendesk-warehouse-csv', tickets, rows, ['--messages', comments, '--lookup', `users=${users}`]);
    expect(held.size).toBe(rows);

    // The seed tickets have no comments: they import with their description only.
    expect(held.get('1595')).toMatchObject({
      subject: 'subject1',
      status: 4,
      user: { name: 'User 396331237134', email: 'user396331237134@example.com' },
      data: { legacy_id: '1595', legacy_status: 'deleted', legacy_type: 'incident', legacy_created_at: '2020-02-19T01:54:52.000Z' },
    });
    expect(thread(held.get('1595'))).toEqual([{ body: 'description1', visibility: 0, email: 'user396331237134@example.com', origin_id: null }]);
    expect(held.get('11071')).toMatchObject({ status: 2, data: { legacy_priority: 'urgent' } });
    expect(held.get('16988')!.messages).toHaveLength(1);

    // Ticket 7367: six comments, not in time order in the file.
    const expected7367 = ['body5', 'body4', 'body3', 'body8', 'body9', 'body7'];
    expect(commentRows.filter((row) => row.ticket_id === '7367').map((row) => row.body)).not.toEqual(expected7367);
    const conversation = held.get('7367')!;
    expect(conversation.status).toBe(2);
    // Zendesk's first comment is the description: it opens the conversation (opens_conversation).
    expect(thread(conversation).map((message) => message.body.split('\n\n').at(-1))).toEqual(expected7367);
    expect(thread(conversation).map((message) => message.visibility)).toEqual([0, 0, 0, 1, 0, 0]);

    // Every joined ticket: its comments by time, with header and origin_id; the first opens the
    // conversation as the customer's message.
    for (const id of added) {
      const own = commentRows.filter((row) => row.ticket_id === id).sort((a, b) => a.created!.localeCompare(b.created!));
      expect(thread(held.get(id))).toEqual(own.map((row, index) => ({
        body: `_${row.created!.replace(' ', 'T')}.000Z · Zendesk user ${row.user_id}_\n\n${row.body}`,
        visibility: index === 0 ? 0 : row.public === 'TRUE' ? 0 : 1,
        // The opening comment is the customer's (the conversation's user); the others name their author.
        email: index === 0 ? expect.stringMatching(/^user\d+@example\.com$/) : `user${row.user_id}@example.com`,
        origin_id: index === 0 ? null : row.id,
      })));
    }
    // Tickets without comments open with their description; the others with their first comment.
    const messages = [...held.values()].reduce((sum, c) => sum + c.messages.length, 0);
    expect(messages).toBe(rows - added.length + commentRows.length);
  });
});
