import { createCsvParser, MAX_RECORD_BYTES, type CsvParser, type PushRow } from './csv.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

// A record scanned gives the index just after its line break, or one of these
const INCOMPLETE = -1; // the text ends before the record does
const IRREGULAR = -2; // the record is not of the common grammar: csv-parse reads it

/**
 * A record still incomplete past this many characters goes to csv-parse, which then reads the
 * rest of the segment and bounds the record by MAX_RECORD_BYTES. A UTF-16 unit is at most 3 bytes
 * of UTF-8, so every record scanned here is well below that limit: csv-parse's size error is never
 * missed.
 */
const HAND_OVER_CHARS = MAX_RECORD_BYTES / 8;

function noop(): void {}

/**
 * Splits CSV text into records: the common grammar here, with indexOf, and everything else by
 * csv-parse, which stays the parser of record. The common grammar is records ended by LF or CRLF
 * whose fields are either unquoted without any quote, CR or LF, or quoted with `""` for a quote
 * and followed at once by the delimiter or the line break. At the first record that is anything
 * else (a quote inside an unquoted field, text after a closing quote, a lone CR, the end of the
 * file, a multi-character delimiter) a fresh csv-parse parser takes over from that record's start
 * with our options: between records csv-parse holds no state, so its records, errors and limits
 * are exactly those of csv-parse reading the whole text. Once it has read at least one record,
 * scanning resumes after the last of them.
 */
export class CsvScanner {
  /** Text not read yet; it starts at a record boundary. */
  private pending = '';
  /** Incomplete records are scanned again once `pending` is this long (doubling keeps it linear). */
  private retryAt = 0;
  /** csv-parse while it reads, with the bytes fed to it since it started. */
  private core: { parser: CsvParser; fed: Buffer[]; bytes: number } | undefined;
  /** True once csv-parse reads the rest of the segment (a huge record, or a multi-character delimiter). */
  private streaming = false;
  private readonly delimiter: number;

  /** `handOverChars`: how long an incomplete record may grow before csv-parse reads the rest (default 4 M). */
  constructor(
    private readonly delimiterText: string,
    private readonly handOverChars = HAND_OVER_CHARS,
  ) {
    this.delimiter = delimiterText.charCodeAt(0);
    if (delimiterText.length !== 1) this.startCore(true);
  }

  /** Pushes every record that `text` completes (`end`: the text is the last), then returns csv-parse's error, if any. */
  parse(text: string, end: boolean, push: PushRow): Error | undefined {
    let input = text;
    for (;;) {
      if (this.core === undefined) {
        const rest = this.scan(input, end, push);
        if (rest === undefined) return undefined;
        this.startCore(false);
        input = rest;
      }
      const { error, rest } = this.feedCore(input, end, push);
      if (error !== undefined || rest === undefined) return error;
      input = rest;
    }
  }

  /** Scans whole records; returns the text csv-parse must read from, or undefined when it waits for more. */
  private scan(text: string, end: boolean, push: PushRow): string | undefined {
    const pending = this.pending + text;
    this.pending = '';
    if (!end && pending.length < this.retryAt) {
      this.pending = pending;
      return undefined;
    }
    const scanner = new RecordScanner(pending, this.delimiter);
    let at = 0;
    let next: number;
    while ((next = scanner.record(at)) >= 0) {
      push(scanner.cells);
      at = next;
    }
    const rest = pending.slice(at);
    if (next === IRREGULAR || end || rest.length > this.handOverChars) return rest;
    this.pending = rest;
    this.retryAt = 2 * rest.length;
    return undefined;
  }

  private startCore(streaming: boolean): void {
    this.core = { parser: createCsvParser(this.delimiterText), fed: [], bytes: 0 };
    this.streaming = streaming;
    this.retryAt = 0;
  }

  /** Feeds csv-parse; once it has read a record, returns the text after the last one for scanning. */
  private feedCore(text: string, end: boolean, push: PushRow): { error?: Error; rest?: string } {
    const core = this.core as NonNullable<CsvScanner['core']>;
    const bytes = Buffer.from(text, 'utf8');
    let lastEnd = -1;
    const rows: string[][] = [];
    const error = core.parser.parse(bytes.length > 0 ? bytes : undefined, end, (cells) => {
      rows.push(cells);
      lastEnd = core.parser.info.bytes;
    }, noop);
    for (const cells of rows) push(cells);
    if (error !== undefined || end || this.streaming) return { error };
    core.fed.push(bytes);
    core.bytes += bytes.length;
    if (lastEnd === -1) {
      // A record this large is left to csv-parse, which bounds it by MAX_RECORD_BYTES
      if (core.bytes > this.handOverChars) {
        this.streaming = true;
        core.fed = [];
      }
      return {};
    }
    // csv-parse holds nothing between records: the text after the last one is scanned afresh
    this.core = undefined;
    const fed = core.fed.length === 1 ? bytes : Buffer.concat(core.fed);
    return { rest: fed.toString('utf8', lastEnd) };
  }
}

/** Finds the records of the common grammar in one text, remembering where the next quote, LF, CR and delimiter are. */
class RecordScanner {
  cells: string[] = [];
  private nextQuote = -1;
  private nextLf = -1;
  private nextCr = -1;
  private nextDelimiter = -1;
  private readonly delimiterText: string;

  constructor(
    private readonly text: string,
    private readonly delimiter: number,
  ) {
    this.delimiterText = String.fromCharCode(delimiter);
  }

  /** Reads the record starting at `start` into `cells`; returns where the next one starts, INCOMPLETE or IRREGULAR. */
  record(start: number): number {
    const text = this.text;
    this.cells = [];
    let at = start;
    for (;;) {
      const end = text.charCodeAt(at) === QUOTE ? this.quoted(at) : this.unquoted(at);
      if (end < 0) return end;
      const after = text.charCodeAt(end);
      if (after === this.delimiter) {
        at = end + 1;
        continue;
      }
      if (after === LF) return end + 1;
      if (after === CR && text.charCodeAt(end + 1) === LF) return end + 2;
      // A CR at the very end may still be followed by LF
      return after === CR && end + 1 >= text.length ? INCOMPLETE : IRREGULAR;
    }
  }

  /** A quoted field from its opening quote; returns the index just after its closing quote. */
  private quoted(open: number): number {
    const text = this.text;
    let value = '';
    let from = open + 1;
    for (;;) {
      const close = text.indexOf('"', from);
      if (close === -1 || close + 1 >= text.length) return INCOMPLETE;
      if (text.charCodeAt(close + 1) !== QUOTE) {
        this.cells.push(value + text.slice(from, close));
        return close + 1;
      }
      value += text.slice(from, close + 1);
      from = close + 2;
    }
  }

  /** An unquoted field; returns the index of the character that ends it (a quote in it makes the record IRREGULAR). */
  private unquoted(start: number): number {
    const text = this.text;
    if (this.nextDelimiter < start) this.nextDelimiter = found(text.indexOf(this.delimiterText, start), text);
    if (this.nextLf < start) this.nextLf = found(text.indexOf('\n', start), text);
    if (this.nextCr < start) this.nextCr = found(text.indexOf('\r', start), text);
    const end = Math.min(this.nextDelimiter, this.nextLf, this.nextCr);
    if (this.nextQuote < start) this.nextQuote = found(text.indexOf('"', start), text);
    if (this.nextQuote < end) return IRREGULAR;
    if (end === text.length) return INCOMPLETE;
    this.cells.push(text.slice(start, end));
    return end;
  }
}

/** An indexOf result, with "not found" as the text's length (past every real index). */
function found(index: number, text: string): number {
  return index === -1 ? text.length : index;
}
