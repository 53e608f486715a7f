import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { SCHEMA_PATH } from '../mapping/presets.js';
import { describeErrno, ImportError } from '../errors.js';
import { guessMappingForFile } from '../pipeline/init.js';
import { ExitCode } from './exit-codes.js';
import { inputFiles, outputPath } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, quoteArg, Renderer } from './render.js';
import type { GuessResult } from '../mapping/guess.js';

/**
 * `init <file> [--out M]`: writes (or prints) a guessed mapping and says what it mapped and what it
 * left out. Exit 0 when the mapping is complete, 1 when it holds placeholders the user must fill in.
 */
export async function runInit(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const files = inputFiles(args.files, io.cwd);
  const out = typeof args.out === 'string' ? outputPath(args.out, io.cwd) : undefined;
  if (out && existsSync(out) && !args.force) {
    throw new ImportError('USAGE', `${args.out} already exists: init does not overwrite it; add --force or choose another --out.`);
  }
  const guess = await guessMappingForFile(files);
  // `$schema` (relative to the mapping file) gives editors completion and checking.
  const schema = out ? { $schema: relative(dirname(out), SCHEMA_PATH) } : {};
  const { $schema: _presetSchema, ...spec } = guess.spec;
  const text = `${JSON.stringify({ ...schema, ...spec }, null, 2)}\n`;
  if (out) {
    await writeFile(out, text).catch((error: unknown) => {
      throw new ImportError('OUTPUT_UNWRITABLE', `Cannot write ${args.out}: ${describeErrno(error, { writing: true })}.`);
    });
  } else {
    renderer.result(text);
  }
  const typed = (Array.isArray(args.files) ? args.files : [args.files]).map(String).map(quoteArg);
  const validate = ['reamaze-import validate', ...typed, '--mapping', String(args.out ?? 'mapping.json'), ...guess.args.map(quoteArg)].join(' ');
  const report = [
    describeLayout(guess),
    ...guess.mapped.map((line) => `  mapped ${line}`),
    ...(guess.statuses.length > 0 ? ['Status values:', ...guess.statuses.map((line) => `  ${line}`)] : []),
    guess.leftOut.length > 0
      ? `Left out (they hold values; validate counts them as unused until the mapping reads them or lists them in source.ignore): ${listNames(guess.leftOut.map(([name, rows]) => `${name} (${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'})`))}.`
      : 'Every column that holds values is used.',
    guess.emptyColumns.length > 0 ? `Empty in every row: ${listNames(guess.emptyColumns)}.` : '',
    ...guess.notes.map((note) => `Note: ${note}`),
    ...guess.missing.map((line) => `To do: ${line}`),
    guess.args.length > 0 ? `Give the files beside it too: ${guess.args.map(quoteArg).join(' ')}` : '',
    out ? `Wrote ${args.out}. Check it with: ${validate}` : `Check it with: ${validate}`,
  ];
  renderer.note(report.filter(Boolean).join('\n'));
  return guess.missing.length === 0 ? ExitCode.OK : ExitCode.ROWS_FAILED;
}

function describeLayout(guess: GuessResult): string {
  if (guess.layout === undefined) return 'No known export layout recognised: guessed from the column names and values.';
  if (guess.preset === undefined) return `Recognised a ${guess.layout} export.`;
  return guess.adapted
    ? `Recognised a ${guess.layout} export: using the ${guess.preset} preset, without what this export lacks.`
    : `Recognised a ${guess.layout} export: using the ${guess.preset} preset.`;
}

function listNames(names: readonly string[]): string {
  return names.length > 30 ? `${names.slice(0, 30).join(', ')} and ${names.length - 30} more` : names.join(', ');
}
