import type { ApiFacts } from '../ledger/ledger.js';
import type { ListedMessage } from '../reamaze/client.js';
import { bodyText } from './message-evidence.js';

/**
 * What `verify` compares, as pure functions of one value: what was sent (the mapped payloads and
 * what the ledger has done) against what Re:amaze holds. No I/O; details never carry a message body.
 */

/** Every kind of difference `verify` names (the `kind` column of `verify_mismatches`). */
export const MISMATCH_KINDS = ['missing', 'message_missing', 'message_extra', 'message_order', 'status', 'tags', 'assignee', 'data', 'duplicate'] as const;

/** One kind of difference. */
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One difference between what was sent and what is held. */
export interface Mismatch {
  kind: MismatchKind;
  /** What differs, in words: ids, counts, field names, statuses; never a message body. */
  detail: string;
}

/** What a conversation should hold, from the mapped payload and the ledger. */
export interface ExpectedConversation {
  /** The final mapped status (replies move it; the importer sets it last). */
  status?: number | undefined;
  /** The mapped tags plus the run's --tag; undefined when the mapping sets none. */
  tags?: readonly string[] | undefined;
  /** The staff e-mail the final PUT assigned. */
  assignee?: string | undefined;
  /** The mapped custom data (the key field included). */
  data: Readonly<Record<string, unknown>>;
  /** The body of the message the conversation opened with. */
  openerBody: string | undefined;
  /** The added messages the ledger has `done`, in thread order. */
  messages: readonly { originId: string; body: string | undefined }[];
  /** False while the ledger has the thread open: the final status and assignee are not set yet. */
  final: boolean;
}

/** What Re:amaze answered for it: GET /conversations/{slug}, and its thread's listing when read. */
export interface ReadBack {
  conversation: Record<string, unknown>;
  listing?: readonly ListedMessage[] | undefined;
}

/** Every difference between `expected` and `held` (none: it matches), messages first. */
export function compareConversation(expected: ExpectedConversation, held: ReadBack, facts: ApiFacts = {}): Mismatch[] {
  const { conversation } = held;
  const found: Mismatch[] = held.listing ? compareThread(expected, held.listing, facts) : [];
  if (expected.final && expected.status !== undefined && Number(conversation.status) !== expected.status) {
    found.push({ kind: 'status', detail: `status ${expected.status} was sent, Re:amaze has ${describeValue(conversation.status)}` });
  }
  if (expected.tags !== undefined) found.push(...compareTags(expected.tags, conversation.tag_list));
  if (expected.final && expected.assignee !== undefined) {
    const assignee = emailOf(conversation.assignee);
    if (assignee?.toLowerCase() !== expected.assignee.toLowerCase()) {
      found.push({ kind: 'assignee', detail: `assigned to ${expected.assignee} when sent, Re:amaze has ${assignee ?? 'nobody'}` });
    }
  }
  const data = (conversation.data ?? {}) as Record<string, unknown>;
  const differing = Object.keys(expected.data).filter((field) => textOf(expected.data[field]) !== textOf(data[field]));
  // Field names only: a custom value may be a customer's.
  if (differing.length > 0) found.push({ kind: 'data', detail: `data ${differing.join(', ')} ${differing.length === 1 ? 'differs' : 'differ'} from what was sent` });
  return found;
}

/**
 * A thread against its listing: by origin_id where the listing echoes it, else by body text where
 * it shows bodies, else by count. The opening message may or may not be listed (Re:amaze does not
 * say); a listing newest first is in order too.
 */
export function compareThread(expected: ExpectedConversation, listing: readonly ListedMessage[], facts: ApiFacts = {}): Mismatch[] {
  const echoes = facts.echoesOriginIds ?? listing.some((message) => typeof message.originId === 'string');
  if (echoes) return compareByOriginId(expected.messages.map((message) => message.originId), listing);
  if (listing.some((message) => bodyText(message.body) !== undefined)) return compareByBody(expected, listing);
  return compareByCount(expected.messages.length, listing.length, facts.listsOpener);
}

function compareByOriginId(sent: readonly string[], listing: readonly ListedMessage[]): Mismatch[] {
  const listed = listing.map((message) => message.originId).filter((id): id is string => typeof id === 'string');
  const listedSet = new Set(listed);
  const sentSet = new Set(sent);
  const found: Mismatch[] = [];
  sent.forEach((id, index) => {
    if (!listedSet.has(id)) found.push({ kind: 'message_missing', detail: `message ${index + 2} of the thread (origin_id ${id}) is not in the conversation` });
  });
  for (const id of listed.filter((id) => !sentSet.has(id))) found.push({ kind: 'message_extra', detail: `origin_id ${id} is in the conversation but was not sent` });
  const inBoth = sent.filter((id) => listedSet.has(id));
  const order = listed.filter((id) => sentSet.has(id));
  // The opening message (listed without an origin_id) at either end tells which way the listing runs.
  const opener = listing.findIndex((message) => typeof message.originId !== 'string');
  const direction = opener === 0 && listing.length > 1 ? 'forward' : opener === listing.length - 1 && opener > 0 ? 'backward' : 'either';
  const misplaced = firstOutOfOrder(inBoth, order, direction);
  if (misplaced !== undefined) found.push({ kind: 'message_order', detail: `origin_id ${misplaced} is out of place in the thread` });
  return found;
}

function compareByBody(expected: ExpectedConversation, listing: readonly ListedMessage[]): Mismatch[] {
  const listed = listing.map((message) => bodyText(message.body));
  const used = new Set<number>();
  const take = (text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const at = listed.findIndex((candidate, index) => !used.has(index) && candidate === text);
    if (at >= 0) used.add(at);
    return at >= 0 ? at : undefined;
  };
  const found: Mismatch[] = [];
  const positions: number[] = [];
  const opener = take(bodyText(expected.openerBody));
  if (opener !== undefined) positions.push(opener);
  expected.messages.forEach((message, index) => {
    const at = take(bodyText(message.body));
    if (at === undefined) found.push({ kind: 'message_missing', detail: `message ${index + 2} of the thread (origin_id ${message.originId}) is not in the conversation (by its body)` });
    else positions.push(at);
  });
  const extra = listed.length - used.size;
  if (extra > 0) found.push({ kind: 'message_extra', detail: `${extra} message${extra === 1 ? '' : 's'} in the conversation match${extra === 1 ? 'es' : ''} none sent (by body)` });
  const sorted = [...positions].sort((a, b) => a - b);
  const misplaced = firstOutOfOrder(sorted.map(String), positions.map(String), opener === 0 ? 'forward' : opener !== undefined && opener === listed.length - 1 ? 'backward' : 'either');
  if (misplaced !== undefined) found.push({ kind: 'message_order', detail: 'the messages are not in the order sent (by body)' });
  return found;
}

function compareByCount(sent: number, listed: number, listsOpener: boolean | undefined): Mismatch[] {
  const least = listsOpener === true ? sent + 1 : sent;
  const most = listsOpener === false ? sent : sent + 1;
  const expected = least === most ? String(least) : `${least} or ${most}`;
  if (listed < least) return [{ kind: 'message_missing', detail: `the listing shows ${listed} messages, ${expected} expected (the API shows neither origin_id nor bodies)` }];
  if (listed > most) return [{ kind: 'message_extra', detail: `the listing shows ${listed} messages, ${expected} expected (the API shows neither origin_id nor bodies)` }];
  return [];
}

/**
 * The first item of `sent` not where `listed` has it, read as sent (`forward`), newest first
 * (`backward`), or whichever fits (`either`); undefined when in order.
 */
function firstOutOfOrder(sent: readonly string[], listed: readonly string[], direction: 'forward' | 'backward' | 'either'): string | undefined {
  const reversed = [...listed].reverse();
  if (direction !== 'backward' && sent.every((id, index) => listed[index] === id)) return undefined;
  if (direction !== 'forward' && sent.every((id, index) => reversed[index] === id)) return undefined;
  return sent.find((id, index) => listed[index] !== id);
}

function compareTags(sent: readonly string[], held: unknown): Mismatch[] {
  const has = new Set(Array.isArray(held) ? held.map(String) : []);
  const wanted = new Set(sent);
  const absent = [...wanted].filter((tag) => !has.has(tag));
  const added = [...has].filter((tag) => !wanted.has(tag));
  if (absent.length === 0 && added.length === 0) return [];
  const parts = [absent.length > 0 ? `not there: ${absent.join(', ')}` : '', added.length > 0 ? `not sent: ${added.join(', ')}` : ''];
  return [{ kind: 'tags', detail: `tags ${parts.filter(Boolean).join('; ')}` }];
}

/** An assignee as an e-mail: a string, or an object with one (`{name, email}`); undefined for nobody. */
function emailOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  const email = (value as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' && email !== '' ? email : undefined;
}

/** A custom data value as compared: text, absent and null both empty. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function describeValue(value: unknown): string {
  return value === undefined || value === null ? 'none' : String(value);
}
