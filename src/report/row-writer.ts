import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { describeErrno, ImportError, type RowProblem } from '../errors.js';
import { redact } from '../redact.js';

/** One row that did not make it, as written to a rejects or failures file. */
export interface ReportRow {
  file: string;
  line: number;
  key: string | null;
  state: string;
  http_status: number | null;
  /** The first error, readable on its own. */
  error: string;
  /** Every error of the row. */
  errors: string[];
  /** The same errors as structured problems (JSONL only), when the row's are known. */
  problems?: RowProblem[];
  /** The source record's fields, so the user can fix the row. */
  fields: Record<string, unknown>;
}

/** The formats a report can be written in. */
export type ReportFormat = 'jsonl' | 'csv';

const FIXED_COLUMNS = ['file', 'line', 'key', 'state', 'http_status', 'error'] as const;
const FLUSH_AT = 64 * 1024;

/**
 * Writes report rows to a file with bounded buffering: JSONL (one object a line, `errors` list and
 * `fields` object) or CSV (fixed columns, then one column per source field, safe for spreadsheets).
 * No registered secret is written, whichever cell carries it.
 */
export class RowWriter {
  private buffer: string[] = [];
  private buffered = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly path: string,
    private readonly stream: WriteStream,
    private readonly format: ReportFormat,
    private readonly fieldColumns: readonly string[],
  ) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Opens `path` for writing; CSV needs the source columns up front (`fieldColumns`). */
  static async open(path: string, format: ReportFormat, fieldColumns: readonly string[] = []): Promise<RowWriter> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new ImportError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${describeErrno(error, { writing: true })}.`, { cause: error });
    }
    // `raw` holds the text of a row that could not be parsed into fields.
    const columns = format === 'csv' ? dedupe([...fieldColumns, 'raw'].filter((name) => !FIXED_COLUMNS.includes(name as never))) : [];
    const writer = new RowWriter(path, stream, format, columns);
    if (format === 'csv') writer.push(toCsvLine([...FIXED_COLUMNS, ...columns]));
    return writer;
  }

  /** Queues one row; resolves at once unless the buffer is full and the disk is behind. */
  async write(row: ReportRow): Promise<void> {
    this.push(this.format === 'csv' ? this.toCsv(row) : `${JSON.stringify(row)}\n`);
    if (this.buffered >= FLUSH_AT) await this.flush();
  }

  /** Flushes and closes the file; safe to call again (after a failure, it only releases the file). */
  async close(): Promise<void> {
    if (this.stream.closed || this.stream.destroyed) return;
    try {
      await this.flush();
      this.stream.end();
      await once(this.stream, 'close');
    } catch (error) {
      this.stream.destroy();
      throw this.unwritable(error);
    }
    this.throwIfFailed();
  }

  private push(text: string): void {
    this.buffer.push(redact(text));
    this.buffered += text.length;
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    try {
      if (!this.stream.write(chunk)) await once(this.stream, 'drain');
    } catch (error) {
      throw this.unwritable(error);
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.unwritable(this.failure);
  }

  private unwritable(error: unknown): ImportError {
    return new ImportError('OUTPUT_UNWRITABLE', `Cannot write ${this.path}: ${describeErrno(this.failure ?? error, { writing: true })}.`, { cause: error });
  }

  private toCsv(row: ReportRow): string {
    const fixed = [row.file, row.line, row.key ?? '', row.state, row.http_status ?? '', row.errors.join('; ')];
    const fields = this.fieldColumns.map((name) => row.fields[name]);
    return toCsvLine([...fixed, ...fields]);
  }
}

/** One CSV line (CRLF-free LF ending), every cell quoted when needed and neutralised for spreadsheets. */
export function toCsvLine(cells: readonly unknown[]): string {
  return `${cells.map((cell) => quoteCsv(neutraliseFormula(cellText(cell)))).join(',')}\n`;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A cell starting with = + - @ (or a tab / carriage return) would be run as a formula by
 * spreadsheet programs: prefix it with an apostrophe so it is shown as text.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quoteCsv(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function dedupe(names: readonly string[]): string[] {
  return [...new Set(names)];
}

