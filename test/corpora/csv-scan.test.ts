import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding } from '../../src/source/detect.js';
import { parseWithCsvParse, scanAgainstCsvParse, seeded } from '../unit/source/csv-scan-helpers.js';
import { CORPORA } from './corpora-path.js';

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// Read at collection time: a missing corpus must fail the suite, not quietly run no test.
const files = walk(CORPORA).sort();

/** The file as the CSV reader decodes it: its encoding, without its BOM. */
function decoded(file: string): string {
  const bytes = readFileSync(file);
  const { encoding, bomLength } = detectEncoding(bytes.subarray(0, 64 * 1024), undefined, file);
  return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes.subarray(bomLength));
}

describe('the CSV scanner gives csv-parse\'s records and errors on every file of the corpora', () => {
  it('finds the corpora', () => {
    expect(files.length).toBeGreaterThan(200);
  });

  it.each(files.map((file) => [relative(CORPORA, file), file]))('%s', (_name, file) => {
    const text = decoded(file);
    const random = seeded(text.length);
    for (const delimiter of new Set([detectDelimiter(text, true), ','])) {
      // Whole, in 64 KB pieces as the reader reads, at random places, and (small files) at every place
      const cutSets: number[][] = [[], Array.from({ length: Math.floor(text.length / 65536) }, (_, i) => (i + 1) * 65536)];
      for (let round = 0; round < 12; round++) cutSets.push(Array.from({ length: 3 }, () => Math.floor(random() * (text.length + 1))).sort((a, b) => a - b));
      if (text.length <= 1024) for (let cut = 0; cut <= text.length; cut++) cutSets.push([cut]);
      scanAgainstCsvParse(text, delimiter, cutSets);
      // A small hand-over size sends every long record through csv-parse's own path
      scanAgainstCsvParse(text, delimiter, cutSets.slice(0, 6), 16);
      expect(parseWithCsvParse(text, delimiter).rows.length).toBeGreaterThan(text.trim() === '' ? -1 : 0);
    }
  });
});
