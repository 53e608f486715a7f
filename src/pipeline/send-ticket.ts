import { ImportError } from '../errors.js';
import { isStopping, type SendContext } from './attempt.js';
import type { ImportCounts } from './import-counts.js';
import { sendRow, type OutgoingRow } from './send-row.js';
import { sendThread, type OutgoingThread, type ThreadResult } from './send-thread.js';
import type { TokenPool } from './token-pool.js';
import { countDelivered, countFailedMessages, countThread, countWaiting } from './tally.js';

/** What one ticket needs: its conversation created (unless done before), then its thread completed. */
export interface OutgoingTicket {
  row?: OutgoingRow;
  thread?: OutgoingThread;
}

/** What sending tickets shares: the API side, the counts, the error budget, warnings. */
export interface TicketRun {
  /** The run's context: its stop flags, ledger and retry policy; the token's client and throttle when no pool is given. */
  context: SendContext;
  /** The run's tokens: each phase of a ticket goes through one of them. Default: `context`'s own client and throttle. */
  tokens?: TokenPool;
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
  // With several tokens, a conversation is settled and its thread completed through the token
  // that sent it (when it is still there), so its messages keep one sender and their order.
  let token = preferredToken(ticket, run);
  if (ticket.row) {
    const row = ticket.row;
    const phase = await throughToken(run, token, (bound, again) => {
      // Sent again through another token: as the ledger now has it (a request may have left).
      if (again) row.previous = context.ledger.lookup(row.key);
      return sendRow(row, bound);
    }, (sent) => sent.state === 'pending' || sent.state === 'uncertain').catch((error: unknown) => ({ result: unexpected(error), email: undefined }));
    token = phase.email;
    const sent = phase.result;
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
  const thread = { ...ticket.thread, slug, ...(opener === undefined ? {} : { opener }) };
  let first: ThreadResult | undefined;
  const phase = await throughToken(run, token, async (bound, again) => {
    // Completed through another token: the ledger knows whether the first opened the thread.
    const result = await sendThread(again ? { ...thread, open: thread.open || context.ledger.lookup(thread.key)?.threadOpen === true } : thread, bound);
    const merged = first ? mergeThreadResults(first, result) : result;
    first = merged;
    return merged;
  }, (result) => result.messages.pending > 0 || result.update === 'stopped').catch((error: unknown) => ({ result: unexpected(error), email: undefined }));
  const result = phase.result;
  if (run.closed) return;
  if (!result) {
    countFailedMessages(counts, 1);
    return;
  }
  countThread(counts, result);
  // Only what failed anew counts against --max-errors: last night's refused messages do not.
  if (result.newErrors > 0) note(true);
}

/** The token that sent this ticket's conversation, as the ledger has it: none for a new one, or with one token. */
function preferredToken(ticket: OutgoingTicket, run: TicketRun): string | null | undefined {
  if (!run.tokens || run.tokens.tokens.length < 2) return undefined;
  if (ticket.row) return ticket.row.previous?.sentBy;
  return ticket.thread ? run.context.ledger.lookup(ticket.thread.key)?.sentBy : undefined;
}

/**
 * Runs one phase of a ticket (its conversation, or its thread) through one token of the pool. When
 * that token is retired meanwhile (the API refused its credentials: a refused request was not
 * processed) and the phase did not finish (`unfinished`), it runs again through another token,
 * from what the ledger now holds, until none is left; then the run's own context stops it.
 */
async function throughToken<T>(
  run: TicketRun, preferred: string | null | undefined, phase: (context: SendContext, again: boolean) => Promise<T>, unfinished: (result: T) => boolean,
): Promise<{ result: T; email: string | undefined }> {
  let again = false;
  for (;;) {
    const binding = await run.tokens?.acquire(run.context, preferred);
    if (!binding) return { result: await phase(run.context, again), email: undefined };
    let result: T;
    try {
      result = await phase(binding.context, again);
    } finally {
      binding.release();
    }
    if (binding.token.retired === undefined || isStopping(run.context) || !unfinished(result)) return { result, email: binding.token.email };
    again = true;
    preferred = undefined;
  }
}

/**
 * A thread completed by a second token after the first was retired: what the first added counts
 * as added (the second found it done), and its refused messages as this run's errors.
 */
function mergeThreadResults(first: ThreadResult, then: ThreadResult): ThreadResult {
  const messages = { ...then.messages, done: then.messages.done + first.messages.done, skipped: Math.max(0, then.messages.skipped - first.messages.done) };
  return { messages, newErrors: then.newErrors + first.messages.rejected, update: then.update };
}
