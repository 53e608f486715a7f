import { compileDateParser } from './dates.js';
import type { ExportProfile } from './profile.js';

/** How many of a column's values are tried against each date format. */
const TRIED = 500;

const DAYS = ['DD-MM-YYYY', 'MM-DD-YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD', 'D/M/YYYY', 'M/D/YYYY'];
const TIMES = ['', ' HH:mm', ' HH:mm:ss', ' h:mm A', ' h:mm:ss A'];
const FORMATS = DAYS.flatMap((day) => TIMES.map((time) => `${day}${time}`));

/** A date column's rule and what init says about it. */
export interface DateGuess {
  rule: Record<string, unknown>;
  note?: string;
}

/** Values of the column to try: its counted distinct values, else the sampled records'. */
function valuesOf(column: string, profile: ExportProfile): string[] {
  const counted = profile.column(column);
  const values = counted.manyValues ? profile.sample.map((record) => record[column]) : [...counted.values.keys()];
  return values.filter((value): value is string => typeof value === 'string' && value.trim() !== '').slice(0, TRIED);
}

/**
 * The rule for a date column, by what it holds: `timestamp` (ISO 8601, epoch) when every value
 * tried reads so, else the one format (`DD-MM-YYYY HH:mm`) every value tried fits; a day-first and a
 * month-first format that both fit (no day past the 12th) are said to be a guess.
 */
export function dateRule(column: string, profile: ExportProfile): DateGuess {
  const values = valuesOf(column, profile);
  const iso = compileDateParser({});
  if (values.every((value) => iso(value) !== undefined)) return { rule: { from: column, transform: ['timestamp'] } };
  const fits = FORMATS.filter((format) => {
    const parse = compileDateParser({ format });
    return values.every((value) => parse(value) !== undefined || iso(value) !== undefined);
  });
  const format = fits[0];
  if (format === undefined) {
    return { rule: { from: column, transform: ['timestamp'] }, note: `${column}: its dates are in no format init knows: they are kept as written (counted as date_unparsed); give the format with {"date": "…"}.` };
  }
  const swapped = fits.find((other) => other !== format && other.replace(/D+|M+/g, (t) => (t[0] === 'D' ? 'M' : 'D').repeat(t.length)) === format);
  const note = swapped === undefined
    ? `${column}: dates read as ${format}.`
    : `${column}: dates read as ${format}, but ${swapped} fits every value too (no day past the 12th): check which it is.`;
  return { rule: { from: column, transform: [{ date: format }] }, note };
}
