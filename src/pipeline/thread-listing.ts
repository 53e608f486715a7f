import type { ListedMessage } from '../reamaze/client.js';
import { attempt, newBudget, type SendContext } from './attempt.js';
import { notRead, type NotFoundOut } from './deliver.js';
import { goneError } from './fate.js';

/** Pages of a thread read at most when reconciling (30 messages a page). */
export const MAX_MESSAGE_PAGES = 200;

/** A thread as its listing shows it; `complete` false when the pages ran past MAX_MESSAGE_PAGES. */
export interface ThreadListing {
  messages: ListedMessage[];
  complete: boolean;
}

/**
 * GET /conversations/{slug}/messages, every page, each page a request of its own through the
 * attempt loop (throttled, stopped, retried like any other, with a budget of its own: a long
 * thread's listing does not run out of retries because it has many pages). Pages are read until
 * the page count says, or, without one, until a page comes back empty.
 */
export async function listThread(slug: string, context: SendContext, maxPages = MAX_MESSAGE_PAGES): Promise<ThreadListing | NotFoundOut> {
  const messages: ListedMessage[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const read = await attempt({
      request: 'list',
      send: async () => {
        const answer = await context.client.messagePage(slug, page);
        return 'messages' in answer ? { read: answer } : answer;
      },
    }, context, newBudget());
    if (read.end !== 'read') return notRead(read, goneError(slug, ', so its messages cannot be added'));
    messages.push(...read.value.messages);
    const { pageCount } = read.value;
    if (read.value.messages.length === 0 || (pageCount !== undefined && page >= pageCount)) return { messages, complete: true };
  }
  return { messages, complete: false };
}
