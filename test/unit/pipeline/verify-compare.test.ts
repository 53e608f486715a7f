import { describe, expect, it } from 'vitest';
import { compareConversation, type ExpectedConversation } from '../../../src/pipeline/verify-compare.js';

const EXPECTED: ExpectedConversation = {
  status: 2,
  tags: ['legacy', 'batch-1'],
  assignee: 'ann@acme.test',
  data: { import_key: '1001', plan: 'gold' },
  openerBody: 'Hello, my order is late',
  messages: [{ originId: 'm2', body: 'We are on it' }, { originId: 'm3', body: 'Thanks!' }],
  final: true,
};
const HELD = { status: 2, tag_list: ['batch-1', 'legacy'], assignee: { name: 'Ann', email: 'Ann@acme.test' }, data: { import_key: '1001', plan: 'gold' } };
const LISTING = [{ originId: null, body: 'Hello, my order is late' }, { originId: 'm2', body: 'We are on it' }, { originId: 'm3', body: 'Thanks!' }];

describe('compareConversation', () => {
  it('finds nothing when Re:amaze holds what was sent (tags in any order, e-mails in any case)', () => {
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: LISTING })).toEqual([]);
    // A listing newest first, and one without the opening message.
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: [...LISTING].reverse() })).toEqual([]);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: LISTING.slice(1) })).toEqual([]);
  });

  it('names each difference by kind, without message bodies', () => {
    const held = { ...HELD, status: 0, tag_list: ['legacy', 'vip'], assignee: null, data: { import_key: '1001', plan: 'silver' } };
    const listing = [LISTING[0]!, { originId: 'm3', body: 'Thanks!' }, { originId: 'm9', body: 'An agent wrote later' }];
    const found = compareConversation(EXPECTED, { conversation: held, listing });
    expect(found).toEqual([
      { kind: 'message_missing', detail: 'message 2 of the thread (origin_id m2) is not in the conversation' },
      { kind: 'message_extra', detail: 'origin_id m9 is in the conversation but was not sent' },
      { kind: 'status', detail: 'status 2 was sent, Re:amaze has 0' },
      { kind: 'tags', detail: 'tags not there: batch-1; not sent: vip' },
      { kind: 'assignee', detail: 'assigned to ann@acme.test when sent, Re:amaze has nobody' },
      { kind: 'data', detail: 'data plan differs from what was sent' },
    ]);
    expect(JSON.stringify(found)).not.toMatch(/Thanks|on it|wrote later|silver|gold/);
  });

  it('sees messages out of order by origin_id, and leaves status and assignee alone while the thread is open', () => {
    const listing = [LISTING[0]!, LISTING[2]!, LISTING[1]!];
    expect(compareConversation({ ...EXPECTED, final: false }, { conversation: { ...HELD, status: 0, assignee: null }, listing }))
      .toEqual([{ kind: 'message_order', detail: 'origin_id m2 is out of place in the thread' }]);
  });

  it('weighs bodies when the listing shows no origin_id, and counts when it shows neither', () => {
    const bodies = LISTING.map(({ body }) => ({ originId: undefined, body: `<p>${body}</p>` }));
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: bodies })).toEqual([]);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: [bodies[0]!, bodies[2]!] }).map((m) => m.kind)).toEqual(['message_missing']);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: [bodies[0]!, bodies[2]!, bodies[1]!] }).map((m) => m.kind)).toEqual(['message_order']);
    const bare = (n: number) => Array.from({ length: n }, () => ({ originId: undefined, body: undefined }));
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: bare(3) })).toEqual([]);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: bare(1) }).map((m) => m.kind)).toEqual(['message_missing']);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: bare(2) }, { listsOpener: true }).map((m) => m.kind)).toEqual(['message_missing']);
    expect(compareConversation(EXPECTED, { conversation: HELD, listing: bare(4) }).map((m) => m.kind)).toEqual(['message_extra']);
  });
});
