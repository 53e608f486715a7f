import type { RowProblem } from '../errors.js';
import type { FieldReference, MappedMessage } from './types.js';
import type { SectionPlace } from './body.js';
import { compileGetter, isEmpty, quote, toText, type Fields, type Getter } from './fields.js';
import type { RowContext, Shared } from './leaf.js';
import { compileInstantParser, isEpochText } from './dates.js';
import { compileMessage, type MappedElement } from './message-leaves.js';
import type { MessagesSectionSpec } from './schema.js';
import { compileTemplate, isTemplate, templateFields } from './template.js';

/**
 * Maps one record to its thread, in order; problems go to `problems`, at paths like
 * `messages[3].user.email`. With `messages.join`, the thread is `joined`: the ticket's records of
 * the messages files, handed over beside the record, never put into its fields.
 */
export type MessagesMapper = (fields: Fields, key: string | undefined, problems: RowProblem[], joined?: readonly Fields[]) => MappedMessage[];

/** The list a record holds under `from`: a list, one object, a JSON list in text (CSV), or nothing. */
function readList(read: (fields: Fields) => unknown): (fields: Fields, problems: RowProblem[]) => readonly unknown[] {
  return (fields, problems) => {
    const value = read(fields);
    if (Array.isArray(value)) return value;
    if (isEmpty(value)) return [];
    if (typeof value === 'object') return [value];
    if (typeof value === 'string' && value.trimStart().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // not JSON: reported below
      }
    }
    problems.push({ code: 'ROW_INVALID', path: 'messages.from', message: `expected a list of messages, got ${quote(value)}` });
    return [];
  };
}

/** Where a record's messages come from: its `from` list, or (with `messages.join`) the joined records. */
function listOf(from: string | undefined, references: FieldReference[]): (fields: Fields, problems: RowProblem[], joined: readonly Fields[] | undefined) => readonly unknown[] {
  if (from === undefined) return (_fields, _problems, joined) => joined ?? [];
  for (const field of isTemplate(from) ? templateFields(from) : [from]) references.push({ field, at: 'messages.from', required: false });
  return readList(isTemplate(from) ? compileTemplate(from) : compileGetter(from));
}

/** A value to sort messages by: a number, a date (as its time), else its text; missing sorts last. */
function sortValue(value: unknown, instantOf: (text: string) => number | undefined): number | string | undefined {
  if (isEmpty(value)) return undefined;
  if (typeof value === 'number') return value;
  const text = toText(value).trim();
  if (isEpochText(text)) return Number(text);
  // Read as the `timestamp` transform reads it (offsets after a space, source.timezone), so the
  // order and the headers agree.
  return instantOf(text) ?? text;
}

function compareSortValues(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

/** Sorts elements by `order_by` (stable: equal values keep their source order); a list already in order is returned as it is. */
function sorter(orderBy: string | undefined, references: FieldReference[], shared: Shared | undefined): ((items: readonly unknown[]) => readonly unknown[]) | undefined {
  if (orderBy === undefined) return undefined;
  const instantOf = compileInstantParser({ ...(shared?.timezone === undefined ? {} : { timezone: shared.timezone }) });
  for (const field of isTemplate(orderBy) ? templateFields(orderBy) : [orderBy]) {
    references.push({ field, at: 'messages.order_by', required: false });
  }
  const read: Getter = isTemplate(orderBy) ? compileTemplate(orderBy) : compileGetter(orderBy);
  return (items) => {
    // Exports mostly list a thread in order: checking that costs less than sorting.
    const values: (number | string | undefined)[] = [];
    let ordered = true;
    for (let i = 0; i < items.length; i++) {
      const fields = asFields(items[i]);
      values.push(fields === undefined ? undefined : sortValue(read(fields), instantOf));
      if (ordered && i > 0 && compareSortValues(values[i - 1], values[i]) > 0) ordered = false;
    }
    if (ordered) return items;
    return items
      .map((item, index) => ({ item, index, value: values[index] }))
      .sort((a, b) => compareSortValues(a.value, b.value) || a.index - b.index)
      .map(({ item }) => item);
  };
}

function asFields(item: unknown): Fields | undefined {
  return item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Fields) : undefined;
}

/**
 * Compiles the `messages` section: the thread of a record, one message per element of the `from`
 * list (or of the joined messages file), sorted by `order_by`, paths relative to one element; or,
 * written as a list, messages made of the record's own columns (a reply in an `answer` column).
 * Every message gets an `origin_id`: the mapped one, else `<row key>#<position>`; it is the
 * message's identity in the ledger and how an ambiguous answer is reconciled. Its author is
 * mapped apart from its body: who sends it is decided against the staff list (see authors.ts).
 */
export function compileMessages(spec: MessagesSectionSpec | undefined, references: FieldReference[], shared?: Shared): MessagesMapper {
  if (spec === undefined) return () => [];
  const place = (...path: string[]): SectionPlace => ({ path: ['messages', ...path], errorPath: path, references, shared });
  if (Array.isArray(spec)) {
    const mappers = spec.map((template, i) => compileMessage(template, (...path) => ({ path: ['messages', String(i), ...path], errorPath: path, references, shared })));
    return (record, key, problems) => collect(mappers.length, (i, ctx) => mappers[i]!(record, ctx), key, problems);
  }
  const { from, join: _join, order_by: orderBy, opens_conversation: _opens, ...leaves } = spec;
  const list = listOf(from, references);
  const sort = sorter(orderBy, references, shared);
  const mapper = compileMessage(leaves, place);
  return (record, key, problems, joined) => {
    const raw = list(record, problems, joined);
    const items = sort ? sort(raw) : raw;
    return collect(items.length, (i, ctx) => mapper(asFields(items[i]) ?? NO_FIELDS, ctx), key, problems);
  };
}

/** The fields of an element that is no object. */
const NO_FIELDS: Fields = Object.freeze({});

/** `messages[3].`, made once for the positions most threads have. */
const PREFIXES = Array.from({ length: 64 }, (_, i) => `messages[${i}].`);

/** Maps each of `count` elements (`mapAt` the i-th), in order; gives each message its origin_id and refuses a repeated one. */
function collect(count: number, mapAt: (i: number, ctx: RowContext) => MappedElement | undefined, key: string | undefined, problems: RowProblem[]): MappedMessage[] {
  const out: MappedMessage[] = [];
  const positions = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    // An element left out (no body, no attachment) is not a message: its problems do not count.
    const ctx: RowContext = { problems: [], prefix: PREFIXES[i] ?? `messages[${i}].` };
    const mapped = mapAt(i, ctx);
    if (mapped === undefined) continue;
    if (ctx.problems.length > 0) problems.push(...ctx.problems);
    const id = mapped.originId || `${key ?? ''}#${i + 1}`;
    const first = positions.get(id);
    if (first !== undefined) {
      problems.push({ code: 'ROW_INVALID', path: `messages[${i}].origin_id`, message: `${quote(id)} is also the origin_id of messages[${first}]; every message needs its own` });
      continue;
    }
    positions.set(id, i);
    mapped.body.origin_id = id;
    // Its keys are put in order once its author is known (assemble.ts).
    out.push({ originId: id, index: i, body: { message: mapped.body }, author: mapped.author, losses: ctx.losses ?? [] });
  }
  return out;
}

/** The body's keys in a readable order: body first, origin_id after the user (a plain loop: it runs for every message). */
export function reorder(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.body !== undefined) out.body = body.body;
  if (body.visibility !== undefined) out.visibility = body.visibility;
  if (body.user !== undefined) out.user = body.user;
  if (body.origin_id !== undefined) out.origin_id = body.origin_id;
  for (const key in body) {
    if (body[key] !== undefined && key !== 'body' && key !== 'visibility' && key !== 'user' && key !== 'origin_id') out[key] = body[key];
  }
  return out;
}
