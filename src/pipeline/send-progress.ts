import type { CompiledMapping } from '../mapping/types.js';
import type { Throttle } from '../reamaze/throttle.js';
import { countRecords } from '../source/threaded.js';
import type { ImportCounts } from './import-counts.js';
import type { SendingProgress } from './progress.js';
import type { SendPace } from './send-pace.js';

/** Tickets handed to sending in this run, and finished. */
export interface SendingTally {
  started: number;
  finished: number;
  /** Every row of the files was read: `started` is all there is to send. */
  allRead: boolean;
  startedAt: number;
  /** The records of the tickets files, once counted. */
  records?: number | undefined;
  onFirst?: () => void;
}

/** The records of all the files (undefined when one cannot be counted, or the run ended first). */
export async function countAll(files: readonly string[], mapping: CompiledMapping, signal: AbortSignal): Promise<number | undefined> {
  let total = 0;
  for (const file of files) {
    const records = await countRecords(file, mapping.source, signal);
    if (records === undefined) return undefined;
    total += records;
  }
  return total;
}

/**
 * What is left is what is still to send: tickets finished against tickets to send — exact once
 * every row was read, else the tickets started so far scaled by the share of the bytes read.
 */
export function sendingProgress(tally: SendingTally, read: { bytesRead: number; totalBytes: number }, counts: ImportCounts, pace: SendPace, throttle: Throttle): SendingProgress {
  const share = read.totalBytes > 0 ? Math.min(1, read.bytesRead / read.totalBytes) : 1;
  let estimate = tally.started;
  if (!tally.allRead && tally.records !== undefined && counts.rows > 0) {
    // The rows still unread, at the share of the rows read so far that had something to send.
    estimate = Math.round(tally.started + Math.max(0, tally.records - counts.rows) * (tally.started / counts.rows));
  } else if (!tally.allRead && share > 0) {
    estimate = Math.round(tally.started / share);
  }
  return {
    sent: tally.finished, toSend: Math.max(estimate, tally.started), exact: tally.allRead,
    requestsPerSecond: pace.requestsPerSecond(tally.startedAt), ticketsPerSecond: pace.ticketsPerSecond(tally.startedAt),
    slowedTo: throttle.loweredBy429 ? throttle.rate : undefined,
    failed: counts.failed + counts.messages.failed, invalid: counts.invalid,
  };
}
