import { RAW_LIMIT } from './source-base.js';

/**
 * The most text one record may take: 64 MB (counted in characters). A longer one is one broken
 * row naming its line, and reading goes on with the next record. Past this, parsing it would need
 * hundreds of megabytes, and a record this long is a broken export rather than a ticket.
 */
export const MAX_RECORD_SIZE = 64 * 1024 * 1024;

/** "64 MB", or "1,000 characters" for a limit under a megabyte (tests set small ones). */
export function describeSize(size: number): string {
  return size >= 1024 * 1024 ? `${Math.floor(size / (1024 * 1024))} MB` : `${size.toLocaleString('en-US')} characters`;
}

/** The message of a record over the limit. */
export function oversizeMessage(size: number, limit: number): string {
  return `the record is ${describeSize(size)} long, over the ${describeSize(limit)} one record may take: shorten or split it in the export, or leave it out`;
}

/**
 * The text of one record as it arrives in pieces (chunk by chunk): kept as a list and joined once,
 * when the record ends, so a long record costs time in proportion to its length. Past `limit`,
 * only its first `RAW_LIMIT` characters are kept, for the broken row's `raw`.
 */
export class RecordText {
  private parts: string[] = [];
  /** Characters of the record so far, kept or not. */
  size = 0;

  constructor(private readonly limit: number) {}

  /** True while nothing is held. */
  get empty(): boolean {
    return this.size === 0;
  }

  /** True once the record is longer than the limit. */
  get over(): boolean {
    return this.size > this.limit;
  }

  /** Adds the next piece. */
  add(piece: string): void {
    if (piece === '') return;
    const wasOver = this.over;
    this.size += piece.length;
    if (!this.over) this.parts.push(piece);
    // One character past what a broken row shows, so it is shown as cut (…)
    else if (!wasOver) this.parts = [this.parts.join('').concat(piece).slice(0, RAW_LIMIT + 1)];
  }

  /** The whole text (or, over the limit, its head), and starts afresh. */
  take(): string {
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
    this.parts = [];
    this.size = 0;
    return text;
  }
}
