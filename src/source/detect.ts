import { fileError } from './file.js';
import { normalizeEncoding } from './decode.js';

/** How many bytes at the start of a file are inspected for NUL bytes. */
const BINARY_PROBE = 8 * 1024;
/** How many records of the sample decide the delimiter. */
const DELIMITER_RECORDS = 100;
/** The delimiters tried, in order of preference when the evidence is equal. */
const DELIMITERS = [',', ';', '\t', '|'] as const;

/** What was decided about a file's bytes: how to decode them and where the text starts. */
export interface EncodingGuess {
  /** The WHATWG encoding name. */
  encoding: string;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  /** Set when the BOM overrides `source.encoding`. */
  warning?: string;
}

const BOMS: readonly [string, readonly number[]][] = [
  ['utf-8', [0xef, 0xbb, 0xbf]],
  ['utf-16le', [0xff, 0xfe]],
  ['utf-16be', [0xfe, 0xff]],
];

function readBom(sample: Buffer): [string, number] | undefined {
  for (const [encoding, bytes] of BOMS) {
    if (bytes.every((byte, i) => sample[i] === byte)) return [encoding, bytes.length];
  }
  return undefined;
}

/** Guesses BOM-less UTF-16 from where the NUL bytes sit: ASCII text has one NUL per 2-byte unit. */
function guessUtf16(sample: Buffer): string | 'binary' | undefined {
  const length = Math.min(sample.length, BINARY_PROBE) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < length; i++) {
    if (sample[i] === 0) {
      if (i & 1) odd++;
      else even++;
    }
  }
  if (even + odd === 0) return undefined;
  const units = length / 2;
  if (odd >= units * 0.1 && even <= odd * 0.01) return 'utf-16le';
  if (even >= units * 0.1 && odd <= even * 0.01) return 'utf-16be';
  return 'binary';
}

function notText(file: string): Error {
  return fileError(
    'FILE_NOT_TEXT',
    'the source file is not text',
    `it has NUL bytes in its first ${BINARY_PROBE / 1024} KB`,
    file,
    'give a CSV, JSON or JSONL export (not a spreadsheet, archive or database file)',
    file,
  );
}

/** Decides the encoding from a BOM, `source.encoding`, or the NUL pattern; refuses binary files. */
export function detectEncoding(sample: Buffer, requested: string | undefined, file: string): EncodingGuess {
  const wanted = requested === undefined ? undefined : normalizeEncoding(requested, file);
  const bom = readBom(sample);
  if (bom !== undefined) {
    const [encoding, bomLength] = bom;
    // A BOM is unambiguous; a preset's encoding is often just stale for a newer export
    if (wanted === undefined || wanted === encoding) return { encoding, bomLength };
    const warning = `starts with a ${encoding} byte-order mark, so it is read as ${encoding}, not ${wanted} as source.encoding says`;
    return { encoding, bomLength, warning };
  }
  if (wanted?.startsWith('utf-16')) return { encoding: wanted, bomLength: 0 };
  const guess = guessUtf16(sample);
  if (guess === 'binary' || (guess !== undefined && wanted !== undefined)) throw notText(file);
  return { encoding: wanted ?? guess ?? 'utf-8', bomLength: 0 };
}

/** Counts `delimiter` outside quotes in each record of `text` (quote-aware, blank lines left out). */
export function countPerRecord(text: string, delimiter: string, complete: boolean): number[] {
  const counts: number[] = [];
  let count = 0;
  let quoted = false;
  let fieldStart = true;
  let content = false;
  for (let i = 0; i < text.length && counts.length < DELIMITER_RECORDS; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
    } else if (char === '\n' || char === '\r') {
      if (content) counts.push(count);
      count = 0;
      content = false;
      fieldStart = true;
    } else {
      content = true;
      // As in csv-parse with relax_quotes: a quote opens a quoted field only at the field's start
      if (char === '"' && fieldStart) quoted = true;
      fieldStart = char === delimiter;
      if (fieldStart) count++;
    }
  }
  // The sample may end inside a record; use that partial record only when it is all there is
  if (content && (complete || counts.length === 0)) counts.push(count);
  return counts;
}

/** Picks among `,` `;` TAB `|` the delimiter whose count per record is most consistent and non-zero. */
export function detectDelimiter(text: string, complete: boolean): string {
  let best: string = DELIMITERS[0];
  let bestScore = 0;
  for (const delimiter of DELIMITERS) {
    const counts = countPerRecord(text, delimiter, complete);
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const consistent = counts.filter((count) => count === header).length / counts.length;
    // Consistency decides; the number of columns only breaks ties
    const score = consistent * 10_000 + Math.min(header, 9_999);
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}
