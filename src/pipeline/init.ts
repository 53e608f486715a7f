import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compileMapping, parseMapping } from '../mapping/compile.js';
import { coverFields } from '../mapping/coverage.js';
import { findUnknownColumns } from '../mapping/unknown-columns.js';
import type { FieldReference } from '../mapping/types.js';
import { guessMapping, type GuessResult, type PresetCandidate, type Siblings } from '../mapping/guess.js';
import { listPresets, PRESETS_DIR } from '../mapping/presets.js';
import { ProfileBuilder, type ExportProfile } from '../mapping/profile.js';
import { openSource } from '../source/index.js';
import type { SourceDialect, SourceOptions } from '../source/types.js';

/**
 * Reads every record of the export (a value map must cover every value, not a sample's) and
 * guesses a mapping for it, naming the files beside it that complete it.
 */
export async function guessMappingForFile(files: string | readonly string[], options: SourceOptions = {}): Promise<GuessResult & { file: string }> {
  const list = typeof files === 'string' ? [files] : [...files];
  const { profile, dialect, warnings } = await profileFiles(list, options);
  const siblings = await findSiblings(list);
  const guess = guessMapping({ profile, dialect, presets: await loadPresets(), siblings: siblings.found });
  const { leftOut, emptyColumns } = columnsLeftOut(guess.spec, profile);
  return {
    ...guess,
    leftOut,
    emptyColumns,
    notes: [...warnings, ...siblings.notes, ...guess.notes],
    file: list[0] ?? '',
  };
}

/** One pass over every record of every file: each column's values counted. */
async function profileFiles(files: readonly string[], options: SourceOptions): Promise<{ profile: ExportProfile; dialect: SourceDialect; warnings: string[] }> {
  let builder: ProfileBuilder | undefined;
  let dialect: SourceDialect | undefined;
  const warnings: string[] = [];
  for (const file of files) {
    const source = await openSource(file, options);
    try {
      dialect ??= source.dialect;
      builder ??= new ProfileBuilder(source.columnsComplete ? source.columns : []);
      warnings.push(...source.warnings.map((warning) => `${file}: ${warning}`));
      for await (const record of source.records()) {
        if (record.problem?.code === 'ROW_ENCODING') builder.addProblem('encoding');
        else if (record.problem) {
          builder.addProblem('unreadable');
          continue;
        }
        builder.add(record.fields);
      }
    } finally {
      await source.close();
    }
  }
  return { profile: (builder ?? new ProfileBuilder()).build(), dialect: dialect ?? { format: 'csv', encoding: 'utf-8' }, warnings };
}

/** The columns holding values that no leaf of the mapping reads, and those empty everywhere (as `validate` counts them). */
function columnsLeftOut(spec: Record<string, unknown>, profile: ExportProfile): { leftOut: [string, number][]; emptyColumns: string[] } {
  let read: readonly string[];
  try {
    read = compileMapping(parseMapping(spec, 'the guessed mapping')).recordFields;
  } catch {
    read = [];
  }
  const counts = profile.columns.map((field) => ({ field, rows: profile.column(field).filled }));
  const coverage = coverFields(counts, read, []);
  return {
    leftOut: coverage.unused.map(({ field, rows }): [string, number] => [field, rows]),
    emptyColumns: coverage.source.filter((field) => field.rows === 0 && field.use === 'unread').map(({ field }) => field),
  };
}

/** File names of the parts of a relational export, by what they hold. */
const SIBLING_NAMES = {
  users: /(^|[_\W])(users?|contacts?|customers?|people)([_\W]data)?\.(jsonl?|ndjson|csv)$/i,
  tags: /(^|[_\W])(ticket[_\W]?)?tags?([_\W]data)?\.(jsonl?|ndjson|csv)$/i,
  messages: /(comments?|conversations?|threads?|messages?|replies)([_\W]data)?\.(jsonl?|ndjson|csv)$/i,
};
const TICKET_COLUMN = ['ticket_id', 'ticketid', 'ticket', 'conversation_id', 'conversationid'];

/** The messages, users and tag files in the export's folder, with the column each is keyed by. */
async function findSiblings(files: readonly string[]): Promise<{ found: Siblings; notes: string[] }> {
  const found: Siblings = { lookups: {} };
  const notes: string[] = [];
  const first = files[0];
  if (first === undefined) return { found, notes };
  const folder = dirname(first);
  const names = await readdir(folder).catch(() => [] as string[]);
  const others = names.filter((name) => !files.some((file) => basename(file) === name)).sort(byPlural);
  const columnsOf = async (name: string) => firstColumns(join(folder, name));
  const users = others.find((name) => SIBLING_NAMES.users.test(name));
  if (users !== undefined) {
    const columns = await columnsOf(users);
    const key = ['id', '_id', 'user_id', 'userid'].find((name) => columns.includes(name));
    if (key !== undefined) found.lookups.users = { file: join(folder, users), key };
  }
  const tags = others.find((name) => SIBLING_NAMES.tags.test(name));
  if (tags !== undefined) {
    const columns = await columnsOf(tags);
    const ticket = TICKET_COLUMN.find((name) => columns.includes(name));
    if (ticket !== undefined) found.lookups.tags = { file: join(folder, tags), key: ticket };
  }
  const messages = others.find((name) => SIBLING_NAMES.messages.test(name) && name !== users && name !== tags);
  if (messages !== undefined) {
    const columns = await columnsOf(messages);
    const on = TICKET_COLUMN.find((name) => columns.includes(name));
    found.messages = { file: join(folder, messages), on };
    if (on === undefined) notes.push(`${join(folder, messages)} looks like messages but names no ticket (no ticket_id): export the tickets with their messages in each record to import the threads.`);
  }
  return { found, notes };
}

/** Plural names first (`users.json` before `user.json`), then by name. */
function byPlural(a: string, b: string): number {
  const plural = (name: string) => (/s([_\W]data)?\.[a-z]+$/i.test(name) ? 0 : 1);
  return plural(a) - plural(b) || a.localeCompare(b);
}

/** The columns of a file's header or first records; none when it cannot be read. */
async function firstColumns(file: string): Promise<string[]> {
  try {
    const source = await openSource(file);
    try {
      if (!source.columnsComplete) for await (const _record of source.records()) break;
      return [...source.columns];
    } finally {
      await source.close();
    }
  } catch {
    return [];
  }
}

/**
 * References to a path under a column that holds plain values (`via.source.from.address` where
 * `via` is the text "web"): the whole export was read, so such a path is known to be absent.
 */
function pathsUnderValues(references: readonly FieldReference[], profile: ExportProfile): FieldReference[] {
  const columns = new Set(profile.columns);
  return references.filter((reference) => {
    if (reference.at.startsWith('messages.') && reference.at !== 'messages.from') return false;
    if (columns.has(reference.field) || profile.columns.some((column) => column.startsWith(`${reference.field}.`))) return false;
    const parts = reference.field.split('.');
    for (let length = parts.length - 1; length > 0; length--) {
      const column = parts.slice(0, length).join('.');
      // A null or empty parent only reads as empty; a parent holding text ("web") has no such path
      if (columns.has(column)) return profile.column(column).nested === 0 && profile.column(column).filled > 0;
    }
    return false;
  });
}

async function loadPresets(): Promise<PresetCandidate[]> {
  return Promise.all(
    listPresets().map(async (name) => {
      const path = join(PRESETS_DIR, `${name}.json`);
      const spec = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      const mapping = compileMapping(parseMapping(spec, path));
      const fields = mapping.references.filter((reference) => !reference.at.startsWith('messages.') || reference.at === 'messages.from');
      return {
        name, spec, fields: [...new Set(fields.map((reference) => reference.field))],
        unknownAt: (profile: ExportProfile) => [...findUnknownColumns(mapping, profile.columns), ...pathsUnderValues(mapping.references, profile)],
      };
    }),
  );
}
