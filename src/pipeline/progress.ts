/** A snapshot of a running command's progress, as the pipeline reports it to the CLI. */
export interface ProgressSnapshot {
  /** Bytes read so far across all files. */
  bytesRead: number;
  /** Total bytes of all files. */
  totalBytes: number;
  /** Rows read so far. */
  rows: number;
  /** Counts to show beside the bar, e.g. `{ valid: 10, invalid: 2 }`. */
  counts: Record<string, number>;
  /** `run`: how far sending has come; what is left is what is still to send, not to read. */
  sending?: SendingProgress;
}

/** How far a run's sending has come: its tickets finished against those to send, and the pace. */
export interface SendingProgress {
  /** Tickets of this run whose requests are over (created, refused, failed or in doubt). */
  sent: number;
  /** Tickets to send in this run: exact once every row was read, else estimated from the bytes read. */
  toSend: number;
  exact: boolean;
  /** Answers per second over the last few seconds. */
  requestsPerSecond: number;
  /** Tickets finished per second over the last minute: what the time left is drawn from. */
  ticketsPerSecond: number;
  /** The rate in force while a 429 has lowered it; undefined otherwise. */
  slowedTo?: number | undefined;
  failed: number;
  invalid: number;
}

/** Receives progress snapshots; called at most every `PROGRESS_EVERY_ROWS` rows and at the end. */
export type ProgressListener = (snapshot: ProgressSnapshot) => void;

/** How many rows pass between two progress reports (cheap enough for the hot path). */
export const PROGRESS_EVERY_ROWS = 2048;
