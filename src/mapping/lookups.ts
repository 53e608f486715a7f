import { ImportError } from '../errors.js';
import { compileGetter, isEmpty, toText, type Fields, type Getter } from './fields.js';
import { formatPath } from './issues.js';
import type { Note } from './losses.js';

/** Where a lookup's records come from once its file is read. */
export interface LookupSource {
  /** The first record with the key, or undefined. */
  recordOf(key: string): Fields | undefined;
  /** Every record with the key, in file order; a source without it holds at most one per key. */
  recordsOf?(key: string): Fields[];
}

/** A compiled `lookup` or `lookup-all`: a function of one value that notes the keys its file lacks. */
export type LookupFn = (value: unknown, note?: Note) => unknown;

/**
 * The lookups a mapping declares (`lookups`), e.g. users by id, filled with their files when a
 * command opens them (`--lookup users=users.json`). A lookup the command must be given is refused
 * before that (open-sources.ts); one marked optional and not given reads as empty.
 */
export class Lookups {
  private readonly sources = new Map<string, LookupSource | undefined>();

  constructor(declared: readonly string[]) {
    for (const name of declared) this.sources.set(name, undefined);
  }

  /** The names the mapping declares. */
  get names(): string[] {
    return [...this.sources.keys()];
  }

  /** Gives a declared lookup its records. */
  attach(name: string, source: LookupSource): void {
    this.sources.set(name, source);
  }

  /**
   * Compiles `{"lookup": "users.email"}`: the value is a key of the lookup `users`, the result
   * that record's `email` (a dotted path); empty when the key is not there, a `lookup_missed`
   * loss when the lookup was given.
   */
  compile(spec: string): LookupFn {
    const { name, read } = this.parse(spec);
    return (value, note) => {
      if (isEmpty(value)) return value;
      const source = this.sources.get(name);
      const key = toText(value);
      const record = source?.recordOf(key);
      if (record === undefined && source !== undefined) note?.('lookup_missed', `${name}: ${key}`);
      return record === undefined ? undefined : read(record);
    };
  }

  /**
   * Compiles `{"lookup-all": "tags.tag"}`: the field in every record of each key (a value or a
   * list of them), in file order, without empties or exact duplicates; empty when there is none.
   * A key without records is no loss: a one-to-many table leaves out a ticket without tags.
   */
  compileAll(spec: string): LookupFn {
    const { name, read } = this.parse(spec);
    return (value) => {
      if (isEmpty(value)) return value;
      const source = this.sources.get(name);
      if (source === undefined) return undefined;
      const found = (Array.isArray(value) ? value : [value]).flatMap((key) => readAll(source, toText(key), read));
      return found.length === 0 ? undefined : distinct(found);
    };
  }

  /** The lookup and the field a `"<lookup>.<field>"` names; an undeclared lookup is refused. */
  private parse(spec: string): { name: string; read: Getter } {
    const dot = spec.indexOf('.');
    const name = spec.slice(0, dot);
    if (!this.sources.has(name)) {
      const known = this.names.length > 0 ? `it declares ${this.names.map((n) => `"${n}"`).join(', ')}` : 'it declares none';
      throw new ImportError('MAPPING_INVALID', `the mapping reads "${spec}", but has no lookup "${name}" (${known} under "lookups"): declare it, or fix the name.`);
    }
    return { name, read: compileGetter(spec.slice(dot + 1)) };
  }
}

/** The non-empty values of a field in every record of one key; a list value gives its items. */
function readAll(source: LookupSource, key: string, read: Getter): unknown[] {
  if (key === '') return [];
  const records = source.recordsOf?.(key) ?? [source.recordOf(key)].filter((record) => record !== undefined);
  return records.flatMap((record) => {
    const value = read(record);
    return (Array.isArray(value) ? value : [value]).filter((item) => !isEmpty(item));
  });
}

/** The values without exact duplicates (`"1"` and `1` differ), first ones kept. */
function distinct(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const text = JSON.stringify(value);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/** What a mapping says of one lookup: whether it may be left out, and the paths that read it. */
export interface LookupUse {
  optional: boolean;
  readers: string[];
}

/**
 * Each declared lookup of a mapping as written, with the leaves that read it (`conversation.user.email`
 * for a `lookup` or `lookup-all` in its transforms, `conversation.custom_fields.title`).
 */
export function lookupUses(spec: { lookups?: Record<string, { optional?: boolean | undefined }> | undefined; conversation?: unknown; messages?: unknown }): Map<string, LookupUse> {
  const uses = new Map<string, LookupUse>();
  for (const [name, lookup] of Object.entries(spec.lookups ?? {})) uses.set(name, { optional: lookup.optional === true, readers: [] });
  const read = (spec: unknown, path: (string | number)[]): void => {
    const name = typeof spec === 'string' ? spec.slice(0, spec.indexOf('.')) : undefined;
    const readers = name === undefined ? undefined : uses.get(name)?.readers;
    const at = formatPath(path);
    if (readers !== undefined && !readers.includes(at)) readers.push(at);
  };
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const at = path.lastIndexOf('transform');
    if (at >= 0 && at === path.length - 2) {
      const transform = value as { lookup?: unknown; 'lookup-all'?: unknown };
      read(transform.lookup ?? transform['lookup-all'], path.slice(0, at));
    }
    for (const [key, inner] of Object.entries(value)) visit(inner, [...path, key]);
  };
  visit({ conversation: spec.conversation, messages: spec.messages }, []);
  const fields = (spec.conversation as { custom_fields?: { title?: unknown } } | undefined)?.custom_fields;
  read(fields?.title, ['conversation', 'custom_fields', 'title']);
  return uses;
}
