import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, resolve } from 'node:path';

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
