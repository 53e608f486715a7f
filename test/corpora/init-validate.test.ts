import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { CORPORA } from './corpora-path.js';
import { readAll } from '../unit/source/helpers.js';

const exportsDir = join(CORPORA, 'helpdesk-exports');

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

interface Mapping {
  source: { key?: string; encoding?: string };
  lookups?: Record<string, unknown>;
  conversation: {
    status?: { from: string; map: Record<string, number>; default?: unknown };
    message: { body?: { from?: string; transform?: string[] } };
    data?: Record<string, unknown>;
  };
  messages?: { from?: string; join?: { on: string } } | unknown[];
}

/** `init` on an export, then `validate` with the command line init printed (the files beside it included). */
async function initThenValidate(relative: string): Promise<{ init: Awaited<ReturnType<typeof runCli>>; mapping: Mapping; validate: Awaited<ReturnType<typeof runCli>>; report: Record<string, unknown> }> {
  const file = join(exportsDir, relative);
  const out = join(dir, 'mapping.json');
  const init = await runCli(['init', file, '--out', out]);
  expect(hasStackTrace(init.stderr)).toBe(false);
  const mapping = JSON.parse(await readFile(out, 'utf8')) as Mapping;
  const command = /Check it with: reamaze-import validate (.*)$/m.exec(init.stderr)?.[1] ?? '';
  const args = command.split(' ').filter(Boolean);
  expect(args.slice(0, 3)).toEqual([file, '--mapping', out]);
  const validate = await runCli(['validate', ...args, '--json']);
  expect(hasStackTrace(validate.stderr)).toBe(false);
  const report = validate.stdout.trim() === '' ? {} : (JSON.parse(validate.stdout) as Record<string, unknown>);
  return { init, mapping, validate, report };
}

/** Every distinct value of the status column, as the export holds it. */
async function statusValues(relative: string, column: string): Promise<string[]> {
  const { records } = await readAll(join(exportsDir, relative));
  return [...new Set(records.map((record) => String(record.fields[column] ?? '').trim().toLowerCase()).filter(Boolean))];
}

function expectMapCovers(mapping: Mapping, values: readonly string[]): void {
  const status = mapping.conversation.status!;
  expect(status.default).toBeUndefined();
  expect(values.filter((value) => !Object.hasOwn(status.map, value))).toEqual([]);
  expect(Object.values(mapping.conversation.data ?? {}).map((leaf) => JSON.stringify(leaf)).join(' ')).toContain(status.from);
}

/** The source fields the loss report names as holding values the mapping does not read. */
function unused(report: Record<string, unknown>): string[] {
  return ((report.fields as { unused?: { field: string }[] } | undefined)?.unused ?? []).map(({ field }) => field);
}

function expectNoMapErrors(report: Record<string, unknown>): void {
  expect(JSON.stringify(report.top_errors ?? [])).not.toContain('is not in the map');
}

describe('init → validate on every real export', () => {
  it('Freshdesk CSV (demo): the freshdesk-csv preset, every status mapped, Company and Resolved time kept', async () => {
    const relative = 'freshdesk-csv-export-demo-navyadornala/freshdesk_tickets.csv';
    const { init, mapping, validate, report } = await initThenValidate(relative);
    expect(init.stderr).toContain('Recognised a freshdesk-csv export: using the freshdesk-csv preset.');
    expect(init.stderr).toMatch(/"OpenPending" \(1 row\) → 1 \(Pending\), guessed from the word: check it/);
    expectMapCovers(mapping, await statusValues(relative, 'Status'));
    expect(mapping.conversation.data).toMatchObject({ legacy_company: '{{Company Name}}', legacy_resolved_at: { from: 'Resolved time' } });
    expect(validate.code).toBe(0);
    expect(report).toMatchObject({ rows: 45, valid: 45 });
    // What the preset does not read is named, with its rows, by init and by validate's loss report
    expect(init.stderr).toMatch(/Left out .*Summary \(45 rows\)/);
    expect(unused(report)).toEqual(expect.arrayContaining(['Summary', 'Email', 'Title']));
    expect(report.strict).toMatchObject({ enforced: false, failed: true });
  });

  it('Freshdesk CSV (header only, no Description): the preset adapted, the body from the subject, Freshdesk\'s statuses mapped', async () => {
    const { init, mapping, validate, report } = await initThenValidate('freshdesk-csv-export-thingtrax-header/80000422910_tickets-February-04-2025-12_12.header-only.csv');
    expect(init.code).toBe(0);
    expect(init.stderr).toContain('using the freshdesk-csv preset, without what this export lacks');
    expect(init.stderr).toContain('No message text column: the body repeats Subject.');
    expect(mapping.conversation.status!.map).toMatchObject({ open: 0, pending: 1, resolved: 2, closed: 2, 'waiting on customer': 1 });
    expect(mapping.conversation.data).toMatchObject({ legacy_group: '{{Group}}', legacy_assignee: '{{Agent}}', legacy_company: '{{Company Name}}' });
    expect(validate.code).toBe(0);
    // Nothing to lose in a file without rows: --strict would pass
    expect(report.strict).toMatchObject({ failed: false });
  });

  it('Kaggle tickets: guessed, plain-text bodies untouched, every status mapped', async () => {
    const relative = 'kaggle-customer-support-tickets-suraj520/customer_support_tickets.head.csv';
    const { init, mapping, validate, report } = await initThenValidate(relative);
    expect(init.stderr).toContain('No known export layout recognised');
    expect(mapping.conversation.message.body).toEqual({ from: 'Ticket Description', required: true });
    expect(init.stderr).toContain('10 of 3,183 values of Ticket Description contain HTML tags in plain text: kept as written');
    expectMapCovers(mapping, await statusValues(relative, 'Ticket Status'));
    expect(validate.code).toBe(0);
    expect(report).toMatchObject({ rows: 3183, valid: 3183 });
    expectNoMapErrors(report);
    expect(init.stderr).toMatch(/Left out .*Customer Age \(3,183 rows\)/);
    expect(unused(report)).toEqual(expect.arrayContaining(['Customer Age', 'Resolution', 'Date of Purchase']));
  });

  it('multilingual tickets: the answer column becomes the agent\'s reply, the e-mail is left to fill in', async () => {
    const { init, mapping, validate } = await initThenValidate('multilingual-tickets-tobi-bueck/aa_dataset-tickets-multi-lang-5-2-50-version.csv');
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(/To do: conversation\.user\.email/);
    expect(mapping.messages).toEqual([{ body: { from: 'answer', required: true }, role: 'agent' }]);
    // 97 of its 99 bodies hold "\n" escapes and none a real line break: unescaped, nothing else
    expect(mapping.conversation.message.body).toEqual({ from: 'body', transform: ['unescape-newlines'], required: true });
    expect(init.stderr).toMatch(/Left out .*version \(99 rows\)/);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('conversation.user.email.from');
  });

  it('Zendesk CSV (plum, no requester e-mail): the zendesk-csv preset adapted, every status mapped, the e-mail left to fill in', async () => {
    const relative = 'zendesk-csv-export-plum/DA_Assignment.sample.csv';
    const { init, mapping } = await initThenValidate(relative);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('using the zendesk-csv preset, without what this export lacks');
    expect(init.stderr).toContain('This export names each requester by Requester id');
    expectMapCovers(mapping, await statusValues(relative, 'Status'));
  });

  it('Zendesk warehouse: recognised, with its comments, users and tags files named; deleted tickets archived', async () => {
    const { init, mapping, validate, report } = await initThenValidate('zendesk-fivetran-warehouse-csv-dbt_zendesk/ticket_data.csv');
    expect(init.stderr).toContain('Recognised a zendesk-warehouse-csv export: using the zendesk-warehouse-csv preset.');
    expect(init.stderr).toMatch(/--messages \S+ticket_comment_data\.csv --lookup users=\S+user_data\.csv --lookup tags=\S+ticket_tag_data\.csv/);
    expect(mapping.conversation.status!.map).toMatchObject({ deleted: 4, closed: 2, solved: 2 });
    // Never the support address as the customer
    expect(JSON.stringify(mapping.conversation)).not.toContain('recipient');
    expect(validate.code).toBe(1);
    expect(report).toMatchObject({ rows: 10, messages_files: { messages: 20 } });
    expect(unused(report)).toEqual(expect.arrayContaining(['recipient', 'submitter_id']));
    expectNoMapErrors(report);
  });

  it('Zendesk API tickets: the zendesk-json preset with the users file beside it', async () => {
    const { init, validate, report } = await initThenValidate('zendesk-api-json-go-zendesk/GET_tickets.json');
    expect(init.stderr).toContain('Recognised a zendesk-json export');
    expect(init.stderr).toMatch(/--lookup users=\S+GET_users\.json/);
    expect(init.stderr).toContain('GET_ticket_comments.json looks like messages but names no ticket');
    // The ticket sent by e-mail is valid; the other names its requester only by requester_id, whom
    // the users file of this sample does not hold: invalid, and said so
    expect(report).toMatchObject({ rows: 2, valid: 1, invalid: 1 });
    expect(unused(report)).toEqual(expect.arrayContaining(['raw_subject', 'recipient', 'follower_ids']));
    expect(JSON.stringify(report.top_errors)).toContain('conversation.user.email: required');
    expect(validate.code).toBe(1);
  });

  it('Zendesk JSON (coding challenge, _id keys): the requester through submitter_id and users.json', async () => {
    const { init, mapping, report } = await initThenValidate('zendesk-coding-challenge-json/tickets.json');
    expect(init.stderr).toContain('using the zendesk-json preset, without what this export lacks');
    expect(mapping.source.key).toBe('_id');
    expect(mapping.lookups).toMatchObject({ users: { key: '_id' } });
    expect(report).toMatchObject({ rows: 200 });
    expect(report.valid as number).toBeGreaterThan(190);
    expect(unused(report)).toEqual(['url', 'external_id', 'has_incidents']);
    expectNoMapErrors(report);
  });

  it('Help Scout API conversation ({"item": …}): the helpscout-json preset reading its threads', async () => {
    const { init, mapping, report } = await initThenValidate('helpscout-api-v1-json-helpscout-api-java/conversation_10.json');
    expect(init.stderr).toContain('Recognised a helpscout-json export: using the helpscout-json preset.');
    expect(mapping.messages).toMatchObject({ from: 'threads' });
    expect(report).toMatchObject({ rows: 1, valid: 1 });
    // The thread is read whole; what the preset leaves (the conversation's own createdBy, its source) is named
    expect(unused(report)).toEqual(expect.arrayContaining(['createdBy.email', 'source.via', 'preview']));
    expect(unused(report).some((field) => field.startsWith('threads'))).toBe(false);
  });

  it('Freshdesk API ticket: the freshdesk-json preset, its conversations joined from v2_conversations.json', async () => {
    const { init, mapping, report } = await initThenValidate('freshdesk-api-json-python-freshdesk/v2_ticket_1.json');
    expect(init.stderr).toContain('Recognised a freshdesk-json export');
    expect(mapping.messages).toMatchObject({ join: { on: 'ticket_id' } });
    expect(init.stderr).toMatch(/--messages \S+v2_conversations\.json/);
    expect(report).toMatchObject({ rows: 1, valid: 1, messages_files: { messages: 2 } });
    expect(unused(report)).toEqual(expect.arrayContaining(['description_text', 'spam', 'fr_escalated']));
  });

  it('Help Scout API conversations, one document each in a folder: init and validate read the folder as one export', async () => {
    const folder = join(dir, 'conversations');
    await mkdir(folder);
    for (const name of ['conversation_10.json', 'conversation_11.json', 'conversation_13.json']) {
      await copyFile(join(exportsDir, 'helpscout-api-v1-json-helpscout-api-java', name), join(folder, name));
    }
    const out = join(dir, 'mapping.json');
    const init = await runCli(['init', folder, '--out', out]);
    expect(init.stderr).toContain('Recognised a helpscout-json export: using the helpscout-json preset.');
    const validate = await runCli(['validate', folder, '--mapping', out, '--json']);
    expect(JSON.parse(validate.stdout)).toMatchObject({ rows: 3, files: [{ rows: 1 }, { rows: 1 }, { rows: 1 }] });
  });
});
