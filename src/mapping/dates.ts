import { compileFormat, parseOffset, type DateParts } from './date-format.js';

export { checkDateFormat } from './date-format.js';

/** What a `date` transform may say: a format made of tokens, and the timezone of naive times. */
export interface DateOptions {
  /** Tokens YYYY MM M DD D HH H hh h mm ss SSS A Z; other characters are literal. Default: ISO-8601 or epoch. */
  format?: string;
  /** `Z`, `UTC`, `+05:30`, `-0800` or an IANA name (`Europe/Paris`) for times without an offset. Default: UTC. */
  timezone?: string;
}

const OFFSET = /^(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$/i;

/** ISO-8601 (`T` or a space, optional seconds, fraction, offset, even after a space) and `YYYY-MM-DD HH:MM:SS`. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^-?\d+(?:\.\d+)?$/;
/** Epochs below this are seconds (year 5138 in seconds, 1973 in milliseconds). */
const EPOCH_MS_FROM = 1e11;

/** The error for a bad timezone, or undefined when it is an offset or a known IANA name. */
export function checkTimezone(timezone: string): string | undefined {
  if (OFFSET.test(timezone)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown timezone "${timezone}" (use an offset like "+05:30" or a name like "Europe/Paris")`;
  }
}

/** Fast path for the most common export forms (`YYYY-MM-DD HH:mm:ss`, `...THH:mm:ssZ`, `YYYY-MM-DD`). */
const COMMON = [
  compileFormat('YYYY-MM-DD HH:mm:ss'),
  compileFormat('YYYY-MM-DD[T]HH:mm:ss'),
  compileFormat('YYYY-MM-DD[T]HH:mm:ssZ'),
  compileFormat('YYYY-MM-DD'),
];

/** ISO-8601 and the forms around it; the common ones without a regex. */
function parseIso(text: string): DateParts | undefined {
  for (const parse of COMMON) {
    const parts = parse(text);
    if (parts !== undefined) return parts;
  }
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const parts: DateParts = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0),
    ms: Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')),
  };
  if (m[8] !== undefined) parts.offset = parseOffset(m[8]);
  return parts;
}

/** Checks the parts (31 February, 25:00 are invalid) and turns a 12-hour clock into 24 hours. */
function settle(p: DateParts): boolean {
  if (p.pm !== undefined) {
    if (p.hour < 1 || p.hour > 12) return false;
    p.hour = (p.hour % 12) + (p.pm ? 12 : 0);
  }
  const leap = p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0);
  const days = p.month === 2 ? (leap ? 29 : 28) : p.month === 4 || p.month === 6 || p.month === 9 || p.month === 11 ? 30 : 31;
  return p.month >= 1 && p.month <= 12 && p.day >= 1 && p.day <= days && p.hour <= 23 && p.minute <= 59 && p.second <= 59;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** The ISO-8601 text of parts already in UTC, without the cost of a Date (most rows take this path). */
function formatUtc(p: DateParts): string {
  const y = p.year < 1000 ? `0${pad3(p.year)}` : `${p.year}`;
  return `${y}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}.${pad3(p.ms)}Z`;
}

/** Offset (minutes east of UTC) of a zone at an instant; fixed offsets ignore the instant. */
function zoneOffset(timezone: string | undefined): ((instant: number) => number) | undefined {
  if (timezone === undefined || checkTimezone(timezone) !== undefined) return undefined;
  if (OFFSET.test(timezone)) {
    const fixed = parseOffset(timezone);
    return fixed === 0 ? undefined : () => fixed;
  }
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return (instant) => {
    const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, Number(x.value)]));
    const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    return Math.round((local - Math.floor(instant / 1000) * 1000) / 60000);
  };
}

/** Returns a parser from a date value (text, or epoch seconds/ms) to an ISO-8601 UTC string; undefined when invalid. */
export function compileDateParser(options: DateOptions): (value: string | number) => string | undefined {
  const parse = options.format === undefined ? parseIso : compileFormat(options.format.trim());
  const offsetAt = zoneOffset(options.timezone);
  return (value) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if ((options.format === undefined || typeof value === 'number') && EPOCH.test(text)) {
      const n = Number(text);
      const date = new Date(Math.abs(n) < EPOCH_MS_FROM ? n * 1000 : n);
      return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
    }
    const parts = parse(text);
    if (parts === undefined || !settle(parts)) return undefined;
    const offset = parts.offset;
    if (offset === 0 || (offset === undefined && offsetAt === undefined)) return formatUtc(parts);
    const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.ms);
    if (offset !== undefined) return new Date(local - offset * 60000).toISOString();
    // Two passes so a time next to a DST change lands on the offset in force at that time.
    const guess = local - offsetAt!(local) * 60000;
    return new Date(local - offsetAt!(guess) * 60000).toISOString();
  };
}
