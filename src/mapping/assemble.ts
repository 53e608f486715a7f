import type { RowProblem } from '../errors.js';
import { describeAuthor, offlineDirectory, resolveAuthor, type AuthorDirectory, type MappedAuthor, type ResolvedAuthor, type StaffMember } from './authors.js';
import { withHeader, type ConversationParts } from './body.js';
import { placeAttachments } from './attachments.js';
import { isEmpty } from './fields.js';
import type { Loss, Note } from './losses.js';
import { reorder } from './messages.js';
import type { MappedMessage, MappedRow } from './types.js';

/** The first line of a conversation that opened with an internal note: a public message must open it, and no note is made public. */
export const OPENED_BY_IMPORTER = '_This conversation opened with an internal note: it is kept private below, with the rest of the thread._';

/** What assembling one row needs besides its parts. */
export interface AssembleOptions {
  /** The conversation opens with the first public message of its thread. */
  opensWithThread: boolean;
  authors: AuthorDirectory | undefined;
}

/** A row being assembled: where its problems and losses go. */
interface Assembly {
  problems: RowProblem[];
  losses: Loss[];
  authors: AuthorDirectory;
  /** The ticket's customer, as `conversation.user` maps them. */
  customer: StaffMember | undefined;
  /** Who each thread message is sent as. */
  senders: Map<MappedMessage, ResolvedAuthor>;
}

/**
 * Puts a mapped record together once its authors are known: each message is sent as its author
 * (a customer as themselves, an agent as their staff member; otherwise as the policy says, the
 * original author named in its header); the conversation opens with the first public message
 * (notes before it come right after, counted; a thread of notes only is opened by the importer
 * with a line saying so: private stays private); the assignee is kept only when they are staff.
 */
/** The directory of a row assembled without one: no staff list, no staff map. */
const OFFLINE = offlineDirectory();

export function assembleRow(parts: ConversationParts, thread: MappedMessage[], key: string | undefined, problems: RowProblem[], options: AssembleOptions): MappedRow {
  const authors = options.authors ?? OFFLINE;
  const conversation = parts.body.conversation as Record<string, unknown>;
  const user = conversation.user as { email?: unknown; name?: unknown } | undefined;
  const customer = typeof user?.email === 'string' && user.email.trim() !== '' ? { email: user.email, ...(typeof user.name === 'string' ? { name: user.name } : {}) } : undefined;
  const row: Assembly = { problems, losses: [], authors, customer, senders: new Map() };
  // Chosen first, so its author is presumed the customer's; its losses are counted after the authors'.
  const openingLosses: Loss[] = [];
  const opening = options.opensWithThread && thread.length > 0 ? chooseOpener(thread, key, row, openingLosses) : undefined;
  for (const message of thread) sendAs(message, row, message === opening?.opener ? 'customer' : 'agent');
  const assignee = assigneeOf(parts.assignee, row);
  row.losses.push(...openingLosses);
  if (opening) openWith(conversation, opening.opener, parts, row);
  else openOwn(conversation, parts, row);
  const messages = opening ? opening.rest : thread;
  for (const message of thread) row.losses.push(...(message.losses ?? []));
  return { body: parts.body, messages, ...(opening ? { opener: opening.opener } : {}), problems, losses: row.losses, ...(assignee ? { assignee } : {}) };
}

/** A thread alone (new messages of a ticket imported before): each message's author resolved. */
export function assembleThread(thread: MappedMessage[], problems: RowProblem[], authors: AuthorDirectory | undefined): Loss[] {
  const row: Assembly = { problems, losses: [], authors: authors ?? OFFLINE, customer: undefined, senders: new Map() };
  for (const message of thread) sendAs(message, row, 'agent');
  for (const message of thread) row.losses.push(...(message.losses ?? []));
  return row.losses;
}

/** Who sends a thread message; a byline names the original author when it is not them. */
function sendAs(message: MappedMessage, row: Assembly, presumed: 'customer' | 'agent'): void {
  const body = message.body.message as Record<string, unknown>;
  const resolved = resolveAt(message.author ?? NOBODY, message.index, row, presumed);
  const user = resolved.user ?? (resolved.role === 'customer' ? row.customer : undefined);
  if (user) body.user = user;
  if (resolved.byline) body.body = withHeader(body.body, `_${resolved.byline}_`);
  message.body = { message: reorder(body) };
  row.senders.set(message, resolved);
}

const BYLINE = 'Originally written by ';

const NOBODY: MappedAuthor = {};

/**
 * A message's resolved author, its loss and (with the `reject` policy) its problem recorded at its
 * path: `conversation.message.user`, or for a number the thread message's `messages[3].user`.
 */
function resolveAt(author: MappedAuthor, at: string | number, row: Assembly, presumed: 'customer' | 'agent'): ResolvedAuthor {
  const resolved = resolveAuthor(author, row.authors, presumed);
  if (!resolved.loss && !resolved.problem) return resolved;
  const path = typeof at === 'number' ? `messages[${at}].user` : at;
  if (resolved.loss) row.losses.push({ kind: resolved.loss, path, detail: resolved.byline?.slice(BYLINE.length) ?? 'no author mapped' });
  if (resolved.problem) row.problems.push({ code: 'ROW_INVALID', path, message: resolved.problem });
  return resolved;
}

/** The assignee's staff e-mail, or nothing (counted when they are no staff member). */
function assigneeOf(author: MappedAuthor | undefined, row: Assembly): string | undefined {
  if (author === undefined || (author.email === undefined && author.id === undefined && author.name === undefined)) return undefined;
  const resolved = resolveAuthor({ ...author, role: 'agent' }, { ...row.authors, policy: 'importer' });
  if (resolved.role === 'agent' && resolved.user) return resolved.user.email;
  row.losses.push({ kind: 'assignee_not_staff', path: 'conversation.assignee', detail: describeAuthor(author) });
  return undefined;
}

/** The message that opens the conversation: the first public one; notes before it follow it. */
function chooseOpener(thread: MappedMessage[], key: string | undefined, row: Assembly, losses: Loss[]): { opener: MappedMessage; rest: MappedMessage[] } {
  const at = thread.findIndex((message) => (message.body.message as { visibility?: unknown }).visibility !== 1);
  if (at === -1) {
    losses.push({ kind: 'opened_by_importer', path: 'messages', detail: `${thread.length} internal note${thread.length === 1 ? '' : 's'}, no public message` });
    return { opener: placeholder(key, row), rest: thread };
  }
  for (const note of thread.slice(0, at)) losses.push({ kind: 'note_reordered', path: `messages[${note.index}]`, detail: `posted after messages[${thread[at]!.index}]` });
  return { opener: thread[at]!, rest: [...thread.slice(0, at), ...thread.slice(at + 1)] };
}

/** The opening line of a thread of notes only, sent by the importer. */
function placeholder(key: string | undefined, row: Assembly): MappedMessage {
  const opener: MappedMessage = { originId: `${key ?? ''}#opening`, index: 0, body: { message: { body: OPENED_BY_IMPORTER } } };
  row.senders.set(opener, { role: 'agent' });
  return opener;
}

/** Opens the conversation with a thread message: its body, attachment, and (an agent's) author. */
function openWith(conversation: Record<string, unknown>, opener: MappedMessage, parts: ConversationParts, row: Assembly): void {
  const own = (conversation.message ?? {}) as Record<string, unknown>;
  const { body: text, attachment } = opener.body.message as Record<string, unknown>;
  // A customer's first message goes as the conversation's customer; an agent's names its staff
  // member, or the importer when none matches (its byline names the original author).
  const sender = row.senders.get(opener);
  const user = sender?.role === 'agent' ? (sender.user ?? importerOf(row)) : undefined;
  if (opener.body.message && user) (opener.body.message as Record<string, unknown>).user = user;
  // The conversation's own message keeps its other keys (suppress_*), in their order; its body and attachment give way.
  const message: Record<string, unknown> = {};
  for (const name in own) if (name !== 'body' && name !== 'attachment') message[name] = own[name];
  message.body = parts.copies === '' ? text : withHeader(text, parts.copies);
  if (attachment !== undefined) message.attachment = attachment;
  if (user) message.user = user;
  // The ticket's own attachments go with the message that opens it: the opener's comes first.
  if (!isEmpty(own.attachment) || !isEmpty(parts.attachments)) {
    const ticketAttachments = [...(isEmpty(own.attachment) ? [] : [own.attachment]), ...listOf(parts.attachments)];
    placeAttachments(message, ticketAttachments, noteTo(row, 'conversation.message.attachments'));
  }
  conversation.message = message;
}

function listOf(value: unknown): unknown[] {
  return isEmpty(value) ? [] : Array.isArray(value) ? value : [value];
}

/** Records a loss of the row at `path`. */
function noteTo(row: Assembly, path: string): Note {
  return (kind, detail) => row.losses.push({ kind, path, detail });
}

/** The conversation's own first message: its author (an agent's outbound ticket) and the copies line. */
function openOwn(conversation: Record<string, unknown>, parts: ConversationParts, row: Assembly): void {
  const first = conversation.message as Record<string, unknown> | undefined;
  if (!first) return;
  if (!isEmpty(parts.attachments)) placeAttachments(first, parts.attachments, noteTo(row, 'conversation.message.attachments'));
  if (isEmpty(first.body)) return;
  if (parts.copies !== '') first.body = withHeader(first.body, parts.copies);
  if (!parts.opening) return;
  const resolved = resolveAt(parts.opening, 'conversation.message.user', row, 'customer');
  if (resolved.byline) first.body = withHeader(first.body, `_${resolved.byline}_`);
  // Only an agent's is named: a customer's first message is the conversation's customer's.
  const user = resolved.role === 'agent' ? (resolved.user ?? importerOf(row)) : undefined;
  if (user) first.user = user;
}

/** The token's staff member as a message's `user`, when known (run); else the API's default. */
function importerOf(row: Assembly): StaffMember | undefined {
  return row.authors.importer ? { email: row.authors.importer } : undefined;
}
