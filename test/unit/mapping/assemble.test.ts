import { describe, expect, it } from 'vitest';
import { OPENED_BY_IMPORTER } from '../../../src/mapping/assemble.js';
import { offlineDirectory, staffDirectory, type AuthorDirectory } from '../../../src/mapping/authors.js';
import { compileMapping, parseMapping } from '../../../src/mapping/compile.js';
import type { CompiledMapping, MappedRow } from '../../../src/mapping/types.js';

const SUPPRESS = { suppress_notification: true, suppress_notifications: true, suppress_autoresolve: true };
const HISTORY = { ...SUPPRESS, suppress_surveys: true };
const IMPORTER = 'importer@brand.io';
const STAFF = staffDirectory([{ email: 'agent@brand.io', name: 'Agent Staff' }, { email: IMPORTER }], new Map(), IMPORTER, 'importer');

function mapping(json: Record<string, unknown>): CompiledMapping {
  return compileMapping(parseMapping(json, 'test'));
}

/** A Zendesk-like ticket: requester, comments with public flags and authors with a role. */
const ZENDESK = {
  conversation: {
    category: 'support',
    subject: '{{subject}}',
    message: {},
    user: { name: '{{requester.name}}', email: '{{requester.email}}' },
  },
  messages: {
    from: 'comments',
    body: '{{body}}',
    origin_id: '{{id}}',
    visibility: { from: 'public', map: { true: 0, false: 1 } },
    role: { from: 'author.role', map: { 'end-user': 'customer', agent: 'agent', admin: 'agent' } },
    user: { name: '{{author.name}}', email: '{{author.email}}', id: '{{author.id}}' },
  },
};

const REQUESTER = { name: 'Cust Omer', email: 'cust@example.com' };
const CUSTOMER = { id: 2, role: 'end-user', ...REQUESTER };
const AGENT = { id: 1, role: 'agent', name: 'Agent A', email: 'Agent@Brand.io' };
const OUTSIDER = { id: 3, role: 'agent', name: 'Bob', email: 'bob@old.example' };

const conversationOf = (row: MappedRow) => row.body.conversation as Record<string, unknown>;
const messageOf = (row: MappedRow) => conversationOf(row).message as Record<string, unknown>;

describe('assembling a row: who opens the conversation', () => {
  const zendesk = mapping(ZENDESK);

  it('opens with the first public message; a note before it comes right after, still private', () => {
    const record = {
      subject: 'Printer on fire',
      requester: REQUESTER,
      comments: [
        { id: 'c1', public: false, body: 'Internal: check the warranty', author: AGENT },
        { id: 'c2', public: true, body: 'My printer is on fire', author: CUSTOMER },
        { id: 'c3', public: true, body: 'Please unplug it', author: AGENT },
      ],
    };
    const row = zendesk.mapRow(record, 'T1', undefined, STAFF);
    expect(row.problems).toEqual([]);
    expect(row.body).toEqual({
      conversation: {
        subject: 'Printer on fire',
        category: 'support',
        data: { import_key: 'T1' },
        message: { body: 'My printer is on fire', ...SUPPRESS },
        user: REQUESTER,
      },
    });
    expect(row.opener?.originId).toBe('c2');
    const agent = { email: 'agent@brand.io', name: 'Agent A' };
    expect(row.messages.map((m) => m.body)).toEqual([
      { message: { body: 'Internal: check the warranty', visibility: 1, user: agent, origin_id: 'c1', ...HISTORY } },
      { message: { body: 'Please unplug it', visibility: 0, user: agent, origin_id: 'c3', ...HISTORY } },
    ]);
    expect(row.losses).toEqual([{ kind: 'note_reordered', path: 'messages[0]', detail: 'posted after messages[1]' }]);
  });

  it('sends an agent-opened (outbound) ticket with message.user, its staff member', () => {
    const record = {
      requester: REQUESTER,
      comments: [
        { id: 'c1', public: true, body: 'We noticed your invoice bounced', author: AGENT },
        { id: 'c2', public: true, body: 'Thanks', author: CUSTOMER },
      ],
    };
    const row = zendesk.mapRow(record, 'T2', undefined, STAFF);
    expect(messageOf(row)).toEqual({ body: 'We noticed your invoice bounced', user: { email: 'agent@brand.io', name: 'Agent A' }, ...SUPPRESS });
    expect(row.messages.map((m) => (m.body.message as { user?: unknown }).user)).toEqual([REQUESTER]);
    expect(row.losses).toEqual([]);
  });

  it('opens an outbound ticket of an agent who is no staff member as the importer, the author named', () => {
    const row = zendesk.mapRow({ requester: REQUESTER, comments: [{ id: 'c1', public: true, body: 'Hello', author: OUTSIDER }] }, 'T3', undefined, STAFF);
    expect(messageOf(row)).toEqual({ body: '_Originally written by Bob <bob@old.example> (agent)_\n\nHello', user: { email: IMPORTER }, ...SUPPRESS });
    expect(row.messages).toEqual([]);
    expect(row.losses).toEqual([{ kind: 'author_not_staff', path: 'messages[0].user', detail: 'Bob <bob@old.example> (agent)' }]);
  });

  it('opens with a first message nobody can name, no role mapped, as the customer\'s', () => {
    const roleless = mapping({ ...ZENDESK, messages: { from: 'comments', body: '{{body}}', user: { name: '{{author.name}}' } } });
    const row = roleless.mapRow({ requester: REQUESTER, comments: [{ body: 'Hello', author: { name: 'Ann' } }, { body: 'Hi Ann', author: { name: 'Bob' } }] }, 'T3', undefined, STAFF);
    expect(messageOf(row)).toEqual({ body: '_Originally written by Ann_\n\nHello', ...SUPPRESS });
    expect(row.messages.map((m) => m.body)).toEqual([{ message: { body: '_Originally written by Bob_\n\nHi Ann', origin_id: 'T3#2', ...HISTORY } }]);
    expect(row.losses).toEqual([
      { kind: 'author_unknown', path: 'messages[0].user', detail: 'Ann' },
      { kind: 'author_unknown', path: 'messages[1].user', detail: 'Bob' },
    ]);
  });

  it('names the staff member of the conversation\'s own first message (message.role and message.user)', () => {
    const outbound = mapping({
      conversation: {
        category: 'support',
        message: { body: '{{description}}', role: { from: 'via', map: { outbound: 'agent', inbound: 'customer' } }, user: { email: '{{submitter}}' } },
        user: { email: '{{requester}}' },
      },
    });
    const sent = outbound.mapRow({ description: 'Your order shipped', via: 'outbound', submitter: 'AGENT@brand.io', requester: 'cust@example.com' }, 'T4', undefined, STAFF);
    expect(messageOf(sent)).toEqual({ body: 'Your order shipped', user: { email: 'agent@brand.io', name: 'Agent Staff' }, ...SUPPRESS });
    expect(sent.losses).toEqual([]);
    const inbound = outbound.mapRow({ description: 'Where is my order?', via: 'inbound', submitter: 'cust@example.com', requester: 'cust@example.com' }, 'T5', undefined, STAFF);
    expect(messageOf(inbound)).toEqual({ body: 'Where is my order?', ...SUPPRESS });
  });

  it('opens a thread of notes only with a line of the importer, every note kept private', () => {
    const record = {
      requester: REQUESTER,
      comments: [
        { id: 'c1', public: false, body: 'Spam? checking', author: AGENT },
        { id: 'c2', public: false, body: 'Yes, spam', author: OUTSIDER },
      ],
    };
    const row = zendesk.mapRow(record, 'T6', undefined, STAFF);
    expect(messageOf(row)).toEqual({ body: OPENED_BY_IMPORTER, user: { email: IMPORTER }, ...SUPPRESS });
    expect(row.opener).toEqual({ originId: 'T6#opening', index: 0, body: { message: { body: OPENED_BY_IMPORTER, user: { email: IMPORTER } } } });
    expect(row.messages.map((m) => m.body)).toEqual([
      { message: { body: 'Spam? checking', visibility: 1, user: { email: 'agent@brand.io', name: 'Agent A' }, origin_id: 'c1', ...HISTORY } },
      { message: { body: '_Originally written by Bob <bob@old.example> (agent)_\n\nYes, spam', visibility: 1, origin_id: 'c2', ...HISTORY } },
    ]);
    expect(row.losses).toEqual([
      { kind: 'author_not_staff', path: 'messages[1].user', detail: 'Bob <bob@old.example> (agent)' },
      { kind: 'opened_by_importer', path: 'messages', detail: '2 internal notes, no public message' },
    ]);
    // Offline nobody is named: the API's default, the token's staff member, sends it.
    const offline = zendesk.mapRow({ requester: REQUESTER, comments: [record.comments[0]] }, 'T6', undefined, offlineDirectory());
    expect(messageOf(offline)).toEqual({ body: OPENED_BY_IMPORTER, ...SUPPRESS });
    expect(offline.opener?.body).toEqual({ message: { body: OPENED_BY_IMPORTER } });
    expect(offline.messages.map((m) => (m.body.message as { visibility?: unknown }).visibility)).toEqual([1]);
    expect(offline.losses).toEqual([{ kind: 'opened_by_importer', path: 'messages', detail: '1 internal note, no public message' }]);
  });
});

describe('assembling a row: authors nobody can name', () => {
  const own = mapping({ ...ZENDESK, conversation: { ...ZENDESK.conversation, message: { body: '{{description}}' } } });

  it('sends an unknown customer as the ticket\'s customer and an unknown agent as the token\'s staff member, both named', () => {
    const record = {
      description: 'Help',
      requester: REQUESTER,
      comments: [
        { id: 'c1', public: true, body: 'Any news?', author: { role: 'end-user', name: 'Cust' } },
        { id: 'c2', public: true, body: 'Soon', author: { role: 'agent', name: 'Bob' } },
      ],
    };
    const row = own.mapRow(record, 'T7', undefined, STAFF);
    expect(row.problems).toEqual([]);
    expect(messageOf(row)).toEqual({ body: 'Help', ...SUPPRESS });
    expect(row.messages.map((m) => m.body)).toEqual([
      { message: { body: '_Originally written by Cust (customer)_\n\nAny news?', visibility: 0, user: REQUESTER, origin_id: 'c1', ...HISTORY } },
      { message: { body: '_Originally written by Bob (agent)_\n\nSoon', visibility: 0, origin_id: 'c2', ...HISTORY } },
    ]);
    expect(row.losses).toEqual([
      { kind: 'author_unknown', path: 'messages[0].user', detail: 'Cust (customer)' },
      { kind: 'author_unknown', path: 'messages[1].user', detail: 'Bob (agent)' },
    ]);
  });

  it('with the reject policy, gives the row a problem at the message\'s user, the loss still counted', () => {
    const reject = staffDirectory([{ email: 'agent@brand.io' }], new Map(), IMPORTER, 'reject');
    const record = { description: 'Help', requester: REQUESTER, comments: [{ id: 'c1', public: true, body: 'Hi', author: AGENT }, { id: 'c2', public: true, body: 'Hello', author: OUTSIDER }] };
    const row = own.mapRow(record, 'T8', undefined, reject);
    expect(row.problems).toEqual([{
      code: 'ROW_INVALID',
      path: 'messages[1].user',
      message: 'the author Bob <bob@old.example> (agent) is no Re:amaze staff member (add them, or map them with --staff-map); --unmatched-authors reject refuses the ticket',
    }]);
    expect(row.losses).toEqual([{ kind: 'author_not_staff', path: 'messages[1].user', detail: 'Bob <bob@old.example> (agent)' }]);
  });
});

describe('assembling a row: assignee, copies, attachments, custom fields', () => {
  const base = { category: 'support', message: { body: '{{description}}' }, user: { email: '{{requester}}' } };

  it('assigns a staff member by the final PUT; anyone else is left out and counted', () => {
    const assigned = mapping({ conversation: { ...base, assignee: { name: '{{assignee.name}}', email: '{{assignee.email}}' } } });
    const record = (assignee: unknown) => ({ description: 'Help', requester: 'cust@example.com', assignee });
    const staff = assigned.mapRow(record({ name: 'Agent A', email: 'AGENT@Brand.io' }), 'T9', undefined, STAFF);
    expect(staff.assignee).toBe('agent@brand.io');
    expect(staff.losses).toEqual([]);
    const other = assigned.mapRow(record({ name: 'Old Boss', email: 'boss@old.example' }), 'T9', undefined, STAFF);
    expect(other.assignee).toBeUndefined();
    expect(other).not.toHaveProperty('assignee');
    expect(other.losses).toEqual([{ kind: 'assignee_not_staff', path: 'conversation.assignee', detail: 'Old Boss <boss@old.example>' }]);
    // Never a problem, whatever the policy: an unassigned ticket is still the ticket.
    const reject = staffDirectory([{ email: 'agent@brand.io' }], new Map(), IMPORTER, 'reject');
    expect(assigned.mapRow(record({ email: 'boss@old.example' }), 'T9', undefined, reject).problems).toEqual([]);
    // Known only by name: counted unless the staff map names them.
    const byName = assigned.mapRow(record({ name: 'Old Boss' }), 'T9', undefined, STAFF);
    expect(byName.assignee).toBeUndefined();
    expect(byName.losses).toEqual([{ kind: 'assignee_not_staff', path: 'conversation.assignee', detail: 'Old Boss' }]);
    const mapped = staffDirectory([{ email: 'agent@brand.io' }], new Map([['Old Boss', 'agent@brand.io']]), IMPORTER, 'importer');
    expect(assigned.mapRow(record({ name: 'Old Boss' }), 'T9', undefined, mapped)).toMatchObject({ assignee: 'agent@brand.io', losses: [] });
    // Offline the assignee is kept as written: run checks them against the staff list.
    expect(assigned.mapRow(record({ email: 'Boss@Old.example' }), 'T9', undefined, offlineDirectory())).toMatchObject({ assignee: 'Boss@Old.example', losses: [] });
    const nobody = assigned.mapRow(record(null), 'T9', undefined, STAFF);
    expect(nobody).not.toHaveProperty('assignee');
    expect(nobody.losses).toEqual([]);
  });

  it('keeps Cc and Bcc in data, the Cc in a line of the opening message (a Bcc never in public text), not as recipients', () => {
    const copied = mapping({ conversation: { ...base, cc: { from: 'cc' }, bcc: { from: 'bcc' } } });
    const row = copied.mapRow({ description: 'Help', requester: 'cust@example.com', cc: ['a@example.com', 'b@example.com'], bcc: ['c@example.com'] }, 'T10', undefined, STAFF);
    expect(conversationOf(row).data).toEqual({ legacy_cc: 'a@example.com, b@example.com', legacy_bcc: 'c@example.com', import_key: 'T10' });
    expect(messageOf(row)).toEqual({ body: 'Cc: a@example.com, b@example.com\n\nHelp', ...SUPPRESS });
    const opened = mapping({ ...ZENDESK, conversation: { ...ZENDESK.conversation, cc: { from: 'cc' } } });
    const thread = opened.mapRow({ requester: REQUESTER, cc: 'a@example.com', comments: [{ id: 'c1', public: true, body: 'Hi', author: CUSTOMER }] }, 'T11', undefined, STAFF);
    expect(messageOf(thread)).toEqual({ body: 'Cc: a@example.com\n\nHi', ...SUPPRESS });
    const recipients = mapping({ conversation: { ...base, cc: { from: 'cc' }, message: { ...base.message, recipients: { from: 'cc' } } } });
    const asked = recipients.mapRow({ description: 'Help', requester: 'cust@example.com', cc: ['a@example.com'] }, 'T12', undefined, STAFF);
    expect(messageOf(asked)).toEqual({ body: 'Cc: a@example.com\n\nHelp', recipients: ['a@example.com'], ...SUPPRESS });
  });

  it('carries three attachments of a message: the first attached, two linked in its body', () => {
    const attached = mapping({ conversation: base, messages: { from: 'comments', body: '{{body}}', attachments: { from: 'files' } } });
    const files = ['a.png', 'b.pdf', 'c.txt'].map((name) => ({ file_name: name, content_url: `https://files.example/${name}` }));
    const row = attached.mapRow({ description: 'Help', requester: 'cust@example.com', comments: [{ body: 'Hi' }, { body: 'See the files', files }] }, 'T13', undefined, STAFF);
    expect(row.messages[1]?.body).toEqual({
      message: {
        body: 'See the files\n\n**Attachments**\n- [b.pdf](https://files.example/b.pdf)\n- [c.txt](https://files.example/c.txt)',
        origin_id: 'T13#2',
        ...HISTORY,
        attachment: 'https://files.example/a.png',
      },
    });
    expect(row.losses).toEqual([
      { kind: 'author_unknown', path: 'messages[0].user', detail: 'no author mapped' },
      { kind: 'author_unknown', path: 'messages[1].user', detail: 'no author mapped' },
      { kind: 'attachments_linked', path: 'messages[1].attachments', detail: 'b.pdf' },
      { kind: 'attachments_linked', path: 'messages[1].attachments', detail: 'c.txt' },
    ]);
  });

  it('spreads custom fields into data; a name a mapped data field takes is dropped and counted', () => {
    const custom = mapping({ conversation: { ...base, data: { priority: '{{priority}}' }, custom_fields: { from: 'custom_fields', name: 'name' } } });
    const record = {
      description: 'Help', requester: 'cust@example.com', priority: 'urgent',
      custom_fields: [{ fieldId: 11, name: 'Plan', value: 'Gold' }, { fieldId: 12, name: 'priority', value: 'high' }, { fieldId: 13, name: 'Seats', value: 5 }, { fieldId: 14, name: 'Empty', value: '' }],
    };
    const row = custom.mapRow(record, 'T14', undefined, STAFF);
    expect(conversationOf(row).data).toEqual({ priority: 'urgent', Plan: 'Gold', Seats: 5, import_key: 'T14' });
    expect(row.losses).toEqual([{ kind: 'custom_field_dropped', path: 'conversation.custom_fields', detail: '"priority": the name is taken by a data field' }]);
  });
});

describe('assembling a row: messages written as a list of templates', () => {
  const faq = mapping({
    conversation: { category: 'support', message: { body: '{{question}}' }, user: { email: '{{email}}' } },
    messages: [{ body: '{{answer}}', role: 'agent' }],
  });

  it('makes one message of the answer column, sent by the importer when no agent is named', () => {
    const check = (directory: AuthorDirectory) => {
      const row = faq.mapRow({ question: 'How do I reset it?', answer: 'Hold the button', email: 'cust@example.com' }, 'T15', undefined, directory);
      expect(row.problems).toEqual([]);
      expect(messageOf(row)).toEqual({ body: 'How do I reset it?', ...SUPPRESS });
      expect(row.opener).toBeUndefined();
      // No user: the API's default, the token's staff member, sends it; nobody is named, so no byline.
      expect(row.messages).toEqual([{
        originId: 'T15#1', index: 0,
        body: { message: { body: 'Hold the button', origin_id: 'T15#1', ...HISTORY } },
        author: { role: 'agent', email: undefined, name: undefined, id: undefined },
        losses: [],
      }]);
      expect(row.losses).toEqual([{ kind: 'author_unknown', path: 'messages[0].user', detail: 'no author mapped' }]);
    };
    check(STAFF);
    check(offlineDirectory());
    expect(faq.mapRow({ question: 'Unanswered?', answer: '', email: 'cust@example.com' }, 'T16', undefined, STAFF)).toMatchObject({ messages: [], losses: [] });
  });

  it('sends the answer as its staff member when the agent\'s e-mail is mapped', () => {
    const named = mapping({
      conversation: { category: 'support', message: { body: '{{question}}' }, user: { email: '{{email}}' } },
      messages: [{ body: '{{answer}}', role: 'agent', user: { email: '{{answered_by}}' } }],
    });
    const row = named.mapRow({ question: 'Q', answer: 'A', email: 'cust@example.com', answered_by: 'agent@brand.io' }, 'T17', undefined, STAFF);
    expect(row.messages.map((m) => m.body)).toEqual([{ message: { body: 'A', user: { email: 'agent@brand.io', name: 'Agent Staff' }, origin_id: 'T17#1', ...HISTORY } }]);
    expect(row.losses).toEqual([]);
  });
});
