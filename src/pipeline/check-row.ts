import type { ErrorCode } from '../errors.js';
import type { CompiledMapping, MappedMessage } from '../mapping/types.js';
import { validateConversation, validateMessage } from '../payload/schemas.js';
import type { SourceRecord } from '../source/types.js';
import type { KeyIndex } from '../stage/key-index.js';

/** What the local checks decided about one record. */
export type RowVerdict =
  | { state: 'valid'; key: string; body: Record<string, unknown>; messages: MappedMessage[]; opener?: MappedMessage | undefined }
  | { state: 'invalid' | 'duplicate'; key: string | undefined; code: ErrorCode; errors: string[] };

/**
 * Reads, keys, maps and validates one record: the same checks for `validate`, `preview` and `run`.
 * `keys` remembers every key seen so far in this command (across files), so a second row with a
 * key already seen is a duplicate, never sent twice.
 */
export function checkRow(
  record: SourceRecord,
  mapping: CompiledMapping,
  keys: KeyIndex | undefined,
  fileNames: readonly string[],
  fileIndex: number,
): RowVerdict {
  if (record.problem) {
    return { state: 'invalid', key: undefined, code: record.problem.code, errors: [record.problem.message] };
  }
  const key = mapping.keyOf(record.fields);
  if (key === undefined) {
    return { state: 'invalid', key, code: 'ROW_INVALID', errors: ['source.key: the key is empty, so the row cannot be tracked'] };
  }
  const firstSeen = keys?.addOrGet(key, fileIndex, record.line);
  if (firstSeen) {
    const place = `${fileNames[firstSeen.fileIndex] ?? '?'}:${firstSeen.line}`;
    return { state: 'duplicate', key, code: 'ROW_DUPLICATE', errors: [`duplicate key "${key}": first seen at ${place}`] };
  }
  const mapped = mapping.mapRow(record.fields, key);
  const checked = validateConversation(mapped.body);
  const errors = checked.ok ? mapped.errors : [...mapped.errors, ...checked.errors];
  // The opening message is checked as a message too: a later run may have to post it as one.
  const thread = checkMessages(mapped.opener ? [mapped.opener, ...mapped.messages] : mapped.messages, errors);
  if (errors.length > 0) return { state: 'invalid', key, code: 'ROW_INVALID', errors: dedupeErrors(errors) };
  const body = checked.ok ? (checked.value as Record<string, unknown>) : mapped.body;
  if (!mapped.opener) return { state: 'valid', key, body, messages: thread };
  return { state: 'valid', key, body, opener: thread[0], messages: thread.slice(1) };
}

/**
 * Validates each message of a thread; a bad message is an error of its row (`messages[3].user.email:
 * ...`), so a ticket is imported whole or, until the export is fixed, not at all.
 */
export function checkMessages(messages: readonly MappedMessage[], errors: string[]): MappedMessage[] {
  return messages.map((message) => {
    const checked = validateMessage(message.body);
    if (checked.ok) return { ...message, body: checked.value as Record<string, unknown> };
    for (const error of checked.errors) errors.push(error.replace(/^message(\.|:)/, (_, sep: string) => `messages[${message.index}]${sep}`));
    return message;
  });
}

/**
 * A mapping error and the payload error it causes say the same thing twice (`user.email: required`
 * then `user: required`): keep the first error of a path and drop those about a path inside or
 * around one already kept.
 */
function dedupeErrors(errors: string[]): string[] {
  const kept: string[] = [];
  const paths: string[] = [];
  for (const error of errors) {
    const path = error.slice(0, Math.max(0, error.indexOf(':')));
    const related = paths.some((seen) => seen === path || seen.startsWith(`${path}.`) || path.startsWith(`${seen}.`));
    if (path && related) continue;
    kept.push(error);
    if (path) paths.push(path);
  }
  return kept;
}

