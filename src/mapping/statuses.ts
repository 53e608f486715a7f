import { valuesByCount, type ColumnProfile } from './profile.js';

/** Re:amaze's status integers and their names, for the report. */
export const STATUS_NAMES: Record<number, string> = { 0: 'Open', 1: 'Pending', 2: 'Resolved', 3: 'Spam', 4: 'Archived', 5: 'On hold' };

/**
 * What each helpdesk calls its statuses, lower-cased, and the Re:amaze status each becomes.
 * On hold goes to Pending: Re:amaze's own On hold (5) needs a date to hold until.
 * A deleted ticket is archived, never reopened.
 */
export const VENDOR_STATUSES: Record<string, Record<string, number>> = {
  zendesk: { new: 0, open: 0, pending: 1, hold: 1, 'on-hold': 1, 'on hold': 1, solved: 2, closed: 2, deleted: 4, archived: 4 },
  freshdesk: {
    open: 0, pending: 1, resolved: 2, closed: 2, 'waiting on customer': 1, 'waiting on third party': 1,
    // The API's numbers
    2: 0, 3: 1, 4: 2, 5: 2, 6: 1, 7: 1,
  },
  helpscout: { active: 0, open: 0, pending: 1, closed: 2, spam: 3 },
  osticket: { open: 0, resolved: 2, closed: 2, archived: 4, deleted: 4 },
};

/** Status words every helpdesk uses the same way. */
const COMMON_STATUSES: Record<string, number> = {
  new: 0, open: 0, opened: 0, reopened: 0, active: 0, pending: 1, waiting: 1, 'on hold': 1, hold: 1,
  solved: 2, resolved: 2, closed: 2, done: 2, spam: 3, archived: 4, deleted: 4,
};

/** The vendor whose statuses a layout holds (`zendesk-csv` → zendesk). */
export function vendorOf(layout: string | undefined): string | undefined {
  const vendor = layout?.split('-')[0];
  return vendor !== undefined && Object.hasOwn(VENDOR_STATUSES, vendor) ? vendor : undefined;
}

/**
 * The Re:amaze status a status word most likely means, or undefined. "Unresolved", "not solved",
 * "incomplete" are still open whatever word they contain.
 */
export function statusOfWord(word: string): number | undefined {
  const text = word.toLowerCase();
  if (/\b(un|not |in)(resolved|solved|complete|closed|done)\b/.test(text)) return 0;
  if (/spam|junk/.test(text)) return 3;
  if (/deleted|archived|trash/.test(text)) return 4;
  if (/solved|resolved|closed|done|complete|finished/.test(text)) return 2;
  if (/pending|waiting|hold|respond|awaiting/.test(text)) return 1;
  if (/new|open|active|progress|unresolved|assigned|escalated|reopened/.test(text)) return 0;
  return undefined;
}

/** A status column's rule, and what `init` says about it. */
export interface StatusGuess {
  rule: Record<string, unknown>;
  /** Each value found: how many rows, what it becomes and how that was decided. */
  report: string[];
  /** Values nothing decides: rows with them are invalid until the map names them. */
  todo: string[];
}

/**
 * Maps every value of the status column: the vendor's own statuses (all of them, so a later export
 * with a status this one lacks still maps), then each other value found by its words. No default:
 * a value the map does not name makes its row invalid, naming the value.
 */
export function guessStatus(column: string, profile: ColumnProfile, vendor: string | undefined, base: Record<string, unknown> = {}): StatusGuess {
  const known = { ...(vendor === undefined ? {} : VENDOR_STATUSES[vendor]), ...lowerKeys(base) };
  const map: Record<string, number> = {};
  for (const [value, status] of Object.entries(known)) if (typeof status === 'number') map[value] = status;
  const report: string[] = [];
  const todo: string[] = [];
  for (const [value, count] of valuesByCount(profile)) {
    const key = value.toLowerCase();
    const rows = `${count.toLocaleString('en-US')} row${count === 1 ? '' : 's'}`;
    if (Object.hasOwn(known, key)) {
      report.push(`"${value}" (${rows}) → ${describe(map[key])}${vendor ? ` (${vendor}'s own status)` : ''}`);
      continue;
    }
    if (Object.hasOwn(COMMON_STATUSES, key)) {
      map[key] = COMMON_STATUSES[key]!;
      report.push(`"${value}" (${rows}) → ${describe(map[key])}`);
      continue;
    }
    const status = statusOfWord(key);
    if (status === undefined) {
      todo.push(`conversation.status: "${value}" (${rows}) is no status init knows: add it to conversation.status.map ` +
        `(0 Open, 1 Pending, 2 Resolved, 3 Spam, 4 Archived); until then those rows are invalid.`);
      continue;
    }
    map[key] = status;
    report.push(`"${value}" (${rows}) → ${describe(status)}, guessed from the word: check it`);
  }
  if (profile.filled === 0) report.push(vendor === undefined ? 'none in this export' : `none in this export: the map names ${vendor}'s own statuses`);
  if (profile.manyValues) todo.push(`conversation.status: ${column} has more distinct values than init counts; check that the map names every one.`);
  return { rule: { from: column, transform: ['trim', 'lowercase'], map }, report, todo };
}

function describe(status: number | undefined): string {
  return status === undefined ? '?' : `${status} (${STATUS_NAMES[status] ?? 'status'})`;
}

function lowerKeys(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key.toLowerCase(), value]));
}
