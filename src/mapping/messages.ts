import type { FieldReference } from './types.js';
import { objectOf, leavesOf, SUPPRESS_DEFAULTS, type SectionPlace } from './body.js';
import { compileGetter, isEmpty, quote, type Fields } from './fields.js';
import type { RowContext } from './leaf.js';
import type { MessagesSpec } from './schema.js';
import { compileTemplate, isTemplate, templateFields } from './template.js';

/** Messages are imported as history: no notifications, no auto-resolve, no surveys. */
const MESSAGE_DEFAULTS = { ...SUPPRESS_DEFAULTS, suppress_surveys: true };

/** Maps one record to the `{message: {...}}` bodies of its thread. */
export type MessagesMapper = (fields: Fields, errors: string[]) => Record<string, unknown>[];

/** The list a record holds under `from`: a list, one object, a JSON list in text (CSV), or nothing. */
function readList(read: (fields: Fields) => unknown): (fields: Fields, errors: string[]) => unknown[] {
  return (fields, errors) => {
    const value = read(fields);
    if (Array.isArray(value)) return value;
    if (isEmpty(value)) return [];
    if (typeof value === 'object') return [value];
    if (typeof value === 'string' && value.trimStart().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // not JSON: reported below
      }
    }
    errors.push(`messages.from: expected a list of messages, got ${quote(value)}`);
    return [];
  };
}

/**
 * Compiles the `messages` section: one body per element of the `from` list, with paths relative
 * to that element; row errors read `messages[3].user.email: ...`.
 */
export function compileMessages(spec: MessagesSpec | undefined, references: FieldReference[]): MessagesMapper {
  if (spec === undefined) return () => [];
  const { from, user, ...leaves } = spec;
  const fields = isTemplate(from) ? templateFields(from) : [from];
  for (const field of fields) references.push({ field, at: 'messages.from', required: false });
  const list = readList(isTemplate(from) ? compileTemplate(from) : compileGetter(from));
  const place = (...path: string[]): SectionPlace => ({ path: ['messages', ...path], errorPath: path, references });
  const message = objectOf([
    ...leavesOf(leaves, place(), ['body'], MESSAGE_DEFAULTS),
    ['user', objectOf(leavesOf(user ?? {}, place('user')))],
  ]);
  return (record, errors) => {
    const items = list(record, errors);
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const element = item !== null && typeof item === 'object' ? (item as Fields) : {};
      const ctx: RowContext = { errors, prefix: `messages[${i}].` };
      out.push({ message: message(element, ctx) ?? {} });
    }
    return out;
  };
}
