import { collectPaths } from './columns.js';
import { SourceDecoder } from './decode.js';
import { CHUNK_SIZE, fileError, type OpenedFile } from './file.js';
import { findValueStarts, linesAt } from './json-scan.js';
import { BatchSource, brokenRecord, describeJsonValue, encodingProblem, isJsonObject } from './source-base.js';
import type { Source, SourceOptions, SourceRecord } from './types.js';

/** A JSON document is parsed whole; beyond this it must be JSON Lines, which streams. */
export const MAX_JSON_BYTES = 512 * 1024 * 1024;

/** Where the records of a document are: the path of their array (or single object) and its values. */
interface RecordsAt {
  path: string[];
  values: unknown[];
  single: boolean;
}

function invalid(file: string, why: string, todo: string, where = file): Error {
  return fileError('HEADER_INVALID', 'the JSON document cannot be used', why, where, todo, file);
}

async function readText(input: OpenedFile): Promise<{ text: string; replaced: boolean }> {
  const { file } = input;
  if (file.size > MAX_JSON_BYTES) {
    const size = `${Math.ceil(file.size / 1024 / 1024)} MB`;
    const todo = `convert it to JSON Lines (one object per line), e.g. jq -c '.[]' ${file.file} > records.jsonl`;
    const why = `it is ${size}, more than the ${MAX_JSON_BYTES / 1024 / 1024} MB a JSON document may have`;
    throw fileError('FILE_UNREADABLE', 'the JSON document is too large', why, file.file, todo, file.file);
  }
  const decoder = new SourceDecoder(input.encoding);
  const parts: string[] = [];
  for (let offset = input.bomLength; offset < file.size; ) {
    const bytes = await file.readAt(offset, CHUNK_SIZE * 16);
    if (bytes.length === 0) break;
    parts.push(decoder.toText(bytes));
    offset += bytes.length;
  }
  parts.push(decoder.toText(undefined));
  return { text: parts.join(''), replaced: decoder.replaced };
}

function parseDocument(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? file : `${file}:${linesAt(text, [Number(position)])[0]}`;
    throw invalid(file, `it is not valid JSON: ${message}`, 'fix the file or export it again', where);
  }
}

function followPath(document: unknown, spec: string, file: string): RecordsAt {
  const path = spec.split('.').filter((key) => key !== '');
  let value = document;
  for (const [index, key] of path.entries()) {
    if (!isJsonObject(value) || !(key in value)) {
      const at = index === 0 ? 'the top level' : `"${path.slice(0, index).join('.')}"`;
      const keys = isJsonObject(value) ? ` (it has: ${Object.keys(value).slice(0, 10).join(', ')})` : '';
      throw invalid(file, `source.records "${spec}" has no "${key}" at ${at}${keys}`, 'correct source.records');
    }
    value = value[key];
  }
  if (Array.isArray(value)) return { path, values: value, single: false };
  if (isJsonObject(value)) return { path, values: [value], single: true };
  const why = `source.records "${spec}" holds ${describeJsonValue(value)}, not records`;
  throw invalid(file, why, 'point source.records at an array of objects');
}

/** Keys that make an object a record itself (a ticket with an `attachments` list), not an envelope. */
const RECORD_KEYS = ['id', '_id', 'uuid'];

/**
 * A top-level array; else, for an envelope ({"tickets": [...], "count": 2}: no `id` of its own), the
 * one property holding an array of objects; else the object itself is the one record.
 */
function findRecords(document: unknown, spec: string | undefined, file: string): RecordsAt {
  if (spec !== undefined && spec.trim() !== '') return followPath(document, spec, file);
  if (Array.isArray(document)) return { path: [], values: document, single: false };
  if (!isJsonObject(document)) {
    throw invalid(file, `it holds ${describeJsonValue(document)}, not records`, 'give an array of objects or an object');
  }
  const single: RecordsAt = { path: [], values: [document], single: true };
  if (RECORD_KEYS.some((key) => key in document)) return single;
  const lists = Object.keys(document).filter((key) => {
    const value = document[key];
    return Array.isArray(value) && value.length > 0 && value.every(isJsonObject);
  });
  if (lists.length === 1) {
    const key = lists[0] as string;
    return { path: [key], values: document[key] as unknown[], single: false };
  }
  if (lists.length > 1) {
    // Side-loaded exports ({"tickets": [...], "users": [...]}): guessing would import the wrong thing
    const why = `it has several arrays of objects (${lists.join(', ')})`;
    throw invalid(file, why, `set source.records to the one that holds the records, e.g. "${lists[0]}"`);
  }
  return single;
}

function toRecords(text: string, found: RecordsAt, file: string, encoding: string | undefined): SourceRecord[] {
  const starts = findValueStarts(text, found.path);
  const offsets = found.single ? [starts.value] : starts.elements;
  // The scanner and JSON.parse see the same text; if they ever disagree, name the container's line
  const lines = offsets.length === found.values.length ? linesAt(text, offsets) : undefined;
  const fallback = linesAt(text, [Math.max(starts.value, 0)])[0] as number;
  return found.values.map((value, index) => {
    const line = lines?.[index] ?? fallback;
    const recordNo = index + 1;
    if (!isJsonObject(value)) {
      const message = `is not a JSON object but ${describeJsonValue(value)} — each record must be an object`;
      return brokenRecord(file, line, recordNo, JSON.stringify(value) ?? '', 'ROW_MALFORMED', message);
    }
    const record: SourceRecord = { file, line, recordNo, fields: value };
    if (encoding !== undefined && JSON.stringify(value).includes('\uFFFD')) record.problem = encodingProblem(encoding);
    return record;
  });
}

/** Opens a JSON document: reads it whole (up to 512 MB), finds its records and their lines. */
export async function openJson(input: OpenedFile, options: SourceOptions): Promise<Source> {
  const file = input.file.file;
  const { text, replaced } = await readText(input);
  if (text.trim() === '') {
    throw fileError('FILE_EMPTY', 'the source file has no data', 'it holds only blank lines', file, 'export the data again', file);
  }
  const document = parseDocument(text, file);
  const found = findRecords(document, options.records, file);
  const records = toRecords(text, found, file, replaced ? input.encoding : undefined);
  await input.file.close();
  return new BatchSource({
    file: input.file,
    dialect: { format: 'json', encoding: input.encoding },
    columns: collectPaths(records.filter((record) => !record.problem).map((record) => record.fields)),
    columnsComplete: false,
    warnings: input.warnings,
    pending: records,
    next: () => Promise.resolve(undefined),
  });
}
