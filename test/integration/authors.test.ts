// Who sends each message, against the sandbox's staff list (GET /staff): the policies for an agent
// who is no staff member, the staff map, a staff list that cannot be read, and the assignee.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
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

const MAPPING = {
  source: { key: 'id' },
  conversation: {
    subject: '{{subject}}', category: 'support', status: 2,
    message: {},
    user: { name: '{{customer.name}}', email: '{{customer.email}}' },
    assignee: { email: '{{owner}}' },
  },
  messages: {
    from: 'thread',
    body: '{{text}}',
    visibility: { from: 'note', map: { true: 1, false: 0 }, default: 0 },
    role: '{{by}}',
    user: { name: '{{name}}', email: '{{email}}', id: '{{uid}}' },
    origin_id: '{{id}}',
  },
};

const CUSTOMER = { name: 'Carla Customer', email: 'carla@example.com' };

/** Ticket 1: the customer, a staff agent, an agent who is no staff member, an old address the staff map knows. */
const TICKETS = [
  {
    id: 't1', subject: 'Printer', customer: CUSTOMER, owner: 'ann@brand.example',
    thread: [
      { id: 'm1', text: 'It does not print.', by: 'customer', name: 'Carla Customer', email: 'carla@example.com' },
      { id: 'm2', text: 'Which model?', by: 'agent', name: 'Ann', email: 'ANN@brand.example' },
      { id: 'm3', text: 'Escalated.', by: 'agent', name: 'Old Bob', email: 'bob@old-helpdesk.example', note: true },
      { id: 'm4', text: 'Fixed by firmware.', by: 'agent', name: 'Gus Gone', email: 'gus@old-helpdesk.example' },
    ],
  },
  { id: 't2', subject: 'No thread, assigned', customer: CUSTOMER, owner: 'nobody@old-helpdesk.example', thread: [{ id: 'n1', text: 'Hello', by: 'customer', email: 'carla@example.com' }] },
];

async function files(): Promise<{ file: string; mapping: string; staffMap: string }> {
  const file = join(dir, 'tickets.jsonl');
  await writeFile(file, TICKETS.map((ticket) => JSON.stringify(ticket)).join('\n'));
  const mapping = join(dir, 'mapping.json');
  await writeFile(mapping, JSON.stringify(MAPPING));
  const staffMap = join(dir, 'staff-map.csv');
  await writeFile(staffMap, 'old,new\nbob@old-helpdesk.example,bob@brand.example\n');
  return { file, mapping, staffMap };
}

async function run(options: SandboxOptions, extra: string[]) {
  const { file, mapping, staffMap } = await files();
  server = await sandbox(options);
  const args = ['run', file, '--mapping', mapping, '--ledger', join(dir, 'l.db'), '--rate', '200', '--json', '--quiet', '--staff-map', staffMap, ...extra];
  const result = await runCli(args, { env: sandboxEnv(server) });
  expect(hasStackTrace(result.stderr)).toBe(false);
  return result;
}

const STAFF = [{ email: 'ann@brand.example', name: 'Ann B.' }, { email: 'bob@brand.example' }];

describe('message authors against the staff list', () => {
  it('sends each agent as their staff member (by e-mail or the staff map), the rest as the importer with the author named; counts every one', async () => {
    const result = await run({ staff: STAFF }, []);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { done: number; losses: Record<string, number> };
    expect(summary.done).toBe(2);
    expect(summary.losses).toEqual({ author_not_staff: 1, assignee_not_staff: 1 });
    const [first, second] = server!.conversations();
    expect(first!.messages.map((message) => [message.origin_id, message.user.email, message.author, message.visibility])).toEqual([
      [null, 'carla@example.com', 'customer', 0],
      ['m2', 'ann@brand.example', 'staff', 0],
      ['m3', 'bob@brand.example', 'staff', 1],
      ['m4', 'importer@example.com', 'staff', 0],
    ]);
    expect(first!.messages[3]!.body).toBe('_Originally written by Gus Gone <gus@old-helpdesk.example> (agent)_\n\nFixed by firmware.');
    // The assignee is set by the final PUT, as the staff list spells the address; a ticket without
    // replies gets that PUT too. One who is no staff member is left out.
    expect(first!.assignee).toBe('ann@brand.example');
    expect(second!.assignee).toBeNull();
    expect(server!.stats().byRoute['GET /staff']).toBe(1);
    expect(server!.stats().notifications).toBe(0);

    const status = await runCli(['status', '--ledger', join(dir, 'l.db'), '--json']);
    expect((JSON.parse(status.stdout) as { losses: { done: unknown } }).losses.done).toEqual({ author_not_staff: 1, assignee_not_staff: 1 });
  });

  it('with --unmatched-authors reject, refuses the ticket of an agent who is no staff member, with the message\'s path', async () => {
    const result = await run({ staff: STAFF }, ['--unmatched-authors', 'reject']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ done: 1, invalid: 1 });
    expect(server!.conversations().map((conversation) => conversation.subject)).toEqual(['No thread, assigned']);
    const failures = join(dir, 'failures.jsonl');
    await runCli(['failures', '--ledger', join(dir, 'l.db'), '--out', failures, '--format', 'jsonl']);
    const { readFile } = await import('node:fs/promises');
    const [row] = (await readFile(failures, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { key: string; error: string });
    expect(row!.key).toBe('t1');
    expect(row!.error).toMatch(/^messages\[3\]\.user: the author Gus Gone <gus@old-helpdesk\.example> \(agent\) is no Re:amaze staff member/);
  });

  it('stops before sending anything when the staff list cannot be read, and says what to do', async () => {
    const result = await run({ staff: STAFF, staffListing: false }, []);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('The staff list cannot be read (GET /staff: it answered 404)');
    expect(result.stderr).toContain('--no-staff-list');
    expect(server!.conversations()).toEqual([]);
  });

  it('with --no-staff-list, takes only the staff map\'s targets (and the importer) as staff', async () => {
    const result = await run({ staff: STAFF, staffListing: false }, ['--no-staff-list']);
    expect(result.code).toBe(0);
    const [first] = server!.conversations();
    // Ann is staff in Re:amaze, but nothing says so without the list: sent by the importer, named.
    expect(first!.messages.map((message) => message.user.email)).toEqual(['carla@example.com', 'importer@example.com', 'bob@brand.example', 'importer@example.com']);
    expect(JSON.parse(result.stdout)).toMatchObject({ losses: { author_not_staff: 2, assignee_not_staff: 2 } });
  });

  it('validate counts what it can know without the staff list, and preview shows it', async () => {
    const { file, mapping, staffMap } = await files();
    const validate = await runCli(['validate', file, '--mapping', mapping, '--json', '--staff-map', staffMap]);
    expect(validate.code).toBe(0);
    // Offline every agent with an e-mail is taken as written (run checks them): nothing is lost yet.
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: 2, losses: {} });
    const preview = await runCli(['preview', file, '--mapping', mapping, '--json', '--staff-map', staffMap]);
    const [row] = JSON.parse(preview.stdout) as { messages: { message: { user: { email: string } } }[]; final: unknown }[];
    expect(row!.messages.map((message) => message.message.user.email)).toEqual(['ANN@brand.example', 'bob@brand.example', 'gus@old-helpdesk.example']);
    expect(row!.final).toEqual({ conversation: { status: 2, assignee: { email: 'ann@brand.example' } } });
  });
});
