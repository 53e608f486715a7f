import type { LedgerEntry, RowUpdate } from '../ledger/ledger.js';
import { attempt, sentByOf, type Budget, type SendContext } from './attempt.js';
import { deliver, lookedUp, type Delivered, type Looked } from './deliver.js';
import { COLLECTION_NOT_FOUND } from './fate.js';

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
  /** Look the key up before the first POST (`--adopt-existing`: Re:amaze may hold it already). */
  lookUpFirst?: boolean;
  /** True when messages follow the conversation: its thread is open until they and the final update are done. */
  hasThread?: boolean;
  /** The thread message that opens the conversation: recorded done with it, never posted again. */
  opener?: { originId: string; index: number };
  /** The ticket's loss counts (JSON), kept with its ledger row; null when none. */
  losses?: string | null;
  /** Set once this run committed it `sending` (its request may have reached the API). */
  marked?: boolean;
}

/**
 * Sends one row to POST /conversations exactly once (see `deliver`); a lost answer is settled by
 * looking the row's key up in `conversation.data`.
 */
export async function sendRow(row: OutgoingRow, context: SendContext): Promise<Delivered & { opener?: string }> {
  const base: RowUpdate = {
    key: row.key, file: row.file, line: row.line, state: 'sending',
    payloadHash: row.payloadHash, payload: row.payload, fields: row.fields,
    ...(row.losses === undefined ? {} : { losses: row.losses }),
  };
  let opener: string | undefined;
  const delivered = await deliver({
    request: 'create',
    unsettled: row.lookUpFirst === true || row.previous?.state === 'sending' || row.previous?.state === 'uncertain',
    // The opening message is named with the `sending` commit: if this POST goes through and only a
    // lookup finds it, the ledger still knows which message it carried.
    markSending: async () => {
      await context.ledger.markSendingSoon({ kind: 'row', update: { ...base, opener: row.opener?.originId ?? null, ...sentByOf(context) } });
      row.marked = true;
    },
    send: () => context.client.createConversation(row.body),
    // Only the JSON of a conversation, with its slug, proves it was created.
    accepts: (body) => {
      const slug = (body as { slug?: unknown } | undefined)?.slug;
      return typeof slug === 'string' && slug !== '';
    },
    find: (budget) => findByKey(row.key, context, budget),
    failedWhy: COLLECTION_NOT_FOUND,
    record(state, details, found) {
      if (state !== 'done') {
        context.ledger.record({ ...base, ...details, state });
        return;
      }
      // Created now: with tonight's opener. Found by a lookup: with the one its POST carried, as
      // committed then (tonight's thread may sort another message first).
      opener = found ? (row.previous?.opener ?? row.opener?.originId) : row.opener?.originId;
      context.ledger.record({ ...base, ...details, state, ...(opener === undefined ? {} : { opener }) });
      if (opener !== undefined) {
        const seq = opener === row.opener?.originId ? row.opener.index : 0;
        context.ledger.recordMessage({ ticket: row.key, originId: opener, seq, state: 'done' });
      }
      // Created (or found created) with messages to follow: the thread is open until they are in.
      if (row.hasThread) context.ledger.setThread(row.key, true);
    },
  }, context);
  return { ...delivered, ...(opener === undefined ? {} : { opener }) };
}

/** GET /conversations?filter=all&data[key]=value through the attempt loop: the conversation of `key`, if any. */
export async function findByKey(key: string, context: SendContext, budget: Budget): Promise<Looked> {
  const read = await attempt({
    request: 'lookup',
    send: async () => {
      const answer = await context.client.findByData(context.keyField, key);
      return 'slugs' in answer ? { read: answer.slugs } : answer;
    },
  }, context, budget);
  return lookedUp(read, COLLECTION_NOT_FOUND, (slugs) => (slugs.length === 0 ? { found: false } : { found: true, slug: slugs[0] ?? null }));
}
