import { Lookups } from './lookups.js';
import { compileDateParser, type DateOptions } from './dates.js';
import { quote } from './fields.js';
import type { Note } from './losses.js';
import type { Shared } from './leaf.js';
import { htmlToMarkdown, htmlToText, isHtml } from './html.js';
import type { TRANSFORM_NAMES, TransformSpec } from './schema.js';

/** A transform of one value; lists are handled by the caller, element by element; `note` records a loss. */
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

function date(options: DateOptions): TransformFn {
  const parse = compileDateParser(options);
  const expected =
    options.format === undefined ? 'ISO-8601, "YYYY-MM-DD HH:mm:ss" or epoch seconds/ms' : `format "${options.format}"`;
  return (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    if (value === '' || (typeof value === 'string' && value.trim() === '')) return undefined;
    const iso = parse(value);
    if (iso === undefined) throw new TransformFailure(`invalid date ${quote(value)} (expected ${expected})`);
    return iso;
  };
}

const NAMED: Record<(typeof TRANSFORM_NAMES)[number], () => TransformFn> = {
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
  date: () => date({}),
  number: () => toNumber,
  boolean: () => toBoolean,
};

/** Compiles one transform as written in a mapping (at `at`) to a function of one value. */
export function compileTransform(spec: TransformSpec, shared?: Shared): TransformFn {
  if (typeof spec === 'string') return NAMED[spec]();
  if ('truncate' in spec) return truncate(spec.truncate);
  if ('date' in spec) return date(typeof spec.date === 'string' ? { format: spec.date } : spec.date);
  if ('lookup' in spec) return (shared?.lookups ?? new Lookups([])).compile(spec.lookup);
  return nullTokens(spec['null-tokens']);
}

/** Compiles a list of transforms to one function applied to a value, or to each element of a list. */
export function compileTransforms(specs: readonly TransformSpec[], shared?: Shared): TransformFn | undefined {
  if (specs.length === 0) return undefined;
  const fns = specs.map((spec) => compileTransform(spec, shared));
  const [first] = fns;
  const one =
    fns.length === 1 && first !== undefined
      ? first
      : (value: unknown, note?: Note): unknown => {
          let current = value;
          for (let i = 0; i < fns.length; i++) current = fns[i]!(current, note);
          return current;
        };
  return (value, note) => (Array.isArray(value) ? value.map((item) => one(item, note)) : one(value, note));
}
