import type { SourceDialect } from '../source/types.js';
import {
  DATA_SYNONYMS, SYNONYMS, findColumn, findEmailByValues, guessStatusMap, normaliseName, sampleValues,
} from './guess-columns.js';

/** A preset `init` may recognise: its name, its mapping JSON and the columns it reads. */
export interface PresetCandidate {
  name: string;
  spec: Record<string, unknown>;
  /** The columns (or record paths) it reads; paths inside one message are not listed. */
  fields: readonly string[];
  /** True when a file with these columns has everything the preset reads (message paths included). */
  fits(columns: readonly string[]): boolean;
}

/** What `init` decided. */
export interface GuessResult {
  /** The mapping file's content. */
  spec: Record<string, unknown>;
  /** The vendor layout recognised, if any (`zendesk-csv`, `helpscout-json`…). */
  layout: string | undefined;
  /** The preset used as it is, when the file has every column it reads. */
  preset: string | undefined;
  /** `conversation.subject ← Subject`, for the report. */
  mapped: string[];
  /** Columns the mapping does not read. */
  leftOut: string[];
  /** What the user must still fill in (placeholders in the spec). */
  missing: string[];
  /** Other things worth saying. */
  notes: string[];
}

/** The text a placeholder column starts with; `validate` then names it as an unknown column. */
export const PLACEHOLDER = 'REPLACE ME:';

const SIGNATURES: { layout: string; needs: string[]; some: string[] }[] = [
  { layout: 'zendesk-csv', needs: ['id'], some: ['requester', 'requesterid', 'requesteremail', 'submitter', 'assignee', 'via', 'tickettype', 'satisfactionscore', 'solvedat', 'reopens'] },
  { layout: 'freshdesk-csv', needs: ['ticketid'], some: ['createdtime', 'resolvedtime', 'fullname', 'contactid', 'companyname', 'duebytime', 'agentinteractions', 'source'] },
  { layout: 'osticket-csv', needs: ['ticketnumber'], some: ['datecreated', 'fromemail', 'helptopic', 'department', 'currentstatus', 'lastupdated'] },
  { layout: 'helpscout-json', needs: ['threads'], some: ['customeremail', 'mailbox', 'mailboxid', 'primarycustomer', 'preview', 'number'] },
  { layout: 'zendesk-json', needs: ['submitterid'], some: ['requesterid', 'via', 'hasincidents', 'externalid', 'assigneeid', 'organizationid'] },
  { layout: 'freshdesk-json', needs: ['descriptiontext'], some: ['requesterid', 'ccemails', 'frescalated', 'responderid', 'customfields'] },
];

/**
 * Recognises a vendor layout by its column names (JSON paths compared by their last segments);
 * with a format, only the layouts of that kind of file (a JSON export is not a CSV layout).
 */
export function recogniseLayout(columns: readonly string[], format?: SourceDialect['format']): string | undefined {
  const names = new Set(columns.flatMap((column) => [normaliseName(column), ...lastSegments(column)]));
  const kind = format === undefined ? '' : format === 'csv' ? '-csv' : '-json';
  return SIGNATURES.find(({ layout, needs, some }) =>
    layout.endsWith(kind) && needs.every((name) => names.has(name)) && some.filter((name) => names.has(name)).length >= 2)?.layout;
}

function lastSegments(path: string): string[] {
  const parts = path.split('.');
  return [normaliseName(parts.at(-1) ?? ''), normaliseName(parts.slice(-2).join(''))];
}

/** Guesses a mapping from a header (or sampled JSON paths) and sample records; pure. */
export function guessMapping(
  columns: readonly string[],
  sample: readonly Record<string, unknown>[],
  dialect: SourceDialect,
  presets: readonly PresetCandidate[] = [],
): GuessResult {
  const layout = recogniseLayout(columns, dialect.format);
  const preset = presets.find((candidate) => candidate.name === layout && candidate.fits(columns));
  if (preset) {
    const leftOut = columns.filter((column) => !preset.fields.some((field) => column === field || column.startsWith(`${field}.`)));
    const mapped = preset.fields.map((field) => `reads ${field}`);
    return { spec: preset.spec, layout, preset: preset.name, mapped, leftOut, missing: [], notes: [] };
  }
  return { ...guessGeneric(columns, sample, dialect), layout, preset: undefined };
}

function guessGeneric(columns: readonly string[], sample: readonly Record<string, unknown>[], dialect: SourceDialect) {
  const taken = new Set<string>();
  const mapped: string[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  const pick = (target: string, synonyms: readonly string[]) => {
    const column = findColumn(columns, synonyms, taken);
    if (column !== undefined) {
      taken.add(column);
      mapped.push(`${target} ← ${column}`);
    }
    return column;
  };
  const key = pick('source.key', SYNONYMS.key);
  const subject = pick('conversation.subject', SYNONYMS.subject);
  const body = pick('conversation.message.body', SYNONYMS.body);
  let email = pick('conversation.user.email', SYNONYMS.email);
  if (email === undefined) {
    email = findEmailByValues(columns, sample, taken);
    if (email !== undefined) {
      taken.add(email);
      mapped.push(`conversation.user.email ← ${email} (its values are e-mail addresses)`);
    }
  }
  const name = pick('conversation.user.name', SYNONYMS.name);
  const first = name === undefined ? pick('conversation.user.name (first)', SYNONYMS.firstName) : undefined;
  const last = first === undefined ? undefined : pick('conversation.user.name (last)', SYNONYMS.lastName);
  const status = pick('conversation.status', SYNONYMS.status);
  const tags = pick('conversation.tag_list', SYNONYMS.tags);
  const created = pick('conversation.data.legacy_created_at', SYNONYMS.created);

  const data: Record<string, unknown> = {};
  if (key !== undefined) data.legacy_id = template(key);
  if (created !== undefined) data.legacy_created_at = template(created);
  for (const [field, synonyms] of Object.entries(DATA_SYNONYMS)) {
    const column = findColumn(columns, synonyms, taken);
    // Custom fields are one level deep: an object or list column stays out (and is listed as left out).
    if (column === undefined || !isScalarColumn(sample, column)) continue;
    taken.add(column);
    mapped.push(`conversation.data.legacy_${field} ← ${column}`);
    data[`legacy_${field}`] = template(column);
  }

  const conversation: Record<string, unknown> = {};
  if (subject !== undefined) conversation.subject = template(subject);
  conversation.category = 'support';
  notes.push('conversation.category is "support": set it to the slug of the Re:amaze channel the tickets belong in.');
  if (tags !== undefined) conversation.tag_list = tagRule(tags, sample, dialect);
  if (status !== undefined) conversation.status = statusRule(status, sample);
  conversation.data = data;
  conversation.message = { body: bodyRule(body ?? subject, sample, missing) };
  if (body === undefined && subject !== undefined) notes.push(`No message text column: the body repeats ${subject}.`);
  const user: Record<string, unknown> = {};
  if (name !== undefined) user.name = template(name);
  else if (first !== undefined) user.name = last === undefined ? template(first) : `{{${first}}} {{${last}}}`;
  user.email = emailRule(email, missing);
  conversation.user = user;

  const source: Record<string, unknown> = { format: dialect.format };
  if (key !== undefined) source.key = key;
  else notes.push('No ticket id column: rows are keyed by a hash of their content, so an edited row counts as new.');
  if (dialect.delimiter !== undefined && dialect.delimiter !== ',') source.delimiter = dialect.delimiter;
  if (!/^utf-?8$/i.test(dialect.encoding)) source.encoding = dialect.encoding;
  const leftOut = columns.filter((column) => !taken.has(column) && !isInside(column, taken));
  return { spec: { source, conversation }, mapped, leftOut, missing, notes };
}

function template(column: string): string {
  return `{{${column}}}`;
}

function isInside(column: string, taken: ReadonlySet<string>): boolean {
  return [...taken].some((used) => used.startsWith(`${column}.`) || column.startsWith(`${used}.`));
}

function isScalarColumn(sample: readonly Record<string, unknown>[], column: string): boolean {
  return sampleValues(sample, column).length > 0 || sample.length === 0;
}

function emailRule(column: string | undefined, missing: string[]): Record<string, unknown> {
  if (column !== undefined) return { from: column, transform: ['trim', 'lowercase'], required: true };
  missing.push(`conversation.user.email: no column looks like the customer's e-mail address, which Re:amaze requires; ` +
    `put the column's name in "from".`);
  return { from: `${PLACEHOLDER} column with the customer's e-mail`, required: true };
}

function bodyRule(column: string | undefined, sample: readonly Record<string, unknown>[], missing: string[]): unknown {
  if (column === undefined) {
    missing.push('conversation.message.body: no column looks like the message text; put the column\'s name in "from".');
    return { from: `${PLACEHOLDER} column with the message text`, required: true };
  }
  const values = sampleValues(sample, column);
  const transform: string[] = [];
  if (values.some((value) => /<\/?(p|div|br|span|a|b|i|ul|li|table|html|body)\b[^>]*>/i.test(value))) transform.push('html-to-markdown');
  if (values.some((value) => value.includes('\\n')) && !values.some((value) => value.includes('\n'))) transform.push('unescape-newlines');
  return transform.length > 0 ? { from: column, transform, required: true } : { from: column, required: true };
}

function tagRule(column: string, sample: readonly Record<string, unknown>[], dialect: SourceDialect): unknown {
  if (dialect.format !== 'csv') return template(column);
  const values = sampleValues(sample, column);
  const separator = values.some((value) => value.includes(',')) || !values.some((value) => value.includes(' ')) ? ',' : ' ';
  return { from: column, split: separator };
}

function statusRule(column: string, sample: readonly Record<string, unknown>[]): unknown {
  const map = guessStatusMap(sampleValues(sample, column));
  return { from: column, transform: ['trim', 'lowercase'], map, default: 0 };
}
