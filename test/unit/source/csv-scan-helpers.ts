import { expect } from 'vitest';
import { createCsvParser } from '../../../src/source/csv.js';
import { CsvScanner } from '../../../src/source/csv-scan.js';

interface Parsed {
  rows: string[][];
  error: string | undefined;
}

function codeOf(error: Error | undefined): string | undefined {
  return error === undefined ? undefined : ((error as { code?: string }).code ?? error.message);
}

/** csv-parse alone, on the whole text as UTF-8: the reference. */
export function parseWithCsvParse(text: string, delimiter: string): Parsed {
  const rows: string[][] = [];
  const error = createCsvParser(delimiter).parse(Buffer.from(text, 'utf8'), true, (cells) => rows.push(cells), () => {});
  return { rows, error: codeOf(error) };
}

/** The scanner, fed `text` cut at `cuts` (text positions, never inside a surrogate pair), then ended; stops at the first error. */
export function parseWithScanner(text: string, delimiter: string, cuts: readonly number[], handOverChars?: number): Parsed {
  const scanner = new CsvScanner(delimiter, handOverChars);
  const rows: string[][] = [];
  const push = (cells: string[]) => rows.push(cells);
  const places = [...new Set(cuts.map((cut) => Math.min(cut, text.length)).filter((cut) => !splitsPair(text, cut)))].sort((a, b) => a - b);
  let from = 0;
  for (const cut of places) {
    const error = scanner.parse(text.slice(from, cut), false, push);
    if (error !== undefined) return { rows, error: codeOf(error) };
    from = cut;
  }
  return { rows, error: codeOf(scanner.parse(text.slice(from), true, push)) };
}

function splitsPair(text: string, cut: number): boolean {
  const code = text.charCodeAt(cut - 1);
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Asserts the scanner gives csv-parse's records and error for every set of cuts (the reference is
 * parsed once); `alter` spoils the scanner's rows, to show the check can fail.
 */
export function scanAgainstCsvParse(text: string, delimiter: string, cutSets: readonly (readonly number[])[], handOverChars?: number, alter?: (rows: string[][]) => string[][]): void {
  const expected = parseWithCsvParse(text, delimiter);
  const reference = JSON.stringify(expected);
  for (const cuts of cutSets) {
    const actual = parseWithScanner(text, delimiter, cuts, handOverChars);
    if (alter) actual.rows = alter(actual.rows);
    // Compared as JSON first: building a message for each of thousands of equal results is slow
    if (JSON.stringify(actual) !== reference) expect(actual, `${JSON.stringify(text.slice(0, 2000))} cut at ${JSON.stringify(cuts)}`).toEqual(expected);
  }
}

/** A small seeded generator (LCG), so a failing case can be replayed. */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}
