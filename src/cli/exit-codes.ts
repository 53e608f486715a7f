import type { ErrorCode } from '../errors.js';

/** The exit codes scripts and schedulers rely on (README, "Exit codes"). */
export const ExitCode = {
  /** Everything valid / done. */
  OK: 0,
  /** Finished, but some rows are invalid, rejected or failed. */
  ROWS_FAILED: 1,
  /** Usage or configuration error: nothing was sent. */
  USAGE: 2,
  /** Aborted early (credentials, unknown brand, API unreachable, error budget): resumable. */
  ABORTED: 3,
  /** A bug: an error the importer did not expect. */
  INTERNAL: 70,
  /** Interrupted by a signal: resumable. */
  INTERRUPTED: 130,
} as const;

/** One of the exit codes above. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a command stopped by an error with this code. */
export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  switch (code) {
    case 'ROW_MALFORMED':
    case 'ROW_ENCODING':
    case 'ROW_INVALID':
    case 'ROW_DUPLICATE':
    case 'API_REJECTED':
    case 'API_FAILED':
    case 'API_UNCERTAIN':
      return ExitCode.ROWS_FAILED;
    case 'AUTH_FAILED':
    case 'BRAND_UNKNOWN':
    case 'API_UNREACHABLE':
    case 'ERROR_BUDGET':
      return ExitCode.ABORTED;
    case 'INTERRUPTED':
      return ExitCode.INTERRUPTED;
    default:
      return ExitCode.USAGE;
  }
}
