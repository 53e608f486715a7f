import { digitsAt, readOffset, type DateParts } from './date-format.js';

const COLON = 58;
const DASH = 45;

const isSpace = (code: number) => code === 32 || code === 9 || code === 160;

/**
 * `H:mm[:ss[.fff…]]` at `pos` into `parts`; the position after it, or -1. The hour may have one
 * digit (`9:05`); a fraction keeps its first three digits (`.5` is 500 ms, `.123456` is 123).
 */
function readTime(text: string, pos: number, parts: DateParts): number {
  const short = text.charCodeAt(pos + 1) === COLON ? 1 : 2;
  parts.hour = digitsAt(text, pos, short);
  parts.minute = text.charCodeAt(pos + short) === COLON ? digitsAt(text, pos + short + 1, 2) : -1;
  if (parts.hour < 0 || parts.minute < 0) return -1;
  let end = pos + short + 3;
  if (text.charCodeAt(end) !== COLON) return end;
  parts.second = digitsAt(text, end + 1, 2);
  if (parts.second < 0) return -1;
  end += 3;
  const mark = text.charCodeAt(end);
  if (mark !== 46 && mark !== 44) return end;
  const from = ++end;
  let ms = 0;
  for (let digit = text.charCodeAt(end) - 48; digit >= 0 && digit <= 9; digit = text.charCodeAt(++end) - 48) {
    if (end - from < 3) ms = ms * 10 + digit;
  }
  if (end === from) return -1;
  for (let i = Math.min(end - from, 3); i < 3; i++) ms *= 10;
  parts.ms = ms;
  return end;
}

/**
 * ISO-8601 and the forms exports write around it: `YYYY-MM-DD`, then `T` or a space and a time,
 * then an offset (`Z`, `UTC`, `+05:30`, `-0800`), even after a space (`…T11:19:34 -10:00`).
 * Undefined when the text is not one of them. A char scan without a regex, because it runs for
 * every date of every row; the parts are not checked (0000-00-00 is read, for the sentinels).
 */
export function parseIso(text: string): DateParts | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  const parts: DateParts = {
    year: digitsAt(text, 0, 4), month: digitsAt(text, 5, 2), day: digitsAt(text, 8, 2),
    hour: 0, minute: 0, second: 0, ms: 0,
  };
  if (parts.year < 0 || parts.month < 0 || parts.day < 0) return undefined;
  if (text.length === 10) return parts;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 116 && separator !== 32) return undefined;
  let pos = readTime(text, 11, parts);
  if (pos < 0) return undefined;
  while (isSpace(text.charCodeAt(pos))) pos++;
  if (pos < text.length) pos = readOffset(text, pos, parts);
  return pos === text.length ? parts : undefined;
}
