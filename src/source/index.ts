import { openCsv } from './csv-reader.js';
import { detectEncoding } from './detect.js';
import { CHUNK_SIZE, fileError, SourceFile, type OpenedFile } from './file.js';
import { openJson } from './json.js';
import type { Source, SourceFormat, SourceOptions } from './types.js';

export type { Source, SourceDialect, SourceFormat, SourceOptions, SourceRecord } from './types.js';

/** The format a file is read in when the mapping does not say: by extension, CSV for anything else. */
export function formatOf(file: string): SourceFormat {
  const name = file.toLowerCase();
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'json';
  return 'csv';
}

function checkDelimiter(delimiter: string | undefined, file: string): void {
  if (delimiter === undefined) return;
  if (delimiter === '' || /["\r\n]/.test(delimiter)) {
    const why = `${JSON.stringify(delimiter)} cannot separate fields`;
    throw fileError('USAGE', 'source.delimiter is invalid', why, file, 'use one character such as "," ";" "\\t" or "|"', file);
  }
}

/**
 * Opens a source file (`recordsAt`: what an earlier opening of the same JSON document found, see Source.recordsAt): decides format, encoding (BOM, source.encoding, UTF-16 by NUL pattern) and,
 * for CSV, the delimiter and header; records are then streamed by `records()`. File-level problems
 * throw an ImportError (scope run); bad rows come through as records with a `problem`.
 */
export async function openSource(file: string, options: SourceOptions = {}, recordsAt?: Source['recordsAt']): Promise<Source> {
  const format = options.format ?? formatOf(file);
  checkDelimiter(options.delimiter, file);
  const handle = await SourceFile.open(file);
  try {
    const sample = await handle.readAt(0, CHUNK_SIZE);
    const guess = detectEncoding(sample, options.encoding, file);
    if (handle.size <= guess.bomLength) {
      throw fileError('FILE_EMPTY', 'the source file has no data', 'it holds only a byte-order mark', file, 'export the data again', file);
    }
    const opened: OpenedFile = {
      file: handle,
      encoding: guess.encoding,
      bomLength: guess.bomLength,
      warnings: guess.warning === undefined ? [] : [guess.warning],
    };
    // JSON and JSON Lines are told apart by content: presets say one and vendors export the other
    if (format === 'jsonl' || format === 'json') return await openJson(opened, options, undefined, recordsAt);
    return await openCsv(opened, options);
  } catch (error) {
    await handle.close();
    throw error;
  }
}
