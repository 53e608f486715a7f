import { ImportError } from '../errors.js';
import { collectPaths, COLUMN_SAMPLE } from './columns.js';
import { SourceDecoder } from './decode.js';
import { fileError, type OpenedFile } from './file.js';
import { JsonScanner, JsonStructureError } from './json-scan.js';
import { DocumentSurvey, locateRecords, type RecordsAt } from './json-survey.js';
import { RecordReader } from './json-records.js';
import { openJsonl } from './jsonl.js';
import { MAX_RECORD_SIZE } from './record-text.js';
import { BatchSource } from './source-base.js';
import type { Source, SourceOptions } from './types.js';

/**
 * Bytes read per call from a JSON document: 32 KB, so that even a chunk of two-byte text stays
 * under V8's large-object size (128 KB); larger strings go straight to the old generation and pile
 * up there until a full GC (a 1 MB chunk cost 100 MB of peak RSS). Records spanning chunks are carried.
 */
export const JSON_CHUNK = 32 * 1024;

function recordsPath(spec: string | undefined): string[] {
  return (spec ?? '').split('.').filter((key) => key !== '');
}

/**
 * The first pass: reads the whole text once, checking that its brackets balance and learning the
 * shape of what lies on the path to the records. Stops early at a second top-level value (JSON Lines).
 */
async function surveyDocument(input: OpenedFile, path: string[], chunkSize: number): Promise<DocumentSurvey> {
  const survey = new DocumentSurvey(path);
  const scanner = new JsonScanner(path, survey);
  const decoder = new SourceDecoder(input.encoding);
  const file = input.file.file;
  try {
    for (let offset = input.bomLength; !survey.lines; ) {
      const bytes = await input.file.readAt(offset, chunkSize);
      if (bytes.length === 0) break;
      offset += bytes.length;
      scanner.feed(decoder.toText(bytes));
    }
    scanner.feed(decoder.toText(undefined));
    scanner.finish();
  } catch (error) {
    if (!(error instanceof JsonStructureError)) throw error;
    throw fileError('HEADER_INVALID', 'the JSON document cannot be used', error.why, `${file}:${error.line}`, 'export it again or fix the file', file);
  }
  if (!scanner.started) {
    throw fileError('FILE_EMPTY', 'the source file has no data', 'it holds only blank lines', file, 'export the data again', file);
  }
  return survey;
}

/**
 * JSON Lines whose first line is broken does not balance as a document; when some line of the
 * sample holds an object it is read as JSON Lines (the bad line one broken record), else the
 * document's error stands.
 */
async function openBrokenLines(input: OpenedFile, error: unknown, limit: number): Promise<Source> {
  if (!(error instanceof ImportError) || error.code !== 'HEADER_INVALID') throw error;
  try {
    return await openJsonl(input, limit);
  } catch {
    throw error;
  }
}

/**
 * Opens JSON text, whatever its extension or declared format says: JSON Lines when it holds several
 * top-level values, else one document whose records are found (see locateRecords) and streamed in
 * two passes — the first checks the whole structure, so a cut-short file is refused before any
 * record; the second hands out one record at a time, so memory stays flat at any size. `known`:
 * where an earlier opening found the records (the reader thread's), so the first pass is skipped.
 */
export async function openJson(input: OpenedFile, options: SourceOptions, chunkSize = JSON_CHUNK, known?: RecordsAt): Promise<Source> {
  const limit = options.maxRecordSize ?? MAX_RECORD_SIZE;
  let found = known;
  if (found === undefined) {
    let survey: DocumentSurvey;
    try {
      survey = await surveyDocument(input, recordsPath(options.records), chunkSize);
    } catch (error) {
      return await openBrokenLines(input, error, limit);
    }
    if (survey.lines) return openJsonl(input, limit);
    found = locateRecords(survey, options.records, input.file.file);
  }
  const reader = new RecordReader(input, found, { chunkSize, limit });
  const pending = await reader.sample(COLUMN_SAMPLE);
  return new BatchSource({
    file: input.file,
    dialect: { format: 'json', encoding: input.encoding },
    columns: collectPaths(pending.filter((record) => !record.problem).map((record) => record.fields)),
    columnsComplete: false,
    warnings: input.warnings,
    pending,
    next: () => reader.next(),
    bytesRead: () => reader.bytesRead(),
    recordsAt: found,
  });
}
