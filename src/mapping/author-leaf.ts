import type { MappedAuthor } from './authors.js';
import { leavesOf, objectOf, type SectionPlace } from './body.js';
import { isEmpty, quote, toText, type Fields } from './fields.js';
import { compileLeaf, type RowContext } from './leaf.js';
import type { AuthorSpec, LeafSpec } from './schema.js';

/** Compiles an author section (`user`, `assignee`, `message.user`) with a role, to a function of one element. */
export function compileAuthor(spec: AuthorSpec | undefined, role: LeafSpec | undefined, place: SectionPlace): (element: Fields, ctx: RowContext) => MappedAuthor {
  // Nothing mapped: every message's author is the same unknown one (no work per message).
  if (spec === undefined && role === undefined) return () => ({});
  const fields = objectOf(leavesOf(spec ?? {}, place));
  const roleAt = [...(place.errorPath ?? place.path).slice(0, -1), 'role'].join('.');
  const roleOf = role === undefined ? undefined : compileLeaf(role, { at: [...place.path.slice(0, -1), 'role'].join('.'), errorAt: roleAt, apiRequired: false, references: place.references, shared: place.shared });
  return (element, ctx) => {
    const raw = (fields(element, ctx) ?? {}) as Record<string, unknown>;
    return { role: roleOf ? readRole(roleOf(element, ctx), ctx, roleAt) : undefined, email: textOf(raw.email), name: textOf(raw.name), id: textOf(raw.id) };
  };
}

/** A value's trimmed text; undefined when it is empty. */
function textOf(value: unknown): string | undefined {
  return isEmpty(value) ? undefined : toText(value).trim() || undefined;
}

function readRole(value: unknown, ctx: RowContext, at: string): MappedAuthor['role'] {
  if (isEmpty(value)) return undefined;
  const text = toText(value).trim().toLowerCase();
  if (text === 'customer' || text === 'agent') return text;
  ctx.problems.push({ code: 'ROW_INVALID', path: `${ctx.prefix}${at}`, message: `${quote(value)} is neither "customer" nor "agent" (map the export's values with "map")` });
  return undefined;
}

/** The Cc and Bcc of a message as header lines (`Cc: a@x, b@y`). */
export function copiesLine(cc: unknown, bcc: unknown): string {
  if (isEmpty(cc) && isEmpty(bcc)) return '';
  const line = (label: string, value: unknown) => (isEmpty(value) ? '' : `${label}: ${toText(value)}`);
  return [line('Cc', cc), line('Bcc', bcc)].filter((part) => part !== '').join(' · ');
}

