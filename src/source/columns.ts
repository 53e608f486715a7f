import { isJsonObject } from './source-base.js';

/** How many records the columns of a JSON or JSONL source are sampled from. */
export const COLUMN_SAMPLE = 100;

function addPaths(value: Record<string, unknown>, prefix: string, paths: Set<string>): void {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    // Arrays stay one column: their elements are threads or lists, mapped as a whole
    if (isJsonObject(child) && Object.keys(child).length > 0) addPaths(child, path, paths);
    else paths.add(path);
  }
}

/** The union of the dotted paths (`requester.email`, `tags`) of the first records, in first-seen order. */
export function collectPaths(records: Iterable<Record<string, unknown>>, limit = COLUMN_SAMPLE): string[] {
  const paths = new Set<string>();
  let seen = 0;
  for (const record of records) {
    if (seen++ >= limit) break;
    addPaths(record, '', paths);
  }
  return [...paths];
}
