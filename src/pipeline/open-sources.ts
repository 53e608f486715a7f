import { ImportError } from '../errors.js';
import { RecordStage, type StagedFile } from '../stage/record-stage.js';
import { findUnknownColumns, findUnknownMessageColumns, type UnknownColumn } from '../mapping/unknown-columns.js';
import { nearestNames } from '../mapping/nearest.js';
import { lookupUses } from '../mapping/lookups.js';
import type { MappingSpec } from '../mapping/schema.js';
import { isTemplate, templateFields } from '../mapping/template.js';
import type { Fields } from '../mapping/fields.js';
import type { CompiledMapping } from '../mapping/types.js';
import { openSourceThreaded } from '../source/threaded.js';
import type { Source, SourceRecord } from '../source/types.js';

/** Opened sources, ready to be read, with what the user should know before rows are processed. */
export interface OpenedSources {
  sources: Source[];
  warnings: string[];
  totalBytes: number;
  /** The staged messages files of a relational export (`messages.join`), when there are any. */
  stage: RecordStage | undefined;
  /**
   * The thread of a record from the staged messages files: its ticket's messages (none staged: an
   * empty list); undefined without messages files, for a record that could not be read, or without a key.
   * The record is left as it was read: the thread never becomes one of its fields.
   */
  threadOf(record: SourceRecord): Fields[] | undefined;
  close(): Promise<void>;
}

/**
 * Opens every file and checks the mapping against each header before any row is processed, so a
 * misspelt column stops the command at once instead of failing a million rows one by one.
 * A JSON source has no header, only sampled paths: a path missing there is a warning, not an error.
 */
export async function openSources(
  files: readonly string[],
  mapping: CompiledMapping,
  options: {
    threadMinBytes?: number;
    messages?: readonly string[];
    lookups?: Readonly<Record<string, string>>;
    /** Given every record of the messages files as it is staged (validate counts their fields). */
    onMessageRecord?: (fields: Fields) => void;
  } = {},
): Promise<OpenedSources> {
  const sources: Source[] = [];
  let stage: RecordStage | undefined;
  const lookupStages: RecordStage[] = [];
  const close = async () => {
    stage?.close();
    lookupStages.forEach((lookup) => lookup.close());
    await Promise.all(sources.map((source) => source.close()));
  };
  try {
    const warnings: string[] = [];
    await stageLookups(options.lookups ?? {}, mapping, warnings, lookupStages);
    stage = await stageMessages(options.messages ?? [], mapping, warnings, options.onMessageRecord);
    if (mapping.threadIds === 'position') {
      warnings.push('messages.origin_id is not mapped: messages are known by their position in the thread, so each record must always hold its whole thread, in the same order. Map the export\'s message id if it has one.');
    }
    for (const file of files) {
      const source = await openSourceThreaded(file, mapping.source, options.threadMinBytes);
      sources.push(source);
      warnings.push(...source.warnings.map((warning) => `${file}: ${warning}`));
      warnings.push(...checkColumns(source, mapping));
    }
    const totalBytes = sources.reduce((sum, source) => sum + source.size, 0);
    const staged = stage;
    const threadOf = (record: SourceRecord): Fields[] | undefined => {
      if (!staged || record.problem) return undefined;
      const key = mapping.keyOf(record.fields);
      return key === undefined ? undefined : staged.messagesOf(key);
    };
    return { sources, warnings, totalBytes, stage, threadOf, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Reads each `--lookup name=file` into a stage of its own and gives it to the mapping's lookup of
 * that name; refuses a name the mapping does not declare and, before reading any file, a declared
 * one not given unless it is optional (then a warning).
 */
async function stageLookups(files: Readonly<Record<string, string>>, mapping: CompiledMapping, warnings: string[], stages: RecordStage[]): Promise<void> {
  const declared = mapping.lookups.names;
  for (const [name, file] of Object.entries(files)) {
    if (Object.hasOwn(mapping.lookupSpecs, name)) continue;
    const known = declared.length > 0 ? `it declares ${declared.map((n) => `"${n}"`).join(', ')}` : 'it declares none';
    throw new ImportError('USAGE', `--lookup ${name}=${file}: the mapping has no lookup "${name}" (${known} under "lookups").`);
  }
  warnings.push(...checkLookupsGiven(files, mapping));
  for (const [name, file] of Object.entries(files)) {
    const spec = mapping.lookupSpecs[name]!;
    const stage = await RecordStage.load([file], spec, (staged: StagedFile) => {
      warnings.push(...staged.warnings.map((warning) => `${staged.file}: ${warning}`));
      const onFields = isTemplate(spec.on) ? templateFields(spec.on) : [spec.on];
      const missing = onFields.filter((field) => !staged.columns.some((column) => column === field || column.startsWith(`${field}.`)));
      if (missing.length > 0) {
        // A lookup that finds nothing would silently send every message under the wrong author.
        const nearest = nearestNames(missing[0]!, staged.columns);
        const hint = nearest.length > 0 ? ` (nearest: ${nearest.map((n) => `"${n}"`).join(', ')})` : '';
        throw new ImportError('MAPPING_UNKNOWN_COLUMN', `lookups.${name}.key: "${missing[0]}"${hint} is not in ${staged.file}, the file of --lookup ${name}: check the file, or the key the mapping gives.`, { file: staged.file });
      }
    });
    stages.push(stage);
    if (stage.count === 0) {
      throw new ImportError('USAGE', `--lookup ${name}=${file} holds no record with a key (lookups.${name}.key "${spec.on}"): give the export of that table.`, { file });
    }
    mapping.lookups.attach(name, stage);
    if (stage.problemCount > 0) {
      const first = stage.problems[0];
      warnings.push(`${file}: ${stage.problemCount} records of lookup "${name}" cannot be read or have no key, and are left out (first: line ${first?.line ?? '?'}: ${first?.message ?? '?'}).`);
    }
  }
}

/**
 * Every declared lookup the command is not given: an error naming the leaves that read it (a
 * required leaf read through it would fail every row, an author go unnamed), a warning when the
 * mapping marks it optional.
 */
function checkLookupsGiven(files: Readonly<Record<string, string>>, mapping: CompiledMapping): string[] {
  const uses = lookupUses(JSON.parse(mapping.canonical) as MappingSpec);
  const missing = [...uses].filter(([name]) => !Object.hasOwn(files, name));
  const refused = missing.filter(([, use]) => !use.optional).map(([name, use]) => {
    const key = mapping.lookupSpecs[name]?.on ?? 'key';
    return `The mapping's lookup "${name}" is not given${readBy(use.readers)}: add --lookup ${name}=FILE (the ${name} export, its records keyed by "${key}"), or mark it "optional": true under "lookups" in the mapping to read those values as empty.`;
  });
  if (refused.length > 0) throw new ImportError('USAGE', refused.join('\n'));
  return missing.map(([name, use]) => `The mapping's optional lookup "${name}" is not given (--lookup ${name}=FILE): every value read through it${readBy(use.readers, 'by')} is empty.`);
}

/** ` (read by a, b and 3 more)`: the first leaves that read a lookup; nothing when none does. */
function readBy(readers: readonly string[], word = 'read by'): string {
  if (readers.length === 0) return '';
  const shown = readers.slice(0, 3).join(', ');
  return readers.length > 3 ? ` (${word} ${shown} and ${readers.length - 3} more)` : ` (${word} ${shown})`;
}

/**
 * Stages the messages files of a relational export before any ticket is read; refuses
 * `--messages` without `messages.join` in the mapping, and the reverse.
 */
async function stageMessages(files: readonly string[], mapping: CompiledMapping, warnings: string[], onRecord?: (fields: Fields) => void): Promise<RecordStage | undefined> {
  if (!mapping.join) {
    if (files.length === 0) return undefined;
    throw new ImportError('USAGE', '--messages names messages files, but the mapping has no "messages.join" saying how they join the tickets: add it, or leave --messages out.');
  }
  if (files.length === 0) {
    throw new ImportError('USAGE', 'The mapping joins messages from files of their own ("messages.join"): name them with --messages (e.g. --messages comments.csv).');
  }
  const stage = await RecordStage.load(files, mapping.join, (file: StagedFile) => {
    warnings.push(...file.warnings.map((warning) => `${file.file}: ${warning}`));
    warnings.push(...reportUnknown(file, findUnknownMessageColumns(mapping, file.columns)));
  }, onRecord);
  if (stage.problemCount > 0) {
    const shown = stage.problems.slice(0, 5).map((problem) => `  ${problem.file}:${problem.line}: ${problem.message}`);
    warnings.push(`${stage.problemCount} message records cannot be read and are left out:\n${shown.join('\n')}${stage.problemCount > 5 ? '\n  ...' : ''}`);
  }
  return stage;
}

function checkColumns(source: Source, mapping: CompiledMapping): string[] {
  return reportUnknown(source, findUnknownColumns(mapping, source.columns));
}

/** Unknown columns: an error for a CSV header, a warning for paths missing from a JSON sample. */
function reportUnknown(source: Pick<Source, 'file' | 'columns' | 'columnsComplete'>, unknown: UnknownColumn[]): string[] {
  if (unknown.length === 0) return [];
  const lines = unknown.map(({ at, field, nearest }) => {
    const hint = nearest.length > 0 ? ` (nearest: ${nearest.map((name) => `"${name}"`).join(', ')})` : '';
    return `  ${at}: "${field}"${hint}`;
  });
  if (!source.columnsComplete) {
    return [`${source.file}: the first records have no value at these paths the mapping reads:\n${lines.join('\n')}`];
  }
  const noun = unknown.length === 1 ? 'a column' : `${unknown.length} columns`;
  throw new ImportError(
    'MAPPING_UNKNOWN_COLUMN',
    `The mapping names ${noun} that ${source.file} does not have:\n${lines.join('\n')}\n` +
      `Its header has: ${listColumns(source.columns)}.\nFix the mapping (or the file) and run the command again.`,
    { file: source.file },
  );
}

/** The header for a message: every name of a narrow file, the first 40 of a wide one. */
function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 40).map((name) => `"${name}"`).join(', ');
  return columns.length > 40 ? `${shown} and ${columns.length - 40} more` : shown;
}
