import { collectPaths, COLUMN_SAMPLE } from './columns.js';
import { SourceDecoder } from './decode.js';
import { fileError, type OpenedFile } from './file.js';
import { RecordText, MAX_RECORD_SIZE, oversizeMessage } from './record-text.js';
import { BatchSource, brokenRecord, encodingProblem, parseJsonRecord } from './source-base.js';
import type { Source, SourceRecord } from './types.js';

const LF = 0x0a;

/**
 * Bytes read per call: 32 KB, so that even a chunk of two-byte text stays under V8's large-object
 * size (128 KB): larger strings go straight to the old generation and pile up there until a full GC.
 */
const LINES_CHUNK = 32 * 1024;

/** Reads JSON Lines chunk by chunk: one object per line, blank lines counted but skipped. */
class JsonlReader {
  private readonly decoder: SourceDecoder;
  private readonly carry: RecordText;
  private position: number;
  private nextLine = 1;
  private recordNo = 0;
  private pendingCr = false;
  private ended = false;

  constructor(
    private readonly input: OpenedFile,
    private readonly limit: number,
  ) {
    this.decoder = new SourceDecoder(input.encoding);
    this.position = input.bomLength;
    this.carry = new RecordText(limit);
  }

  /** The next records (one chunk's worth), or undefined at the end of the file. */
  async next(): Promise<SourceRecord[] | undefined> {
    while (!this.ended) {
      const records = await this.step();
      if (records.length > 0) return records;
    }
    return undefined;
  }

  /** Reads until `count` records (good or broken) are in, or the file ends. */
  async sample(count: number): Promise<SourceRecord[]> {
    const records: SourceRecord[] = [];
    while (records.length < count && !this.ended) records.push(...(await this.step()));
    return records;
  }

  private async step(): Promise<SourceRecord[]> {
    const bytes = await this.input.file.readAt(this.position, LINES_CHUNK);
    const records: SourceRecord[] = [];
    // Closed under us: stop here rather than parse a cut last line
    if (this.input.file.closed) {
      this.ended = true;
      return records;
    }
    this.position += bytes.length;
    this.ended = bytes.length === 0;
    const text = this.decoder.toText(this.ended ? undefined : bytes);
    this.split(text, records);
    return records;
  }

  /**
   * Cuts a chunk at its line breaks (LF, CRLF, and the lone CR of old Mac files); the text after
   * the last one is carried to the next chunk as a piece, never concatenated and re-read.
   */
  private split(text: string, records: SourceRecord[]): void {
    let start = 0;
    // A CR ending the previous chunk may be the first half of a CRLF
    if (this.pendingCr && text.charCodeAt(0) === LF) start = 1;
    this.pendingCr = false;
    // indexOf over LF and CR is several times faster than a regex or a loop over characters
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (lf !== -1 || cr !== -1) {
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      this.endLine(text.slice(start, end), records);
      start = end + 1;
      if (end === cr) {
        if (start === text.length) this.pendingCr = true;
        else if (text.charCodeAt(start) === LF) start += 1;
        cr = text.indexOf('\r', start);
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    }
    const rest = text.slice(start);
    if (!this.ended) this.carry.add(rest);
    else if (rest !== '' || !this.carry.empty) this.endLine(rest, records);
  }

  /** The line ending with `last`: a record, a broken one (over the size limit too), or nothing (blank). */
  private endLine(last: string, records: SourceRecord[]): void {
    const line = this.nextLine++;
    const file = this.input.file.file;
    let text = last;
    // Most lines fit in one chunk and are not carried at all
    if (!this.carry.empty || last.length > this.limit) {
      this.carry.add(last);
      const { over, size } = this.carry;
      text = this.carry.take();
      if (over) {
        records.push(brokenRecord(file, line, ++this.recordNo, text, 'ROW_MALFORMED', oversizeMessage(size, this.limit)));
        return;
      }
    }
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '')) return;
    const record = parseJsonRecord(text, { file, line, recordNo: ++this.recordNo, each: 'each line must hold one object' });
    if (record.problem === undefined && this.decoder.replaced && text.includes('\uFFFD')) record.problem = encodingProblem(this.input.encoding);
    records.push(record);
  }
}

/** Opens JSON Lines (text with several top-level values): samples the first records for columns, streams the rest on demand. */
export async function openJsonl(input: OpenedFile, limit = MAX_RECORD_SIZE): Promise<Source> {
  const reader = new JsonlReader(input, limit);
  const pending = await reader.sample(COLUMN_SAMPLE);
  const file = input.file.file;
  if (pending.length === 0) {
    throw fileError('FILE_EMPTY', 'the source file has no data', 'it holds only blank lines', file, 'export the data again', file);
  }
  const good = pending.filter((record) => record.problem?.code !== 'ROW_MALFORMED');
  if (good.length === 0) {
    // Not one object in the sample: a wrong format, not a hundred bad rows
    const first = pending[0] as SourceRecord;
    const why = `line ${first.line} ${first.problem?.message ?? 'is not a JSON object'}`;
    const todo = 'give one JSON object per line, or one JSON document (an array or an object)';
    throw fileError('HEADER_INVALID', 'the file is not JSON Lines', why, file, todo, file);
  }
  return new BatchSource({
    file: input.file,
    dialect: { format: 'jsonl', encoding: input.encoding },
    columns: collectPaths(good.map((record) => record.fields)),
    columnsComplete: false,
    warnings: input.warnings,
    pending,
    next: () => reader.next(),
  });
}
