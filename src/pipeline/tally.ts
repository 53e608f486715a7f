import { addLossCounts, type LossCounts } from '../mapping/losses.js';
import type { ImportCounts } from './import-counts.js';
import type { RowAction } from './fate.js';
import type { SendResult } from './deliver.js';
import type { ThreadResult } from './send-thread.js';

/**
 * The run's counts, changed only here, from the transitions the fate table and the senders
 * return: `run --json`, the progress line and the run recorded in the ledger all read these.
 */

/** A row read and decided on (a send is counted when its answer comes). */
export function countRead(counts: ImportCounts, action: RowAction): void {
  counts.rows += 1;
  if (action.act === 'send') return;
  counts[action.count] += 1;
  if (action.act === 'skip' && action.changed) counts.changed += 1;
}

/** What a ticket sent in this run could not carry as the export held it. */
export function countTicketLosses(counts: ImportCounts, losses: LossCounts): void {
  addLossCounts(counts.losses, losses);
}

/** A conversation's delivery ended in `state`. */
export function countDelivered(counts: ImportCounts, state: SendResult): void {
  counts[state] += 1;
}

/** Messages that wait for the next run (their conversation is not done, or the run stopped). */
export function countWaiting(counts: ImportCounts, messages: number): void {
  counts.messages.pending += messages;
}

/** Messages that failed as a whole (their thread could not be completed at all). */
export function countFailedMessages(counts: ImportCounts, messages: number): void {
  counts.messages.failed += messages;
}

/** A thread's messages and final update, as completing it came to. */
export function countThread(counts: ImportCounts, result: ThreadResult): void {
  for (const [state, n] of Object.entries(result.messages)) counts.messages[state as keyof ImportCounts['messages']] += n;
  if (result.update === 'done' || result.update === 'failed') counts.updates[result.update] += 1;
}
