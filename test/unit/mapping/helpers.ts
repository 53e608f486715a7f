import { formatProblem } from '../../../src/errors.js';
import { compileMapping, parseMapping } from '../../../src/mapping/compile.js';
import type { CompiledMapping } from '../../../src/mapping/types.js';

/** A mapping with the required leaves filled in, plus the given conversation properties. */
export function mappingWith(conversation: Record<string, unknown>, rest: Record<string, unknown> = {}): CompiledMapping {
  return compileMapping(
    parseMapping(
      {
        conversation: { category: 'support', message: { body: 'text' }, user: { email: 'a@example.com' }, ...conversation },
        ...rest,
      },
      'test.json',
    ),
  );
}

/** The `conversation` body of one record. */
export function conversationOf(mapping: CompiledMapping, fields: Record<string, unknown>): Record<string, unknown> {
  return mapping.mapRow(fields, undefined).body.conversation as Record<string, unknown>;
}

/** Maps one leaf (as `subject`) over one record: its value and the row's problems as text. */
export function leaf(spec: unknown, fields: Record<string, unknown>): { value: unknown; errors: string[] } {
  const mapping = mappingWith({ subject: spec });
  const row = mapping.mapRow(fields, undefined);
  return { value: (row.body.conversation as Record<string, unknown>).subject, errors: row.problems.map(formatProblem) };
}
