import { ImportError } from '../errors.js';

/** Requests per second when neither `--rate` nor an earlier run says: Re:amaze publishes no number. */
export const DEFAULT_RATE = 1;

/** What a numeric option allows: what it counts, whether fractions make sense, and its bounds (inclusive). */
export interface NumberRule {
  /** What the number counts, as in "a whole number of rows". Default: nothing said. */
  unit?: string;
  /** Fractions refused (rows, requests, ports). Default: false. */
  whole?: boolean;
  min: number;
  /** The least value itself is refused: "above 0". Default: false. */
  above?: boolean;
  max?: number;
  /** Said after the bounds: why the bound, or an example. */
  note?: string;
}

/** A plain decimal, as people type numbers: no hex, no exponents, no `Infinity`. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** "a whole number of rows, at least 1": what `rule` allows, in words. */
export function describeRule(rule: NumberRule): string {
  const least = rule.above ? `above ${rule.min}` : `at least ${rule.min}`;
  const bounds = rule.max === undefined ? least : rule.above ? `${least} and at most ${rule.max}` : `from ${rule.min} to ${rule.max}`;
  return `${rule.whole ? 'a whole number' : 'a number'}${rule.unit ? ` of ${rule.unit}` : ''}, ${bounds}${rule.note ? ` (${rule.note})` : ''}`;
}

/** The option's value as a number within `rule`; USAGE, naming the option, the value and what is allowed, for anything else. */
export function checkNumber(flag: string, rule: NumberRule, value: unknown): number {
  if (Array.isArray(value)) throw new ImportError('USAGE', `${flag} is given ${value.length} times: give it once, ${describeRule(rule)}.`);
  if (value === true || value === '') throw new ImportError('USAGE', `${flag} needs a value: ${describeRule(rule)}.`);
  const text = String(value).trim();
  const number = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!inRange(number, rule)) throw new ImportError('USAGE', `${flag} must be ${describeRule(rule)}; got ${text}.`);
  return number;
}

function inRange(number: number, rule: NumberRule): boolean {
  if (!Number.isFinite(number) || (rule.whole && !Number.isInteger(number))) return false;
  if (rule.above ? number <= rule.min : number < rule.min) return false;
  return rule.max === undefined || number <= rule.max;
}

/**
 * The yargs declaration of a numeric option: no yargs `type` (which would turn "abc" into NaN and
 * lose what was typed), and a `coerce` that checks every value, the default too, before any handler runs.
 */
export function numberOption(name: string, rule: NumberRule): { coerce: (value: unknown) => number } {
  const flag = name.length === 1 ? `-${name}` : `--${name}`;
  return { coerce: (value) => checkNumber(flag, rule, value) };
}
