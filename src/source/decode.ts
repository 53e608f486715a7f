import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { fileError } from './file.js';

const EMPTY = Buffer.alloc(0);

/** The WHATWG name of an encoding label (`latin1` → `windows-1252`), or a FILE_UNREADABLE error. */
export function normalizeEncoding(label: string, file: string): string {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    throw fileError(
      'FILE_UNREADABLE',
      'cannot read the source file',
      `"${label}" is not a known encoding (source.encoding)`,
      file,
      'use a label such as utf-8, windows-1252, latin1 or utf-16le',
      file,
    );
  }
}

/** How many leading bytes of `data` end on a UTF-8 character boundary (a cut sequence is left out). */
function completeLength(data: Buffer): number {
  const length = data.length;
  for (let back = 1; back <= Math.min(3, length); back++) {
    const byte = data[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return length;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back < needed ? length - back : length;
  }
  return length;
}

/**
 * Turns a file's bytes into text, chunk by chunk, and remembers whether any input had to be
 * replaced by U+FFFD. UTF-8 input is validated apart, so that a literal U+FFFD in it is no error.
 */
export class SourceDecoder {
  /** True once some input was not valid in `encoding` (decoding is never fatal). */
  replaced = false;
  private readonly decoder: TextDecoder;
  private readonly utf8: boolean;
  private carry: Buffer = EMPTY;

  constructor(readonly encoding: string) {
    // BOMs are skipped by byte offset, so a restart in the middle of the file decodes the same way
    this.decoder = new TextDecoder(encoding, { ignoreBOM: true });
    this.utf8 = this.decoder.encoding === 'utf-8';
  }

  /** The next chunk as text; `undefined` input ends the stream. */
  toText(bytes: Buffer | undefined): string {
    if (this.utf8) this.check(bytes);
    // Always stream: true: Node 20's one-shot path decodes windows-1252 as plain latin1 (0x80 ≠ €)
    const text = bytes === undefined ? this.decoder.decode() : this.decoder.decode(bytes, { stream: true });
    if (!this.utf8 && !this.replaced && text.includes('\uFFFD')) this.replaced = true;
    return text;
  }

  /** Validates UTF-8 across chunk boundaries; only a real decoding error sets `replaced`. */
  private check(bytes: Buffer | undefined): void {
    if (this.replaced) return;
    if (bytes === undefined) {
      this.replaced = this.carry.length > 0;
      return;
    }
    const data = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    const cut = completeLength(data);
    if (!isUtf8(data.subarray(0, cut))) this.replaced = true;
    this.carry = cut === data.length ? EMPTY : Buffer.from(data.subarray(cut));
  }
}
