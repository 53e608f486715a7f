import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start } from '../helpers/child.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Runs the built binary, as a user would. */
async function validate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(['validate', ...args], {});
  const code = await child.code;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

const CSV_MAPPING = {
  source: { format: 'csv', key: 'id', ignore: ['internal'] },
  conversation: {
    subject: '{{subject}}',
    category: 'support',
    status: { from: 'status', transform: ['trim', 'lowercase'], map: { open: 0, closed: 2 }, default: 0 },
    data: { legacy_priority: { from: 'prio' } },
    message: { body: { from: 'body', required: true } },
    user: { email: { from: 'email', required: true } },
  },
};

const CSV = 'id,subject,body,status,email,prio,internal,url,blank\n' +
  'T1,Hi,Hello,open,a@example.com,,note,http://x/1,\n' +
  'T2,Yo,Again,On-Hold,b@example.com,,,http://x/2,\n' +
  'T3,Ok,Third,,c@example.com,,note,,\n';

describe('validate: the loss report', () => {
  it('names an unused column with its count, not an ignored or an all-empty one; counts a default and the values that took it', async () => {
    const mapping = await write('m.json', JSON.stringify(CSV_MAPPING));
    const file = await write('t.csv', CSV);
    const result = await validate([file, '--mapping', mapping]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Source fields: 9 in the records; 6 read, 1 ignored (source.ignore), 2 empty in every row, 1 unused.');
    expect(result.stdout).toContain('Unused source fields (values the mapping neither reads nor ignores: map them, or list them in source.ignore):\n  url: 2 rows\n');
    expect(result.stdout).not.toMatch(/^ {2}(internal|blank):/m);
    expect(result.stdout).toContain('Defaults taken:\n  conversation.status: 2 rows took the default 0 (1 empty; not in the map: "on-hold" × 1)');
    expect(result.stdout).toContain('Mapped, but empty every time (a wrong column?):\n  conversation.data.legacy_priority: empty in all 3 rows (reads "prio")');
    expect(result.stdout).not.toContain('Strict');
  });

  it('--strict exits 1 and its last sentence says why', async () => {
    const mapping = await write('m.json', JSON.stringify(CSV_MAPPING));
    const file = await write('t.csv', CSV);
    const result = await validate([file, '--mapping', mapping, '--strict']);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('Strict: refused, because 1 source field holds values the mapping neither reads nor ignores (url); 1 leaf took its default (conversation.status).');
  });

  it('--strict exits 0 on a file the mapping carries whole', async () => {
    const mapping = await write('m.json', JSON.stringify({ ...CSV_MAPPING, source: { ...CSV_MAPPING.source, ignore: ['internal', 'url'] } }));
    const file = await write('t.csv', 'id,subject,body,status,email,prio,internal,url,blank\nT1,Hi,Hello,open,a@example.com,high,note,http://x/1,\n');
    const result = await validate([file, '--mapping', mapping, '--strict']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('Strict: every row is valid and every value of the export is carried.');
  });

  it('lists the values no map covers, and --json gives the whole report under its keys', async () => {
    const mapping = await write('m.json', JSON.stringify({
      source: { format: 'jsonl', key: 'id' },
      conversation: {
        subject: '{{subject}}',
        category: 'support',
        status: { from: 'status', map: { open: 0 } },
        message: { body: '{{body}}' },
        user: { email: '{{requester.email}}' },
      },
      messages: { from: 'comments', body: '{{text}}' },
    }));
    const records = [
      { id: 1, subject: 'A', body: 'x', status: 'open', requester: { email: 'a@example.com', name: 'Ann' }, comments: [{ text: 'c1' }] },
      { id: 2, subject: 'B', body: 'y', status: 'Escalated', requester: { email: 'b@example.com' }, comments: [] },
      { id: 3, subject: 'C', body: 'z', status: 'Escalated', requester: { email: 'c@example.com' }, via: { channel: 'web' }, comments: [] },
      { id: 4, subject: 'D', body: 'w', status: 'on-hold', requester: { email: 'd@example.com' }, comments: [] },
    ];
    const file = await write('t.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const human = await validate([file, '--mapping', mapping, '--strict']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('Values no map covers (their rows are invalid: add them to the map, or give it a default):\n  conversation.status: "Escalated" × 2, "on-hold" × 1');
    expect(human.stdout).toMatch(/^ {2}requester\.name: 1 row$/m);
    const json = await validate([file, '--mapping', mapping, '--json']);
    expect(json.code).toBe(1);
    const summary = JSON.parse(json.stdout);
    expect(summary.fields.unused).toEqual([{ field: 'requester.name', rows: 1 }, { field: 'via.channel', rows: 1 }]);
    expect(summary.fields.source).toContainEqual({ field: 'comments', rows: 1, use: 'read' });
    expect(summary.fields).toMatchObject({ ignored: [], empty_everywhere: 0, ignore_unmatched: [] });
    expect(summary.unmapped_values).toEqual({
      'conversation.status': { took_default: false, default: null, count: 3, distinct: 2, other: 0, values: [{ value: 'Escalated', count: 2 }, { value: 'on-hold', count: 1 }] },
    });
    expect(summary.targets).toContainEqual({ leaf: 'messages.body', per: 'message', reads: ['text'], count: 1, value: 1, empty: 0, default_taken: 0, default_taken_empty: 0, default: null });
    expect(summary.strict).toEqual({
      enforced: false,
      failed: true,
      reasons: [
        '3 rows are invalid',
        '2 source fields hold values the mapping neither reads nor ignores (requester.name, via.channel)',
        // The comment names no author: it is sent by the importer.
        '1 value was not carried as the export holds it (author_unknown)',
      ],
    });
  });
});

describe('the loss report of a relational export', () => {
  it('names the fields of the messages files that no message leaf reads, and --strict counts them', async () => {
    const tickets = await write('tickets.csv', 'id,subject,email\nT1,Hi,a@example.com\nT2,Yo,b@example.com\n');
    const comments = await write('comments.csv', 'id,ticket_id,body,created,channel_flag,blank\nc1,T1,First,2024-05-01 10:00:00,FALSE,\nc2,T2,Second,2024-05-01 11:00:00,TRUE,\n');
    const mapping = await write('m.json', JSON.stringify({
      source: { key: 'id' },
      conversation: { subject: '{{subject}}', category: 'support', message: {}, user: { email: '{{email}}' } },
      messages: { join: { on: 'ticket_id' }, order_by: 'created', body: '{{body}}', origin_id: '{{id}}' },
    }));
    const result = await validate([tickets, '--mapping', mapping, '--messages', comments, '--json', '--strict']);
    const summary = JSON.parse(result.stdout) as { valid: number; messages_fields: { unused: { field: string; rows: number }[]; empty_everywhere: number }; strict: { failed: boolean; reasons: string[] } };
    expect(summary.valid).toBe(2);
    expect(summary.messages_fields.unused).toEqual([{ field: 'channel_flag', rows: 2 }]);
    expect(summary.messages_fields.empty_everywhere).toBe(1);
    expect(result.code).toBe(1);
    expect(summary.strict.reasons.join('; ')).toContain('1 field of the messages files holds values the mapping neither reads nor ignores (channel_flag)');

    const human = await validate([tickets, '--mapping', mapping, '--messages', comments]);
    expect(human.stdout).toMatch(/Unused fields of the messages files \(map them in messages, or list them in source\.ignore\):\n {2}channel_flag: 2 messages/);
  });
});
