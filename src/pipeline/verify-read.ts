import type { ListedMessage } from '../reamaze/client.js';
import { attempt, newBudget, type SendContext } from './attempt.js';
import { reasonOf } from './deliver.js';
import { listThread } from './thread-listing.js';

/**
 * What `verify` reads of one conversation, every request through the attempt loop (the run's
 * throttle, retries and stop flags): only GETs, so nothing in Re:amaze changes.
 */
export type ReadConversation =
  | { end: 'held'; conversation: Record<string, unknown>; listing: ListedMessage[] | undefined; keyHolders: string[] | undefined }
  /** GET /conversations/{slug} answered 404; `keyHolders`: what a lookup by key found (undefined: it could not tell). */
  | { end: 'missing'; keyHolders: string[] | undefined }
  /** No decisive answer (retries ran out, an answer that proves nothing): checked again on resume. */
  | { end: 'unreadable'; why: string }
  /** The command is stopping (a signal, bad credentials): nothing is recorded for it. */
  | { end: 'stopped' };

/**
 * Reads a done conversation back: the conversations holding its key (GET /conversations?data[key]=…,
 * first: a 404 there is an unknown brand and stops everything before any conversation reads as
 * missing), the conversation by its slug, and, with `listing`, every page of its thread.
 */
export async function readConversation(key: string, slug: string, listing: boolean, context: SendContext): Promise<ReadConversation> {
  const holders = await lookupKey(key, context);
  if (holders === 'stopped') return { end: 'stopped' };
  const read = await attempt<Record<string, unknown>>({
    request: 'list',
    send: async () => {
      const outcome = await context.client.getConversation(slug);
      if (outcome.kind !== 'created') return outcome;
      const body = outcome.body;
      // A 2xx that is not a conversation (an HTML page, an empty body) proves nothing: asked again.
      return body !== null && typeof body === 'object' && !Array.isArray(body) ? { read: body as Record<string, unknown> } : { kind: 'unknown', reason: 'the API answered without the conversation in it' };
    },
  }, context, newBudget());
  if (read.end === 'stopped') return { end: 'stopped' };
  if (read.end === 'exhausted') return { end: 'unreadable', why: `gave up: ${reasonOf(read.outcome)}` };
  if (read.end === 'answer') {
    if (read.outcome.kind === 'not-found') return { end: 'missing', keyHolders: holders };
    return { end: 'unreadable', why: reasonOf(read.outcome) };
  }
  const keyHolders = holders;
  if (!listing) return { end: 'held', conversation: read.value, listing: undefined, keyHolders };
  const thread = await listThread(slug, context);
  if ('stopped' in thread) return { end: 'stopped' };
  if (!('messages' in thread)) return { end: 'unreadable', why: 'gaveUp' in thread ? `its messages: ${thread.gaveUp}` : 'its messages cannot be listed' };
  if (!thread.complete) return { end: 'unreadable', why: 'its thread has more pages than are read' };
  return { end: 'held', conversation: read.value, listing: thread.messages, keyHolders };
}

/** The slugs of the conversations holding `key` in their data; undefined when the answer cannot tell. */
async function lookupKey(key: string, context: SendContext): Promise<string[] | undefined | 'stopped'> {
  const read = await attempt<string[]>({
    request: 'lookup',
    send: async () => {
      const answer = await context.client.findByData(context.keyField, key);
      return 'slugs' in answer ? { read: answer.slugs } : answer;
    },
  }, context, newBudget());
  if (read.end === 'stopped') return 'stopped';
  return read.end === 'read' ? read.value : undefined;
}
