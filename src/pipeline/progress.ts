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
}

/** Receives progress snapshots; called at most every `PROGRESS_EVERY_ROWS` rows and at the end. */
export type ProgressListener = (snapshot: ProgressSnapshot) => void;

/** How many rows pass between two progress reports (cheap enough for the hot path). */
export const PROGRESS_EVERY_ROWS = 2048;
