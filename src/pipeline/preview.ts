import type { RowProblem } from '../errors.js';
import type { AuthorDirectory } from '../mapping/authors.js';
import type { Loss } from '../mapping/losses.js';
import type { CompiledMapping } from '../mapping/types.js';
import { checkRow } from './check-row.js';
import { finalUpdate } from './send-thread.js';
import { openSources } from './open-sources.js';

/** One previewed row: the body exactly as `run` would POST it, or why it would not be sent. */
export interface PreviewRow {
  file: string;
  line: number;
  key: string | undefined;
  /** The request body (mapped even when invalid, so the user can see what went wrong). */
  body: Record<string, unknown> | undefined;
  messages: Record<string, unknown>[];
  /** The PUT that sets the final status and tags once the thread is in (none without messages). */
  final: Record<string, unknown> | undefined;
  /** Why it would not be sent (none for a row that would be), each naming the row's file and line. */
  problems: RowProblem[];
  /** What it could not carry as the export holds it. */
  losses: Loss[];
}

/** Maps and validates the first `count` records of `file`; sends nothing. */
export async function previewRows(
  file: string,
  mapping: CompiledMapping,
  count: number,
  onWarning?: (text: string) => void,
  messages: readonly string[] = [],
  lookups: Readonly<Record<string, string>> = {},
  authors?: AuthorDirectory,
): Promise<PreviewRow[]> {
  const opened = await openSources([file], mapping, { messages, lookups });
  opened.warnings.forEach((warning) => onWarning?.(warning));
  const rows: PreviewRow[] = [];
  try {
    for await (const record of opened.sources[0]?.records() ?? []) {
      if (rows.length >= count) break;
      const base = { file: record.file, line: record.line };
      if (record.problem) {
        rows.push({ ...base, key: undefined, body: undefined, messages: [], final: undefined, problems: [{ ...record.problem, ...base }], losses: [] });
        continue;
      }
      // The same checks as validate and run; the body is mapped again only to show a refused row's.
      const joined = opened.threadOf(record);
      const verdict = checkRow(record, mapping, undefined, [file], 0, joined, authors);
      const { key } = verdict;
      if (verdict.state === 'valid') {
        const messages = verdict.messages.map((message) => message.body);
        const final = messages.length > 0 || verdict.assignee !== undefined ? finalUpdate(verdict.body, true, verdict.assignee) : undefined;
        rows.push({ ...base, key, body: verdict.body, messages, final, problems: [], losses: verdict.losses });
        continue;
      }
      const mapped = mapping.mapRow(record.fields, key, joined, authors);
      const messages = mapped.messages.map((message) => message.body);
      const final = messages.length > 0 || mapped.assignee !== undefined ? finalUpdate(mapped.body, true, mapped.assignee) : undefined;
      rows.push({ ...base, key, body: mapped.body, messages, final, problems: verdict.problems, losses: mapped.losses });
    }
  } finally {
    await opened.close();
  }
  return rows;
}
