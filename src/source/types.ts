import type { RowProblem } from '../errors.js';

/** The file formats a source can be read in. */
export type SourceFormat = 'csv' | 'jsonl' | 'json';

/** One record read from a source file, named by where it starts. */
export interface SourceRecord {
  /** The path of the file, as the user gave it. */
  file: string;
  /** The physical line the record starts on; in a CSV the header is line 1. */
  line: number;
  /** 1-based number of the data record within its file (the header is not counted). */
  recordNo: number;
  /** CSV: header name → cell text. JSON/JSONL: the parsed object. */
  fields: Record<string, unknown>;
  /** Set when the record could not be read; `fields` then holds `{ raw: text }` of its first line. */
  problem?: RowProblem;
}

/** What the user may say about a source (the mapping's `source` section). */
export interface SourceOptions {
  /** Default: from the file extension (.jsonl/.ndjson → jsonl, .json → json, anything else → csv). */
  format?: SourceFormat;
  /** One character; default: detected among `,` `;` TAB `|`. */
  delimiter?: string;
  /** A WHATWG encoding label (utf-8, utf-16le, windows-1252, latin1…); default: UTF-8, or what a BOM says. */
  encoding?: string;
  /** For a JSON document: the dotted path of the array holding the records; default: found. */
  records?: string;
  /** JSON and JSONL: the most characters one record may take; a longer one is a broken row. Default 64 MB. */
  maxRecordSize?: number;
}

/** What was decided about a file's dialect, for messages and `init`. */
export interface SourceDialect {
  format: SourceFormat;
  encoding: string;
  delimiter?: string;
}

/** An opened source: header known, records not yet read. */
export interface Source {
  readonly file: string;
  readonly dialect: SourceDialect;
  /** CSV: the header names after renaming. JSON/JSONL: the paths seen in the first records. */
  readonly columns: readonly string[];
  /** True when `columns` is a header (every record has them); false when it is only a sample. */
  readonly columnsComplete: boolean;
  /** Things the user should know, e.g. renamed duplicate header names. */
  readonly warnings: readonly string[];
  /** The file's size in bytes. */
  readonly size: number;
  /** A JSON document: where its records were found, so opening it again (on the reader thread) skips the first pass. */
  readonly recordsAt?: { path: string[]; single: boolean };
  /** Bytes read so far (for progress). */
  bytesRead(): number;
  /** The records, in file order; can be iterated once. */
  records(): AsyncIterable<SourceRecord>;
  /** Releases the file; safe to call more than once. */
  close(): Promise<void>;
}
