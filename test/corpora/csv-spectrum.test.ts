import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAll } from '../unit/source/helpers.js';
import { CORPORA } from './corpora-path.js';

const corpus = path.join(CORPORA, 'csv-edge-cases/csv-spectrum');
// readdirSync throws when the corpus is missing, so the suite fails instead of skipping
const names = readdirSync(path.join(corpus, 'csvs'))
  .filter((name) => name.endsWith('.csv'))
  .map((name) => name.slice(0, -'.csv'.length))
  .sort();

/**
 * Upstream's location_coordinates.json does not match its CSV (phone 1234567890 vs 2095257564),
 * reported as max-mapper/csv-spectrum#20; the CSV is the input, so the CSV's value is expected.
 */
const upstreamFixes: Record<string, Record<string, string>> = {
  location_coordinates: { 'Contact Phone Number': '2095257564' },
};

function expected(name: string): Record<string, string>[] {
  const parsed = JSON.parse(readFileSync(path.join(corpus, 'json', `${name}.json`), 'utf8')) as unknown;
  const rows = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, string>[];
  return rows.map((row) => ({ ...row, ...upstreamFixes[name] }));
}

describe('csv-spectrum', () => {
  it('has all twelve cases', () => {
    expect(names).toHaveLength(12);
  });

  it.each(names)('%s parses to its JSON', async (name) => {
    const { records } = await readAll(path.join(corpus, 'csvs', `${name}.csv`));
    expect(records.map((record) => record.fields)).toEqual(expected(name));
    expect(records.every((record) => record.problem === undefined)).toBe(true);
  });

  it('keeps the literal U+FFFD of location_coordinates without calling it an encoding error', async () => {
    const { records } = await readAll(path.join(corpus, 'csvs', 'location_coordinates.csv'));
    expect(records[0]?.fields['Location Coordinates']).toBe('37\uFFFD36\'37.8"N 121\uFFFD2\'17.9"W');
  });
});
