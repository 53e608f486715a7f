/** Every error code the importer can report; the ledger stores these so users can query them. */
export type ErrorCode =
  // run scope: the command stops
  | 'USAGE'
  | 'FILE_UNREADABLE'
  | 'FILE_EMPTY'
  | 'FILE_NOT_TEXT'
  | 'HEADER_INVALID'
  | 'MAPPING_UNREADABLE'
  | 'MAPPING_INVALID'
  | 'MAPPING_UNKNOWN_COLUMN'
  | 'OUTPUT_UNWRITABLE'
  | 'CONFIG_INVALID'
  | 'LEDGER_LOCKED'
  | 'LEDGER_UNREADABLE'
  | 'AUTH_FAILED'
  | 'BRAND_UNKNOWN'
  | 'API_UNREACHABLE'
  | 'INTERRUPTED'
  | 'ERROR_BUDGET'
  // row scope: the row is reported and the run goes on
  | 'ROW_MALFORMED'
  | 'ROW_ENCODING'
  | 'ROW_INVALID'
  | 'ROW_DUPLICATE'
  | 'API_REJECTED'
  | 'API_FAILED'
  | 'API_UNCERTAIN';

/** Whether an error stops the command (`run`) or only concerns one row (`row`). */
export type ErrorScope = 'run' | 'row';

/** Where in the input an error was found. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  key?: string;
}

/** The one base error of the project: a code, a scope, and a message that reads "what failed: why (where)". */
export class ImportError extends Error {
  override readonly name: string = 'ImportError';
  readonly code: ErrorCode;
  readonly scope: ErrorScope;
  readonly retryable: boolean;
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorLocation & { scope?: ErrorScope; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.scope = options.scope ?? 'run';
    this.retryable = options.retryable ?? false;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.key !== undefined) this.key = options.key;
  }
}

/** A problem with one record of a source file; the run goes on. */
export interface RowProblem {
  code: ErrorCode;
  message: string;
}

/** Formats `file:line` the way every message in the project names a place. */
export function formatPlace(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** True for errors a user can cause and fix, whose message is meant to be shown as it is. */
export function isImportError(error: unknown): error is ImportError {
  return error instanceof ImportError;
}

/** An error with its quoted values and numbers blanked, so rows failing the same way are counted together. */
export function errorKind(error: string): string {
  return error.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\b\d+\b/g, 'N');
}
