import { CHUNK_SIZE, type SourceFile } from './file.js';

const LF = 0x0a;
const CR = 0x0d;

/** Counts the line breaks in a string, as a physical line counter sees them: CRLF once, a lone CR or LF once. */
export function countBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/** True when a string has any line break, checked before counting because most cells have none. */
export function hasBreak(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1;
}

/** Where one physical line sits in a file, in bytes. */
export interface LineSpan {
  /** First byte of the line. */
  start: number;
  /** The byte just after its text (its line break starts here). */
  end: number;
  /** First byte of the next line (the file size at the end). */
  next: number;
}

/** How text units are laid out in bytes: 1 for UTF-8 and single-byte encodings, 2 for UTF-16. */
export interface ByteLayout {
  unit: 1 | 2;
  bigEndian: boolean;
}

/** The byte layout of an encoding, for finding line breaks in raw bytes. */
export function layoutOf(encoding: string): ByteLayout {
  if (encoding === 'utf-16le') return { unit: 2, bigEndian: false };
  if (encoding === 'utf-16be') return { unit: 2, bigEndian: true };
  // In UTF-8 and the legacy encodings TextDecoder knows, bytes 0x0A/0x0D are always LF/CR
  return { unit: 1, bigEndian: false };
}

/** Walks line breaks from a known (offset, line) until it has seen the whole target line. */
class LineWalker {
  private line: number;
  private start = -1;
  private pendingCr = -1;
  span: LineSpan | undefined;

  constructor(
    line: number,
    offset: number,
    private readonly target: number,
  ) {
    this.line = line;
    if (line === target) this.start = offset;
  }

  /** Feeds one text unit at byte `at`; `size` is the unit's byte length. */
  unit(code: number, at: number, size: number): void {
    if (this.pendingCr !== -1) {
      const cr = this.pendingCr;
      this.pendingCr = -1;
      this.lineBreak(cr, code === LF ? at + size : at);
      if (code === LF || this.span) return;
    }
    if (code === LF) this.lineBreak(at, at + size);
    else if (code === CR) this.pendingCr = at;
  }

  /** Ends the walk at end of file `size`. */
  finish(size: number, unitSize: number): LineSpan {
    if (this.pendingCr !== -1 && !this.span) this.lineBreak(this.pendingCr, this.pendingCr + unitSize);
    if (this.span) return this.span;
    const start = this.start === -1 ? size : this.start;
    return { start, end: size, next: size };
  }

  private lineBreak(at: number, next: number): void {
    if (this.start !== -1) {
      this.span = { start: this.start, end: at, next };
      return;
    }
    this.line++;
    if (this.line === this.target) this.start = next;
  }
}

/**
 * Finds physical line `target` by scanning forward from a place whose line number is known (the
 * start of the current parser segment), so recovering from a bad row never re-reads the whole file.
 */
export async function locateLine(
  file: SourceFile,
  from: { offset: number; line: number },
  target: number,
  layout: ByteLayout,
): Promise<LineSpan> {
  const walker = new LineWalker(from.line, from.offset, target);
  const { unit, bigEndian } = layout;
  for (let offset = from.offset; offset < file.size; ) {
    const bytes = await file.readAt(offset, CHUNK_SIZE);
    if (bytes.length < unit) break;
    const usable = bytes.length - (bytes.length % unit);
    for (let i = 0; i < usable && !walker.span; i += unit) {
      const code = unit === 1 ? (bytes[i] as number) : bytes.readUInt16LE(i);
      walker.unit(unit === 2 && bigEndian ? ((code & 0xff) << 8) | (code >> 8) : code, offset + i, unit);
    }
    if (walker.span) return walker.span;
    offset += usable;
  }
  return walker.finish(file.size, unit);
}
