import { describe, expect, it } from 'vitest';
import { guessMapping, recogniseLayout } from '../../../src/mapping/guess.js';
import { guessStatusMap } from '../../../src/mapping/guess-columns.js';

const csv = { format: 'csv' as const, encoding: 'utf-8', delimiter: ',' };

describe('init guesses', () => {
  it.each([
    [['Id', 'Requester', 'Requester email', 'Subject', 'Via', 'Satisfaction Score'], 'zendesk-csv'],
    [['Ticket ID', 'Subject', 'Created time', 'Full name', 'Contact ID'], 'freshdesk-csv'],
    [['Ticket Number', 'Date Created', 'From Email', 'Help Topic'], 'osticket-csv'],
    [['item.id', 'item.threads', 'item.customer.email', 'item.mailbox.id'], 'helpscout-json'],
    [['id', 'subject', 'body'], undefined],
  ])('recognises %j as %s', (columns, layout) => {
    expect(recogniseLayout(columns)).toBe(layout);
  });

  it('maps status words to Re:amaze status numbers and leaves unknown words out', () => {
    expect(guessStatusMap(['Open', 'Pending Customer Response', 'Closed', 'Solved', 'Spam', 'Escalated'])).toEqual({
      open: 0, 'pending customer response': 1, closed: 2, solved: 2, spam: 3,
    });
  });

  it('splits tags on commas or, for space-separated Zendesk tags, on spaces', () => {
    const spaced = guessMapping(['id', 'email', 'body', 'tags'], [{ id: '1', email: 'a@b.co', body: 'x', tags: 'vip late' }], csv);
    expect(spaced.spec.conversation).toMatchObject({ tag_list: { from: 'tags', split: ' ' } });
    const commas = guessMapping(['id', 'email', 'body', 'tags'], [{ id: '1', email: 'a@b.co', body: 'x', tags: 'vip, late' }], csv);
    expect(commas.spec.conversation).toMatchObject({ tag_list: { from: 'tags', split: ',' } });
  });

  it('never takes a mailbox or agent name for the customer', () => {
    const guess = guessMapping(['id', 'mailbox.name', 'owner.email', 'customer.email', 'body'], [], { format: 'json', encoding: 'utf-8' });
    expect(guess.spec.conversation).toMatchObject({ user: { email: { from: 'customer.email' } } });
    expect((guess.spec.conversation as { user: Record<string, unknown> }).user.name).toBeUndefined();
  });
});
