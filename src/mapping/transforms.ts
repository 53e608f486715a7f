import { Lookups } from './lookups.js';
import { compileDateParser, SENTINEL, type DateOptions } from './dates.js';
import { quote } from './fields.js';
import type { Note } from './losses.js';
import type { Shared } from './leaf.js';
import { htmlToMarkdown, htmlToText, isHtml } from './html.js';
import type { TRANSFORM_NAMES, TransformSpec } from './schema.js';

/** A transform of one value; lists are handled by the caller, element by element (but for `lookup-all`); `note` records a loss. */
export type TransformFn = (value: unknown, note?: Note) => unknown;

/** Thrown by a transform for a value it cannot convert; becomes an error of the row, never of the run. */
export class TransformFailure extends Error {
  override readonly name = 'TransformFailure';
}

/** Values `null-tokens` empties by default (compared trimmed and case-insensitively). */
export const DEFAULT_NULL_TOKENS = ['-', 'n/a', 'null', 'none', '(none)'];

/** Applies a string function to strings; other values pass unchanged. */
const onText = (fn: (text: string) => string): TransformFn => (value) => (typeof value === 'string' ? fn(value) : value);

/** Cuts text to `length` characters without splitting a surrogate pair. */
function truncate(length: number): TransformFn {
  return onText((text) => {
    if (text.length <= length) return text;
    const code = text.charCodeAt(length - 1);
    return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
  });
}

function nullTokens(tokens: readonly string[]): TransformFn {
  const set = new Set(tokens.map((t) => t.trim().toLowerCase()));
  return (value) => (typeof value === 'string' && set.has(value.trim().toLowerCase()) ? undefined : value);
}

function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new TransformFailure(`not a number: ${quote(value)}`);
  return n;
}

const BOOLEANS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

function toBoolean(value: unknown): unknown {
  if (typeof value === 'boolean' || value === undefined || value === null) return value;
  const text = String(value).trim().toLowerCase();
  if (text === '') return undefined;
  const result = BOOLEANS[text];
  if (result === undefined) throw new TransformFailure(`not a boolean: ${quote(value)} (expected true/false/yes/no/1/0)`);
  return result;
}

const DEFAULT_EXPECTED = 'ISO-8601, "YYYY-MM-DD HH:mm:ss" or epoch seconds/ms';

/**
 * A date transform: ISO-8601 UTC out; a placeholder (SENTINEL_DATES) becomes empty and is noted.
 * `date` fails the row for a value it cannot read; `timestamp` keeps it as written and notes it,
 * for columns whose dates come in more forms than one format (and day-first text, which only a
 * format reads: 01/02/2025 is January or February).
 */
function dateTransform(options: DateOptions, lenient: boolean): TransformFn {
  const parse = compileDateParser(options);
  const expected = options.format === undefined ? DEFAULT_EXPECTED : `format "${options.format}"`;
  return noting((value, note) => {
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    if (value === '' || (typeof value === 'string' && value.trim() === '')) return undefined;
    const iso = parse(value);
    if (typeof iso === 'string') return iso;
    if (iso === SENTINEL) {
      note?.('date_sentinel', quote(value));
      return undefined;
    }
    if (!lenient) throw new TransformFailure(`invalid date ${quote(value)} (expected ${expected})`);
    note?.('date_unparsed', quote(value));
    return typeof value === 'string' ? value.trim() : value;
  });
}

/** A `date` transform's options with the mapping's source.timezone for naive times, unless it names its own. */
function dateOptions(spec: string | DateOptions | undefined, shared: Shared | undefined): DateOptions {
  const options = typeof spec === 'string' ? { format: spec } : { ...spec };
  options.timezone ??= shared?.timezone;
  return options;
}

type Name = (typeof TRANSFORM_NAMES)[number];

const NAMED: Record<Name, (shared?: Shared) => TransformFn> = {
  trim: () => onText((t) => t.trim()),
  lowercase: () => onText((t) => t.toLowerCase()),
  uppercase: () => onText((t) => t.toUpperCase()),
  'collapse-whitespace': () => onText((t) => t.replace(/\s+/g, ' ').trim()),
  // Per value, not per column: a plain-text body in an HTML column is left as written.
  'html-to-markdown': () => onText((t) => (isHtml(t) ? htmlToMarkdown(t) : t)),
  'html-to-text': () => onText((t) => (isHtml(t) ? htmlToText(t) : t)),
  // One real export stores bodies with a literal backslash-n for every line break.
  'unescape-newlines': () => onText((t) => t.replace(/\\r\\n|\\n|\\r/g, '\n')),
  'null-tokens': () => nullTokens(DEFAULT_NULL_TOKENS),
  date: (shared) => dateTransform(dateOptions(undefined, shared), false),
  timestamp: (shared) => dateTransform(dateOptions(undefined, shared), true),
  number: () => toNumber,
  boolean: () => toBoolean,
};

/**
 * The named transforms a template may apply (`{{created_at | timestamp}}`): all but those that fail
 * the row, since templates are also read where no row error can be recorded (source.key,
 * messages.order_by); in text, `timestamp` keeps an unreadable date as written.
 */
export const TEMPLATE_FILTERS: readonly Name[] = (Object.keys(NAMED) as Name[]).filter(
  (name) => name !== 'date' && name !== 'number' && name !== 'boolean',
);

/** Compiles one transform as written in a mapping to a function of one value; `shared` gives lookups and source.timezone. */
export function compileTransform(spec: TransformSpec, shared?: Shared): TransformFn {
  if (typeof spec === 'string') return NAMED[spec](shared);
  if ('truncate' in spec) return truncate(spec.truncate);
  if ('date' in spec) return dateTransform(dateOptions(spec.date, shared), false);
  if ('lookup' in spec) return noting((shared?.lookups ?? new Lookups([])).compile(spec.lookup));
  if ('lookup-all' in spec) return wholeList(noting((shared?.lookups ?? new Lookups([])).compileAll(spec['lookup-all'])));
  return nullTokens(spec['null-tokens']);
}

/** Transforms that may note a loss (dates, lookups): a rule makes a note for its row only when it has one. */
const NOTING = new WeakSet<TransformFn>();

function noting(fn: TransformFn): TransformFn {
  NOTING.add(fn);
  return fn;
}

/** True when a compiled transform (or list of them) may note a loss; false: it never calls `note`. */
export function mayNote(fn: TransformFn): boolean {
  return NOTING.has(fn);
}

/** Transforms given a list whole rather than item by item: `lookup-all` makes one list of what every key finds. */
const WHOLE_LIST = new WeakSet<TransformFn>();

function wholeList(fn: TransformFn): TransformFn {
  WHOLE_LIST.add(fn);
  return fn;
}

/** Compiles a list of transforms to one function applied, transform by transform, to a value or to each element of a list. */
export function compileTransforms(specs: readonly TransformSpec[], shared?: Shared): TransformFn | undefined {
  if (specs.length === 0) return undefined;
  const fns = specs.map((spec) => compileTransform(spec, shared));
  // Known once here, not asked of the WeakSet for every value.
  const whole = fns.map((fn) => WHOLE_LIST.has(fn));
  const apply: TransformFn = (value, note) => {
    let current = value;
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i]!;
      current = Array.isArray(current) && !whole[i] ? current.map((item) => fn(item, note)) : fn(current, note);
    }
    return current;
  };
  return fns.some(mayNote) ? noting(apply) : apply;
}
