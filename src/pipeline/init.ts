import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileMapping, parseMapping } from '../mapping/compile.js';
import { findUnknownColumns } from '../mapping/unknown-columns.js';
import { guessMapping, type GuessResult, type PresetCandidate } from '../mapping/guess.js';
import { listPresets, PRESETS_DIR } from '../mapping/presets.js';
import { openSource } from '../source/index.js';
import type { SourceOptions } from '../source/types.js';

/** How many records `init` looks at to guess separators, status words and e-mail columns. */
const SAMPLE_SIZE = 200;

/** Reads the header and the first records of `file` and guesses a mapping for it. */
export async function guessMappingForFile(file: string, options: SourceOptions = {}): Promise<GuessResult & { file: string }> {
  const source = await openSource(file, options);
  const sample: Record<string, unknown>[] = [];
  try {
    for await (const record of source.records()) {
      if (!record.problem) sample.push(record.fields);
      if (sample.length >= SAMPLE_SIZE) break;
    }
  } finally {
    await source.close();
  }
  const guess = guessMapping(source.columns, sample, source.dialect, await loadPresets());
  const warnings = source.warnings.map((warning) => `${file}: ${warning}`);
  return { ...guess, notes: [...warnings, ...guess.notes], file };
}

async function loadPresets(): Promise<PresetCandidate[]> {
  return Promise.all(
    listPresets().map(async (name) => {
      const path = join(PRESETS_DIR, `${name}.json`);
      const spec = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      const mapping = compileMapping(parseMapping(spec, path));
      const fields = mapping.references.filter((reference) => !reference.at.startsWith('messages.') || reference.at === 'messages.from');
      return {
        name, spec, fields: [...new Set(fields.map((reference) => reference.field))],
        fits: (columns: readonly string[]) => findUnknownColumns(mapping, columns).length === 0,
      };
    }),
  );
}
