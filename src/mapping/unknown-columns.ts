import { isTemplate, templateFields } from './template.js';
import type { CompiledMapping, FieldReference } from './types.js';
import { nearestNames } from './nearest.js';

/** A field the mapping reads that the source does not have, with the closest column names. */
export interface UnknownColumn extends FieldReference {
  /** Up to three column names close to `field`, best first. */
  nearest: string[];
}

/** True for a reference to a field of one element of the `messages.from` list. */
function isMessageElementField(reference: FieldReference): boolean {
  return reference.at.startsWith('messages.') && reference.at !== 'messages.from';
}

/**
 * True when `field` is a column, a dotted path under one (`comments.0.body` under `comments`),
 * or a parent of one (`requester` when JSON columns list `requester.email`).
 */
function isKnown(field: string, columns: ReadonlySet<string>, parents: ReadonlySet<string>): boolean {
  if (columns.has(field) || parents.has(field)) return true;
  for (let dot = field.lastIndexOf('.'); dot > 0; dot = field.lastIndexOf('.', dot - 1)) {
    if (columns.has(field.slice(0, dot))) return true;
  }
  return false;
}

/** Every dotted prefix of every column: `a` and `a.b` for `a.b.c`. */
function parentsOf(columns: readonly string[]): Set<string> {
  const parents = new Set<string>();
  for (const column of columns) {
    for (let dot = column.indexOf('.'); dot > 0; dot = column.indexOf('.', dot + 1)) parents.add(column.slice(0, dot));
  }
  return parents;
}

/** Columns under the messages list (`comments.0.body` → `body`), to check paths relative to one message. */
function elementColumns(mapping: CompiledMapping, columns: readonly string[]): string[] {
  const from = mapping.references.find((r) => r.at === 'messages.from')?.field;
  if (from === undefined) return [];
  const prefix = `${from}.`;
  return columns.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length).replace(/^\d+\./, ''));
}

/**
 * The references whose field the source does not have, with the nearest column names. Paths inside
 * messages are checked only when the columns list paths under the messages list (a JSON sample).
 */
export function findUnknownColumns(mapping: CompiledMapping, columns: readonly string[]): UnknownColumn[] {
  const all = new Set(columns);
  const parents = parentsOf(columns);
  const inside = elementColumns(mapping, columns);
  const insideSet = new Set(inside);
  const insideParents = parentsOf(inside);
  const unknown: UnknownColumn[] = [];
  for (const reference of mapping.references) {
    const element = isMessageElementField(reference);
    if (element && inside.length === 0) continue;
    const known = element ? isKnown(reference.field, insideSet, insideParents) : isKnown(reference.field, all, parents);
    if (!known) unknown.push({ ...reference, nearest: nearestNames(reference.field, element ? [...insideSet] : columns) });
  }
  return unknown;
}

/**
 * For messages in a file of their own (`messages.join`): the message paths that file does not
 * have, `messages.join.on` included.
 */
export function findUnknownMessageColumns(mapping: CompiledMapping, columns: readonly string[]): UnknownColumn[] {
  const all = new Set(columns);
  const parents = parentsOf(columns);
  const on = mapping.join?.on;
  const onFields = on === undefined ? [] : isTemplate(on) ? templateFields(on) : [on];
  const references: FieldReference[] = onFields.map((field) => ({ field, at: 'messages.join.on', required: true }));
  references.push(...mapping.references.filter(isMessageElementField));
  return references
    .filter((reference) => !isKnown(reference.field, all, parents))
    .map((reference) => ({ ...reference, nearest: nearestNames(reference.field, columns) }));
}
