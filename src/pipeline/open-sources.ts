import { ImportError } from '../errors.js';
import { findUnknownColumns } from '../mapping/unknown-columns.js';
import type { CompiledMapping } from '../mapping/types.js';
import { openSourceThreaded } from '../source/threaded.js';
import type { Source } from '../source/types.js';

/** Opened sources, ready to be read, with what the user should know before rows are processed. */
export interface OpenedSources {
  sources: Source[];
  warnings: string[];
  totalBytes: number;
  close(): Promise<void>;
}

/**
 * Opens every file and checks the mapping against each header before any row is processed, so a
 * misspelt column stops the command at once instead of failing a million rows one by one.
 * A JSON source has no header, only sampled paths: a path missing there is a warning, not an error.
 */
export async function openSources(
  files: readonly string[],
  mapping: CompiledMapping,
  options: { threadMinBytes?: number } = {},
): Promise<OpenedSources> {
  const sources: Source[] = [];
  const close = async () => {
    await Promise.all(sources.map((source) => source.close()));
  };
  try {
    const warnings: string[] = [];
    for (const file of files) {
      const source = await openSourceThreaded(file, mapping.source, options.threadMinBytes);
      sources.push(source);
      warnings.push(...source.warnings.map((warning) => `${file}: ${warning}`));
      warnings.push(...checkColumns(source, mapping));
    }
    const totalBytes = sources.reduce((sum, source) => sum + source.size, 0);
    return { sources, warnings, totalBytes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function checkColumns(source: Source, mapping: CompiledMapping): string[] {
  const unknown = findUnknownColumns(mapping, source.columns);
  if (unknown.length === 0) return [];
  const lines = unknown.map(({ at, field, nearest }) => {
    const hint = nearest.length > 0 ? ` (nearest: ${nearest.map((name) => `"${name}"`).join(', ')})` : '';
    return `  ${at}: "${field}"${hint}`;
  });
  if (!source.columnsComplete) {
    return [`${source.file}: the first records have no value at these paths the mapping reads:\n${lines.join('\n')}`];
  }
  const noun = unknown.length === 1 ? 'a column' : `${unknown.length} columns`;
  throw new ImportError(
    'MAPPING_UNKNOWN_COLUMN',
    `The mapping names ${noun} that ${source.file} does not have:\n${lines.join('\n')}\n` +
      `Its header has: ${listColumns(source.columns)}.\nFix the mapping (or the file) and run the command again.`,
    { file: source.file },
  );
}

/** The header for a message: every name of a narrow file, the first 40 of a wide one. */
function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 40).map((name) => `"${name}"`).join(', ');
  return columns.length > 40 ? `${shown} and ${columns.length - 40} more` : shown;
}
