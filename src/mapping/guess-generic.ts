import type { SourceDialect } from '../source/types.js';
import { DATA_SYNONYMS, SYNONYMS, findColumn, findEmailByValues, isSomeoneElsesColumn } from './guess-columns.js';
import { dateRule } from './guess-dates.js';
import type { ExportProfile } from './profile.js';

/** The text a placeholder column starts with; `validate` then names it as an unknown column. */
export const PLACEHOLDER = 'REPLACE ME:';

/** A mapping being guessed, with what `init` will say about it. */
export interface Draft {
  spec: Record<string, unknown>;
  /** `conversation.subject ← Subject`, for the report. */
  mapped: string[];
  /** What the user must still fill in (placeholders in the spec, values no map names). */
  missing: string[];
  notes: string[];
}

/** Share of a body column's values that must be HTML before init converts HTML (per value, always). */
const HTML_SHARE = 0.5;
/** Share of values with an escaped `\n` (and none with a real line break) before init unescapes them. */
const ESCAPED_SHARE = 0.2;

function template(column: string): string {
  return `{{${column}}}`;
}

/** Picks columns for targets, each column at most once, noting every choice for the report. */
class Picker {
  readonly taken = new Set<string>();
  readonly mapped: string[] = [];

  constructor(
    private readonly columns: readonly string[],
    private readonly profile: ExportProfile,
    taken: Iterable<string> = [],
  ) {
    for (const column of taken) this.taken.add(column);
  }

  pick(target: string, synonyms: readonly string[], accept: (column: string) => boolean = () => true): string | undefined {
    const free = this.columns.filter((column) => !this.taken.has(column) && accept(column));
    const column = findColumn(free, synonyms, new Set());
    if (column !== undefined) this.take(column, `${target} ← ${column}`);
    return column;
  }

  take(column: string, line: string): void {
    this.taken.add(column);
    this.mapped.push(line);
  }

  /** True for a column that holds one value per row (not an object or a list). */
  isScalar(column: string): boolean {
    const values = this.profile.column(column);
    return values.nested === 0;
  }

  /** Tag columns numbered `tag_1`, `tag_2`… */
  numberedTags(): string[] {
    return this.columns.filter((column) => !this.taken.has(column) && /^tags?[ _-]?\d+$/i.test(column));
  }
}

/** Guesses a mapping from the column names and what the whole export holds; pure. */
export function guessGeneric(columns: readonly string[], profile: ExportProfile, dialect: SourceDialect, taken: Iterable<string> = []): Draft {
  const picker = new Picker(columns, profile, taken);
  const missing: string[] = [];
  const notes: string[] = [];
  const key = picker.pick('source.key', SYNONYMS.key);
  const subject = picker.pick('conversation.subject', SYNONYMS.subject);
  const body = picker.pick('conversation.message.body', SYNONYMS.body, (column) => picker.isScalar(column));
  const email = pickEmail(picker, columns, profile);
  const name = picker.pick('conversation.user.name', SYNONYMS.name, (column) => !isSomeoneElsesColumn(column));
  const first = name === undefined ? picker.pick('conversation.user.name (first)', SYNONYMS.firstName) : undefined;
  const last = first === undefined ? undefined : picker.pick('conversation.user.name (last)', SYNONYMS.lastName);
  const status = picker.pick('conversation.status', SYNONYMS.status);
  const tags = picker.pick('conversation.tag_list', SYNONYMS.tags);
  const numberedTags = tags === undefined ? picker.numberedTags() : [];
  const created = picker.pick('conversation.data.legacy_created_at', SYNONYMS.created);
  const answer = picker.pick('messages[0].body (a reply)', SYNONYMS.answer, (column) => picker.isScalar(column));

  const data: Record<string, unknown> = {};
  if (key !== undefined) data.legacy_id = template(key);
  const date = (column: string) => {
    const guess = dateRule(column, profile);
    if (guess.note !== undefined) notes.push(guess.note);
    return guess.rule;
  };
  if (created !== undefined) data.legacy_created_at = date(created);
  if (status !== undefined) data.legacy_status = template(status);
  for (const [field, synonyms] of Object.entries(DATA_SYNONYMS)) {
    // Custom fields are one level deep: an object or list column stays out (and is listed as left out).
    const column = picker.pick(`conversation.data.legacy_${field}`, synonyms, (c) => picker.isScalar(c));
    if (column !== undefined) data[`legacy_${field}`] = /_at$/.test(field) ? date(column) : template(column);
  }

  const conversation: Record<string, unknown> = {};
  if (subject !== undefined) conversation.subject = template(subject);
  conversation.category = 'support';
  notes.push('conversation.category is "support": set it to the slug of the Re:amaze channel the tickets belong in.');
  if (tags !== undefined) conversation.tag_list = tagRule(tags, profile, dialect);
  else if (numberedTags.length > 0) {
    for (const column of numberedTags) picker.take(column, `conversation.tag_list ← ${column}`);
    conversation.tag_list = { from: numberedTags.map(template).join(','), split: ',' };
  }
  if (status !== undefined) conversation.status = { from: status };
  conversation.data = data;
  conversation.message = { body: bodyRule(body ?? subject, profile, missing, notes) };
  if (body === undefined && subject !== undefined) notes.push(`No message text column: the body repeats ${subject}.`);
  const user: Record<string, unknown> = {};
  if (name !== undefined) user.name = template(name);
  else if (first !== undefined) user.name = last === undefined ? template(first) : { from: `{{${first}}} {{${last}}}`, transform: ['trim'] };
  user.email = emailRule(email, missing);
  conversation.user = user;

  const source: Record<string, unknown> = { format: dialect.format };
  if (key !== undefined) source.key = key;
  else notes.push('No ticket id column: rows are keyed by a hash of their content, so an edited row counts as new.');
  if (dialect.delimiter !== undefined && dialect.delimiter !== ',') source.delimiter = dialect.delimiter;
  if (!/^utf-?8$/i.test(dialect.encoding)) source.encoding = dialect.encoding;
  const spec: Record<string, unknown> = { source, conversation };
  if (answer !== undefined) {
    spec.messages = [{ body: bodyRule(answer, profile, [], notes), role: 'agent' }];
    notes.push(`${answer} is sent as an agent's reply after the opening message, by the importing staff member (counted as author_unknown: the export does not name the agent).`);
  }
  return { spec, mapped: picker.mapped, missing, notes };
}

function pickEmail(picker: Picker, columns: readonly string[], profile: ExportProfile): string | undefined {
  const byName = picker.pick('conversation.user.email', SYNONYMS.email, (column) => !isSomeoneElsesColumn(column));
  if (byName !== undefined) return byName;
  const byValues = findEmailByValues(columns, profile, picker.taken);
  if (byValues !== undefined) picker.take(byValues, `conversation.user.email ← ${byValues} (its values are e-mail addresses)`);
  return byValues;
}

function emailRule(column: string | undefined, missing: string[]): Record<string, unknown> {
  if (column !== undefined) return { from: column, transform: ['trim', 'lowercase'], required: true };
  missing.push(`conversation.user.email: no column looks like the customer's e-mail address, which Re:amaze requires; ` +
    `put the column's name in "from".`);
  return { from: `${PLACEHOLDER} column with the customer's e-mail`, required: true };
}

/**
 * The body's rule, by what the whole column holds: HTML is converted (each value that is HTML, no
 * other) only when most values are HTML; a few tags in plain text are kept as written, and said.
 */
export function bodyRule(column: string | undefined, profile: ExportProfile, missing: string[], notes: string[]): unknown {
  if (column === undefined) {
    missing.push('conversation.message.body: no column looks like the message text; put the column\'s name in "from".');
    return { from: `${PLACEHOLDER} column with the message text`, required: true };
  }
  const values = profile.column(column);
  const transform: string[] = [];
  if (values.filled > 0 && values.html / values.filled >= HTML_SHARE) transform.push('html-to-markdown');
  else if (values.html > 0) {
    notes.push(`${values.html.toLocaleString('en-US')} of ${values.filled.toLocaleString('en-US')} values of ${column} contain HTML tags in plain text: kept as written (add "html-to-markdown" to its transform to convert those values).`);
  }
  if (values.newlines === 0 && values.filled > 0 && values.escapedNewlines / values.filled >= ESCAPED_SHARE) transform.push('unescape-newlines');
  return transform.length > 0 ? { from: column, transform, required: true } : { from: column, required: true };
}

function tagRule(column: string, profile: ExportProfile, dialect: SourceDialect): unknown {
  if (dialect.format !== 'csv') return template(column);
  const values = profile.sample.map((record) => record[column]).filter((value): value is string => typeof value === 'string');
  const separator = values.some((value) => value.includes(',')) || !values.some((value) => value.includes(' ')) ? ',' : ' ';
  return { from: column, split: separator };
}
