// What arrives is what the export held: each thread preset imports the fixtures of fixtures/fidelity/
// into a sandbox, and an oracle written here, from the export alone, says what the sandbox must hold
// and which losses must be counted. Nothing below is copied from the tool's output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeldConversation, Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, REPO, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Counts = Record<string, number>;
const FIXTURES = join(REPO, 'fixtures', 'fidelity');
const fixture = (path: string) => join(FIXTURES, path);
const readJson = (path: string): Json => JSON.parse(readFileSync(fixture(path), 'utf8')) as Json;
const readLines = (path: string): Json[] => readFileSync(fixture(path), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Json);
/** The token's user (sandboxEnv's login): what has no other author is sent as them. */
const IMPORTER = 'importer@example.com';

/** A person as the export names them; no email: nobody can name them. */
interface Person { role?: 'customer' | 'agent' | undefined; email?: string | undefined }
/** One message as the export says it must arrive. */
interface Message { text: string; visibility: 0 | 1; author: Person; origin: string; at: string; header: string[]; attachments: string[] }
/** One conversation as the export says it must arrive. */
interface Ticket {
  key: string; subject: string; status: number; tags: string[]; customer: string; assignee: Person | undefined;
  data: Json; absent: string[]; copies: string[]; opening: Message | undefined; messages: Message[];
}

/** The oracle's own date reading: ISO 8601 UTC, null for a placeholder, undefined when unreadable. */
function iso(text: string): string | null | undefined {
  if (/^(1900-01-01|0000-00-00|0001-01-01)/.test(text)) return null;
  const time = Date.parse(text.trim().replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2').replace(/\s+([+-]\d\d:?\d\d|Z)$/, '$1'));
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
/** Counts a date's loss, and gives its ISO form (or nothing). */
function date(text: unknown, losses: Counts): string | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  const value = iso(String(text));
  if (value === null) count(losses, 'date_sentinel');
  if (value === undefined) count(losses, 'date_unparsed');
  return value ?? undefined;
}
const count = (counts: Counts, kind: string, n = 1) => n > 0 && (counts[kind] = (counts[kind] ?? 0) + n);
const lower = (email: unknown) => (typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : undefined);
/** What a body says once Markdown or HTML emphasis is set aside: the words, in order. */
const words = (text: string) => text.replace(/<[^>]+>/g, ' ').replace(/[*_\\]/g, '').replace(/\s+/g, ' ').replace(/ ([.,;:!?])/g, '$1').trim();

/** Who a message must be sent as: a customer as themselves, an agent as their staff member, else the importer. */
function sender(author: Person, staff: Set<string>, map: Json, customer: string, losses: Counts): { email: string; author: 'staff' | 'customer' } {
  if (author.email === undefined) {
    count(losses, 'author_unknown');
    return author.role === 'customer' ? { email: customer, author: 'customer' } : { email: IMPORTER, author: 'staff' };
  }
  if (author.role === 'customer') return { email: author.email, author: 'customer' };
  const email = (map[author.email] as string | undefined) ?? author.email;
  if (staff.has(email)) return { email, author: 'staff' };
  count(losses, 'author_not_staff');
  return { email: IMPORTER, author: 'staff' };
}

/** The assignee's staff e-mail, or null (counted) when they are no staff member. */
function assigneeOf(ticket: Ticket, staff: Set<string>, map: Json, losses: Counts): string | null {
  if (ticket.assignee === undefined) return null;
  const email = ticket.assignee.email === undefined ? undefined : ((map[ticket.assignee.email] as string | undefined) ?? ticket.assignee.email);
  if (email !== undefined && staff.has(email)) return email;
  count(losses, 'assignee_not_staff');
  return null;
}

/** Counts the losses of every author and assignee of the tickets. */
function countAuthors(tickets: Ticket[], staff: Set<string>, map: Json, losses: Counts): void {
  for (const ticket of tickets) {
    for (const message of ticket.opening ? [ticket.opening, ...ticket.messages] : ticket.messages) sender(message.author, staff, map, ticket.customer, losses);
    assigneeOf(ticket, staff, map, losses);
  }
}

/** Attachment URLs of a message; every one after the first is linked in the body. */
function urls(list: unknown, key: string, losses: Counts): string[] {
  const found = Array.isArray(list) ? list.map((item: Json) => String(item[key])) : [];
  count(losses, 'attachments_linked', found.length - 1);
  return found;
}

/** The messages as they must arrive: by time; the first public opens, notes before it come right after. */
function arrange(messages: Message[], opensWithThread: boolean, losses: Counts): { opening: Message | undefined; rest: Message[] } {
  const sorted = [...messages].sort((a, b) => Date.parse(iso(a.at)!) - Date.parse(iso(b.at)!));
  if (!opensWithThread) return { opening: undefined, rest: sorted };
  const at = sorted.findIndex((message) => message.visibility === 0);
  count(losses, 'note_reordered', at);
  return { opening: sorted[at], rest: [...sorted.slice(0, at), ...sorted.slice(at + 1)] };
}

/** The fields of `data` that must be absent (empty dates, placeholders), taken out of it. */
function absentOf(data: Json): string[] {
  const absent = Object.keys(data).filter((field) => data[field] === undefined);
  for (const field of absent) delete data[field];
  return absent;
}

/** Custom fields by name, one level deep: empty ones left out, a name already taken dropped. */
function customFields(fields: [name: string, value: unknown][], data: Json, losses: Counts): void {
  for (const [name, value] of fields) {
    const flat = Array.isArray(value) ? value.join(', ') : value;
    if (flat === null || flat === undefined || flat === '') continue;
    if (Object.hasOwn(data, name)) count(losses, 'custom_field_dropped');
    else data[name] = flat;
  }
}

/** The losses `validate` can know offline: every kind but an agent's or assignee's missing staff match. */
function offline(tickets: Ticket[], online: Counts): Counts {
  const { author_not_staff: _a, assignee_not_staff: _b, ...rest } = online;
  const unnamed = tickets.filter((ticket) => ticket.assignee !== undefined && ticket.assignee.email === undefined).length;
  if (unnamed > 0) rest.assignee_not_staff = unnamed;
  return rest;
}

interface Imported { held: Map<string, HeldConversation>; validate: Json; run: Json; status: Json }

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** validate --json, run --json into a fresh sandbox with these staff, then status --json. */
async function importFixture(file: string, preset: string, extra: string[], staff: string[]): Promise<Imported> {
  const args = [fixture(file), '--mapping', preset, '--json', '--quiet', ...extra];
  const validate = await runCli(['validate', ...args]);
  expect(hasStackTrace(validate.stderr)).toBe(false);
  server = await sandbox({ staff: staff.map((email) => ({ email })) });
  const ledger = join(dir, 'fidelity.db');
  const run = await runCli(['run', ...args, '--ledger', ledger, '--rate', '200'], { env: sandboxEnv(server) });
  expect(hasStackTrace(run.stderr)).toBe(false);
  const status = await runCli(['status', '--ledger', ledger, '--json']);
  expect(server.stats()).toMatchObject({ notifications: 0, duplicateKeys: 0, duplicateOriginIds: 0 });
  const held = new Map(server.conversations().map((conversation) => [String(conversation.data.import_key), conversation]));
  return { held, validate: JSON.parse(validate.stdout) as Json, run: JSON.parse(run.stdout) as Json, status: JSON.parse(status.stdout) as Json };
}

/** Compares, field by field, what the sandbox holds with what the oracle derived from the export. */
function expectFidelity(result: Imported, tickets: Ticket[], staff: Set<string>, map: Json, online: Counts): void {
  const rows = tickets.length;
  expect(result.validate).toMatchObject({ rows, valid: rows, invalid: 0, duplicates: 0 });
  expect(result.run).toMatchObject({ rows, done: rows, invalid: 0, rejected: 0, failed: 0, uncertain: 0, duplicates: 0 });
  expect(result.held.size).toBe(rows);
  for (const ticket of tickets) {
    const held = result.held.get(ticket.key);
    expect(held, `ticket ${ticket.key}`).toBeDefined();
    const where = (what: string) => `ticket ${ticket.key}: ${what}`;
    expect(held!.subject, where('subject')).toBe(ticket.subject);
    expect(held!.status, where('status')).toBe(ticket.status);
    expect(held!.tag_list, where('tags')).toEqual(ticket.tags);
    expect(held!.user.email, where('customer')).toBe(ticket.customer);
    expect(held!.assignee, where('assignee')).toBe(assigneeOf(ticket, staff, map, {}));
    expect(held!.data, where('data')).toMatchObject(ticket.data);
    for (const field of ticket.absent) expect(held!.data, where(`data.${field}`)).not.toHaveProperty(field);

    const expected = [ticket.opening, ...ticket.messages];
    expect(held!.messages.map((m) => m.origin_id), where('message order')).toEqual([null, ...ticket.messages.map((m) => m.origin)]);
    held!.messages.forEach((message, i) => {
      const want = expected[i];
      const at = where(`message ${i} (${want?.origin ?? 'own body'})`);
      expect(message.notified, at).toBe(false);
      if (i === 0 && ticket.copies.length > 0) for (const line of ticket.copies) expect(message.body, at).toContain(line);
      if (want === undefined) return;
      const who = sender(want.author, staff, map, ticket.customer, {});
      expect(message.visibility, at).toBe(want.visibility);
      expect({ email: message.user.email, author: message.author }, at).toEqual(i === 0 && who.author === 'customer' ? { email: ticket.customer, author: 'customer' } : who);
      expect(words(message.body), at).toContain(words(want.text));
      for (const part of want.header) expect(message.body, at).toContain(part);
      expect(message.attachment, at).toBe(want.attachments[0] ?? null);
      for (const url of want.attachments.slice(1)) expect(message.body, at).toContain(`](${url})`);
    });
    // Private stays private: a note's words are in no public message.
    for (const note of expected.filter((m) => m?.visibility === 1)) {
      for (const message of held!.messages.filter((m) => m.visibility === 0)) expect(words(message.body), where(`note ${note!.origin}`)).not.toContain(words(note!.text));
    }
  }
  expect(result.run.losses).toEqual(online);
  expect(result.status.losses.done).toEqual(online);
  expect(result.validate.losses).toEqual(offline(tickets, online));
}

describe('zendesk-json: tickets with comments, users and ticket fields by lookup, a staff map', () => {
  const users = new Map<number, Json>(readJson('zendesk/users.json').users.map((user: Json) => [user.id as number, user]));
  const titles = new Map<number, string>(readJson('zendesk/ticket_fields.json').ticket_fields.map((field: Json) => [field.id as number, field.title as string]));
  const person = (id: unknown): Person => {
    const user = users.get(id as number);
    return { role: user === undefined ? undefined : user.role === 'end-user' ? 'customer' : 'agent', email: lower(user?.email) };
  };
  const STATUS: Json = { new: 0, open: 0, pending: 1, hold: 1, solved: 2, closed: 2, deleted: 4 };

  function oracle(losses: Counts, file = 'zendesk/tickets.jsonl'): Ticket[] {
    return readLines(file).map((ticket): Ticket => {
      const data: Json = {
        legacy_id: ticket.id, legacy_status: ticket.status, legacy_created_at: date(ticket.created_at, losses),
        legacy_updated_at: date(ticket.updated_at, losses), legacy_due_at: date(ticket.due_at, losses),
      };
      const absent = absentOf(data);
      const cc = (ticket.collaborator_ids as number[]).map((id) => lower(users.get(id)?.email)!);
      if (cc.length > 0) data.legacy_cc = cc.join(', ');
      customFields((ticket.custom_fields as Json[]).map((field) => [titles.get(field.id as number) ?? String(field.id), field.value]), data, losses);
      // A comment author the users lookup lacks: its role, name and e-mail, each not found.
      for (const comment of ticket.comments as Json[]) if (!users.has(comment.author_id as number)) count(losses, 'lookup_missed', 3);
      const messages = (ticket.comments as Json[]).map((comment): Message => ({
        text: String(comment.body).trim(), visibility: comment.public ? 0 : 1, author: person(comment.author_id), origin: String(comment.id), at: comment.created_at as string,
        header: [`${date(comment.created_at, losses)} · Zendesk user ${comment.author_id}`], attachments: urls(comment.attachments, 'content_url', losses),
      }));
      const { opening, rest } = arrange(messages, true, losses);
      return {
        key: String(ticket.id), subject: ticket.subject as string, status: STATUS[ticket.status as string] as number, tags: ticket.tags as string[],
        customer: person(ticket.requester_id).email!, assignee: ticket.assignee_id === null ? undefined : person(ticket.assignee_id),
        data, absent, copies: cc.length > 0 ? [`Cc: ${cc.join(', ')}`] : [], opening, messages: rest,
      };
    });
  }

  it('holds every comment as the export says: order, visibility, author, text, attachments; assignee, copies, fields, dates', async () => {
    // Alice is staff; Bob is staff under a new address (the staff map); Nora, a contractor, is not.
    const staff = ['alice@support.example', 'bob@support.example'];
    const map = readJson('staff-map.json');
    const losses: Counts = {};
    const tickets = oracle(losses);
    const result = await importFixture('zendesk/tickets.jsonl', 'zendesk-json', [
      '--lookup', `users=${fixture('zendesk/users.json')}`, '--lookup', `fields=${fixture('zendesk/ticket_fields.json')}`, '--staff-map', fixture('staff-map.json'),
    ], staff);
    const everyStaff = new Set([...staff, IMPORTER]);
    countAuthors(tickets, everyStaff, map, losses);
    expectFidelity(result, tickets, everyStaff, map, losses);
  });

  it.each([
    ['an agent-created ticket, whose "via" names no sender (Zendesk: web channel, from {})', 'zendesk/outbound-web.jsonl'],
    ['comment times written with their offset after a space, as updated_at is', 'zendesk/spaced-offsets.jsonl'],
  ])('holds %s', async (_what, file) => {
    const staff = ['alice@support.example', 'bob@support.example'];
    const map = readJson('staff-map.json');
    const losses: Counts = {};
    const tickets = oracle(losses, file);
    const result = await importFixture(file, 'zendesk-json', [
      '--lookup', `users=${fixture('zendesk/users.json')}`, '--lookup', `fields=${fixture('zendesk/ticket_fields.json')}`, '--staff-map', fixture('staff-map.json'),
    ], staff);
    const everyStaff = new Set([...staff, IMPORTER]);
    countAuthors(tickets, everyStaff, map, losses);
    expectFidelity(result, tickets, everyStaff, map, losses);
  });
});

describe('freshdesk-json: v2 tickets with conversations, contacts and agents by lookup', () => {
  const users = new Map<number, Json>((readJson('freshdesk/users.json') as Json[]).map((user) => [user.id as number, user]));
  const STATUS: Json = { 2: 0, 3: 1, 4: 2, 5: 2, 6: 1, 7: 1 };
  const copies = (cc: unknown, bcc: unknown) => [cc, bcc].flatMap((list, i) => (Array.isArray(list) && list.length > 0 ? [`${i === 0 ? 'Cc' : 'Bcc'}: ${list.map(lower).join(', ')}`] : []));
  // A Bcc was hidden from the customer: only a private note's text shows it; a public message's is counted.
  const hidden = (item: Json, losses: Counts) => {
    const shown = item.private || !Array.isArray(item.bcc_emails) || item.bcc_emails.length === 0;
    if (!shown) count(losses, 'bcc_not_shown');
    return shown ? item.bcc_emails : undefined;
  };

  function oracle(losses: Counts): Ticket[] {
    return readLines('freshdesk/tickets.jsonl').map((ticket): Ticket => {
      const data: Json = {
        legacy_id: ticket.id, legacy_status: ticket.status, legacy_priority: ticket.priority_name, legacy_created_at: date(ticket.created_at, losses),
        legacy_updated_at: date(ticket.updated_at, losses), legacy_due_by: date(ticket.due_by, losses),
      };
      const absent = absentOf(data);
      const cc = (ticket.cc_emails as string[]).map((email) => lower(email)!);
      if (cc.length > 0) data.legacy_cc = cc.join(', ');
      customFields(Object.entries(ticket.custom_fields as Json), data, losses);
      const customer = lower(ticket.requester.email)!;
      // The ticket's own description opens the conversation, as the requester; every conversation follows.
      const opening: Message = {
        text: ticket.description as string, visibility: 0, author: { role: 'customer', email: customer }, origin: '', at: ticket.created_at as string,
        header: [`${date(ticket.created_at, losses)} · ${ticket.requester.name}`], attachments: urls(ticket.attachments, 'attachment_url', losses),
      };
      // An author the users lookup lacks: its name and e-mail, each not found.
      for (const item of ticket.conversations as Json[]) if (!users.has(item.user_id as number)) count(losses, 'lookup_missed', 2);
      const messages = (ticket.conversations as Json[]).map((item): Message => ({
        text: item.body as string, visibility: item.private ? 1 : 0, origin: String(item.id), at: item.created_at as string,
        author: { role: item.incoming ? 'customer' : 'agent', email: lower(users.get(item.user_id as number)?.email) },
        header: [`${date(item.created_at, losses)} · Freshdesk user ${item.user_id}`, ...copies(item.cc_emails, hidden(item, losses))],
        attachments: urls(item.attachments, 'attachment_url', losses),
      }));
      const responder = users.get(ticket.responder_id as number);
      return {
        key: String(ticket.id), subject: ticket.subject as string, status: STATUS[ticket.status as number] as number, tags: ticket.tags as string[], customer,
        assignee: ticket.responder_id === null ? undefined : { role: 'agent', email: lower(responder?.email) },
        data, absent, copies: cc.length > 0 ? [`Cc: ${cc.join(', ')}`] : [], opening, messages: arrange(messages, false, losses).rest,
      };
    });
  }

  it('holds the description, then every reply and note in time order, each by its author, with copies, fields and attachments', async () => {
    // Priya is a Re:amaze staff member; Omar, an agent of the old helpdesk, is not.
    const staff = new Set(['priya@support.example', IMPORTER]);
    const losses: Counts = {};
    const tickets = oracle(losses);
    countAuthors(tickets, staff, {}, losses);
    const result = await importFixture('freshdesk/tickets.jsonl', 'freshdesk-json', ['--lookup', `users=${fixture('freshdesk/users.json')}`], ['priya@support.example']);
    expectFidelity(result, tickets, staff, {}, losses);
  });
});

describe('helpscout-json: v1 conversations with their threads, newest first', () => {
  const STATUS: Json = { active: 0, pending: 1, closed: 2, spam: 3 };
  const VISIBILITY: Json = { customer: 0, message: 0, chat: 0, phone: 0 };
  const person = (by: Json | null): Person | undefined => (by === null ? undefined : { role: by.type === 'customer' ? 'customer' : 'agent', email: lower(by.email) });

  function oracle(losses: Counts): Ticket[] {
    return readLines('helpscout/conversations.jsonl').map((item): Ticket => {
      const data: Json = {
        legacy_id: item.id, legacy_number: item.number, legacy_status: item.status,
        legacy_created_at: date(item.createdAt, losses), legacy_closed_at: date(item.closedAt, losses),
      };
      const absent = absentOf(data);
      const [cc, bcc] = [item.cc as string[], item.bcc as string[]].map((list) => list.map((email) => lower(email)!));
      if (cc!.length > 0) data.legacy_cc = cc!.join(', ');
      if (bcc!.length > 0) data.legacy_bcc = bcc!.join(', ');
      customFields((item.customFields as Json[]).map((field) => [field.name as string, field.value]), data, losses);
      // A thread without a body (a line item: a status change) is no message.
      const messages = (item.threads as Json[]).filter((thread) => typeof thread.body === 'string' && thread.body.trim() !== '').map((thread): Message => ({
        text: thread.body as string, visibility: (VISIBILITY[thread.type as string] as 0 | undefined) ?? 1, author: person(thread.createdBy)!,
        origin: String(thread.id), at: thread.createdAt as string, attachments: urls(thread.attachments, 'url', losses),
        header: [`${date(thread.createdAt, losses)} · ${thread.createdBy.firstName} ${thread.createdBy.lastName} (${thread.createdBy.type})`],
      }));
      const { opening, rest } = arrange(messages, true, losses);
      return {
        key: String(item.id), subject: item.subject as string, status: STATUS[item.status as string] as number, tags: (item.tags as string[] | null) ?? [],
        customer: lower(item.customer.email)!, assignee: person(item.owner as Json | null), data, absent,
        // The ticket's Bcc stays in data: the opening message is public.
        copies: cc!.length > 0 ? [`Cc: ${cc!.join(', ')}`] : [], opening, messages: rest,
      };
    });
  }

  it('holds the threads oldest first, notes private and after the opening message, each by its author; owner, copies, fields', async () => {
    // Ann is a Re:amaze staff member; Ben is not; a team owns the second conversation.
    const staff = new Set(['ann@support.example', IMPORTER]);
    const losses: Counts = {};
    const tickets = oracle(losses);
    countAuthors(tickets, staff, {}, losses);
    const result = await importFixture('helpscout/conversations.jsonl', 'helpscout-json', [], ['ann@support.example']);
    expectFidelity(result, tickets, staff, {}, losses);
  });
});
