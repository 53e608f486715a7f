import { ImportError } from '../errors.js';
import type { SendContext } from './attempt.js';
import type { ImportCounts } from './import-counts.js';
import { sendRow, type OutgoingRow } from './send-row.js';
import { sendThread, type OutgoingThread } from './send-thread.js';
import { countDelivered, countFailedMessages, countThread, countWaiting } from './tally.js';

/** What one ticket needs: its conversation created (unless done before), then its thread completed. */
export interface OutgoingTicket {
  row?: OutgoingRow;
  thread?: OutgoingThread;
}

/** What sending tickets shares: the API side, the counts, the error budget, warnings. */
export interface TicketRun {
  context: SendContext;
  counts: ImportCounts;
  /** Told of every outcome that counts against --max-errors (true) or for it (false). */
  note: (failed: boolean) => void;
  warn: (text: string) => void;
  /** Conversations sent whose outcome is not counted yet. */
  rowsInFlight: Set<OutgoingRow>;
  /** Set once the summary is taken: a ticket finishing later counts no more. */
  closed?: boolean;
}

/** Creates the conversation when needed, then adds its thread; counts what happened. */
export async function sendTicket(ticket: OutgoingTicket, run: TicketRun): Promise<void> {
  const { context, counts, note } = run;
  let slug = ticket.thread?.slug;
  let opener: string | undefined;
  // Not expected (the ledger's disk is full…): the ticket counts as failed, with one sentence.
  const unexpected = (error: unknown) => {
    // An error of the run's scope (see ERROR_CODES) stops the run, resumable, instead of failing
    // ticket after ticket.
    if (error instanceof ImportError && error.scope === 'run') context.abort.error ??= error;
    // Once the summary is taken, requests dropped by the stopping throttle are not news.
    else if (!run.closed) run.warn(`${ticket.row?.key ?? ticket.thread?.key ?? '?'}: ${error instanceof Error ? error.message : String(error)}; the next run tries again.`);
    return undefined;
  };
  if (ticket.row) {
    const sent = await sendRow(ticket.row, context).catch(unexpected);
    const state = sent?.state ?? 'failed';
    if (run.closed) return;
    countDelivered(counts, state);
    run.rowsInFlight.delete(ticket.row);
    if (state === 'rejected' || state === 'failed') note(true);
    else if (state === 'done') note(false);
    if (state !== 'done') {
      // Its messages wait for it (the opening one goes with it).
      if (ticket.thread) countWaiting(counts, ticket.thread.messages.length - (ticket.row.opener ? 1 : 0));
      return;
    }
    slug = sent?.slug;
    opener = sent?.opener;
  }
  if (!ticket.thread) return;
  const result = await sendThread({ ...ticket.thread, slug, ...(opener === undefined ? {} : { opener }) }, context).catch(unexpected);
  if (run.closed) return;
  if (!result) {
    countFailedMessages(counts, 1);
    return;
  }
  countThread(counts, result);
  // Only what failed anew counts against --max-errors: last night's refused messages do not.
  if (result.newErrors > 0) note(true);
}
