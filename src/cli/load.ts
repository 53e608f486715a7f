import { compileMapping, loadMapping } from '../mapping/compile.js';
import { describeMissingMapping, resolveMappingPath } from '../mapping/presets.js';
import type { CompiledMapping } from '../mapping/types.js';
import { ImportError } from '../errors.js';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Loads `--mapping` (a path or a preset name) and compiles it; errors name the file and the JSON path. */
export async function loadCompiledMapping(argument: string, cwd: string): Promise<CompiledMapping> {
  const path = resolveMappingPath(argument, cwd);
  if (!existsSync(path)) throw new ImportError('MAPPING_UNREADABLE', describeMissingMapping(argument, path), { file: path });
  return compileMapping(await loadMapping(path));
}

/** The input files as the user typed them (so messages name them that way), resolved only against a foreign `cwd`. */
export function inputFiles(files: unknown, cwd: string): string[] {
  const list = Array.isArray(files) ? files.map(String) : [String(files)];
  return list.map((file) => (isAbsolute(file) || cwd === process.cwd() ? file : resolve(cwd, file)));
}

/** The `--messages` files of a relational export (none when not given). */
export function messageFiles(args: Record<string, unknown>, cwd: string): string[] {
  return args.messages === undefined ? [] : inputFiles(args.messages, cwd);
}

/** The `--lookup name=file` options: each lookup's file (USAGE for a malformed one or a name given twice). */
export function lookupFiles(args: Record<string, unknown>, cwd: string): Record<string, string> {
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const item of [args.lookup ?? []].flat().map(String)) {
    const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(item);
    if (!match) throw new ImportError('USAGE', `--lookup ${item}: write name=file, e.g. --lookup users=users.json.`);
    const [, name, file] = match as unknown as [string, string, string];
    if (Object.hasOwn(files, name)) throw new ImportError('USAGE', `--lookup ${name} is given twice: give each lookup one file.`);
    files[name] = inputFiles(file, cwd)[0]!;
  }
  return files;
}

/** An output path resolved against `cwd`. */
export function outputPath(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** Refuses an output path that is one of the inputs (the same file, by device and inode): writing it would destroy the export. */
export function refuseOverwritingInputs(output: string, option: string, inputs: readonly string[], cwd: string): void {
  const target = identity(outputPath(output, cwd));
  if (!target) return;
  const clash = inputs.find((input) => identity(outputPath(input, cwd)) === target);
  if (clash) {
    throw new ImportError('USAGE', `${option} ${output} is ${clash}, an input of this command: writing it would destroy it; choose another path.`);
  }
}

function identity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}
