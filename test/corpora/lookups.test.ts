// The zendesk-warehouse-csv preset's lookups on the real warehouse seeds: users by id, tags by ticket.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { CORPORA } from './corpora-path.js';

const FOLDER = join(CORPORA, 'helpdesk-exports', 'zendesk-fivetran-warehouse-csv-dbt_zendesk');
const table = (name: string) => join(FOLDER, name);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/** The preset's arguments for these tickets, with the seeds' comments, users and tags tables. */
const withTables = (tickets: string) => [
  tickets, '--mapping', 'zendesk-warehouse-csv', '--messages', table('ticket_comment_data.csv'),
  '--lookup', `users=${table('user_data.csv')}`, '--lookup', `tags=${table('ticket_tag_data.csv')}`,
];

type PreviewRow = { key: string; body?: { conversation: Record<string, unknown> }; losses: { kind: string; path: string; detail: string }[] };

describe('zendesk-warehouse-csv lookups on the warehouse seeds', () => {
  it('validates ticket_data.csv with its comments, users and tags: a requester the users table lacks fails the row, naming the lookup', async () => {
    const result = await runCli(['validate', ...withTables(table('ticket_data.csv')), '--json']);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('lookup');
    // The seeds' users table holds one requester (2222, of ticket 11071): the other nine tickets cannot name their customer.
    expect(JSON.parse(result.stdout)).toMatchObject({
      rows: 10, valid: 1, invalid: 9, duplicates: 0,
      top_errors: [{ error: 'conversation.user.email: required, but "396331237134" ("requester_id") is not found through lookup "users.email"', count: 9 }],
      messages_files: { messages: 20, unreadable: 0, orphans: 20 },
    });
    expect(result.code).toBe(1);
  });

  it('names each id the users table lacks as lookup_missed, requester and assignee alike', async () => {
    const result = await runCli(['preview', ...withTables(table('ticket_data.csv')), '-n', '2', '--json']);
    const [first, second] = JSON.parse(result.stdout) as PreviewRow[];
    expect(first!.losses).toEqual([
      { kind: 'lookup_missed', path: 'conversation.user.name', detail: 'users: 396331237134' },
      { kind: 'lookup_missed', path: 'conversation.user.email', detail: 'users: 396331237134' },
    ]);
    expect(second!.losses.filter((loss) => loss.kind === 'lookup_missed').map((loss) => `${loss.path} ${loss.detail}`)).toEqual([
      'conversation.user.name users: 1500656884401', 'conversation.user.email users: 1500656884401',
      'conversation.assignee.name users: 418284131934', 'conversation.assignee.email users: 418284131934',
    ]);
  });

  it('gives each ticket its tags from ticket_tag_data.csv once each, in the table\'s order', async () => {
    // The tag table's tickets (123, 455, 789, 1012) are not in the seed ticket table: copies of a seed ticket under their ids, and one without tags.
    const text = readFileSync(table('ticket_data.csv'), 'utf8');
    const [header = ''] = text.split(/\r?\n/);
    const seed = text.split(/\r?\n/).find((line) => line.startsWith('11071,'))!;
    const tickets = join(dir, 'ticket_data.csv');
    await writeFile(tickets, [header, ...['123', '455', '789', '1012', '11071'].map((id) => seed.replace(/^11071,/, `${id},`))].join('\r\n'));
    const result = await runCli(['preview', ...withTables(tickets), '--json']);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const rows = JSON.parse(result.stdout) as PreviewRow[];
    expect(rows.map((row) => [row.key, row.body?.conversation.tag_list])).toEqual([
      ['123', ['customer', 'prospect']], ['455', ['customer', 'prospect']], ['789', ['connector']], ['1012', ['customer']], ['11071', undefined],
    ]);
    expect(rows.flatMap((row) => row.losses)).toEqual([]);
  });
});
