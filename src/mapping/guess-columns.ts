import type { ExportProfile } from './profile.js';

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
  answer: ['answer', 'reply', 'response', 'agentreply', 'agentresponse', 'agentanswer', 'firstreply'],
  created: ['createdat', 'createdtime', 'created', 'datecreated', 'creationdate', 'createddate', 'createdon', 'opened'],
} as const;

/** Columns kept in `conversation.data` as `legacy_<name>` when present, for filtering in Re:amaze later. */
export const DATA_SYNONYMS: Record<string, readonly string[]> = {
  priority: ['priority', 'ticketpriority'],
  type: ['type', 'tickettype'],
  group: ['group', 'department', 'queue', 'groupname'],
  company: ['companyname', 'company', 'organization', 'organizationname', 'organisation'],
  product: ['product', 'productpurchased'],
  channel: ['via', 'channel', 'source', 'ticketchannel', 'viachannel'],
  assignee: ['assignee', 'agent', 'assignedto', 'agentassigned', 'owner'],
  updated_at: ['updatedat', 'lastupdated', 'lastupdatetime', 'updated'],
  solved_at: ['solvedat', 'resolvedtime', 'resolvedat'],
  closed_at: ['closedtime', 'closedat', 'dateclosed'],
  due_at: ['dueat', 'duebytime', 'duedate', 'dueby'],
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

/** Columns that hold someone else's address (the support mailbox, the agent): never the customer's. */
const NOT_CUSTOMER_COLUMN = /recipient|^to$|toemail|toaddress|support|mailbox|agent|assignee|owner|responder|replyto|ccemail|bcc|forward|fwd/;

/**
 * A column whose values are mostly e-mail addresses, for exports that name it oddly (Freshdesk's
 * "Contact ID"). One address on every row is a mailbox, not the customers.
 */
export function findEmailByValues(columns: readonly string[], profile: ExportProfile, taken: ReadonlySet<string>): string | undefined {
  return columns
    .filter((column) => !taken.has(column) && !NOT_CUSTOMER_COLUMN.test(normaliseName(column)) && !isAboutSomeoneElse(column))
    .find((column) => {
      const values = profile.column(column);
      const oneAddress = !values.manyValues && values.values.size === 1 && values.filled > 1;
      return values.filled > 0 && values.emails / values.filled >= 0.8 && !oneAddress;
    });
}

/** True when the column's name says it is not the customer's (`recipient`, `agent email`). */
export function isSomeoneElsesColumn(column: string): boolean {
  return NOT_CUSTOMER_COLUMN.test(normaliseName(column.split('.').at(-1) ?? column)) || isAboutSomeoneElse(column);
}
