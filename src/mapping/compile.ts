import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeErrno, ImportError, type RowProblem } from '../errors.js';
import type { SourceOptions } from '../source/types.js';
import type { CompiledMapping, FieldReference } from './types.js';
import { assembleRow, assembleThread } from './assemble.js';
import type { RowContext } from './leaf.js';
import { compileConversation } from './body.js';
import { compileGetter, toText, type Fields } from './fields.js';
import { formatIssues, formatPath } from './issues.js';
import { compileMessages } from './messages.js';
import { Lookups } from './lookups.js';
import { LeafTallies } from './leaf-tally.js';
import { MappingSpecSchema, type MappingSpec, type MessagesSectionSpec } from './schema.js';
import { compileTemplate, isTemplate, templateFields } from './template.js';

/** The `conversation.data` field the row key goes to when the mapping does not say. */
export const DEFAULT_KEY_FIELD = 'import_key';

/** JSON with object keys sorted at every level, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Reads and validates a mapping file; throws MAPPING_UNREADABLE or MAPPING_INVALID. */
export async function loadMapping(path: string): Promise<MappingSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ImportError('MAPPING_UNREADABLE', `cannot read the mapping: ${describeErrno(error)} (${path})`, { file: path, cause: error });
  }
  return parseMappingText(text, path);
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** Parses the text of a mapping file (a BOM is allowed) and validates it. */
export function parseMappingText(text: string, where: string): MappingSpec {
  const clean = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(clean);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const place = lineCol
      ? `line ${lineCol[1]}, column ${lineCol[2]}`
      : lineColumn(clean, position === undefined ? clean.length : Number(position));
    throw new ImportError('MAPPING_UNREADABLE', `the mapping is not valid JSON: ${message} at ${place} (${where})`, {
      file: where,
      cause: error,
    });
  }
  return parseMapping(json, where);
}

/** Checks that cannot be expressed per property: the row key's data field must be free. */
function crossChecks(spec: MappingSpec): string[] {
  const problems: string[] = [];
  const keyField = spec.source?.key_field ?? DEFAULT_KEY_FIELD;
  if (spec.conversation.data?.[keyField] !== undefined) {
    const path = formatPath(['conversation', 'data', keyField]);
    problems.push(`${path}: this field holds the row key (source.key_field); name it differently or change source.key_field`);
  }
  if (spec.conversation.message.body === undefined && spec.messages === undefined) {
    problems.push('conversation.message.body: required (or map "messages": the first message of each thread then opens the conversation)');
  }
  problems.push(...undeclaredLookups(spec));
  if (Array.isArray(spec.messages)) return problems;
  if (spec.conversation.message.body === undefined && spec.messages?.opens_conversation === false) {
    problems.push('conversation.message.body: required when messages.opens_conversation is false');
  }
  if (spec.messages?.join && spec.messages.origin_id === undefined) {
    problems.push('messages.origin_id: required with "join": a messages file of a nightly export holds only some of a thread, so each message must be known by its own id');
  }
  if (spec.messages && (spec.messages.from === undefined) === (spec.messages.join === undefined)) {
    problems.push(spec.messages.from === undefined
      ? 'messages: say where the messages are: "from" (a list in each record) or "join" (a file of their own)'
      : 'messages: "from" and "join" exclude each other: the messages are either in each record or in a file of their own');
  }
  return problems;
}

/** Every `{"lookup": "name.field"}` transform whose lookup the mapping does not declare. */
function undeclaredLookups(spec: MappingSpec): string[] {
  const declared = Object.keys(spec.lookups ?? {});
  const known = declared.length > 0 ? ` (declared: ${declared.map((name) => `"${name}"`).join(', ')})` : '';
  const problems: string[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (value !== null && typeof value === 'object') {
      const transform = value as { lookup?: unknown; 'lookup-all'?: unknown };
      const lookup = transform.lookup ?? transform['lookup-all'];
      if (path.at(-2) === 'transform' && typeof lookup === 'string') {
        const name = lookup.slice(0, lookup.indexOf('.'));
        if (!declared.includes(name)) problems.push(`${formatPath(path)}: lookup "${name}" is not declared in "lookups"${known}`);
      }
      for (const [key, inner] of Object.entries(value)) visit(inner, [...path, key]);
    }
  };
  visit({ conversation: spec.conversation, messages: spec.messages }, []);
  // Custom fields name their titles through a lookup too.
  const title = spec.conversation.custom_fields?.title;
  const name = title?.slice(0, title.indexOf('.'));
  if (name !== undefined && !declared.includes(name)) problems.push(`conversation.custom_fields.title: lookup "${name}" is not declared in "lookups"${known}`);
  return problems;
}

/** How deep `reservedNames` looks: a mapping is a few levels deep, and zod refuses what is deeper. */
const MAPPING_DEPTH = 32;

/**
 * Every `"__proto__"` key of the mapping's JSON: validation would copy it into a plain object,
 * where it sets the prototype instead of a property, so a data field or map entry would vanish.
 */
function reservedNames(value: unknown, path: (string | number)[] = []): string[] {
  if (value === null || typeof value !== 'object' || path.length > MAPPING_DEPTH) return [];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return entries.flatMap(([key, inner]) => key === '__proto__'
    ? [`${formatPath([...path, key])}: "__proto__" cannot be a name in a mapping (JavaScript reserves it for objects' prototypes, so it would be dropped): rename it, or leave it out`]
    : reservedNames(inner, [...path, key]));
}

/** Validates parsed JSON as a mapping; throws MAPPING_INVALID listing every problem as `path: message`. */
export function parseMapping(json: unknown, where: string): MappingSpec {
  const result = MappingSpecSchema.safeParse(json, { reportInput: true });
  const reserved = reservedNames(json);
  const problems = [...reserved, ...(result.success ? crossChecks(result.data) : formatIssues(result.error.issues))];
  if (result.success && problems.length === 0) return result.data;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  throw new ImportError('MAPPING_INVALID', `the mapping is invalid: ${count} (${where})\n  ${problems.join('\n  ')}`, {
    file: where,
  });
}

/** The mapping without what does not change its meaning (`$schema`), defaults made explicit. */
function normalize(spec: MappingSpec): unknown {
  const { $schema: _schema, ...rest } = spec;
  return { ...rest, source: { ...rest.source, key_field: rest.source?.key_field ?? DEFAULT_KEY_FIELD } };
}

/** Compiles `source.key`; without one, a stable hash of the record (sha1, 20 hex digits, `h:`). */
function compileKey(key: string | undefined, references: FieldReference[]): (fields: Fields) => string | undefined {
  if (key === undefined) {
    return (fields) => `h:${createHash('sha1').update(canonicalJson(fields)).digest('hex').slice(0, 20)}`;
  }
  for (const field of isTemplate(key) ? templateFields(key) : [key]) {
    references.push({ field, at: 'source.key', required: true });
  }
  const read = isTemplate(key) ? compileTemplate(key) : compileGetter(key);
  return (fields) => toText(read(fields)).trim() || undefined;
}

/** How thread messages are told apart: every one has a mapped origin_id, or some go by position. */
function threadIdsOf(messages: MessagesSectionSpec): 'mapped' | 'position' {
  const list = Array.isArray(messages) ? messages : [messages];
  return list.every((message) => message.origin_id !== undefined) ? 'mapped' : 'position';
}

/**
 * The paths of a source record the mapping reads. A message's paths are relative to its element:
 * the record reads their list (`messages.from`), except when the messages are a list of templates
 * made of the record's own columns.
 */
/** The fields of one message of a messages file that the mapping reads: its key, then its leaves' fields. */
function messageFieldsOf(references: readonly FieldReference[], on: string | undefined): string[] {
  if (on === undefined) return [];
  const keyFields = isTemplate(on) ? templateFields(on) : [on];
  const inElement = references.filter((r) => r.at.startsWith('messages.') && r.at !== 'messages.from').map((r) => r.field);
  return [...new Set([...keyFields, ...inElement])];
}

function recordFieldsOf(references: readonly FieldReference[], messages: MessagesSectionSpec | undefined): string[] {
  const elementsAreRecords = Array.isArray(messages);
  const inElement = (at: string) => at.startsWith('messages.') && at !== 'messages.from';
  return [...new Set(references.filter((r) => elementsAreRecords || !inElement(r.at)).map((r) => r.field))];
}

/** Compiles a validated mapping once into pure functions of one record. */
export function compileMapping(spec: MappingSpec): CompiledMapping {
  const references: FieldReference[] = [];
  const { key, key_field: keyField = DEFAULT_KEY_FIELD, timezone: _timezone, ignore = [], ...sourceOptions } = spec.source ?? {};
  const keyOf = compileKey(key, references);
  const lookups = new Lookups(Object.keys(spec.lookups ?? {}));
  const tallies = new LeafTallies();
  const shared = { lookups, timezone: spec.source?.timezone, tallies };
  const conversation = compileConversation(spec.conversation, keyField, references, shared);
  const messages = compileMessages(spec.messages, references, shared);
  // Without a body of its own (or when told), a conversation opens with the first message of its thread.
  const thread = Array.isArray(spec.messages) ? undefined : spec.messages;
  const opensWithThread = spec.messages !== undefined && (thread?.opens_conversation ?? spec.conversation.message.body === undefined);
  const normalized = canonicalJson(normalize(spec));
  const { on, ...joinSource } = thread?.join ?? { on: undefined };
  return {
    source: sourceOptions satisfies SourceOptions,
    join: on === undefined ? undefined : { on, source: joinSource satisfies SourceOptions },
    lookups,
    lookupSpecs: Object.fromEntries(Object.entries(spec.lookups ?? {}).map(([name, { key: lookupKey, ...lookupSource }]) => [name, { on: lookupKey, at: `lookups.${name}.key`, source: lookupSource }])),
    threadIds: spec.messages === undefined ? undefined : threadIdsOf(spec.messages),
    namesAuthors: spec.messages !== undefined || spec.conversation.assignee !== undefined || spec.conversation.message.user !== undefined || spec.conversation.message.role !== undefined,
    keyField,
    hash: createHash('sha256').update(normalized).digest('hex'),
    canonical: normalized,
    references,
    recordFields: recordFieldsOf(references, spec.messages),
    messageFields: messageFieldsOf(references, on),
    ignore,
    tallies,
    keyOf,
    mapThread(fields, rowKey, joined, authors) {
      const problems: RowProblem[] = [];
      const thread = messages(fields, rowKey, problems, joined);
      return { messages: thread, problems, losses: assembleThread(thread, problems, authors) };
    },
    mapRow(fields, rowKey, joined, authors) {
      const ctx: RowContext = { problems: [], prefix: '' };
      const parts = conversation(fields, rowKey, ctx);
      const thread = messages(fields, rowKey, ctx.problems, joined);
      const row = assembleRow(parts, thread, rowKey, ctx.problems, { opensWithThread, authors });
      if (ctx.losses) row.losses.unshift(...ctx.losses);
      return row;
    },
  };
}
