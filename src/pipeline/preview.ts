import type { RowProblem } from '../errors.js';
import type { CompiledMapping } from '../mapping/types.js';
import { validateConversation } from '../payload/schemas.js';
import { checkMessages, EMPTY_KEY } from './check-row.js';
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
}

/** Maps and validates the first `count` records of `file`; sends nothing. */
export async function previewRows(
  file: string,
  mapping: CompiledMapping,
  count: number,
  onWarning?: (text: string) => void,
  messages: readonly string[] = [],
  lookups: Readonly<Record<string, string>> = {},
): Promise<PreviewRow[]> {
  const opened = await openSources([file], mapping, { messages, lookups });
  opened.warnings.forEach((warning) => onWarning?.(warning));
  const rows: PreviewRow[] = [];
  try {
    for await (const record of opened.sources[0]?.records() ?? []) {
      if (rows.length >= count) break;
      const base = { file: record.file, line: record.line };
      if (record.problem) {
        rows.push({ ...base, key: undefined, body: undefined, messages: [], final: undefined, problems: [{ ...record.problem, ...base }] });
        continue;
      }
      const key = mapping.keyOf(record.fields);
      const mapped = mapping.mapRow(record.fields, key, opened.threadOf(record));
      const checked = validateConversation(mapped.body);
      const problems = [...mapped.problems, ...(checked.ok ? [] : checked.problems)];
      const messages = checkMessages(mapped.messages, problems).map((message) => message.body);
      if (key === undefined) problems.unshift(EMPTY_KEY);
      const body = checked.ok ? (checked.value as Record<string, unknown>) : mapped.body;
      const final = messages.length > 0 ? finalUpdate(body, true) : undefined;
      const place = { ...base, ...(key === undefined ? {} : { key }) };
      rows.push({ ...base, key, body, messages, final, problems: problems.map((problem) => ({ ...problem, ...place })) });
    }
  } finally {
    await opened.close();
  }
  return rows;
}
