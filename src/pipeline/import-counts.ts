import type { LossCounts } from '../mapping/losses.js';
import { emptyMessageCounts, type MessageCounts } from './send-thread.js';

/** Row counts of an import run; `rows = done + skipped + rejected + failed + invalid + uncertain + duplicates + pending`. */
export interface ImportCounts {
  rows: number;
  /** Created by this run. */
  done: number;
  /** Done by an earlier run: not sent again. */
  skipped: number;
  /** Of the skipped rows, those whose body differs from what was sent then. */
  changed: number;
  rejected: number;
  failed: number;
  invalid: number;
  uncertain: number;
  duplicates: number;
  /** Read but not sent because the run stopped first (error budget, Ctrl-C, credentials): sent by the next run. */
  pending: number;
  /** The messages of threads after each conversation's first: counted apart from rows. */
  messages: MessageCounts;
  /** Final status/tag updates (PUT) of threads: `done` accepted, `failed` left for the next run. */
  updates: { done: number; failed: number };
  /** What the tickets sent in this run could not carry as the export held them, by kind. */
  losses: LossCounts;
}

/** All counts at zero. */
export function emptyCounts(): ImportCounts {
  return {
    rows: 0, done: 0, skipped: 0, changed: 0, rejected: 0, failed: 0, invalid: 0, uncertain: 0, duplicates: 0, pending: 0,
    messages: emptyMessageCounts(), updates: { done: 0, failed: 0 }, losses: {},
  };
}
