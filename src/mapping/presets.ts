import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, resolve } from 'node:path';
import { nearestNames } from './nearest.js';

/** The folder of the bundled preset mappings (`mappings/` at the package root). */
export const PRESETS_DIR = fileURLToPath(new URL('../../mappings/', import.meta.url));

/** The JSON Schema of mapping files, generated from the zod schema (`npm run schema`). */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/mapping.schema.json', import.meta.url));

/** Names of the bundled presets, e.g. `zendesk-csv`. */
export function listPresets(): string[] {
  return readdirSync(PRESETS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => basename(name, '.json'))
    .sort();
}

/**
 * Where `--mapping` points: a file path (relative to `cwd`) when such a file exists, else a
 * bundled preset of that name (`--mapping freshdesk-csv`), else the path as given so that the
 * error names what the user typed.
 */
export function resolveMappingPath(argument: string, cwd: string): string {
  const asPath = resolve(cwd, argument);
  if (existsSync(asPath)) return asPath;
  const preset = resolve(PRESETS_DIR, `${argument.replace(/\.json$/, '')}.json`);
  if (/^[a-z0-9-]+(\.json)?$/.test(argument) && existsSync(preset)) return preset;
  return asPath;
}

/** True when `--mapping` was written as a preset name (`zendesk-csv`), not as a path. */
function looksLikeName(argument: string): boolean {
  return !/[/\\]|\.json$/i.test(argument);
}

/**
 * Why `--mapping` names nothing, in one sentence: neither a file (at `path`, for what looks like
 * one) nor a bundled preset, the preset it was probably meant to be when one is close, and the presets.
 */
export function describeMissingMapping(argument: string, path: string): string {
  const presets = listPresets();
  const name = basename(argument).replace(/\.json$/i, '');
  // `./zendesk-csv.json` where no such file is: the preset of that very name.
  const nearest = presets.includes(name) ? name : nearestNames(name, presets, 1)[0];
  const file = looksLikeName(argument) ? 'a file' : `a file (there is no ${path})`;
  const hint = nearest === undefined ? '' : ` (did you mean the ${nearest} preset?)`;
  return `--mapping ${argument} is neither ${file} nor a bundled preset${hint}: give the path of a mapping file, or one of the presets ${presets.join(', ')}.`;
}
