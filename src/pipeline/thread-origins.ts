import { attempt, newBudget, type SendContext } from './attempt.js';
import { notRead, type NotFoundOut } from './deliver.js';
import { goneError } from './fate.js';

/** Pages of a thread read at most when reconciling (30 messages a page). */
export const MAX_MESSAGE_PAGES = 200;

/** A thread's origin_ids as its listing shows them; `readable`/`complete` false when an absence proves nothing. */
export interface ThreadOrigins {
  origins: Set<string>;
  /** False when no message carries an `origin_id` at all (the API then does not show them). */
  readable: boolean;
  /** False when the pages ran past MAX_MESSAGE_PAGES. */
  complete: boolean;
}

/**
 * GET /conversations/{slug}/messages, every page, each page a request of its own through the
 * attempt loop (throttled, stopped, retried like any other, with a budget of its own: a long
 * thread's listing does not run out of retries because it has many pages). Pages are read until
 * the page count says, or, without one, until a page comes back empty.
 */
export async function listOrigins(slug: string, context: SendContext, maxPages = MAX_MESSAGE_PAGES): Promise<ThreadOrigins | NotFoundOut> {
  const listing: ThreadOrigins = { origins: new Set(), readable: false, complete: false };
  for (let page = 1; page <= maxPages; page++) {
    const read = await attempt({
      request: 'list',
      send: async () => {
        const answer = await context.client.messagePage(slug, page);
        return 'origins' in answer ? { read: answer } : answer;
      },
    }, context, newBudget());
    if (read.end !== 'read') return notRead(read, goneError(slug, ', so its messages cannot be added'));
    const { origins, readable, size, pageCount } = read.value;
    origins.forEach((origin) => listing.origins.add(origin));
    listing.readable ||= readable;
    if (size === 0 || (pageCount !== undefined && page >= pageCount)) return { ...listing, complete: true };
  }
  return listing;
}
