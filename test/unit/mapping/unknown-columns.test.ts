import { describe, expect, it } from 'vitest';
import { nearestNames } from '../../../src/mapping/nearest.js';
import { findUnknownColumns } from '../../../src/mapping/unknown-columns.js';
import { mappingWith } from './helpers.js';

describe('nearestNames', () => {
  const headers = ['Ticket ID', 'Subject', 'Requester email', 'Status', 'Created at', 'Tags'];

  it('finds names by case-insensitive edit distance, best first', () => {
    expect(nearestNames('subjet', headers)).toEqual(['Subject']);
    expect(nearestNames('ticket_id', headers)).toEqual(['Ticket ID']);
    expect(nearestNames('Stauts', headers)).toEqual(['Status']);
    expect(nearestNames('email', headers)).toEqual(['Requester email']);
  });

  it('returns nothing when nothing is close, and at most n names', () => {
    expect(nearestNames('Priority', headers)).toEqual([]);
    expect(nearestNames('a', ['b', 'c', 'd', 'e'], 2)).toEqual(['b', 'c']);
  });
});

describe('findUnknownColumns', () => {
  it('reports references that are not columns, with the nearest names', () => {
    const mapping = mappingWith(
      { subject: '{{Subjet}}', user: { email: { from: 'email' } }, data: { id: '{{Ticket ID}}' } },
      { source: { key: 'Ticket ID' } },
    );
    expect(findUnknownColumns(mapping, ['Ticket ID', 'Subject', 'Requester email'])).toMatchInlineSnapshot(`
      [
        {
          "at": "conversation.subject",
          "field": "Subjet",
          "nearest": [
            "Subject",
          ],
          "required": false,
        },
        {
          "at": "conversation.user.email.from",
          "field": "email",
          "nearest": [
            "Requester email",
          ],
          "required": true,
        },
      ]
    `);
  });

  it('accepts paths under a column and parents of column paths (JSON)', () => {
    const mapping = mappingWith({ subject: '{{comments.0.body}}', user: { email: '{{requester.email}}', name: '{{requester}}' } });
    expect(findUnknownColumns(mapping, ['comments', 'requester.email', 'requester.name'])).toEqual([]);
    expect(findUnknownColumns(mapping, ['comment', 'requester.email']).map((u) => [u.field, u.nearest])).toEqual([
      ['comments.0.body', ['comment']],
    ]);
  });

  it('checks paths inside messages only against paths seen under the messages list', () => {
    const mapping = mappingWith({}, { messages: { from: 'comments', body: '{{bdy}}', user: { email: '{{author.email}}' } } });
    expect(findUnknownColumns(mapping, ['comments'])).toEqual([]);
    const unknown = findUnknownColumns(mapping, ['comments.0.body', 'comments.0.author.email', 'comments.1.body']);
    expect(unknown.map((u) => [u.at, u.field, u.nearest])).toEqual([['messages.body', 'bdy', ['body']]]);
  });
});
