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

/** Whether an error stops the command (`run`) or only concerns one row (`row`: reported, the run goes on). */
export type ErrorScope = 'run' | 'row';

const run = (exit: ExitCodeValue) => ({ scope: 'run', exit }) as const;
const row = { scope: 'row', exit: ExitCode.ROWS_FAILED } as const;

/**
 * Every error code the importer can report, with its scope and the exit code of a command it ends;
 * the one place a code is mapped to an exit code. The ledger stores the codes so users can query them.
 */
export const ERROR_CODES = {
  USAGE: run(ExitCode.USAGE),
  FILE_UNREADABLE: run(ExitCode.USAGE),
  FILE_EMPTY: run(ExitCode.USAGE),
  FILE_NOT_TEXT: run(ExitCode.USAGE),
  HEADER_INVALID: run(ExitCode.USAGE),
  MAPPING_UNREADABLE: run(ExitCode.USAGE),
  MAPPING_INVALID: run(ExitCode.USAGE),
  MAPPING_UNKNOWN_COLUMN: run(ExitCode.USAGE),
  OUTPUT_UNWRITABLE: run(ExitCode.USAGE),
  CONFIG_INVALID: run(ExitCode.USAGE),
  LEDGER_LOCKED: run(ExitCode.USAGE),
  LEDGER_UNREADABLE: run(ExitCode.USAGE),
  /** A new ledger whose first keys Re:amaze already holds: refused before anything is sent. */
  KEYS_ALREADY_IMPORTED: run(ExitCode.USAGE),
  /** The ledger file is damaged (SQLite reports it malformed). */
  LEDGER_DAMAGED: run(ExitCode.ABORTED),
  /** The ledger cannot be written (a full disk, an I/O error): resumable once fixed. */
  LEDGER_UNWRITABLE: run(ExitCode.ABORTED),
  AUTH_FAILED: run(ExitCode.ABORTED),
  BRAND_UNKNOWN: run(ExitCode.ABORTED),
  API_REDIRECTED: run(ExitCode.ABORTED),
  API_UNREACHABLE: run(ExitCode.ABORTED),
  STAFF_UNREADABLE: run(ExitCode.ABORTED),
  ERROR_BUDGET: run(ExitCode.ABORTED),
  INTERRUPTED: run(ExitCode.INTERRUPTED),
  ROW_MALFORMED: row,
  ROW_ENCODING: row,
  ROW_INVALID: row,
  ROW_DUPLICATE: row,
  API_REJECTED: row,
  API_FAILED: row,
  API_UNCERTAIN: row,
} as const satisfies Record<string, { scope: ErrorScope; exit: ExitCodeValue }>;

/** Every error code the importer can report (SCREAMING_SNAKE, one entry each in ERROR_CODES). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The exit code of a command ended by an error with this code. */
export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  return ERROR_CODES[code].exit;
}

/** Where in the input an error was found. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  key?: string;
}

/** The one base error of the project: a code (its scope from ERROR_CODES), and a message that reads "what failed: why (where)". */
export class ImportError extends Error {
  override readonly name: string = 'ImportError';
  readonly code: ErrorCode;
  readonly scope: ErrorScope;
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;

  constructor(code: ErrorCode, message: string, options: ErrorLocation & { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.scope = ERROR_CODES[code].scope;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.key !== undefined) this.key = options.key;
  }
}

/** True for errors a user can cause and fix, whose message is meant to be shown as it is. */
export function isImportError(error: unknown): error is ImportError {
  return error instanceof ImportError;
}

/**
 * A problem with one row (the row is reported and the run goes on): a record that cannot be read,
 * a value the mapping cannot make, a payload the API would refuse. `path` is where in the mapping
 * or payload (`conversation.user.email`, `messages[3].user.email`); `message` does not repeat it.
 */
export interface RowProblem {
  code: ErrorCode;
  path?: string;
  message: string;
  file?: string;
  line?: number;
  key?: string;
}

/** A problem as users read it: `path: message`, or the message alone without a path. */
export function formatProblem(problem: RowProblem): string {
  return problem.path === undefined ? problem.message : `${problem.path}: ${problem.message}`;
}

/** A row's problems as one text, `; ` between them (how the ledger stores them). */
export function formatProblems(problems: readonly RowProblem[]): string {
  return problems.map(formatProblem).join('; ');
}

/** A problem without its file, line and key, for output that names them once for the whole row. */
export function withoutPlace({ code, path, message }: RowProblem): RowProblem {
  return path === undefined ? { code, message } : { code, path, message };
}

/** Formats `file:line` the way every message in the project names a place. */
export function formatPlace(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** An error with its quoted values and numbers blanked, so rows failing the same way are counted together. */
export function errorKind(error: string): string {
  return error.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\b\d+\b/g, 'N');
}

/** What an errno means in words, and what the user can do about it (for a file they named). */
const ERRNO: Record<string, { words: string; todo?: string; writing?: string }> = {
  // Creating a file, it is a folder on the way that is missing.
  ENOENT: { words: 'no such file', writing: 'no such file or directory', todo: 'check the path' },
  EACCES: { words: 'permission denied', todo: "check the file's permissions" },
  EPERM: { words: 'permission denied', todo: "check the file's permissions" },
  EISDIR: { words: 'it is a directory', todo: 'give the path of an export file, not a folder' },
  ENOTDIR: { words: 'a part of the path is not a directory', todo: 'check the path' },
  ELOOP: { words: 'too many symbolic links', todo: 'check the path' },
  EMFILE: { words: 'too many open files', todo: 'close other programs or raise the open-file limit' },
  ENOSPC: { words: 'no space left on the device', todo: 'free some space' },
  EIO: { words: 'an input/output error', todo: 'check the disk' },
  EROFS: { words: 'the file system is read-only', todo: 'write somewhere else' },
  ECONNREFUSED: { words: 'connection refused' },
  ECONNRESET: { words: 'connection reset' },
  EPIPE: { words: 'connection reset' },
  ENOTFOUND: { words: 'host not found' },
  EAI_AGAIN: { words: 'host not found' },
};

function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * A file system or network error in words, without a stack: `ENOENT` → "no such file" (with
 * `writing`, a file being created: "no such file or directory"); an unknown code with its message.
 */
export function describeErrno(error: unknown, options: { writing?: boolean } = {}): string {
  const code = errnoOf(error);
  const known = Object.hasOwn(ERRNO, code) ? ERRNO[code] : undefined;
  if (known) return (options.writing ? known.writing : undefined) ?? known.words;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '') return message;
  // Node's file system errors read `EBUSY: resource busy or locked, open '…'`: the words are there.
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : `${code.toLowerCase()} (${message})`;
}

/** What to do about a file system error on a file the user named ("check the path"). */
export function errnoHint(error: unknown): string {
  const code = errnoOf(error);
  return (Object.hasOwn(ERRNO, code) ? ERRNO[code]?.todo : undefined) ?? 'check that the file can be read';
}
