/** Wall-clock parts read from a value; `offset` in minutes east of UTC when the value states one. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  pm?: boolean;
  offset?: number;
}

type Part = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'ms';

/** One step of a compiled format; scanning with char codes is several times faster than a regex with groups. */
type Step =
  | { kind: 'digits'; min: number; max: number; part: Part }
  | { kind: 'text'; text: string }
  | { kind: 'space' }
  | { kind: 'meridiem' }
  | { kind: 'offset' };

const digits = (min: number, max: number, part: Part): Step => ({ kind: 'digits', min, max, part });

/** The tokens of a format and what each reads. */
const TOKENS: Record<string, Step> = {
  YYYY: digits(4, 4, 'year'),
  MM: digits(2, 2, 'month'),
  M: digits(1, 2, 'month'),
  DD: digits(2, 2, 'day'),
  D: digits(1, 2, 'day'),
  HH: digits(2, 2, 'hour'),
  H: digits(1, 2, 'hour'),
  hh: digits(2, 2, 'hour'),
  h: digits(1, 2, 'hour'),
  mm: digits(2, 2, 'minute'),
  ss: digits(2, 2, 'second'),
  SSS: digits(3, 3, 'ms'),
  A: { kind: 'meridiem' },
  Z: { kind: 'offset' },
};

/** Tokens, longest first; `[text]` is literal text (`[T]`, `[at]`). */
const TOKEN_PATTERN = /\[[^\]]*\]|YYYY|SSS|MM|DD|HH|hh|mm|ss|M|D|H|h|A|Z/g;

/** Minutes east of UTC for `Z`, `UTC`, `+05:30`, `-0800`, `+02` (a checked timezone option). */
export function parseOffset(text: string): number {
  const parts: DateParts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
  readOffset(text, 0, parts);
  return parts.offset ?? 0;
}

/** `n` digits at `pos` as a number, or -1. */
export function digitsAt(text: string, pos: number, n: number): number {
  if (pos + n > text.length) return -1;
  let value = 0;
  for (let i = pos; i < pos + n; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True when `text` holds `word` (upper case) at `pos`, in any case. */
function wordAt(text: string, pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((text.charCodeAt(pos + i) & ~32) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads `Z`, `UTC`, `GMT`, `+05:30`, `-0800` or `+02` at `pos` into `parts.offset` (minutes east of
 * UTC); the position after it, or -1. A char scan: it runs for every value that states an offset.
 */
export function readOffset(text: string, pos: number, parts: DateParts): number {
  const code = text.charCodeAt(pos);
  const utc = code === 90 || code === 122 ? 1 : wordAt(text, pos, 'UTC') || wordAt(text, pos, 'GMT') ? 3 : 0;
  if (utc > 0) {
    parts.offset = 0;
    return pos + utc;
  }
  if (code !== 43 && code !== 45) return -1;
  const hours = digitsAt(text, pos + 1, 2);
  if (hours < 0) return -1;
  let end = pos + 3;
  const colon = text.charCodeAt(end) === 58 ? 1 : 0;
  const minutes = digitsAt(text, end + colon, 2);
  if (minutes >= 0) end += colon + 2;
  parts.offset = (code === 45 ? -1 : 1) * (hours * 60 + Math.max(minutes, 0));
  return end;
}

/** The error for a bad format, or undefined when it has a year, a month and a day. */
export function checkDateFormat(format: string): string | undefined {
  const tokens: string[] = format.match(TOKEN_PATTERN) ?? [];
  const has = (...names: string[]) => names.some((n) => tokens.includes(n));
  if (!has('YYYY') || !has('MM', 'M') || !has('DD', 'D')) {
    return `date format "${format}" needs YYYY, MM (or M) and DD (or D)`;
  }
  if (has('hh', 'h') !== has('A')) return `date format "${format}": 12-hour hh/h and A (AM/PM) go together`;
  return undefined;
}

/** Literal format text as steps; any run of whitespace matches any run of whitespace. */
function literalSteps(text: string): Step[] {
  return text.split(/(\s+)/).flatMap((piece): Step[] => {
    if (piece === '') return [];
    return /^\s+$/.test(piece) ? [{ kind: 'space' }] : [{ kind: 'text', text: piece }];
  });
}

function compileSteps(format: string): Step[] {
  const steps: Step[] = [];
  let last = 0;
  for (const match of format.matchAll(TOKEN_PATTERN)) {
    steps.push(...literalSteps(format.slice(last, match.index)));
    last = match.index + match[0].length;
    steps.push(...(TOKENS[match[0]] === undefined ? literalSteps(match[0].slice(1, -1)) : [TOKENS[match[0]]!]));
  }
  return [...steps, ...literalSteps(format.slice(last))];
}

const isSpace = (code: number) => code === 32 || code === 9 || code === 160 || (code >= 10 && code <= 13);

/** Reads the text at `pos` for one step into `parts`; the new position, or -1 when it does not match. */
function scanStep(step: Step, text: string, pos: number, parts: DateParts): number {
  switch (step.kind) {
    case 'digits': {
      let n = 0;
      let end = pos;
      while (end - pos < step.max && end < text.length) {
        const digit = text.charCodeAt(end) - 48;
        if (digit < 0 || digit > 9) break;
        n = n * 10 + digit;
        end++;
      }
      if (end - pos < step.min) return -1;
      parts[step.part] = n;
      return end;
    }
    case 'text':
      return text.startsWith(step.text, pos) ? pos + step.text.length : -1;
    case 'space': {
      let end = pos;
      while (end < text.length && isSpace(text.charCodeAt(end))) end++;
      return end > pos ? end : -1;
    }
    case 'meridiem': {
      const word = text.slice(pos, pos + 2).toLowerCase();
      if (word !== 'am' && word !== 'pm') return -1;
      parts.pm = word === 'pm';
      return pos + 2;
    }
    case 'offset':
      return readOffset(text, pos, parts);
  }
}

/** Compiles a format (tokens YYYY MM M DD D HH H hh h mm ss SSS A Z, `[literal]`) to a parser of its parts. */
export function compileFormat(format: string): (text: string) => DateParts | undefined {
  const steps = compileSteps(format);
  return (text) => {
    const parts: DateParts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
    let pos = 0;
    for (let i = 0; i < steps.length && pos !== -1; i++) pos = scanStep(steps[i]!, text, pos, parts);
    return pos === text.length ? parts : undefined;
  };
}
