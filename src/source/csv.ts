import { Parser, type CsvError } from 'csv-parse';

/** A record larger than this is reported as broken (in practice: a quote that is never closed). */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** Receives the cells of one parsed record. */
export type PushRow = (cells: string[]) => void;

/** csv-parse's synchronous core: pushes every record of `bytes` (UTF-8), then returns the first error. */
export interface CsvParser {
  /** `bytes`: how far it has read; inside `push`, the byte just after the record's line break. */
  readonly info: { readonly bytes: number };
  parse(bytes: Buffer | undefined, end: boolean, push: PushRow, close: () => void): Error | undefined;
}

/**
 * A csv-parse parser for our dialect. Its stream adapter destroys itself on an error and drops the
 * records it buffered before it; the core it wraps pushes records synchronously and returns the
 * error, so every good record before a broken one is kept. Rows come as arrays (not `columns`)
 * because the header is ours to rename, and building the objects ourselves is also faster.
 */
export function createCsvParser(delimiter: string): CsvParser {
  const parser = new Parser({
    delimiter,
    bom: false, // BOMs are skipped by byte offset before decoding
    relax_quotes: true, // `5" screen` in an unquoted field is a literal quote
    relax_column_count: true, // ragged rows are reported by us, as row errors
    record_delimiter: ['\r\n', '\n', '\r'], // mixed line endings in one file
    skip_empty_lines: false, // blank lines must reach us to be counted as physical lines
    max_record_size: MAX_RECORD_BYTES, // bounds memory when a quote is never closed
  });
  const core = (parser as unknown as { api?: Partial<CsvParser> }).api;
  if (typeof core?.parse !== 'function' || typeof core.info?.bytes !== 'number') throw new Error('csv-parse no longer exposes Parser#api.parse and .info');
  return core as CsvParser;
}

/** Why csv-parse gave up, in words (its code is kept for anything unexpected). */
export function describeCsvError(error: Error): string {
  const code = (error as Partial<CsvError>).code;
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quote opened in it is never closed';
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return `it grows beyond ${MAX_RECORD_BYTES / 1024 / 1024} MB, most likely because a quote is never closed`;
  }
  return `the CSV parser stopped with ${code ?? error.message}`;
}
