import { SourceDecoder } from './decode.js';
import type { OpenedFile } from './file.js';
import { JsonScanner, type Frame, type ScanHandler } from './json-scan.js';
import type { RecordsAt } from './json-survey.js';
import { oversizeMessage, RecordText } from './record-text.js';
import { brokenRecord, encodingProblem, parseJsonRecord } from './source-base.js';
import type { SourceRecord } from './types.js';

/**
 * The second pass over a document whose structure the first pass checked: it cuts out the text of
 * each record (an element of the target array, or the single target object), keeping one record's
 * text at a time, and parses each on its own so a bad one is one broken record.
 */
export class RecordReader implements ScanHandler {
  private readonly scanner: JsonScanner;
  private readonly decoder: SourceDecoder;
  private readonly file: string;
  private readonly out: SourceRecord[] = [];
  private readonly chunkSize: number;
  private position: number;
  private ended = false;
  private target: Frame | undefined;
  /** The text of the record being cut out, while one is (undefined between records). */
  private parts: RecordText | undefined;
  private readonly limit: number;
  private from = 0;
  private line = 0;
  private recordNo = 0;

  constructor(
    private readonly input: OpenedFile,
    private readonly found: RecordsAt,
    sizes: { chunkSize: number; limit: number },
  ) {
    this.chunkSize = sizes.chunkSize;
    this.limit = sizes.limit;
    this.scanner = new JsonScanner(found.path, this);
    this.decoder = new SourceDecoder(input.encoding);
    this.position = input.bomLength;
    this.file = input.file.file;
  }

  /** Bytes of the file this pass has read (for progress). */
  bytesRead(): number {
    return this.position;
  }

  /** The next records (one chunk's worth), or undefined at the end of the records. */
  async next(): Promise<SourceRecord[] | undefined> {
    while (!this.ended && this.out.length === 0) await this.step();
    return this.out.length === 0 ? undefined : this.out.splice(0);
  }

  /** Reads until `count` records (good or broken) are in, or the records end. */
  async sample(count: number): Promise<SourceRecord[]> {
    while (!this.ended && this.out.length < count) await this.step();
    return this.out.splice(0);
  }

  private async step(): Promise<void> {
    const bytes = await this.input.file.readAt(this.position, this.chunkSize);
    // An empty read is the end, or a close under us: either way nothing more is handed out
    if (bytes.length === 0) {
      this.ended = true;
      this.scanner.feed(this.decoder.toText(undefined));
      return;
    }
    this.position += bytes.length;
    this.scanner.feed(this.decoder.toText(bytes));
  }

  value(depth: number, parent: Frame | undefined, _code: number, at: number, opened: Frame | undefined): void {
    if (this.target === undefined) {
      if (depth !== this.found.path.length) return;
      this.target = opened;
      if (this.found.single) this.start(at);
    } else if (parent === this.target && !this.found.single) {
      this.start(at);
    }
  }

  key(): void {}

  comma(frame: Frame, at: number): void {
    if (frame === this.target && !this.found.single && this.parts !== undefined) this.cut(at);
  }

  close(frame: Frame, at: number): void {
    if (frame !== this.target) return;
    if (this.parts !== undefined) this.cut(this.found.single ? at + 1 : at);
    this.ended = true;
    this.scanner.stop();
  }

  chunkEnd(text: string): void {
    if (this.parts === undefined) return;
    this.parts.add(text.slice(this.from));
    this.from = 0;
  }

  another(): void {}

  private start(at: number): void {
    this.parts = new RecordText(this.limit);
    this.from = at;
    this.line = this.scanner.lineAt(at);
  }

  private cut(end: number): void {
    const parts = this.parts ?? new RecordText(this.limit);
    parts.add(this.scanner.chunk.slice(this.from, end));
    this.parts = undefined;
    const { over, size } = parts;
    this.out.push(this.toRecord(parts.take(), over ? size : undefined));
  }

  /** The record of `text`; broken when it was over the size limit (`oversize`: its whole length). */
  private toRecord(text: string, oversize: number | undefined): SourceRecord {
    const recordNo = ++this.recordNo;
    if (oversize !== undefined) return brokenRecord(this.file, this.line, recordNo, text.trim(), 'ROW_MALFORMED', oversizeMessage(oversize, this.limit));
    const record = parseJsonRecord(text, { file: this.file, line: this.line, recordNo, each: 'each record must be an object' });
    if (record.problem === undefined && this.decoder.replaced && text.includes('\uFFFD')) record.problem = encodingProblem(this.input.encoding);
    return record;
  }
}
