import { compileGetter, toText, type Fields } from './fields.js';
import type { Shared } from './leaf.js';
import type { Note } from './losses.js';
import { didYouMean } from './nearest.js';
import type { TRANSFORM_NAMES } from './schema.js';
import { compileTransforms, TEMPLATE_FILTERS } from './transforms.js';

type FilterName = (typeof TRANSFORM_NAMES)[number];

/** A field between `{{ }}`: its name, the filters after `|` (often none), and the text as written. */
interface FieldPart {
  field: string;
  filters: FilterName[];
  whole: string;
}

/** A template split into literal text and fields. */
type Part = { text: string } | FieldPart;

/** A compiled template: `note` records what its filters could not carry (a date kept as written). */
export type CompiledTemplate = (fields: Fields, note?: Note) => unknown;

/** True when a string is a template rather than a literal or a plain field name. */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

const isFilter = (name: string): name is FilterName => (TEMPLATE_FILTERS as readonly string[]).includes(name);

/** Why a filter name is refused: one that fails the row, or an unknown one (with the nearest filter). */
function filterProblem(name: string, part: string, field: string): string {
  if (name === 'date' || name === 'number' || name === 'boolean') {
    const instead = name === 'date' ? '"timestamp", or ' : '';
    return `filter "${name}" fails the row, which a template cannot (in "{{${part}}}"): use ${instead}a rule {"from": "${field}", "transform": ["${name}"]}`;
  }
  const hint = didYouMean(name, TEMPLATE_FILTERS);
  // A name far from every filter is likely part of a column name holding "|".
  const column = hint === '' ? ` (a column whose name holds "|" is read by a rule {"from": "${part}"})` : hint;
  return `unknown filter "${name}" in "{{${part}}}"${column}`;
}

/** One field between `{{ }}` (trimmed): `name`, or `name | filter | filter`. */
function parseField(whole: string, template: string): FieldPart | string {
  const [name = '', ...filters] = whole.split('|').map((piece) => piece.trim());
  if (name === '') return `no field name between "{{" and "}}" in ${JSON.stringify(template)}`;
  for (const filter of filters) {
    if (filter === '') return `a "|" without a filter after it in "{{${whole}}}"`;
    if (!isFilter(filter)) return filterProblem(filter, whole, name);
  }
  return { field: name, filters: filters as FilterName[], whole };
}

/** Splits a template into parts; a string describing the problem when it is malformed or names an unknown filter. */
export function parseTemplate(template: string): Part[] | string {
  const parts: Part[] = [];
  let rest = template;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    if (open === -1) break;
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) return `"{{" without a closing "}}" in ${JSON.stringify(template)}`;
    const inner = rest.slice(open + 2, close).trim();
    if (inner === '' || inner.includes('{{')) return `no field name between "{{" and "}}" in ${JSON.stringify(template)}`;
    const field = parseField(inner, template);
    if (typeof field === 'string') return field;
    parts.push(field);
    rest = rest.slice(close + 2);
  }
  if (rest !== '') parts.push({ text: rest });
  return parts;
}

/** True when a template applies a filter somewhere: only a filter notes a loss. */
export function templateFilters(template: string): boolean {
  const parts = parseTemplate(template);
  return typeof parts !== 'string' && parts.some((p) => 'field' in p && p.filters.length > 0);
}

/** The fields a template reads, without their filters (none when malformed). */
export function templateFields(template: string): string[] {
  const parts = parseTemplate(template);
  return typeof parts === 'string' ? [] : parts.flatMap((p) => ('field' in p ? [p.field] : []));
}

/**
 * A field's value through its filters. Like compileGetter's exact key first: a record holding the
 * whole text (`a | trim`) as a key is read as that column, as written.
 */
function compileField(part: FieldPart, shared: Shared | undefined): CompiledTemplate {
  const read = compileGetter(part.field);
  const filter = compileTransforms(part.filters, shared);
  if (filter === undefined) return read;
  const exact = compileGetter(part.whole);
  return (fields, note) => {
    const column = exact(fields);
    return column !== undefined ? column : filter(read(fields), note);
  };
}

/**
 * Compiles a (valid) template once; `shared` gives filters source.timezone. Exactly one `{{x}}`
 * yields the raw value, so a list stays a list and a number a number; with text around it the
 * result is a string, missing fields "".
 */
export function compileTemplate(template: string, shared?: Shared): CompiledTemplate {
  const parsed = parseTemplate(template);
  if (typeof parsed === 'string') throw new Error(`compileTemplate: ${parsed}`);
  const pieces = parsed.map((p) => ('field' in p ? compileField(p, shared) : p.text));
  const [only] = pieces;
  if (pieces.length === 1 && typeof only === 'function') return only;
  return (fields, note) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : toText(piece(fields, note));
    return out;
  };
}
