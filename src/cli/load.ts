import { compileMapping, loadMapping } from '../mapping/compile.js';
import { describeMissingMapping, resolveMappingPath } from '../mapping/presets.js';
import type { CompiledMapping } from '../mapping/types.js';
import { describeErrno, ImportError } from '../errors.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';

/** Loads `--mapping` (a path or a preset name) and compiles it; errors name the file and the JSON path. */
export async function loadCompiledMapping(argument: string, cwd: string): Promise<CompiledMapping> {
  const path = resolveMappingPath(argument, cwd);
  if (!existsSync(path)) throw new ImportError('MAPPING_UNREADABLE', describeMissingMapping(argument, path), { file: path });
  return compileMapping(await loadMapping(path));
}

/** The extensions of the files a folder given as an input stands for. */
const INPUT_EXTENSIONS = ['.json', '.jsonl', '.ndjson', '.csv'];

/**
 * The input files as the user typed them (so messages name them that way), resolved only against a
 * foreign `cwd`; a folder stands for its export files, in name order (USAGE when it holds none).
 */
export function inputFiles(files: unknown, cwd: string): string[] {
  const list = Array.isArray(files) ? files.map(String) : [String(files)];
  return list.flatMap((file) => {
    const path = typedPath(file, cwd);
    return isFolder(outputPath(path, cwd)) ? folderFiles(path, cwd) : [path];
  });
}

/** The `--messages` files of a relational export (none when not given); a folder stands for its files, as for the inputs. */
export function messageFiles(args: Record<string, unknown>, cwd: string): string[] {
  return args.messages === undefined ? [] : inputFiles(args.messages, cwd);
}

/** A path as typed, resolved only against a `cwd` that is not the process's. */
function typedPath(file: string, cwd: string): string {
  return isAbsolute(file) || cwd === process.cwd() ? file : resolve(cwd, file);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Missing or unreadable: the source says why when it opens the path.
    return false;
  }
}

/** An export file's name: one of the input extensions, not hidden (macOS leaves `._1.json` copies beside the real ones). */
function isExportName(name: string): boolean {
  return !name.startsWith('.') && INPUT_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Names as a file manager lists them: `2.json` before `10.json`. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

/** The CSV, JSON, JSONL and NDJSON files directly in `folder` (not hidden ones), in name order. */
function folderFiles(folder: string, cwd: string): string[] {
  let names: string[];
  try {
    names = readdirSync(outputPath(folder, cwd)).filter(isExportName);
  } catch (error) {
    throw new ImportError('FILE_UNREADABLE', `Cannot list the folder ${folder}: ${describeErrno(error)}.`, { file: folder });
  }
  const files = names.sort(byName).map((name) => join(folder, name)).filter((file) => !isFolder(outputPath(file, cwd)));
  if (files.length === 0) {
    throw new ImportError('USAGE', `The folder ${folder} holds no ${INPUT_EXTENSIONS.slice(0, -1).join(', ')} or ${INPUT_EXTENSIONS.at(-1)} file: give the export's files, or the folder they are in.`, { file: folder });
  }
  return files;
}

/** The `--lookup name=file` options: each lookup's file (USAGE for a malformed one or a name given twice). */
export function lookupFiles(args: Record<string, unknown>, cwd: string): Record<string, string> {
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const item of [args.lookup ?? []].flat().map(String)) {
    const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(item);
    if (!match) throw new ImportError('USAGE', `--lookup ${item}: write name=file, e.g. --lookup users=users.json.`);
    const [, name, file] = match as unknown as [string, string, string];
    if (Object.hasOwn(files, name)) throw new ImportError('USAGE', `--lookup ${name} is given twice: give each lookup one file.`);
    files[name] = typedPath(file, cwd);
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
