import type { DateParts } from './date-format.js';

/**
 * Placeholder dates: what exports write for "no date", by the default value of a database column,
 * a spreadsheet or a date picker. Carried over, they would date a conversation 1900 or 9999, so
 * the date transforms leave them empty (noted `date_sentinel`). A day (`YYYY-MM-DD`) stands for
 * any time of it, in any zone; a time (`…T…Z`) only for that instant.
 */
export const SENTINEL_DATES = [
  { date: '0000-00-00', why: 'the "zero" date MySQL stores for a missing or invalid DATETIME' },
  { date: '0001-01-01', why: 'the zero value of .NET DateTime and Go time.Time' },
  { date: '1899-12-30', why: 'spreadsheet serial 0 (OLE Automation dates, LibreOffice, most Excel readers)' },
  { date: '1899-12-31', why: 'spreadsheet serial 0 read as the day before 1900-01-01' },
  { date: '1900-01-00', why: 'how Excel itself writes serial 0' },
  { date: '1900-01-01', why: "SQL Server's datetime 0 (an empty string cast to a date), Zendesk's placeholder" },
  { date: '9999-12-31', why: 'the highest date of most databases and of .NET, written for "never"' },
  { date: '1970-01-01T00:00:00Z', why: 'epoch 0: a Unix timestamp that was never set' },
] as const;

/** `YYYY-MM-DD` as one number (20250131), to test a day without building text. */
const dayNumber = (year: number, month: number, day: number) => year * 10000 + month * 100 + day;

const SENTINEL_DAYS = new Set(
  SENTINEL_DATES.filter(({ date }) => !date.includes('T')).map(({ date }) =>
    dayNumber(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))),
  ),
);
const SENTINEL_INSTANTS = new Set(SENTINEL_DATES.filter(({ date }) => date.includes('T')).map(({ date }) => Date.parse(date)));

/** True for wall-clock parts on a placeholder day (checked before the parts are, so 0000-00-00 counts). */
export function isSentinelDay(parts: DateParts): boolean {
  return SENTINEL_DAYS.has(dayNumber(parts.year, parts.month, parts.day));
}

/** True for a placeholder instant (milliseconds since the epoch). */
export function isSentinelInstant(ms: number): boolean {
  return SENTINEL_INSTANTS.has(ms);
}
