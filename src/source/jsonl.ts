import { collectPaths, COLUMN_SAMPLE } from './columns.js';
import { SourceDecoder } from './decode.js';
import { CHUNK_SIZE, fileError, type OpenedFile } from './file.js';
import { BatchSource, encodingProblem, parseJsonRecord } from './source-base.js';
import type { Source, SourceRecord } from './types.js';

/** Reads JSON Lines chunk by chunk: one object per line, blank lines counted but skipped. */
class JsonlReader {
  private readonly decoder: SourceDecoder;
  private position: number;
  private nextLine = 1;
  private recordNo = 0;
  private carry = '';
  private pendingCr = false;
  private ended = false;

  constructor(private readonly input: OpenedFile) {
    this.decoder = new SourceDecoder(input.encoding);
    this.position = input.bomLength;
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
    const bytes = await this.input.file.readAt(this.position, CHUNK_SIZE);
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

  private split(text: string, records: SourceRecord[]): void {
    let start = 0;
    // A CR ending the previous chunk may be the first half of a CRLF
    if (this.pendingCr && text.charCodeAt(0) === 0x0a) start = 1;
    this.pendingCr = false;
    // indexOf over LF is several times faster than a regex; lone CRs are split out afterwards
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      const cut = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
      this.lines(this.carry + text.slice(start, cut), records);
      this.carry = '';
      start = end + 1;
    }
    const rest = this.carry + text.slice(start);
    this.carry = '';
    if (this.ended) {
      if (rest !== '') this.lines(rest, records);
    } else if (rest.endsWith('\r')) {
      this.pendingCr = true;
      this.lines(rest.slice(0, -1), records);
    } else {
      this.carry = rest;
    }
  }

  /** One LF-terminated line, which may still hold lone CRs (old Mac endings; JSON strings cannot hold a raw CR). */
  private lines(text: string, records: SourceRecord[]): void {
    if (text.indexOf('\r') === -1) this.line(text, records);
    else for (const part of text.split(/\r\n?/)) this.line(part, records);
  }

  private line(text: string, records: SourceRecord[]): void {
    const line = this.nextLine++;
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '')) return;
    const file = this.input.file.file;
    const record = parseJsonRecord(text, { file, line, recordNo: ++this.recordNo, each: 'each line must hold one object' });
    if (record.problem === undefined && this.decoder.replaced && text.includes('\uFFFD')) record.problem = encodingProblem(this.input.encoding);
    records.push(record);
  }
}

/** Opens JSON Lines (text with several top-level values): samples the first records for columns, streams the rest on demand. */
export async function openJsonl(input: OpenedFile): Promise<Source> {
  const reader = new JsonlReader(input);
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
