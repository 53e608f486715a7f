import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAll } from '../unit/source/helpers.js';
import { CORPORA } from './corpora-path.js';

const exports = path.join(CORPORA, 'helpdesk-exports');

describe('JSON documents', () => {
  it('reads real exports: Zendesk, Help Scout, Freshdesk', async () => {
    const tickets = await readAll(path.join(exports, 'zendesk-api-json-go-zendesk/GET_tickets.json'));
    expect(tickets.records.map((record) => [record.line, record.fields['id']])).toEqual([
      [3, 2],
      [59, 3],
    ]);
    const users = await readAll(path.join(exports, 'helpscout-api-v1-json-helpscout-api-java/users.json'));
    expect(users.records.map((record) => record.fields['id'])).toEqual([110]);
    const conversation = await readAll(path.join(exports, 'helpscout-api-v1-json-helpscout-api-java/conversation_10.json'));
    // Help Scout's API wraps a conversation as {"item": {...}}: the conversation is the record
    expect(conversation.records.map((record) => [record.line, record.fields['id']])).toEqual([[2, 10]]);
    expect(conversation.source.columns).toContain('owner.email');
    // A single ticket with an `attachments` list is one record, not its attachments
    const ticket = await readAll(path.join(exports, 'freshdesk-api-json-python-freshdesk/v2_ticket_1.json'));
    expect(ticket.records.map((record) => record.fields['id'])).toEqual([1]);
    const all = await readAll(path.join(exports, 'freshdesk-api-json-python-freshdesk/v2_all_tickets.json'));
    expect(all.records.length).toBeGreaterThan(0);
    const challenge = await readAll(path.join(exports, 'zendesk-coding-challenge-json/tickets.json'));
    expect(challenge.records.slice(0, 3).map((record) => record.line)).toEqual([2, 25, 48]);
  });
});
