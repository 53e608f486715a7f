/**
 * The states of a row in the ledger:
 * `pending → sending → done | rejected | failed | uncertain`, plus `invalid` (failed the local
 * checks, never sent). `sending` is committed before the request leaves, so a crash leaves the row
 * `sending` and the next run looks it up before sending it again.
 */
export type RowState = 'pending' | 'sending' | 'done' | 'rejected' | 'failed' | 'uncertain' | 'invalid';

/** Every state, in the order summaries list them. */
export const ROW_STATES: readonly RowState[] = ['done', 'rejected', 'failed', 'invalid', 'uncertain', 'sending', 'pending'];

/** What the ledger knows of a key. */
export interface LedgerEntry {
  key: string;
  state: RowState;
  attempts: number;
  payloadHash: string | null;
  slug: string | null;
  /** The run that last read this key from a file (to tell a duplicate within a run from a re-run). */
  seenRun: number;
  /** True while a created conversation still has messages or its final status update to come. */
  threadOpen: boolean;
  /** The origin_id of the thread message the conversation opened with (sent with its POST). */
  opener: string | null;
}

/**
 * The states of a message row: as a conversation's, without `invalid` (a ticket with a bad
 * message is invalid as a whole). A message gets its row when it is first sent.
 */
export type MessageState = Extract<RowState, 'pending' | 'sending' | 'done' | 'rejected' | 'failed' | 'uncertain'>;

/** What the ledger knows of one message of a thread. */
export interface MessageEntry {
  state: MessageState;
  payloadHash: string | null;
}

/** One message's new state. */
export interface MessageUpdate {
  /** The row key of its ticket. */
  ticket: string;
  originId: string;
  /** Its position in the thread. */
  seq: number;
  state: MessageState;
  payloadHash?: string | null;
  /** The request body (JSON), kept for messages not done. */
  payload?: string | null;
  httpStatus?: number | null;
  errorCode?: string | null;
  error?: string | null;
  /** Requests made for it by this update (added to `attempts`). Default 0. */
  attempts?: number;
}

/** One row's new state, as the pipeline records it. */
export interface RowUpdate {
  key: string;
  file: string;
  line: number;
  state: RowState;
  payloadHash?: string | null;
  /** The request body (JSON), kept for rows not done so `failures` can show it. */
  payload?: string | null;
  /** The source record's fields (JSON), kept for rows not done so the user can fix them. */
  fields?: string | null;
  httpStatus?: number | null;
  slug?: string | null;
  errorCode?: string | null;
  error?: string | null;
  /** Requests made for this row by this update (added to `attempts`). Default 0. */
  attempts?: number;
  /** The origin_id of the thread message its POST opens the conversation with (kept when absent). */
  opener?: string | null;
}

/** A duplicate row: its key was already read in this run. */
export interface DuplicateRow {
  key: string;
  file: string;
  line: number;
  firstFile: string;
  firstLine: number;
}

/** The start of a run, as recorded (never a secret in `args`). */
export interface RunStart {
  args: Record<string, unknown>;
  mappingHash: string;
}

/** What the ledger tells a starting run. */
export interface RunInfo {
  id: number;
  /** The mapping hash of the previous run, when there was one. */
  previousMappingHash: string | undefined;
  /** The previous run's mapping (canonical JSON), to say what changed. */
  previousMapping: string | undefined;
  /** The request rate the previous run ended with (requests per second). */
  learnedRate: number | undefined;
}

/** The end of a run. */
export interface RunEnd {
  counts: Record<string, unknown>;
  learnedRate: number | undefined;
  exitCode: number;
}
