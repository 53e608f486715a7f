import type { ErrorCode, RowProblem } from '../errors.js';
import type { AuthorDirectory } from '../mapping/authors.js';
import type { Loss } from '../mapping/losses.js';
import type { CompiledMapping, MappedMessage } from '../mapping/types.js';
import { validateConversation, validateMessage } from '../payload/schemas.js';
import type { SourceRecord } from '../source/types.js';
import type { KeyIndex } from '../stage/key-index.js';
import { surelyValidConversation, surelyValidMessage } from '../mapping/body-check.js';

/** How much of a valid row's verdict the caller uses. */
export interface CheckOptions {
  /**
   * False when the valid bodies are not sent (`validate`): a body that plain checks show valid is
   * then kept as the mapping built it, without zod's copy; anything else still goes through zod,
   * so every problem reads as before. Default true.
   */
  bodies?: boolean;
}

/** What the local checks decided about one record; a refused one's problems name its file, line and key. */
export type RowVerdict =
  | {
    state: 'valid'; key: string; body: Record<string, unknown>; messages: MappedMessage[]; opener?: MappedMessage | undefined;
    /** What the ticket could not carry as the export held it (its thread's included). */
    losses: Loss[];
    /** The staff e-mail the final PUT assigns it to. */
    assignee?: string | undefined;
  }
  | { state: 'invalid' | 'duplicate'; key: string | undefined; code: ErrorCode; problems: RowProblem[] };

/** A verdict refusing a record, each problem placed at the record. */
function refuse(state: 'invalid' | 'duplicate', record: SourceRecord, key: string | undefined, code: ErrorCode, problems: readonly RowProblem[]): RowVerdict {
  const place = { file: record.file, line: record.line, ...(key === undefined ? {} : { key }) };
  return { state, key, code, problems: problems.map((problem) => ({ ...problem, ...place })) };
}

/**
 * Reads, keys, maps and validates one record: the same checks for `validate`, `preview` and `run`.
 * `keys` remembers every key seen so far in this command (across files), so a second row with a
 * key already seen is a duplicate, never sent twice. `joined`: the record's thread from the
 * messages files of a relational export (`OpenedSources.threadOf`).
 */
export function checkRow(
  record: SourceRecord,
  mapping: CompiledMapping,
  keys: KeyIndex | undefined,
  fileNames: readonly string[],
  fileIndex: number,
  joined?: readonly Record<string, unknown>[],
  authors?: AuthorDirectory,
  options: CheckOptions = {},
): RowVerdict {
  if (record.problem) return refuse('invalid', record, undefined, record.problem.code, [record.problem]);
  const key = mapping.keyOf(record.fields);
  if (key === undefined) return refuse('invalid', record, key, 'ROW_INVALID', [EMPTY_KEY]);
  const firstSeen = keys?.addOrGet(key, fileIndex, record.line);
  if (firstSeen) {
    const place = `${fileNames[firstSeen.fileIndex] ?? '?'}:${firstSeen.line}`;
    return refuse('duplicate', record, key, 'ROW_DUPLICATE', [{ code: 'ROW_DUPLICATE', message: `duplicate key "${key}": first seen at ${place}` }]);
  }
  const mapped = mapping.mapRow(record.fields, key, joined, authors);
  const fast = options.bodies === false;
  const checked = fast && surelyValidConversation(mapped.body) ? { ok: true as const, value: mapped.body } : validateConversation(mapped.body);
  // The mapped row is this call's own: its problems are added to in place.
  const problems = mapped.problems;
  if (!checked.ok) problems.push(...checked.problems);
  // The opening message is checked as a message too: a later run may have to post it as one.
  const opener = mapped.opener && checkMessage(mapped.opener, problems, fast);
  const messages = checkMessages(mapped.messages, problems, fast);
  if (problems.length > 0) return refuse('invalid', record, key, 'ROW_INVALID', dedupeProblems(problems));
  const body = checked.ok ? (checked.value as Record<string, unknown>) : mapped.body;
  const verdict: RowVerdict = opener ? { state: 'valid', key, body, opener, messages, losses: mapped.losses } : { state: 'valid', key, body, messages, losses: mapped.losses };
  if (mapped.assignee !== undefined) verdict.assignee = mapped.assignee;
  return verdict;
}

/** The problem of a record whose key comes out empty. */
export const EMPTY_KEY: RowProblem = { code: 'ROW_INVALID', path: 'source.key', message: 'the key is empty, so the row cannot be tracked' };

/**
 * Validates each message of a thread; a bad message is a problem of its row (at `messages[3].user.email`),
 * so a ticket is imported whole or, until the export is fixed, not at all.
 */
export function checkMessages(messages: readonly MappedMessage[], problems: RowProblem[], fast = false): MappedMessage[] {
  return messages.map((message) => checkMessage(message, problems, fast));
}

/** Validates one message of a thread, its problems placed in the thread (see checkMessages). */
function checkMessage(message: MappedMessage, problems: RowProblem[], fast: boolean): MappedMessage {
  if (fast && surelyValidMessage(message.body)) return message;
  const checked = validateMessage(message.body);
  if (checked.ok) return { ...message, body: checked.value as Record<string, unknown> };
  for (const problem of checked.problems) problems.push(inThread(problem, message.index));
  return message;
}

/** A message body's problem placed in its row's thread: `message.user.email` → `messages[3].user.email`. */
function inThread(problem: RowProblem, index: number): RowProblem {
  const { path } = problem;
  if (path === undefined || !(path === 'message' || path.startsWith('message.'))) return problem;
  return { ...problem, path: `messages[${index}]${path.slice('message'.length)}` };
}

/**
 * A mapping problem and the payload problem it causes say the same thing twice (`user.email: required`
 * then `user: required`): keep the first problem of a path and drop those about a path inside or
 * around one already kept.
 */
function dedupeProblems(problems: readonly RowProblem[]): RowProblem[] {
  const kept: RowProblem[] = [];
  const paths: string[] = [];
  for (const problem of problems) {
    const { path } = problem;
    const related = path !== undefined && paths.some((seen) => seen === path || seen.startsWith(`${path}.`) || path.startsWith(`${seen}.`));
    if (related) continue;
    kept.push(problem);
    if (path !== undefined) paths.push(path);
  }
  return kept;
}
