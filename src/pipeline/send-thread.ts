import type { MessageUpdate } from '../ledger/ledger.js';
import type { MappedMessage } from '../mapping/types.js';
import { attempt, isStopping, newBudget, sentByOf, type SendContext } from './attempt.js';
import { deliver, reasonOf, type Delivery, type Looked, type SendResult } from './deliver.js';
import { decideMessage, goneError } from './fate.js';
import { ListingKnowledge } from './listing-knowledge.js';
import { learnFromKnown, sentText, weighMessage, type KnownThread } from './message-evidence.js';
import { findByKey } from './send-row.js';
import { listThread } from './thread-listing.js';

/** The thread of a conversation that exists (or was just created), to complete. */
export interface OutgoingThread {
  /** The row key of the ticket. */
  key: string;
  /** The conversation's slug, when known. */
  slug: string | null | undefined;
  /** The messages after the first, in order. */
  messages: readonly MappedMessage[];
  /** The mapped final `{conversation: {status, tag_list}}`, undefined when the mapping sets neither. */
  final: Record<string, unknown> | undefined;
  /** The ledger says an earlier run left this thread unfinished. */
  open: boolean;
  /** The origin_id of the message the conversation opened with: never posted again. */
  opener?: string | null | undefined;
  /** `--adopt-existing`: a message the ledger does not know is looked up in the conversation before it is sent. */
  adopted?: boolean;
  /** The body of the message the conversation opened with, when it is not one of `messages` (weighed when reconciling). */
  openerBody?: string | undefined;
}

/** Message counts of one run; `skipped` were done (or refused unchanged) before. */
export type MessageCounts = Record<SendResult | 'skipped', number>;

/** What completing a thread came to. */
export interface ThreadResult {
  messages: MessageCounts;
  /** Messages refused or failed in this run (not those refused by an earlier run and unchanged). */
  newErrors: number;
  /** The final status update: accepted, failed (retried by the next run), not needed, or not sent because the run stopped. */
  update: 'done' | 'failed' | 'none' | 'stopped';
}

/**
 * The PUT body that sets a thread's final status, as mapped: replies may have moved it. Tags and
 * the assignee are put only in the run that created the conversation; later they may be the
 * agents' own. Undefined when there is nothing to set.
 */
export function finalUpdate(body: Record<string, unknown>, created: boolean, assignee?: string): Record<string, unknown> | undefined {
  const { status, tag_list: tags } = body.conversation as { status?: unknown; tag_list?: unknown };
  const update = {
    ...(status === undefined ? {} : { status }),
    ...(created && tags !== undefined ? { tag_list: tags } : {}),
    ...(created && assignee !== undefined ? { assignee: { email: assignee } } : {}),
  };
  return Object.keys(update).length === 0 ? undefined : { conversation: update };
}

/** All message counts at zero. */
export function emptyMessageCounts(): MessageCounts {
  return { done: 0, skipped: 0, rejected: 0, failed: 0, uncertain: 0, pending: 0 };
}

/**
 * Adds a conversation's messages in order through the token's one throttle, each exactly once
 * (a ledger row of its own, `sending` committed before it leaves, an ambiguous answer reconciled
 * by origin_id in the thread), then sets the final status (and, in the run that created the
 * conversation, its tags) with one PUT, since replies may have moved it. A message the API refuses
 * does not hold up the rest; one that failed or is uncertain does: the next run resumes the thread
 * there, in order.
 */
export async function sendThread(thread: OutgoingThread, context: SendContext): Promise<ThreadResult> {
  const run: ThreadRun = { thread, context, counts: emptyMessageCounts(), newErrors: 0, slug: thread.slug ?? undefined, open: thread.open };
  const update = (await addMessages(run)) ? await finishThread(run) : 'none';
  return { messages: run.counts, newErrors: run.newErrors, update };
}

/** One thread being completed: what its messages came to so far. */
interface ThreadRun {
  thread: OutgoingThread;
  context: SendContext;
  counts: MessageCounts;
  newErrors: number;
  slug: string | undefined;
  /** The ledger has the thread open (messages or the final update to come). */
  open: boolean;
}

/** The conversation's slug: known, or looked up by its key once (and kept). */
async function slugOf(run: ThreadRun): Promise<string | undefined> {
  return (run.slug ??= await findSlug(run.thread.key, run.context));
}

/** Adds the messages not yet in, in order; false when one holds up the rest (the next run resumes there). */
async function addMessages(run: ThreadRun): Promise<boolean> {
  const { thread, context, counts } = run;
  for (const [position, message] of thread.messages.entries()) {
    // The conversation's own first message: not one of the thread's messages to count.
    if (message.originId === thread.opener) continue;
    const previous = context.ledger.lookupMessage(thread.key, message.originId);
    // Most messages of a nightly re-run are done: they are skipped before any serializing.
    const payload = previous?.state === 'done' ? '' : JSON.stringify(message.body);
    const action = decideMessage(previous, payload);
    if (action.act === 'skip') {
      counts[action.count] += 1;
      continue;
    }
    const slug = await slugOf(run);
    if (slug === undefined || isStopping(context)) {
      const stopped = isStopping(context);
      counts[stopped ? 'pending' : 'failed'] += thread.messages.length - position;
      if (!stopped) run.newErrors += 1;
      return false;
    }
    // Open before the first message leaves (queued writes commit with its `sending`).
    if (!run.open) context.ledger.setThread(thread.key, true);
    run.open = true;
    const lookUpFirst = action.reconcileFirst || (thread.adopted === true && previous === undefined);
    if (!lookUpFirst && thread.adopted !== true) await probeListing(run, slug);
    const { state } = await deliver(messageJob(run, slug, message, payload, action.payloadHash, lookUpFirst), context);
    counts[state] += 1;
    if (state === 'rejected' || state === 'failed') run.newErrors += 1;
    if (state !== 'done' && state !== 'rejected') {
      counts.pending += thread.messages.length - position - 1;
      return false;
    }
  }
  return true;
}

/** Every message is in: closes the thread, after the PUT of its final status when the mapping sets one. */
async function finishThread(run: ThreadRun): Promise<ThreadResult['update']> {
  const { thread, context } = run;
  // Nothing was added and nothing was left to do: the thread is as it was.
  if (!run.open) return 'none';
  if (thread.final === undefined) {
    context.ledger.setThread(thread.key, false);
    return 'none';
  }
  const slug = await slugOf(run);
  if (slug === undefined) {
    if (isStopping(context)) return 'stopped';
    context.ledger.setThread(thread.key, true, 'the final status update failed: the conversation could not be found by its key');
    return 'failed';
  }
  return applyFinal(thread.key, slug, thread.final, context);
}

function messageJob(run: ThreadRun, slug: string, message: MappedMessage, payload: string, payloadHash: string, unsettled: boolean): Delivery {
  const { thread, context } = run;
  const base: MessageUpdate = { ticket: thread.key, originId: message.originId, seq: message.index, state: 'sending', payloadHash, payload };
  return {
    request: 'message',
    unsettled,
    markSending: () => context.ledger.markSendingSoon({ kind: 'message', update: { ...base, ...sentByOf(context) } }),
    send: () => context.client.addMessage(slug, withSender(message.body, context.unattributedAs)),
    // The JSON of a message: an HTML page, an empty body or an error in a 200 proves nothing.
    accepts: isMessageAnswer,
    find: () => findMessage(run, slug, message),
    record(state: SendResult, { httpStatus, errorCode, error, attempts }) {
      context.ledger.recordMessage({ ...base, httpStatus, errorCode, error, attempts, state });
    },
    failedWhy: goneError(slug, ', so its messages cannot be added'),
  };
}

/**
 * Whether a message whose POST got no clear answer is in the conversation: the thread's listing
 * weighed against what the ledger knows is there (see message-evidence.ts).
 */
async function findMessage(run: ThreadRun, slug: string, message: MappedMessage): Promise<Looked> {
  const listing = await listThread(slug, run.context);
  if (!('messages' in listing)) return listing;
  const cannot = `whether message ${message.originId} arrived in the conversation ${slug} cannot be told`;
  const after = 'it is not sent again blindly: check the conversation in Re:amaze, then settle it with resolve';
  if (!listing.complete) return { undecidable: `${cannot}: it has more than ${listing.messages.length} messages to read through; ${after}` };
  const knowledge = listingsOf(run.context);
  const { known } = knownThread(run, message.originId);
  const { weighed, learned } = weighMessage(listing.messages, known, { originId: message.originId, body: sentText(message) }, knowledge.facts());
  knowledge.learn(learned);
  if (weighed.verdict !== 'undecidable') return { found: weighed.verdict === 'present' };
  return { undecidable: `${cannot}: ${weighed.why}; ${after}`, later: weighed.later };
}

/**
 * Lists a thread whose content is known exactly (every message of it settled), once in a while,
 * to learn what this API's listings show while the ledger does not know yet: so that a message
 * whose answer is lost later can be weighed in the same run.
 */
async function probeListing(run: ThreadRun, slug: string): Promise<void> {
  const knowledge = listingsOf(run.context);
  if (!knowledge.wantsProbe()) return;
  const { known, exact } = knownThread(run);
  if (!exact || !knowledge.startProbe(known.done.length)) return;
  try {
    const listing = await listThread(slug, run.context);
    if ('messages' in listing && listing.complete) knowledge.learn(learnFromKnown(listing.messages, known));
  } finally {
    knowledge.endProbe();
  }
}

/** What the conversation holds as far as the ledger knows (`exact`: no message of it in doubt but `doubted`). */
function knownThread(run: ThreadRun, doubted?: string): { known: KnownThread; exact: boolean } {
  const { thread, context } = run;
  const entries = context.ledger.threadMessages(thread.key);
  const bodies = new Map(thread.messages.map((message) => [message.originId, sentText(message)]));
  const opener = thread.opener ?? undefined;
  const done = entries
    .filter((entry) => entry.state === 'done' && entry.originId !== opener && entry.originId !== doubted)
    .map((entry) => ({ originId: entry.originId, body: bodies.get(entry.originId) }));
  const exact = entries.every((entry) => entry.originId === doubted || (entry.state !== 'sending' && entry.state !== 'uncertain'));
  return { known: { openerBody: opener === undefined ? thread.openerBody : bodies.get(opener), done }, exact };
}

/**
 * Whether a 2xx body is a message, as far as its undocumented shape can be told: an object (or one
 * under `message`) that names no error and has a field a message has.
 */
export function isMessageAnswer(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const fields = body as Record<string, unknown>;
  if ('error' in fields || 'errors' in fields) return false;
  if (fields.message !== null && typeof fields.message === 'object') return isMessageAnswer(fields.message);
  return ['body', 'visibility', 'origin_id', 'created_at', 'id', 'user'].some((name) => name in fields);
}


/**
 * A message that names no sender (an agent's that no staff member matched) goes as the API's
 * default, the sending token's staff member; with `--unattributed-as`, as that member, so that it
 * does not depend on which of several tokens sends it. Only the request carries it: the ledger's
 * payload and hash stay the mapped body's.
 */
function withSender(body: Record<string, unknown>, email: string | undefined): Record<string, unknown> {
  const inner = body.message as Record<string, unknown> | undefined;
  if (email === undefined || !inner || typeof inner !== 'object' || inner.user !== undefined) return body;
  return { ...body, message: { ...inner, user: { email } } };
}

/** The run's knowledge of the API's listings, made from the ledger on first use. */
function listingsOf(context: SendContext): ListingKnowledge {
  return (context.listings ??= new ListingKnowledge(context.ledger));
}

/** The slug of a created conversation whose answer carried none: looked up by its key, then kept. */
async function findSlug(key: string, context: SendContext): Promise<string | undefined> {
  const looked = await findByKey(key, context, newBudget());
  if (!('found' in looked) || !looked.found || looked.slug == null) return undefined;
  context.ledger.recordSlug(key, looked.slug);
  return looked.slug;
}

/**
 * PUT /conversations/{slug} with the mapped status and tags. It is idempotent, so any failure is
 * simply tried again (bounded); a thread whose update failed stays open for the next run.
 */
async function applyFinal(key: string, slug: string, body: Record<string, unknown>, context: SendContext): Promise<'done' | 'failed' | 'stopped'> {
  const put = await attempt({ request: 'update', send: () => context.client.updateConversation(slug, body) }, context, newBudget());
  // Stopped: the thread stays open, and the next run sends the update.
  if (put.end === 'stopped') return 'stopped';
  if (put.end === 'answer' && put.rule.then === 'done') {
    context.ledger.setThread(key, false);
    return 'done';
  }
  const outcome = put.outcome;
  const error = outcome.kind === 'rejected' ? outcome.error : outcome.kind === 'not-found' ? goneError(slug) : reasonOf(outcome);
  context.ledger.setThread(key, true, `the final status update failed: ${error}`);
  return 'failed';
}
