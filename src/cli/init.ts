import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { SCHEMA_PATH } from '../mapping/presets.js';
import { describeErrno, ImportError } from '../errors.js';
import { guessMappingForFile } from '../pipeline/init.js';
import { ExitCode } from './exit-codes.js';
import { inputFiles, outputPath } from './load.js';
import type { CliIO } from './io.js';
import { Renderer } from './render.js';

/**
 * `init <file> [--out M]`: writes (or prints) a guessed mapping and says what it mapped and what it
 * left out. Exit 0 when the mapping is complete, 1 when it holds placeholders the user must fill in.
 */
export async function runInit(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const [file] = inputFiles(args.file, io.cwd);
  const out = typeof args.out === 'string' ? outputPath(args.out, io.cwd) : undefined;
  if (out && existsSync(out) && !args.force) {
    throw new ImportError('USAGE', `${args.out} already exists: init does not overwrite it; add --force or choose another --out.`);
  }
  const guess = await guessMappingForFile(file ?? '');
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
  const report = [
    guess.layout ? `Recognised a ${guess.layout} export${guess.preset ? `: using the ${guess.preset} preset.` : '.'}` : 'No known export layout recognised: guessed from the column names.',
    ...guess.mapped.map((line) => `  mapped ${line}`),
    guess.leftOut.length > 0 ? `Left out: ${listNames(guess.leftOut)}.` : 'Every column is used.',
    ...guess.notes.map((note) => `Note: ${note}`),
    ...guess.missing.map((line) => `To do: ${line}`),
    out ? `Wrote ${args.out}. Check it with: reamaze-import validate ${String(args.file)} --mapping ${String(args.out)}` : '',
  ];
  renderer.note(report.filter(Boolean).join('\n'));
  return guess.missing.length === 0 ? ExitCode.OK : ExitCode.ROWS_FAILED;
}

function listNames(names: readonly string[]): string {
  return names.length > 30 ? `${names.slice(0, 30).join(', ')} and ${names.length - 30} more` : names.join(', ');
}
