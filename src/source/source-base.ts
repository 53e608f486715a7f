import type { ErrorCode, RowProblem } from '../errors.js';
import { BatchIterator } from './batch-iterator.js';
import type { SourceFile } from './file.js';
import type { Source, SourceDialect, SourceRecord } from './types.js';

/** The longest `raw` text kept for a broken record; enough to fix a row, never a whole body. */
export const RAW_LIMIT = 64 * 1024;

/** A record that could not be read: `fields` holds the text of its first line. */
export function brokenRecord(
  file: string,
  line: number,
  recordNo: number,
  raw: string,
  code: ErrorCode,
  message: string,
): SourceRecord {
  const text = raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}…` : raw;
  return { file, line, recordNo, fields: { raw: text }, problem: { code, message } };
}

/** The problem of a record holding text the decoder had to replace with U+FFFD. */
export function encodingProblem(encoding: string): RowProblem {
  const message = `is not valid ${encoding.toUpperCase()}: some bytes were replaced by "\uFFFD" — set source.encoding (e.g. "windows-1252") if the file uses another encoding`;
  return { code: 'ROW_ENCODING', message };
}

/** Says what kind of JSON value something is, for messages ("an array", "a number"). */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/**
 * How deeply objects and arrays may sit inside one another in a record, the record itself the
 * first level. Past it, walking the record (its columns, its mapping, JSON.stringify for the
 * ledger) would exhaust the stack: such a record is one broken row, never the end of the run.
 */
export const MAX_DEPTH = 64;

/** True when objects or arrays sit inside one another deeper than `limit` levels; recurses `limit` calls at most. */
export function nestedDeeper(value: unknown, limit = MAX_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  const container = value as Record<string, unknown>;
  // for…in allocates nothing: this runs on every record read
  for (const name in container) {
    const child = container[name];
    if (typeof child === 'object' && child !== null && nestedDeeper(child, limit - 1)) return true;
  }
  return false;
}

/** Where a record of JSON text was, and what each record of its file must be (for messages). */
export interface JsonPlace {
  file: string;
  line: number;
  recordNo: number;
  /** Ends "is not a JSON object but an array — <each>": `each line must hold one object`. */
  each: string;
}

/** One record of JSON text: parsed, or broken (not JSON, not an object, nested too deep) with its text. */
export function parseJsonRecord(text: string, place: JsonPlace): SourceRecord {
  const { file, line, recordNo } = place;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return brokenRecord(file, line, recordNo, text.trim(), 'ROW_MALFORMED', `is not valid JSON: ${why}`);
  }
  if (!isJsonObject(value)) {
    return brokenRecord(file, line, recordNo, text.trim(), 'ROW_MALFORMED', `is not a JSON object but ${describeJsonValue(value)} — ${place.each}`);
  }
  if (nestedDeeper(value)) {
    const message = `the record is nested deeper than ${MAX_DEPTH} levels (objects or arrays inside one another): flatten it in the export, or leave it out`;
    return brokenRecord(file, line, recordNo, text.trim(), 'ROW_MALFORMED', message);
  }
  return { file, line, recordNo, fields: value };
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Everything a reader decided at open time, plus where the rest of its records come from. */
export interface BatchSourceInit {
  file: SourceFile;
  dialect: SourceDialect;
  columns: readonly string[];
  columnsComplete: boolean;
  warnings: readonly string[];
  /** Records already read while opening (header chunk, column sample). */
  pending: SourceRecord[];
  /** The next batch of records, or undefined at the end. */
  next: () => Promise<SourceRecord[] | undefined>;
  /** Bytes read for the records so far; default: the furthest byte read from the file. */
  bytesRead?: () => number;
  /** A JSON document: where its records are (see Source.recordsAt). */
  recordsAt?: { path: string[]; single: boolean };
}

/**
 * A Source whose records arrive in batches (one file chunk at a time): one await per chunk rather
 * than per record, and the next chunk is read only when the consumer asks for more (backpressure).
 */
export class BatchSource implements Source {
  readonly file: string;
  readonly dialect: SourceDialect;
  readonly columns: readonly string[];
  readonly columnsComplete: boolean;
  readonly warnings: readonly string[];
  readonly size: number;
  readonly recordsAt: { path: string[]; single: boolean } | undefined;
  private started = false;

  constructor(private readonly init: BatchSourceInit) {
    this.recordsAt = init.recordsAt;
    this.file = init.file.file;
    this.dialect = init.dialect;
    this.columns = init.columns;
    this.columnsComplete = init.columnsComplete;
    this.warnings = init.warnings;
    this.size = init.file.size;
  }

  /** Bytes read so far (for progress). */
  bytesRead(): number {
    return this.init.bytesRead?.() ?? this.init.file.bytesRead();
  }

  /** The records, in file order; can be iterated once, and the file is closed when iteration ends. */
  records(): AsyncIterable<SourceRecord> {
    if (this.started) throw new Error(`records() of ${this.file} can be iterated only once`);
    this.started = true;
    // A `break` in for-await closes the file too, so the handle never outlives the loop
    return new BatchIterator(this.init.pending.splice(0), this.init.next, () => this.close());
  }

  /** Releases the file; safe to call more than once. */
  async close(): Promise<void> {
    await this.init.file.close();
  }
}
