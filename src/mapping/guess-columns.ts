import { compileGetter } from './fields.js';

/** What `init` looks for, each with the column names (normalised) that usually hold it, best first. */
export const SYNONYMS = {
  key: ['ticketid', 'id', 'ticketnumber', 'number', 'ticketno', 'conversationid', 'caseid', 'casenumber', 'caseno', 'externalid'],
  subject: ['subject', 'ticketsubject', 'title', 'rawsubject', 'topic'],
  body: [
    'description', 'descriptiontext', 'body', 'bodytext', 'plainbody', 'bodyhtml', 'htmlbody', 'descriptionhtml', 'message', 'content', 'text',
    'ticketdescription', 'question', 'details', 'comment', 'firstmessage', 'preview',
  ],
  email: [
    'requesteremail', 'customeremail', 'fromemail', 'contactemail', 'useremail', 'email', 'emailaddress',
    'requesteremailaddress', 'customeremailaddress', 'senderemail',
  ],
  name: ['requestername', 'customername', 'fullname', 'contactname', 'name', 'requester', 'from', 'fromname', 'sendername', 'username'],
  firstName: ['firstname'],
  lastName: ['lastname'],
  status: ['status', 'ticketstatus', 'currentstatus', 'state'],
  tags: ['tags', 'taglist', 'labels', 'tag'],
  created: ['createdat', 'createdtime', 'created', 'datecreated', 'creationdate', 'createddate', 'createdon', 'opened'],
} as const;

/** Columns kept in `conversation.data` as `legacy_<name>` when present, for filtering in Re:amaze later. */
export const DATA_SYNONYMS: Record<string, readonly string[]> = {
  priority: ['priority', 'ticketpriority'],
  type: ['type', 'tickettype'],
  group: ['group', 'department', 'queue', 'groupname'],
  channel: ['via', 'channel', 'source', 'ticketchannel', 'viachannel'],
  assignee: ['assignee', 'agent', 'assignedto', 'agentassigned', 'owner'],
  updated_at: ['updatedat', 'lastupdated', 'lastupdatetime', 'updated'],
  solved_at: ['solvedat', 'resolvedtime', 'resolvedat', 'closedtime', 'closedat'],
  language: ['language', 'locale'],
};

/** Lower-case letters and digits only: `Requester e-mail` → `requesteremail`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The column for the first synonym that matches, comparing the whole normalised name and then,
 * for JSON paths, the last one or two segments (`requester.email`, `item.customer.email`).
 */
export function findColumn(columns: readonly string[], synonyms: readonly string[], taken: ReadonlySet<string>): string | undefined {
  const free = columns.filter((column) => !taken.has(column));
  for (const synonym of synonyms) {
    const exact = free.find((column) => normaliseName(column) === synonym);
    if (exact) return exact;
  }
  for (const synonym of synonyms) {
    const nested = free
      .filter((column) => column.includes('.') && !isAboutSomeoneElse(column) && tailNames(column).includes(synonym))
      .sort((a, b) => a.split('.').length - b.split('.').length)[0];
    if (nested) return nested;
  }
  return undefined;
}

/** Objects whose `name` or `email` is not the customer's: the mailbox, the agent, the company. */
const NOT_THE_CUSTOMER = new Set(['mailbox', 'owner', 'assignee', 'agent', 'responder', 'organization', 'company', 'group', 'brand', 'team', 'via']);

function isAboutSomeoneElse(path: string): boolean {
  return path.split('.').slice(0, -1).some((part) => NOT_THE_CUSTOMER.has(normaliseName(part)));
}

function tailNames(path: string): string[] {
  const parts = path.split('.').filter((part) => !/^\d+$/.test(part));
  const last = parts.at(-1) ?? '';
  const lastTwo = parts.slice(-2).join('');
  return [normaliseName(last), normaliseName(lastTwo)];
}

/** Non-empty string values of a column in the sample records. */
export function sampleValues(sample: readonly Record<string, unknown>[], column: string): string[] {
  const values: string[] = [];
  const read = compileGetter(column);
  for (const record of sample) {
    const value = read(record);
    if (typeof value === 'string' && value.trim() !== '') values.push(value.trim());
    else if (typeof value === 'number' || typeof value === 'boolean') values.push(String(value));
  }
  return values;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A column whose sampled values are mostly e-mail addresses, for exports that name it oddly (Freshdesk's "Contact ID"). */
export function findEmailByValues(
  columns: readonly string[],
  sample: readonly Record<string, unknown>[],
  taken: ReadonlySet<string>,
): string | undefined {
  return columns
    .filter((column) => !taken.has(column))
    .find((column) => {
      const values = sampleValues(sample, column);
      return values.length > 0 && values.filter((value) => EMAIL.test(value)).length / values.length >= 0.8;
    });
}

/** Maps sampled status words to Re:amaze status integers (0 open, 1 pending, 2 done, 3 spam); unknown words are left out. */
export function guessStatusMap(values: readonly string[]): Record<string, number> {
  const map: Record<string, number> = {};
  for (const raw of new Set(values.map((value) => value.toLowerCase()))) {
    const status = statusOf(raw);
    if (status !== undefined) map[raw] = status;
  }
  return map;
}

function statusOf(word: string): number | undefined {
  // "Unresolved", "not solved", "incomplete": still open, whatever word they contain.
  if (/\b(un|not |in)(resolved|solved|complete|closed|done)\b/.test(word)) return 0;
  if (/spam/.test(word)) return 3;
  if (/solved|resolved|closed|done|complete/.test(word)) return 2;
  if (/pending|waiting|hold|respond/.test(word)) return 1;
  if (/new|open|active|progress|unresolved/.test(word)) return 0;
  return undefined;
}
