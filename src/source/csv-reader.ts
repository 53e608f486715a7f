import { formatPlace } from '../errors.js';
import { describeCsvError, type PushRow } from './csv.js';
import { CsvScanner } from './csv-scan.js';
import { normalizeHeader } from './csv-header.js';
import { SourceDecoder } from './decode.js';
import { detectDelimiter } from './detect.js';
import { CHUNK_SIZE, fileError, type OpenedFile } from './file.js';
import { countBreaks, hasBreak, layoutOf, locateLine } from './lines.js';
import { BatchSource, brokenRecord, encodingProblem, RAW_LIMIT } from './source-base.js';
import type { Source, SourceOptions, SourceRecord } from './types.js';

function isBlank(cells: readonly string[], from = 0): boolean {
  for (let i = from; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }
  return true;
}

function fieldCount(count: number): string {
  return count === 1 ? '1 field' : `${count} fields`;
}

/** The row written back as CSV, up to its first line break: the `raw` text of a ragged row. */
function firstLineOf(cells: readonly string[], delimiter: string): string {
  const quoted = cells.map((cell) =>
    cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell,
  );
  return quoted.join(delimiter).split(/\r\n|\r|\n/, 1)[0] ?? '';
}

/** Reads a CSV file chunk by chunk, keeping the physical line of every record and surviving bad rows. */
class CsvReader {
  header: string[] | undefined;
  readonly warnings: string[] = [];
  private parser!: CsvScanner;
  private decoder!: SourceDecoder;
  private segment = { offset: 0, line: 1 };
  private position = 0;
  private nextLine = 1;
  private recordNo = 0;
  private ended = false;
  private readonly rows: string[][] = [];
  private readonly push: PushRow = (cells) => this.rows.push(cells);
  private assign = (fields: Record<string, unknown>, key: string, value: string): void => {
    fields[key] = value;
  };

  constructor(
    private readonly input: OpenedFile,
    private readonly delimiter: string,
  ) {
    this.startSegment(input.bomLength, 1);
  }

  /** The next records (one chunk's worth), or undefined at the end of the file. */
  async next(): Promise<SourceRecord[] | undefined> {
    while (!this.ended) {
      const records = await this.step();
      if (records.length > 0) return records;
    }
    return undefined;
  }

  /** Reads until the header is known; returns the records that came in the same chunk. */
  async readHeader(): Promise<SourceRecord[]> {
    const records: SourceRecord[] = [];
    while (this.header === undefined && !this.ended) records.push(...(await this.step()));
    return records;
  }

  private async step(): Promise<SourceRecord[]> {
    const error = await this.parseChunk();
    const records: SourceRecord[] = [];
    const swallowed = this.drain(records);
    // A ragged record over several lines is a quote gone wrong, like a parser error: same recovery
    if (swallowed !== undefined) records.push(await this.recover(swallowed));
    else if (error !== undefined) records.push(await this.recover(describeCsvError(error)));
    return records;
  }

  /** A fresh parser at a known byte offset and line: the file start, or the line after a bad record. */
  private startSegment(offset: number, line: number): void {
    this.parser = new CsvScanner(this.delimiter);
    this.decoder = new SourceDecoder(this.input.encoding);
    this.segment = { offset, line };
    this.position = offset;
    this.nextLine = line;
  }

  private async parseChunk(): Promise<Error | undefined> {
    const bytes = await this.input.file.readAt(this.position, CHUNK_SIZE);
    if (this.input.file.closed) {
      // Closed under us: stop here rather than flush the parser into a truncated last record
      this.ended = true;
      return undefined;
    }
    this.position += bytes.length;
    const end = bytes.length === 0;
    const text = this.decoder.toText(end ? undefined : bytes);
    if (end) this.ended = true;
    return this.parser.parse(text, end, this.push);
  }

  /**
   * Turns the parsed rows into records; a record starts where the previous one ended. Stops at a
   * ragged record spanning several lines and returns why (nextLine then points at its first line).
   */
  private drain(records: SourceRecord[]): string | undefined {
    for (const cells of this.rows) {
      const line = this.nextLine;
      let breaks = 0;
      for (const cell of cells) if (hasBreak(cell)) breaks += countBreaks(cell);
      if (breaks > 0 && this.header !== undefined && this.isRagged(cells, this.header)) {
        this.rows.length = 0;
        const counts = `it has ${fieldCount(cells.length)} but the header has ${this.header.length}`;
        return `${counts} and runs over lines ${line}–${line + breaks}, most likely because a quote opened on line ${line} is never closed`;
      }
      this.nextLine += 1 + breaks;
      if (isBlank(cells)) continue;
      if (this.header === undefined) this.setHeader(cells, line);
      else records.push(this.toRecord(cells, line));
    }
    this.rows.length = 0;
    return undefined;
  }

  /** Extra empty cells after the last column (a trailing delimiter) lose nothing, so they are fine. */
  private isRagged(cells: readonly string[], header: readonly string[]): boolean {
    return cells.length < header.length || (cells.length > header.length && !isBlank(cells, header.length));
  }

  private setHeader(cells: string[], line: number): void {
    const { columns, warnings } = normalizeHeader(cells, line);
    this.header = columns;
    this.warnings.push(...warnings);
    if (columns.includes('__proto__')) {
      this.assign = (fields, key, value) => Object.defineProperty(fields, key, { value, enumerable: true, writable: true });
    }
  }

  private toRecord(cells: string[], line: number): SourceRecord {
    const header = this.header as string[];
    const file = this.input.file.file;
    const recordNo = ++this.recordNo;
    if (this.isRagged(cells, header)) {
      const message = `has ${fieldCount(cells.length)} but the header has ${header.length}`;
      return brokenRecord(file, line, recordNo, firstLineOf(cells, this.delimiter), 'ROW_MALFORMED', message);
    }
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) this.assign(fields, header[i] as string, cells[i] as string);
    const record: SourceRecord = { file, line, recordNo, fields };
    // Only a decoder that really replaced bytes makes a U+FFFD suspect (a file may hold a literal one)
    if (this.decoder.replaced && cells.some((cell) => cell.includes('\uFFFD'))) {
      record.problem = encodingProblem(this.input.encoding);
    }
    return record;
  }

  /**
   * Reports the record starting at line S (nextLine) as broken and restarts a fresh parser at line
   * S+1, found by scanning forward from the current segment's start, never from the file's start.
   */
  private async recover(why: string): Promise<SourceRecord> {
    const file = this.input.file;
    const line = this.nextLine;
    if (this.header === undefined) {
      const place = formatPlace(file.file, line);
      throw fileError('HEADER_INVALID', 'the header cannot be read', why, place, 'fix the quotes of the header line', file.file);
    }
    const span = await locateLine(file, this.segment, line, layoutOf(this.input.encoding));
    const raw = await this.readText(span.start, span.end);
    this.startSegment(span.next, line + 1);
    this.ended = span.next >= file.size;
    const message = `is not valid CSV: ${why} — fix its quotes; reading went on at line ${line + 1}`;
    return brokenRecord(file.file, line, ++this.recordNo, raw, 'ROW_MALFORMED', message);
  }

  /** The text between two byte offsets (at most what a broken record keeps). */
  private async readText(start: number, end: number): Promise<string> {
    if (end <= start) return '';
    // RAW_LIMIT counts characters; 4 bytes each is the most any encoding needs
    const bytes = await this.input.file.readAt(start, Math.min(end - start, RAW_LIMIT * 4));
    const decoder = new SourceDecoder(this.input.encoding);
    return decoder.toText(bytes) + decoder.toText(undefined);
  }
}

/** Decides the delimiter from the first chunk of text, quote-aware (see detectDelimiter). */
async function sniffDelimiter(input: OpenedFile): Promise<string> {
  const bytes = await input.file.readAt(input.bomLength, CHUNK_SIZE);
  const text = new SourceDecoder(input.encoding).toText(bytes);
  return detectDelimiter(text, input.bomLength + bytes.length >= input.file.size);
}

/** Opens a CSV source: detects the delimiter, reads the header, and streams the rest on demand. */
export async function openCsv(input: OpenedFile, options: SourceOptions): Promise<Source> {
  const delimiter = options.delimiter ?? (await sniffDelimiter(input));
  const reader = new CsvReader(input, delimiter);
  const pending = await reader.readHeader();
  if (reader.header === undefined) {
    const file = input.file.file;
    throw fileError('FILE_EMPTY', 'the source file has no data', 'it holds only blank lines', file, 'export the data again', file);
  }
  return new BatchSource({
    file: input.file,
    dialect: { format: 'csv', encoding: input.encoding, delimiter },
    columns: reader.header,
    columnsComplete: true,
    warnings: [...input.warnings, ...reader.warnings],
    pending,
    next: () => reader.next(),
  });
}
