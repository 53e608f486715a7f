import type { LedgerEntry, RowUpdate } from '../ledger/ledger.js';
import { deliver, type Delivered, type SendContext } from './deliver.js';

export type { SendContext, SendResult } from './deliver.js';

/** A row ready to go: its key, where it came from, its body, and what the ledger knew of it. */
export interface OutgoingRow {
  key: string;
  file: string;
  line: number;
  body: Record<string, unknown>;
  /** `body` and the source record's fields as JSON, serialized once when the row was read. */
  payload: string;
  fields: string;
  payloadHash: string;
  previous: LedgerEntry | undefined;
  /** True when messages follow the conversation: its thread is open until they and the final update are done. */
  hasThread?: boolean;
  /** The thread message that opens the conversation: recorded done with it, never posted again. */
  opener?: { originId: string; index: number };
}

/**
 * Sends one row to POST /conversations exactly once (see `deliver`); a lost answer is settled by
 * looking the row's key up in `conversation.data`.
 */
export function sendRow(row: OutgoingRow, context: SendContext): Promise<Delivered> {
  const base: RowUpdate = {
    key: row.key, file: row.file, line: row.line, state: 'sending',
    payloadHash: row.payloadHash, payload: row.payload, fields: row.fields,
  };
  return deliver({
    unsettled: row.previous?.state === 'sending' || row.previous?.state === 'uncertain',
    markSending: () => context.ledger.markSendingSoon(base),
    send: () => context.client.createConversation(row.body),
    async find() {
      const answer = await context.client.findByData(context.keyField, row.key);
      if (!('slugs' in answer)) return answer;
      return answer.slugs.length === 0 ? { found: false } : { found: true, slug: answer.slugs[0] ?? null };
    },
    record(state, details) {
      context.ledger.record({ ...base, ...details, state });
      if (state !== 'done') return;
      // The opening message went in with the conversation: a later run, whose thread may sort
      // another message first, must know it by its origin_id.
      if (row.opener) context.ledger.recordMessage({ ticket: row.key, originId: row.opener.originId, seq: row.opener.index, state: 'done' });
      // Created (or found created) with messages to follow: the thread is open until they are in.
      if (row.hasThread) context.ledger.setThread(row.key, true);
    },
  }, context);
}
