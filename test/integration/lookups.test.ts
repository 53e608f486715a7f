// Lookups through the real CLI: the warehouse preset's users and tags tables, a lookup the command
// must be given, and one it may leave out.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

const TICKETS = [
  'id,subject,status,created_at,updated_at,due_at,priority,type,via_channel,requester_id,assignee_id,group_id,organization_id,description',
  '123,Order lost,open,2020-03-05 04:50:07,2020-03-05 04:50:07,,normal,incident,email,1,,,,Where is my order?',
  '789,Refund,solved,2020-03-06 10:00:00,2020-03-06 11:00:00,,,question,web,2,,,,Please refund me',
].join('\n');
const COMMENTS = [
  'id,ticket_id,created,body,public,user_id',
  '9001,123,2020-03-05 05:00:00,We are looking into it,TRUE,3',
  '9002,123,2020-03-05 06:00:00,Forwarded by a user we no longer have,TRUE,404',
].join('\n');
const USERS = 'id,name,email,role\n1,Ann,ann@example.com,end-user\n2,Bob,bob@example.com,end-user\n3,Sam,sam@example.com,agent\n';
// As the warehouse holds it: one tag of one ticket listed several times, a ticket without tags left out.
const TAGS = 'tag,ticket_id,_fivetran_synced\ncustomer,123,2020-03-05\ncustomer,123,2020-03-05\ncustomer,123,2020-03-05\nprospect,123,2020-03-05\n';

/** Writes the warehouse tables; returns the command's arguments after the subcommand, lookups as `lookups` names. */
async function warehouse(lookups: readonly ('users' | 'tags')[]): Promise<string[]> {
  const files = { tickets: 'ticket_data.csv', comments: 'ticket_comment_data.csv', users: 'user_data.csv', tags: 'ticket_tag_data.csv' };
  const texts = { tickets: TICKETS, comments: COMMENTS, users: USERS, tags: TAGS };
  for (const [name, file] of Object.entries(files)) await writeFile(join(dir, file), texts[name as keyof typeof texts]);
  return [
    join(dir, files.tickets), '--mapping', 'zendesk-warehouse-csv', '--messages', join(dir, files.comments),
    ...lookups.flatMap((name) => ['--lookup', `${name}=${join(dir, files[name])}`]),
  ];
}

const REFUSED = 'The mapping\'s lookup "users" is not given (read by conversation.assignee.email, conversation.assignee.name, conversation.user.email and 4 more): add --lookup users=FILE (the users export, its records keyed by "id"), or mark it "optional": true under "lookups" in the mapping to read those values as empty.';

describe('a lookup the mapping declares', () => {
  it('is refused when not given, by validate, preview and run alike, and run sends nothing', async () => {
    const args = await warehouse(['tags']);
    server = await sandbox();
    const answers = [
      await runCli(['validate', ...args]),
      await runCli(['preview', ...args]),
      await runCli(['run', ...args, '--ledger', join(dir, 'import.ledger'), '--quiet'], { env: sandboxEnv(server) }),
    ];
    for (const answer of answers) {
      expect(answer.code).toBe(2);
      expect(hasStackTrace(answer.stderr)).toBe(false);
      expect(answer.stderr).toContain(REFUSED);
    }
    expect(server.stats().requests).toBe(0);
    expect(server.conversations()).toEqual([]);
  });

  it('is only a warning when the mapping marks it optional: the tags of the warehouse preset', async () => {
    const result = await runCli(['validate', ...(await warehouse(['users'])), '--json']);
    expect(result.stderr).toContain('The mapping\'s optional lookup "tags" is not given (--lookup tags=FILE): every value read through it (by conversation.tag_list) is empty.');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 2, valid: 2 });
  });
});

describe('the warehouse preset with its users and tags tables', () => {
  it('previews each ticket\'s tags from the tag table, each once, and a ticket without tags without any', async () => {
    const result = await runCli(['preview', ...(await warehouse(['users', 'tags'])), '--json']);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const rows = JSON.parse(result.stdout) as { key: string; body: { conversation: Record<string, unknown> } }[];
    expect(rows.map((row) => [row.key, row.body.conversation.tag_list])).toEqual([['123', ['customer', 'prospect']], ['789', undefined]]);
  });

  it('counts each comment author the users table lacks as lookup_missed, naming the lookup and the id', async () => {
    const args = await warehouse(['users', 'tags']);
    const validate = await runCli(['validate', ...args, '--json']);
    expect(JSON.parse(validate.stdout)).toMatchObject({ rows: 2, valid: 2, losses: { lookup_missed: 3 } });
    const preview = await runCli(['preview', ...args, '--json']);
    const [first] = JSON.parse(preview.stdout) as { losses: { kind: string; path: string; detail: string }[] }[];
    expect(first!.losses.filter((loss) => loss.kind === 'lookup_missed')).toEqual([
      { kind: 'lookup_missed', path: 'messages[1].user.name', detail: 'users: 404' },
      { kind: 'lookup_missed', path: 'messages[1].user.email', detail: 'users: 404' },
      { kind: 'lookup_missed', path: 'messages[1].role', detail: 'users: 404' },
    ]);
  });
});
