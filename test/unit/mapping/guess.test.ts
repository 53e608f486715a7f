import { describe, expect, it } from 'vitest';
import { guessMapping, recogniseLayout } from '../../../src/mapping/guess.js';
import { profileRecords, ProfileBuilder } from '../../../src/mapping/profile.js';
import { guessStatus, statusOfWord } from '../../../src/mapping/statuses.js';
import { dateRule } from '../../../src/mapping/guess-dates.js';

const csv = { format: 'csv' as const, encoding: 'utf-8', delimiter: ',' };
const conversationOf = (spec: Record<string, unknown>) => spec.conversation as Record<string, Record<string, unknown>>;

describe('init guesses', () => {
  it.each([
    [['Id', 'Requester', 'Requester email', 'Subject', 'Via', 'Satisfaction Score'], 'zendesk-csv'],
    [['Ticket ID', 'Subject', 'Created time', 'Full name', 'Contact ID'], 'freshdesk-csv'],
    [['Ticket Number', 'Date Created', 'From Email', 'Help Topic'], 'osticket-csv'],
    [['item.id', 'item.threads', 'item.customer.email', 'item.mailbox.id'], 'helpscout-json'],
    [['id', 'requester_id', 'submitter_id', 'via_channel', '_fivetran_synced', 'recipient'], 'zendesk-warehouse-csv'],
    [['ticket_id', 'subject', 'body', 'email', 'status', 'name'], 'generic-csv'],
    [['id', 'subject', 'body'], undefined],
  ])('recognises %j as %s', (columns, layout) => {
    expect(recogniseLayout(columns)).toBe(layout);
  });

  it('maps status words to Re:amaze status numbers and leaves unknown words out', () => {
    expect(['Open', 'Pending Customer Response', 'Closed', 'Solved', 'Spam', 'Deleted', 'Escalated', 'Frobbed'].map(statusOfWord))
      .toEqual([0, 1, 2, 2, 3, 4, 0, undefined]);
  });

  it('maps every value of the whole column with its count, a vendor\'s own statuses included, and no default', () => {
    const builder = new ProfileBuilder(['status']);
    for (let i = 0; i < 12_000; i++) builder.add({ status: i < 11_990 ? 'Open' : i < 11_995 ? 'Waiting on Customer' : 'Zorped' });
    const guess = guessStatus('status', builder.build().column('status'), 'freshdesk');
    expect(guess.rule.default).toBeUndefined();
    expect(guess.rule.map).toMatchObject({ open: 0, 'waiting on customer': 1, resolved: 2, closed: 2, 4: 2 });
    expect(guess.rule.map).not.toHaveProperty('zorped');
    expect(guess.report).toContain('"Waiting on Customer" (5 rows) → 1 (Pending) (freshdesk\'s own status)');
    expect(guess.todo).toEqual([expect.stringContaining('"Zorped" (5 rows) is no status init knows')]);
  });

  it('splits tags on commas or, for space-separated Zendesk tags, on spaces', () => {
    const spaced = guessMapping({ profile: profileRecords([{ id: '1', email: 'a@b.co', body: 'x', tags: 'vip late' }]), dialect: csv });
    expect(spaced.spec.conversation).toMatchObject({ tag_list: { from: 'tags', split: ' ' } });
    const commas = guessMapping({ profile: profileRecords([{ id: '1', email: 'a@b.co', body: 'x', tags: 'vip, late' }]), dialect: csv });
    expect(commas.spec.conversation).toMatchObject({ tag_list: { from: 'tags', split: ',' } });
  });

  it('never takes a mailbox, agent or recipient address for the customer', () => {
    const json = { format: 'json' as const, encoding: 'utf-8' };
    const guess = guessMapping({ profile: profileRecords([], ['id', 'mailbox.name', 'owner.email', 'customer.email', 'body']), dialect: json });
    expect(guess.spec.conversation).toMatchObject({ user: { email: { from: 'customer.email' } } });
    expect(conversationOf(guess.spec).user!.name).toBeUndefined();
    const records = [1, 2, 3].map((n) => ({ id: String(n), recipient: 'support@shop.example', submitter: `c${n}@mail.example`, body: 'x' }));
    const byValues = guessMapping({ profile: profileRecords(records), dialect: csv });
    expect(conversationOf(byValues.spec).user!.email).toMatchObject({ from: 'submitter' });
  });

  it('converts HTML only when most values are HTML, and says how many values hold tags otherwise', () => {
    const bodies = (html: number) => Array.from({ length: 10 }, (_, i) => ({ id: String(i), email: 'a@b.co', body: i < html ? '<p>Hi <b>there</b></p>' : 'line one\nline two' }));
    const plain = guessMapping({ profile: profileRecords(bodies(2)), dialect: csv });
    expect(conversationOf(plain.spec).message!.body).toEqual({ from: 'body', required: true });
    expect(plain.notes.join('\n')).toContain('2 of 10 values of body contain HTML tags in plain text: kept as written');
    const html = guessMapping({ profile: profileRecords(bodies(8)), dialect: csv });
    expect(conversationOf(html.spec).message!.body).toEqual({ from: 'body', transform: ['html-to-markdown'], required: true });
  });

  it('keeps the raw status in data, sends an answer column as a reply and joins numbered tag columns', () => {
    const record = { subject: 's', body: 'b', answer: 'a', status: 'open', tag_1: 'x', tag_2: 'y', email: 'c@d.co' };
    const guess = guessMapping({ profile: profileRecords([record]), dialect: csv });
    expect(conversationOf(guess.spec).data).toMatchObject({ legacy_status: '{{status}}' });
    expect(guess.spec.messages).toEqual([{ body: { from: 'answer', required: true }, role: 'agent' }]);
    expect(conversationOf(guess.spec).tag_list).toEqual({ from: '{{tag_1}},{{tag_2}}', split: ',' });
  });

  it('sets windows-1252 and says so when records have bytes that are not UTF-8', () => {
    const builder = new ProfileBuilder(['id', 'email', 'body']);
    builder.add({ id: '1', email: 'a@b.co', body: 'caf\uFFFD' });
    builder.addProblem('encoding');
    const guess = guessMapping({ profile: builder.build(), dialect: csv });
    expect(guess.spec.source).toMatchObject({ encoding: 'windows-1252' });
    expect(guess.notes.join('\n')).toContain('1 record has bytes that are not UTF-8');
  });

  it('reads dates by what the column holds: ISO as timestamp, else the one format every value fits', () => {
    const column = (values: string[]) => profileRecords(values.map((created) => ({ created })));
    expect(dateRule('created', column(['2024-03-01 10:00:00', '2024-03-02T11:00:00Z'])).rule).toEqual({ from: 'created', transform: ['timestamp'] });
    const dayFirst = dateRule('created', column(['22-03-2021 10:15', '01-06-2023 12:15']));
    expect(dayFirst.rule).toEqual({ from: 'created', transform: [{ date: 'DD-MM-YYYY HH:mm' }] });
    expect(dayFirst.note).toBe('created: dates read as DD-MM-YYYY HH:mm.');
    const ambiguous = dateRule('created', column(['01/06/2023', '02/07/2023']));
    expect(ambiguous.note).toContain('but MM/DD/YYYY fits every value too');
    expect(dateRule('created', column(['last tuesday'])).note).toContain('in no format init knows');
  });
});
