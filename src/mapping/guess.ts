import type { SourceDialect } from '../source/types.js';
import { guessGeneric, PLACEHOLDER, type Draft } from './guess-generic.js';
import { normaliseName, findColumn } from './guess-columns.js';
import type { ExportProfile } from './profile.js';
import { guessStatus, vendorOf } from './statuses.js';

export { PLACEHOLDER } from './guess-generic.js';

/** A preset `init` may recognise: its name, its mapping JSON and the columns it reads. */
export interface PresetCandidate {
  name: string;
  spec: Record<string, unknown>;
  /** The columns (or record paths) it reads; paths inside one message are not listed. */
  fields: readonly string[];
  /** The mapping paths (`conversation.data.legacy_priority`, `messages.from`) whose field these columns lack. */
  unknownAt(profile: ExportProfile): { field: string; at: string }[];
}

/** Files beside the export that complete it: the messages of a relational export, the users. */
export interface Siblings {
  /** A messages file (`ticket_comment_data.csv`, `v2_conversations.json`) and the column naming each message's ticket. */
  messages?: { file: string; on?: string | undefined };
  /** Lookup files by the name a mapping gives them (`users`, `tags`), each with the column its key is in. */
  lookups: Record<string, { file: string; key?: string | undefined }>;
}

/** What `init` decided. */
export interface GuessResult extends Draft {
  /** The vendor layout recognised, if any (`zendesk-csv`, `helpscout-json`…). */
  layout: string | undefined;
  /** The preset used, as it is or adapted to the columns this export has. */
  preset: string | undefined;
  adapted: boolean;
  /** Columns that hold values the mapping does not read, with their row counts. */
  leftOut: [string, number][];
  /** Columns empty in every row (not a loss). */
  emptyColumns: string[];
  /** How each status value is mapped. */
  statuses: string[];
  /** The files to pass along (`--messages …`, `--lookup users=…`). */
  args: string[];
}

const SIGNATURES: { layout: string; needs: string[]; some: string[] }[] = [
  { layout: 'zendesk-warehouse-csv', needs: ['id', 'requesterid'], some: ['fivetransynced', 'submitterid', 'viachannel', 'hasincidents', 'ticketformid', 'brandid', 'viasourcefromaddress'] },
  { layout: 'zendesk-csv', needs: ['id'], some: ['requester', 'requesterid', 'requesteremail', 'submitter', 'assignee', 'via', 'tickettype', 'satisfactionscore', 'solvedat', 'reopens'] },
  { layout: 'freshdesk-csv', needs: ['ticketid'], some: ['createdtime', 'resolvedtime', 'fullname', 'contactid', 'companyname', 'duebytime', 'agentinteractions', 'source'] },
  { layout: 'osticket-csv', needs: ['ticketnumber'], some: ['datecreated', 'fromemail', 'helptopic', 'department', 'currentstatus', 'lastupdated'] },
  { layout: 'helpscout-json', needs: ['threads'], some: ['customeremail', 'mailbox', 'mailboxid', 'primarycustomer', 'preview', 'number'] },
  { layout: 'helpscout-json', needs: ['mailboxid'], some: ['customeremail', 'customerfirstname', 'preview', 'number', 'threadcount', 'folderid'] },
  { layout: 'zendesk-json', needs: ['submitterid'], some: ['requesterid', 'via', 'viachannel', 'hasincidents', 'externalid', 'assigneeid', 'organizationid'] },
  { layout: 'freshdesk-json', needs: ['requesterid'], some: ['descriptiontext', 'descriptionhtml', 'ccemails', 'frescalated', 'responderid', 'customfields', 'frdueby', 'statusname', 'priorityname', 'emailconfigid'] },
  { layout: 'generic-csv', needs: ['ticketid', 'subject', 'body', 'email'], some: ['status', 'name', 'createdat', 'tags'] },
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

/** What guessing needs: the whole export's profile, its dialect, the presets and the files beside it. */
export interface GuessInput {
  profile: ExportProfile;
  dialect: SourceDialect;
  presets?: readonly PresetCandidate[];
  siblings?: Siblings;
}

/** Guesses a mapping for an export; pure. */
export function guessMapping({ profile, dialect, presets = [], siblings = { lookups: {} } }: GuessInput): GuessResult {
  const columns = profile.columns;
  const layout = recogniseLayout(columns, dialect.format);
  const candidate = presets.find((preset) => preset.name === layout);
  const unknown = candidate?.unknownAt(profile) ?? [];
  const draft = candidate === undefined
    ? guessGeneric(columns, profile, dialect)
    : unknown.length === 0
      ? { spec: structuredClone(candidate.spec), mapped: candidate.fields.map((field) => `reads ${field}`), missing: [], notes: [] }
      : adaptPreset(candidate, unknown, profile, dialect, siblings);
  const statuses = mapStatuses(draft, profile, vendorOf(layout));
  const args = attachSiblings(draft, siblings, columns);
  suggestEncoding(draft, profile, dialect);
  return {
    ...draft, layout, preset: candidate?.name, adapted: candidate !== undefined && unknown.length > 0, statuses, args,
    leftOut: [], emptyColumns: [],
  };
}

/**
 * The preset, without what reads columns this export lacks, completed by the generic guess for
 * what that leaves out (the body, the e-mail) and for the export's other columns.
 */
function adaptPreset(
  candidate: PresetCandidate,
  unknown: readonly { field: string; at: string }[],
  profile: ExportProfile,
  dialect: SourceDialect,
  siblings: Siblings,
): Draft {
  const spec = structuredClone(candidate.spec);
  const notes = pruneMissing(spec, candidate.name, unknown, siblings);
  const kept = candidate.fields.filter((field) => !unknown.some((reference) => reference.field === field));
  const generic = guessGeneric(profile.columns, profile, dialect, kept);
  const genericNotes = generic.notes.filter((note) => !/^(conversation\.category|No ticket id|No message text)/.test(note));
  completeFromGuess(spec, generic, genericNotes);
  (spec.source as Record<string, unknown>).format = dialect.format;
  return {
    spec,
    mapped: [...kept.map((field) => `reads ${field}`), ...generic.mapped],
    missing: generic.missing.filter((line) => isPlaceholderStill(spec, line)),
    notes: [...notes, ...genericNotes],
  };
}

/** Removes every leaf of the preset whose field the export lacks; says what went and where the thread comes from. */
function pruneMissing(spec: Record<string, unknown>, preset: string, unknown: readonly { field: string; at: string }[], siblings: Siblings): string[] {
  const notes: string[] = [];
  const removed: string[] = [];
  for (const { field, at } of unknown) {
    const leaf = removeAt(spec, at, siblings);
    if (leaf === 'messages' && spec.messages !== undefined) {
      notes.push(`The ${preset} preset reads the thread from ${field}, which these records do not hold: it is joined from ${siblings.messages?.file ?? 'its own file'} instead.`);
    } else if (leaf !== undefined) removed.push(`${leaf} (${field})`);
  }
  if (removed.length > 0) notes.push(`Left out of the ${preset} preset, whose fields this export does not have: ${removed.join(', ')}.`);
  return notes;
}

/** Fills what the pruned preset lacks (key, subject, body, customer, status, tags, data) from the generic guess. */
function completeFromGuess(spec: Record<string, unknown>, generic: Draft, notes: string[]): void {
  const conversation = spec.conversation as Record<string, unknown>;
  const guessed = generic.spec.conversation as Record<string, unknown>;
  const message = conversation.message as Record<string, unknown>;
  if (message.body === undefined && spec.messages === undefined) message.body = bodyOrSubject(guessed, conversation, generic, notes);
  const user = conversation.user as Record<string, unknown>;
  const guessedUser = guessed.user as Record<string, unknown>;
  user.email ??= guessedUser.email;
  if (guessedUser.name !== undefined) user.name ??= guessedUser.name;
  for (const target of ['subject', 'status', 'tag_list'] as const) {
    if (guessed[target] !== undefined) conversation[target] ??= guessed[target];
  }
  const source = spec.source as Record<string, unknown>;
  const guessedKey = (generic.spec.source as Record<string, unknown>).key;
  if (guessedKey !== undefined) source.key ??= guessedKey;
  const data = (conversation.data ??= {}) as Record<string, unknown>;
  for (const [name, leaf] of Object.entries(guessed.data as Record<string, unknown>)) data[name] ??= leaf;
}

/** The body the generic guess found, else the subject the preset reads (said in a note). */
function bodyOrSubject(guessed: Record<string, unknown>, conversation: Record<string, unknown>, generic: Draft, notes: string[]): unknown {
  const body = (guessed.message as Record<string, unknown>).body;
  const subject = typeof conversation.subject === 'string' ? /^\{\{([^{}|]+)\}\}$/.exec(conversation.subject)?.[1] : undefined;
  if (!JSON.stringify(body).includes(PLACEHOLDER) || subject === undefined) return body;
  generic.missing.splice(0, generic.missing.length, ...generic.missing.filter((line) => !line.startsWith('conversation.message.body')));
  notes.push(`No message text column: the body repeats ${subject}.`);
  return { from: subject, required: true };
}

function isPlaceholderStill(spec: Record<string, unknown>, line: string): boolean {
  const target = line.split(':')[0]!;
  const parts = target.split('.');
  let value: unknown = spec;
  for (const part of parts) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return JSON.stringify(value ?? '').includes(PLACEHOLDER);
}

/**
 * Removes the leaf of the mapping at `at` (`conversation.data.legacy_priority`,
 * `conversation.user.email.or.from`, `messages.from`); says what was removed.
 */
function removeAt(spec: Record<string, unknown>, at: string, siblings: Siblings): string | undefined {
  const parts = at.split('.');
  if (parts.at(-1) === 'from' && parts.length > 2) parts.pop();
  const or = parts.indexOf('or');
  if (or > 0) parts.length = or + 1;
  if (parts[0] === 'messages' && (parts.length === 1 || parts[1] === 'from')) {
    const messages = spec.messages as Record<string, unknown> | undefined;
    if (messages === undefined) return undefined;
    // A thread in a file of its own (Freshdesk's conversations, with their ticket_id)
    if (siblings.messages?.on !== undefined) {
      delete messages.from;
      messages.join = { on: siblings.messages.on };
      return 'messages';
    }
    delete spec.messages;
    return 'messages';
  }
  let parent: Record<string, unknown> = spec;
  const chain: [Record<string, unknown>, string][] = [];
  for (const part of parts.slice(0, -1)) {
    const next = parent[part];
    if (next === null || typeof next !== 'object') return undefined;
    chain.push([parent, part]);
    parent = next as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (!(last in parent)) return undefined;
  delete parent[last];
  // An author left without any part goes too; the message section always stays
  for (const [owner, key] of chain.reverse()) {
    const value = owner[key] as Record<string, unknown>;
    if (Object.keys(value).length === 0 && !KEPT_SECTIONS.has(key)) delete owner[key];
  }
  return parts.join('.');
}

/** Sections a mapping always has, even empty. */
const KEPT_SECTIONS = new Set(['conversation', 'message', 'user', 'source']);

/** Replaces the status rule's map by one covering every value of the export; returns the report. */
function mapStatuses(draft: Draft, profile: ExportProfile, vendor: string | undefined): string[] {
  const conversation = draft.spec.conversation as Record<string, unknown>;
  const status = conversation.status as Record<string, unknown> | undefined;
  if (status === undefined || typeof status !== 'object' || typeof status.from !== 'string' || status.from.includes('{{')) return [];
  const base = (status.map ?? {}) as Record<string, unknown>;
  const guess = guessStatus(status.from, profile.column(status.from), vendor, base);
  // A preset's rule that names every value stays as it is; otherwise the rule maps them all
  const known = new Set(Object.keys(base).map((key) => key.toLowerCase()));
  const values = profile.column(status.from);
  const covered = !values.manyValues && [...values.values.keys()].every((value) => known.has(value.toLowerCase()));
  if (!covered || status.default !== undefined) conversation.status = { ...guess.rule, ...(status.transform === undefined ? {} : { transform: status.transform }) };
  draft.missing.push(...guess.todo);
  const data = (conversation.data ??= {}) as Record<string, unknown>;
  const kept = Object.values(data).some((leaf) => JSON.stringify(leaf).includes(`"{{${status.from as string}}}"`) || (typeof leaf === 'object' && (leaf as { from?: unknown }).from === status.from));
  if (!kept && data.legacy_status === undefined) data.legacy_status = `{{${status.from}}}`;
  return guess.report;
}

/** Names the sibling files the mapping needs (`--lookup users=…`, `--messages …`), and what is still missing. */
function attachSiblings(draft: Draft, siblings: Siblings, columns: readonly string[]): string[] {
  const args: string[] = [];
  const spec = draft.spec;
  useUsersForEmail(draft, siblings, columns);
  const messages = spec.messages as Record<string, unknown> | undefined;
  if (messages !== undefined && !Array.isArray(messages) && messages.join !== undefined) {
    if (siblings.messages === undefined) draft.missing.push('messages.join: the messages are in a file of their own: give it with --messages FILE.');
    else args.push('--messages', siblings.messages.file);
  }
  const lookups = (spec.lookups ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, lookup] of Object.entries(lookups)) {
    const file = siblings.lookups[name];
    if (file !== undefined) {
      args.push('--lookup', `${name}=${file.file}`);
      if (file.key !== undefined && file.key !== lookup.key) lookup.key = file.key;
    } else if (lookup.optional === true) {
      draft.notes.push(`The "${name}" lookup is optional: give --lookup ${name}=FILE if you have it.`);
    } else {
      draft.missing.push(`lookups.${name}: the mapping reads ${name} from a file of its own; give it with --lookup ${name}=FILE.`);
    }
  }
  return args;
}

/** Without an e-mail column, the requester's id through a users file beside the export. */
function useUsersForEmail(draft: Draft, siblings: Siblings, columns: readonly string[]): void {
  const conversation = draft.spec.conversation as Record<string, unknown>;
  const user = conversation.user as Record<string, unknown>;
  const users = siblings.lookups.users;
  if (!JSON.stringify(user.email).includes(PLACEHOLDER)) return;
  const id = findColumn(columns, ['requesterid', 'submitterid', 'customerid', 'contactid', 'userid', 'requester'], new Set());
  if (id === undefined) return;
  if (users === undefined) {
    const line = draft.missing.findIndex((text) => text.startsWith('conversation.user.email'));
    if (line >= 0) draft.missing[line] += ` This export names each requester by ${id}: put the users export (with their id and e-mail) beside it and run init again.`;
    return;
  }
  user.email = { from: id, transform: [{ lookup: 'users.email' }, 'trim', 'lowercase'], required: true };
  if (user.name === undefined) user.name = { from: id, transform: [{ lookup: 'users.name' }] };
  const lookups = (draft.spec.lookups ??= {}) as Record<string, unknown>;
  lookups.users ??= { key: users.key ?? 'id' };
  draft.missing.splice(0, draft.missing.length, ...draft.missing.filter((line) => !line.startsWith('conversation.user.email')));
  draft.mapped.push(`conversation.user.email ← ${id} through the users in ${users.file}`);
}

/** Bytes that are not UTF-8: the export is most likely windows-1252 (what Excel writes); said, and set. */
function suggestEncoding(draft: Draft, profile: ExportProfile, dialect: SourceDialect): void {
  if (profile.badEncoding === 0 || !/^utf-?8$/i.test(dialect.encoding)) return;
  const source = draft.spec.source as Record<string, unknown>;
  source.encoding = 'windows-1252';
  const records = profile.badEncoding === 1 ? '1 record has' : `${profile.badEncoding.toLocaleString('en-US')} records have`;
  draft.notes.push(`${records} bytes that are not UTF-8: source.encoding is set to "windows-1252" (what Excel and most Windows tools write); change it if the export says otherwise.`);
}

