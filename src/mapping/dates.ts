import { compileFormat, parseOffset, type DateParts } from './date-format.js';
import { parseIso } from './date-iso.js';
import { isSentinelDay, isSentinelInstant } from './date-sentinels.js';

export { checkDateFormat } from './date-format.js';

/** What a `date` transform may say: a format made of tokens, and the timezone of naive times. */
export interface DateOptions {
  /** Tokens YYYY MM M DD D HH H hh h mm ss SSS A Z; other characters are literal. Default: ISO-8601 or epoch. */
  format?: string;
  /** `Z`, `UTC`, `+05:30`, `-0800` or an IANA name (`Europe/Paris`) for times without an offset. Default: UTC. */
  timezone?: string;
}

/** What a date parser returns for a placeholder date (1900-01-01, 0000-00-00, epoch 0…, see SENTINEL_DATES). */
export const SENTINEL: unique symbol = Symbol('sentinel date');

/** A compiled date parser: the ISO-8601 UTC text of a value, SENTINEL for a placeholder, undefined when unreadable. */
export type DateParser = (value: string | number) => string | typeof SENTINEL | undefined;

const OFFSET = /^(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$/i;
/** Epochs below this are seconds (year 5138 in seconds, 1973 in milliseconds). */
const EPOCH_MS_FROM = 1e11;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

/** Days since 1970-01-01 of a Gregorian date (H. Hinnant's days_from_civil): unlike Date.UTC, year 50 stays 50. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** Milliseconds since the epoch of wall-clock parts read as UTC. */
function utcMs(p: DateParts): number {
  return daysFromCivil(p.year, p.month, p.day) * DAY + p.hour * HOUR + p.minute * MINUTE + p.second * 1000 + p.ms;
}

/** The UTC parts of an instant (Hinnant's civil_from_days); undefined outside the years 0000–9999. */
function instantParts(instant: number): DateParts | undefined {
  const days = Math.floor(instant / DAY);
  const era = Math.floor((days + 719468) / 146097);
  const dayOfEra = days + 719468 - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return undefined;
  const time = instant - days * DAY;
  return {
    year, month, day: dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1,
    hour: Math.floor(time / HOUR), minute: Math.floor(time / MINUTE) % 60, second: Math.floor(time / 1000) % 60, ms: time % 1000,
  };
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

/** The ISO-8601 text of parts already in UTC, without the cost of a Date. */
function formatUtc(p: DateParts): string {
  const y = p.year < 1000 ? `0${pad3(p.year)}` : `${p.year}`;
  return `${y}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}.${pad3(p.ms)}Z`;
}

/** The offset (minutes east of UTC) of an IANA zone at an instant, from Intl: a few microseconds a call. */
function exactOffsets(timezone: string): (instant: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return (instant) => {
    const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, Number(x.value)]));
    const local = utcMs({ year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, ms: 0 });
    return Math.round((local - Math.floor(instant / 1000) * 1000) / MINUTE);
  };
}

/**
 * `offsets` remembered per hour: zones change offset at most once an hour, so an hour whose first
 * and last second agree has one offset throughout; an hour with a change in it is asked each time.
 */
function hourlyOffsets(offsets: (instant: number) => number): (instant: number) => number {
  const byHour = new Map<number, number>();
  return (instant) => {
    const hour = Math.floor(instant / HOUR);
    const known = byHour.get(hour);
    if (known !== undefined) return known;
    const start = offsets(hour * HOUR);
    if (start !== offsets(hour * HOUR + HOUR - 1000)) return offsets(instant);
    if (byHour.size >= 100_000) byHour.clear();
    byHour.set(hour, start);
    return start;
  };
}

/** Offsets by IANA zone, shared by every date leaf of every mapping. */
const ZONES = new Map<string, (instant: number) => number>();

/** Offset (minutes east of UTC) of a zone at an instant; undefined for UTC and unknown zones. */
function zoneOffset(timezone: string | undefined): ((instant: number) => number) | undefined {
  if (timezone === undefined || checkTimezone(timezone) !== undefined) return undefined;
  if (OFFSET.test(timezone)) {
    const fixed = parseOffset(timezone);
    return fixed === 0 ? undefined : () => fixed;
  }
  let offsets = ZONES.get(timezone);
  if (offsets === undefined) ZONES.set(timezone, (offsets = hourlyOffsets(exactOffsets(timezone))));
  return offsets;
}

/**
 * The instant of a wall-clock time (as UTC ms) in a zone. Half a day either side gives the offsets
 * in force around it. In an hour that happens twice (autumn) the earlier instant is taken; a time
 * that never happens (spring) is read with the offset before the change, so it moves forward.
 */
function localInstant(local: number, offsetAt: (instant: number) => number): number {
  const before = offsetAt(local - DAY / 2);
  const after = offsetAt(local + DAY / 2);
  const early = local - before * MINUTE;
  if (before === after || offsetAt(early) === before) return early;
  const late = local - after * MINUTE;
  return offsetAt(late) === after ? late : early;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** True for `-?digits(.digits)?`, an epoch written as text. */
export function isEpochText(text: string): boolean {
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  while (isDigit(text.charCodeAt(i))) i++;
  if (i === start || i === text.length) return i > start;
  if (text.charCodeAt(i) !== 46) return false;
  const point = ++i;
  while (isDigit(text.charCodeAt(i))) i++;
  return i > point && i === text.length;
}

/** The instant of epoch seconds or milliseconds; undefined outside the years 0000–9999. */
function epochInstant(n: number): number | typeof SENTINEL | undefined {
  if (!Number.isFinite(n)) return undefined;
  const instant = Math.round(Math.abs(n) < EPOCH_MS_FROM ? n * 1000 : n);
  if (isSentinelInstant(instant)) return SENTINEL;
  return instantParts(instant) === undefined ? undefined : instant;
}

/** Epoch seconds or milliseconds. */
function fromEpoch(n: number): ReturnType<DateParser> {
  const instant = epochInstant(n);
  return typeof instant === 'number' ? formatUtc(instantParts(instant)!) : instant;
}

/** The offset of parts (minutes east of UTC): the one they state, 0 without one and without a zone; undefined: the zone's. */
function offsetOf(parts: DateParts, offsetAt: ((instant: number) => number) | undefined): number | undefined {
  return parts.offset ?? (offsetAt === undefined ? 0 : undefined);
}

/** The instant of parts read from text (checked, a 12-hour clock made 24); a time without an offset is in `offsetAt`'s zone (UTC without one). */
function partsInstant(parts: DateParts, offsetAt: ((instant: number) => number) | undefined): number | typeof SENTINEL | undefined {
  if (isSentinelDay(parts)) return SENTINEL;
  if (!settle(parts)) return undefined;
  const offset = offsetOf(parts, offsetAt);
  const local = utcMs(parts);
  const instant = offset === undefined ? localInstant(local, offsetAt!) : local - offset * MINUTE;
  return isSentinelInstant(instant) ? SENTINEL : instant;
}

/** Parts read from text, as ISO-8601 UTC text. */
function fromParts(parts: DateParts, offsetAt: ((instant: number) => number) | undefined): ReturnType<DateParser> {
  const instant = partsInstant(parts, offsetAt);
  if (typeof instant !== 'number') return instant;
  // Most values are UTC already: their text is built from the parts as read.
  const utc = offsetOf(parts, offsetAt) === 0 ? parts : instantParts(instant);
  return utc === undefined ? undefined : formatUtc(utc);
}

/** Compiles a parser from a date value (text, or epoch seconds/ms) to ISO-8601 UTC text, SENTINEL, or undefined when unreadable. */
export function compileDateParser(options: DateOptions): DateParser {
  const format = options.format === undefined ? undefined : compileFormat(options.format.trim());
  const offsetAt = zoneOffset(options.timezone);
  return (value) => {
    if (typeof value === 'number') return fromEpoch(value);
    const text = value.trim();
    const parts = format === undefined ? parseIso(text) : format(text);
    if (parts !== undefined) return fromParts(parts, offsetAt);
    // Epoch text only without a format: under "YYYYMMDD", 20250105 is a day, not a timestamp.
    return format === undefined && isEpochText(text) ? fromEpoch(Number(text)) : undefined;
  };
}

/**
 * Compiles a parser from a date text to its instant (milliseconds since the epoch): the instant of
 * the text `compileDateParser` gives, without building that text; undefined for a placeholder or
 * an unreadable date. For ordering: a thread sorts by the same reading of its dates as `timestamp`.
 */
export function compileInstantParser(options: DateOptions): (text: string) => number | undefined {
  const format = options.format === undefined ? undefined : compileFormat(options.format.trim());
  const offsetAt = zoneOffset(options.timezone);
  return (value) => {
    const text = value.trim();
    const parts = format === undefined ? parseIso(text) : format(text);
    let instant: number | typeof SENTINEL | undefined;
    if (parts !== undefined) {
      instant = partsInstant(parts, offsetAt);
      // Outside the years 0000–9999 there is no text, so no instant either.
      if (typeof instant === 'number' && offsetOf(parts, offsetAt) !== 0 && instantParts(instant) === undefined) instant = undefined;
    } else if (format === undefined && isEpochText(text)) instant = epochInstant(Number(text));
    return typeof instant === 'number' ? instant : undefined;
  };
}
