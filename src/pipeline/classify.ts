import { formatProblems } from '../errors.js';
import { placeKey, type Ledger, type LedgerEntry } from '../ledger/ledger.js';
import type { Fields } from '../mapping/fields.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { SourceRecord } from '../source/types.js';
import type { KeyIndex } from '../stage/key-index.js';
import type { RecordStage } from '../stage/record-stage.js';
import { checkMessages, checkRow, type RowVerdict } from './check-row.js';
import { decideRow } from './fate.js';
import { hashOf } from '../hash.js';
import type { ImportCounts } from './import-counts.js';
import type { OutgoingRow } from './send-row.js';
import type { OutgoingTicket } from './send-ticket.js';
import { finalUpdate } from './send-thread.js';
import { countRead, countFailedMessages, countTicketLosses, countWaiting } from './tally.js';
import type { AuthorDirectory } from '../mapping/authors.js';
import { countLosses } from '../mapping/losses.js';

/** What deciding on rows needs. */
export interface ClassifyContext {
  ledger: Ledger;
  mapping: CompiledMapping;
  files: readonly string[];
  runId: number;
  counts: ImportCounts;
  /** Tags added to every conversation created. */
  tags?: readonly string[] | undefined;
  /** The staff list, staff map and policy authors are resolved with (none: agents unchecked). */
  authors?: AuthorDirectory | undefined;
  /**
   * The keys read so far in this run, with where each was first read: a second row with one is a
   * duplicate. Without it, the ledger's note of the run that last read a key tells (a write per row).
   */
  keys?: KeyIndex | undefined;
  /** Told of a row that counts against --max-errors (true) or for it (false). */
  note: (failed: boolean) => void;
  warn: (text: string) => void;
}

/**
 * Checks one record (with `joined`, its thread from the messages files), asks the fate table what
 * to do with it, records what the ledger must know at once (a new key `pending`, an invalid row,
 * a duplicate), and returns what to send.
 */
export function classify(record: SourceRecord, fileIndex: number, context: ClassifyContext, joined?: readonly Fields[]): OutgoingTicket | undefined {
  const { ledger, mapping } = context;
  // The key as read (a record the reader could not read whole has none yet: checkRow says why).
  const readKey = record.problem ? undefined : mapping.keyOf(record.fields);
  if (readKey !== undefined && readBefore(record, readKey, fileIndex, context)) return undefined;
  const known = readKey === undefined ? undefined : doneAndUnchanged(record, readKey, context, joined);
  if (known === 'skipped') return undefined;
  const verdict = checkRow(record, mapping, undefined, context.files, fileIndex, joined, context.authors);
  const key = verdict.key ?? placeKey(record.file, record.line);
  const previous = known && known.key === key ? known.previous : ledger.lookup(key);
  if (verdict.state !== 'valid') return classifyInvalid(record, key, previous, verdict, context);
  // The hash is of the mapped row, without --tag: a sample tagged once is not "changed" later.
  const payloadHash = hashOf(verdict.body);
  const action = decideRow(previous, { state: 'valid', payloadHash, hasMessages: verdict.messages.length > 0, opener: verdict.opener?.originId }, context.runId);
  countRead(context.counts, action);
  if (action.act === 'duplicate') return duplicate(record, key, ledger);
  const sourceHash = sourceHashOf(record, mapping, joined);
  // Marks the key as read in this run at once, so a second row with it is a duplicate even while
  // the first one's request is still in flight. The source hash is kept for a row about to be sent
  // and for a done one read unchanged (a ledger of an earlier release has none yet).
  const keepHash = action.act === 'send' || (action.act === 'skip' && previous?.state === 'done' && !action.changed);
  if (previous && (keepHash || !context.keys)) ledger.touch(key, keepHash ? sourceHash : undefined);
  const body = context.tags?.length ? withTags(verdict.body, context.tags) : verdict.body;
  // The whole thread, its opening message included: the ledger knows each message by its origin_id
  // (and the opening one as the row's opener), whichever one sorts first tonight.
  const thread = verdict.opener ? [verdict.opener, ...verdict.messages] : verdict.messages;
  if (action.act === 'skip') {
    if (!action.completeThread || !previous) return undefined;
    return { thread: { key, slug: previous.slug, messages: thread, final: finalUpdate(body, false, verdict.assignee), open: previous.threadOpen, opener: previous.opener, openerBody: openingBody(body) } };
  }
  const payload = JSON.stringify(body);
  const fields = JSON.stringify(record.fields);
  const lost = countLosses(verdict.losses);
  // Not customer data: a done row keeps them, so `status` can say what arrived with losses.
  const losses = Object.keys(lost).length === 0 ? null : JSON.stringify(lost);
  // A new key is written `pending` (group-committed).
  if (!previous) ledger.record({ key, file: record.file, line: record.line, state: 'pending', payloadHash, sourceHash, payload, fields, losses });
  countTicketLosses(context.counts, lost);
  // An assignee is set by a PUT after the conversation is created, like a thread's final status.
  const hasThread = verdict.messages.length > 0 || verdict.assignee !== undefined;
  const opener = verdict.opener ? { originId: verdict.opener.originId, index: verdict.opener.index } : undefined;
  const row: OutgoingRow = { key, file: record.file, line: record.line, body, payload, fields, payloadHash, previous, hasThread, losses, ...(opener ? { opener } : {}) };
  if (!hasThread && !previous?.threadOpen) return { row };
  return { row, thread: { key, slug: previous?.slug, messages: thread, final: finalUpdate(body, true, verdict.assignee), open: hasThread || (previous?.threadOpen ?? false), openerBody: openingBody(body) } };
}

/**
 * A nightly run reads mostly rows it sent before: one done, its thread finished, whose record
 * (and joined thread) hashes as it did when it was sent under the same mapping, is skipped without
 * being mapped again — the mapping would find it unchanged, and nothing of it is left to send.
 * Otherwise what the ledger knows of its key (undefined for a new one), read whole.
 */
function doneAndUnchanged(record: SourceRecord, key: string, context: ClassifyContext, joined: readonly Fields[] | undefined): 'skipped' | { key: string; previous: LedgerEntry | undefined } {
  const { ledger } = context;
  const glance = ledger.glance(key);
  if (!glance) return { key, previous: undefined };
  const settled = glance.state === 'done' && !glance.threadOpen && glance.seenRun !== context.runId && glance.sourceHash !== null;
  // A thread with a message not done (refused, say) is mapped, so it is counted as a thread would be.
  if (!settled || glance.thread.notDone > 0 || glance.sourceHash !== sourceHashOf(record, context.mapping, joined)) return { key, previous: ledger.lookup(key) };
  countRead(context.counts, { act: 'skip', count: 'skipped', changed: false, completeThread: false });
  context.counts.messages.skipped += glance.thread.skipped;
  if (!context.keys) ledger.touch(key);
  return 'skipped';
}

/** The hash of a record as read, with the mapping that reads it and its joined thread. */
function sourceHashOf(record: SourceRecord, mapping: CompiledMapping, joined: readonly Fields[] | undefined): string {
  return hashOf(JSON.stringify([mapping.hash, record.fields, joined ?? null]));
}

/** An invalid row: recorded (or only noted as read, when its key may be in Re:amaze), counted against --max-errors when new. */
function classifyInvalid(record: SourceRecord, key: string, previous: LedgerEntry | undefined, verdict: Exclude<RowVerdict, { state: 'valid' }>, context: ClassifyContext): undefined {
  const { ledger } = context;
  const fieldsHash = hashOf(record.fields);
  const action = decideRow(previous, { state: 'invalid', fieldsHash }, context.runId);
  countRead(context.counts, action);
  if (action.act === 'duplicate') return duplicate(record, key, ledger);
  if (action.act !== 'invalid') return undefined;
  if (action.record) ledger.record({ key, file: record.file, line: record.line, state: 'invalid', errorCode: verdict.code, error: formatProblems(verdict.problems), problems: JSON.stringify(verdict.problems.map(({ code, path, message }) => ({ code, path, message }))), fields: JSON.stringify(record.fields), payloadHash: fieldsHash });
  else if (!context.keys) ledger.touch(key);
  if (action.newError) context.note(true);
  return undefined;
}

/**
 * Messages of the messages files whose ticket is in none of the tickets files but was imported by
 * an earlier run (a nightly delta: new replies to old tickets): they are added to its
 * conversation. The ticket's status is not in tonight's files, so no final update is sent.
 */
export function* earlierTickets(stage: RecordStage, context: ClassifyContext): Generator<OutgoingTicket> {
  let after = '';
  for (;;) {
    const tickets = stage.unaskedTickets(after, 500);
    if (tickets.length === 0) return;
    for (const joined of tickets) {
      after = joined;
      const ticket = earlierTicket(joined, stage, context);
      if (ticket) yield ticket;
    }
  }
}

function earlierTicket(joined: string, stage: RecordStage, context: ClassifyContext): OutgoingTicket | undefined {
  const { ledger, mapping, counts } = context;
  // The ledger's own key for it (`1077` may have been `1077.0` in the tickets file).
  const previous = ledger.lookupJoined(joined);
  // Not imported before: left unasked, so it is reported as an orphan.
  if (previous?.state !== 'done') return undefined;
  const { key } = previous;
  const mapped = mapping.mapThread({}, key, stage.messagesOf(joined), context.authors);
  const errors = [...mapped.problems];
  const messages = checkMessages(mapped.messages, errors);
  if (previous.threadOpen) {
    // Its thread is unfinished (a message failed, is uncertain, or was never sent): adding
    // tonight's messages would put them before those, and the rest are not in tonight's files.
    const waiting = messages.filter((m) => m.originId !== previous.opener && ledger.lookupMessage(key, m.originId)?.state !== 'done').length;
    countWaiting(counts, waiting);
    if (waiting > 0) context.warn(`Ticket ${key} has an unfinished thread from an earlier run: its ${waiting} new messages wait until the ticket is in the tickets files again, with its whole thread.`);
    return undefined;
  }
  if (errors.length > 0) {
    countFailedMessages(counts, messages.length);
    context.warn(`The new messages of ticket ${key} (imported by an earlier run) are not sent: ${formatProblems(errors)}.`);
    return undefined;
  }
  return { thread: { key, slug: previous.slug, messages, final: undefined, open: false, opener: previous.opener } };
}

/**
 * A row whose key this run read already (the key index): counted and recorded as a duplicate, with
 * where the key was first read. False for a first reading, or without a key index.
 */
function readBefore(record: SourceRecord, key: string, fileIndex: number, context: ClassifyContext): boolean {
  if (!context.keys) return false;
  const first = context.keys.addOrGet(key, fileIndex, record.line);
  if (!first) return false;
  countRead(context.counts, { act: 'duplicate', count: 'duplicates' });
  context.ledger.recordDuplicate({ key, file: record.file, line: record.line, firstFile: context.files[first.fileIndex] ?? '?', firstLine: first.line });
  return true;
}

function duplicate(record: SourceRecord, key: string, ledger: Ledger): undefined {
  const first = ledger.placeOf(key);
  ledger.recordDuplicate({ key, file: record.file, line: record.line, firstFile: first?.file ?? '?', firstLine: first?.line ?? 0 });
  return undefined;
}

/** The body of the message a conversation is created with. */
function openingBody(body: Record<string, unknown>): string | undefined {
  const text = ((body.conversation as { message?: { body?: unknown } } | undefined)?.message)?.body;
  return typeof text === 'string' ? text : undefined;
}

/** The body with `tags` added to `conversation.tag_list` (each once). */
function withTags(body: Record<string, unknown>, tags: readonly string[]): Record<string, unknown> {
  const conversation = body.conversation as Record<string, unknown>;
  const existing = Array.isArray(conversation.tag_list) ? (conversation.tag_list as string[]) : [];
  return { ...body, conversation: { ...conversation, tag_list: [...new Set([...existing, ...tags])] } };
}

