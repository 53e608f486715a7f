import type { RowProblem } from '../errors.js';
import type { Loss, Note } from './losses.js';
import type { FieldReference } from './types.js';
import type { Lookups } from './lookups.js';
import type { LeafTallies, LeafTally } from './leaf-tally.js';

/** What every compiled leaf of one mapping shares. */
export interface Shared {
  /** The mapping's lookups, for the `lookup` transform. */
  lookups: Lookups;
  /** `source.timezone`: the zone of dates written without an offset (default UTC). */
  timezone?: string | undefined;
  /** Where each leaf that reads the source counts what it gave (none: nothing counted). */
  tallies?: LeafTallies | undefined;
}
import { compileGetter, isEmpty, quote, toText, type Fields } from './fields.js';
import type { LeafSpec, RuleSpec } from './schema.js';
import { compileTemplate, isTemplate, templateFields, templateFilters } from './template.js';
import { compileTransforms, mayNote, TransformFailure } from './transforms.js';

/** Where row problems and losses go; `prefix` places them (`messages[3].`), the leaf adds its own path. */
export interface RowContext {
  problems: RowProblem[];
  prefix: string;
  /** Values not carried as the export held them (a date kept as written…); none when left out. */
  losses?: Loss[];
}

/** A `Note` that records a loss of the row at a leaf. */
export function noteAt(ctx: RowContext, at: string): Note {
  return (kind, detail) => (ctx.losses ??= []).push({ kind, path: `${ctx.prefix}${at}`, detail });
}

/** A compiled leaf or section: a pure function of one record. */
export type Evaluate = (fields: Fields, ctx: RowContext) => unknown;

/** What compiling a leaf needs to know: its path, whether the API requires it, and where references go. */
export interface LeafPlace {
  /** The JSON path of the leaf in the mapping, e.g. `conversation.user.email`. */
  at: string;
  /** The path named in row errors (after the context's prefix); default: `at`. */
  errorAt?: string;
  /** True for a leaf the API requires (category, message.body, user.email). */
  apiRequired: boolean;
  references: FieldReference[];
  /** What every leaf of the mapping shares: its lookups and its source timezone. */
  shared?: Shared | undefined;
}

/** Compiles a leaf (literal, template or rule) once, recording every field it reads. */
export function compileLeaf(spec: LeafSpec, place: LeafPlace): Evaluate {
  if (typeof spec === 'object') return compileRule(spec, place);
  if (typeof spec !== 'string' || !isTemplate(spec)) return () => spec;
  for (const field of templateFields(spec)) place.references.push({ field, at: place.at, required: place.apiRequired });
  const template = compileTemplate(spec, place.shared);
  const at = place.errorAt ?? place.at;
  const tally = place.shared?.tallies?.add(place.at, templateFields(spec));
  // Without a filter nothing is noted: no note is made for every row.
  const filtered = templateFilters(spec);
  const evaluate: Evaluate = filtered ? (fields, ctx) => template(fields, noteAt(ctx, at)) : (fields) => template(fields);
  if (tally === undefined) return evaluate;
  return (fields, ctx) => {
    const value = evaluate(fields, ctx);
    tally.count(value, false, false);
    return value;
  };
}

/** Reads `from`: a template when it holds `{{`, else a column or path; a template's filters note losses in `ctx`. */
function compileSource(rule: RuleSpec, place: LeafPlace): (fields: Fields, ctx?: RowContext) => unknown {
  const required = place.apiRequired || rule.required === true;
  const at = `${place.at}.from`;
  if (!isTemplate(rule.from)) {
    place.references.push({ field: rule.from, at, required });
    return compileGetter(rule.from);
  }
  for (const field of sourceFields(rule.from)) place.references.push({ field, at, required });
  const template = compileTemplate(rule.from, place.shared);
  const lossAt = place.errorAt ?? place.at;
  return (fields, ctx) => template(fields, ctx === undefined ? undefined : noteAt(ctx, lossAt));
}

/** Text to a trimmed list without empty items; lists pass through; other values become a list of one. */
function splitter(separator: string): (value: unknown) => unknown {
  return (value) => {
    if (Array.isArray(value) || isEmpty(value)) return value;
    if (typeof value !== 'string') return [value];
    return value.split(separator).map((s) => s.trim()).filter((s) => s !== '');
  };
}

/** Records a problem of the row at a leaf. */
function fail(ctx: RowContext, at: string, message: string): void {
  ctx.problems.push({ code: 'ROW_INVALID', path: `${ctx.prefix}${at}`, message });
}

type Lookup = (value: unknown, ctx: RowContext, at: string) => unknown;

/** Looks a value's text up in `map`: exact first, then trimmed and case-insensitive. */
function mapper(map: Record<string, unknown>, fallback: unknown, tally: LeafTally | undefined): Lookup {
  const exact = new Map(Object.entries(map));
  const loose = new Map(Object.entries(map).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const keys = Object.keys(map);
  const known = keys.slice(0, 10).map((k) => JSON.stringify(k)).join(', ') + (keys.length > 10 ? ', ...' : '');
  const one = (value: unknown, ctx: RowContext, at: string): unknown => {
    if (isEmpty(value)) return value;
    const text = toText(value);
    const found = exact.get(text);
    if (found !== undefined || exact.has(text)) return found;
    const key = text.trim().toLowerCase();
    if (loose.has(key)) return loose.get(key);
    // Counted with or without a default: these are the values the admin may add to the map.
    tally?.unmapped.add(text);
    if (fallback !== undefined) return fallback;
    fail(ctx, at, `${quote(text)} is not in the map (known: ${known})`);
    return undefined;
  };
  return (value, ctx, at) => (Array.isArray(value) ? value.map((v) => one(v, ctx, at)) : one(value, ctx, at));
}

/** Why a required rule came out empty: its field is empty, or the transforms emptied its value (a lookup without it). */
function emptyReason(rule: Pick<RuleSpec, 'from' | 'transform'>, raw: unknown): string {
  if (isEmpty(raw)) return `required, but ${quote(rule.from)} is empty`;
  const lookup = rule.transform?.map(lookupOf).find((name) => name !== undefined);
  if (lookup) return `required, but ${quote(raw)} (${quote(rule.from)}) is not found through lookup "${lookup}"`;
  return `required, but ${quote(raw)} (${quote(rule.from)}) is empty after its transforms`;
}

/** The lookup a transform reads (`lookup` or `lookup-all`), if any. */
function lookupOf(transform: NonNullable<RuleSpec['transform']>[number]): string | undefined {
  if (typeof transform !== 'object') return undefined;
  if ('lookup' in transform) return transform.lookup;
  return 'lookup-all' in transform ? transform['lookup-all'] : undefined;
}

/** Why a required rule and its `or` both came out empty: each part's reason. */
function emptyReasons(rule: RuleSpec, fields: Fields, read: (fields: Fields) => unknown, readOr: ((fields: Fields) => unknown) | undefined): string {
  const first = emptyReason(rule, read(fields));
  if (rule.or === undefined || typeof rule.or === 'string' || readOr === undefined) return first;
  return `${first}, and ${emptyReason(rule.or, readOr(fields)).replace(/^required, but /, '')}`;
}

/** The fields a rule's `from` reads. */
function sourceFields(from: string): string[] {
  return isTemplate(from) ? templateFields(from) : [from];
}

/** Compiles a rule: from → transforms → split → map → drop empty items → default → required. */
function compileRule(rule: RuleSpec, place: LeafPlace): Evaluate {
  const read = compileSource(rule, place);
  const transform = compileTransforms(rule.transform ?? [], place.shared);
  const notes = transform !== undefined && mayNote(transform);
  const split = rule.split === undefined ? undefined : splitter(rule.split);
  const tally = place.shared?.tallies?.add(place.at, sourceFields(rule.from), rule);
  const map = rule.map === undefined ? undefined : mapper(rule.map, rule.default, tally);
  const fallback = rule.default;
  const required = rule.required === true;
  const at = place.errorAt ?? place.at;
  const otherwise = rule.or === undefined ? undefined : compileLeaf(rule.or, { ...place, at: `${place.at}.or`, errorAt: at, apiRequired: false });
  const readOr = rule.or === undefined || typeof rule.or === 'string' ? undefined : isTemplate(rule.or.from) ? compileTemplate(rule.or.from) : compileGetter(rule.or.from);
  return (fields, ctx) => {
    const problems = ctx.problems.length;
    const unmapped = tally?.unmapped.total ?? 0;
    let value = read(fields, ctx);
    try {
      if (transform !== undefined) value = transform(value, notes ? noteAt(ctx, at) : undefined);
    } catch (error) {
      if (!(error instanceof TransformFailure)) throw error;
      fail(ctx, at, error.message);
      tally?.count(undefined, false, false);
      return undefined;
    }
    if (split !== undefined) value = split(value);
    if (map !== undefined) value = map(value, ctx, at);
    if (Array.isArray(value) && value.some(isEmpty)) value = value.filter((v) => !isEmpty(v));
    if (isEmpty(value) && otherwise !== undefined) value = otherwise(fields, ctx);
    const fromEmpty = isEmpty(value) && fallback !== undefined;
    if (fromEmpty) value = fallback;
    if (isEmpty(value) && required && ctx.problems.length === problems) fail(ctx, at, emptyReasons(rule, fields, read, readOr));
    // A value not in the map took the default when the map counted one and the rule has a default.
    tally?.count(value, fromEmpty, fallback !== undefined && tally.unmapped.total !== unmapped);
    return value;
  };
}
