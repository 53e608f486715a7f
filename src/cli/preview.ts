import { formatProblem, withoutPlace } from '../errors.js';
import { previewRows, type PreviewRow } from '../pipeline/preview.js';
import { ExitCode } from './exit-codes.js';
import { inputFiles, loadCompiledMapping, lookupFiles, messageFiles } from './load.js';
import type { CliIO } from './io.js';
import { Renderer } from './render.js';
import { offlineAuthors } from './staff-map.js';

/** `preview <file> --mapping M [-n 5]`: the first payloads as they would be sent; exit 1 if any has errors. */
export async function runPreview(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const json = Boolean(args.json);
  const renderer = new Renderer(io, { json });
  const mapping = await loadCompiledMapping(String(args.mapping), io.cwd);
  const count = Number(args.n ?? 5);
  const sources = { messages: messageFiles(args, io.cwd), lookups: lookupFiles(args, io.cwd), authors: offlineAuthors(args, io.cwd) };
  const onWarning = (warning: string) => renderer.note(`Warning: ${warning}`);
  const rows: PreviewRow[] = [];
  // A folder stands for several files: the first rows are read across them, in name order.
  for (const file of inputFiles(args.file, io.cwd)) {
    if (rows.length >= count) break;
    rows.push(...await previewRows(file, mapping, count - rows.length, onWarning, sources.messages, sources.lookups, sources.authors));
  }
  if (json) renderer.json(rows.map(toJson));
  else renderer.result(rows.length === 0 ? 'The file holds no data rows.' : rows.map(formatRow).join('\n\n'));
  return rows.every((row) => row.problems.length === 0) ? ExitCode.OK : ExitCode.ROWS_FAILED;
}

/** A row of `--json`: its errors as text (`path: message`), then as structured problems. */
function toJson({ problems, ...row }: PreviewRow) {
  return { ...row, errors: problems.map(formatProblem), problems: problems.map(withoutPlace) };
}

function formatRow(row: PreviewRow): string {
  const head = `# ${row.file}:${row.line}${row.key === undefined ? '' : ` (key ${row.key})`}`;
  const lines = [head];
  if (row.body) lines.push('POST /conversations', JSON.stringify(row.body, null, 2));
  row.messages.forEach((message, index) => {
    lines.push(`POST /conversations/{slug}/messages (message ${index + 1})`, JSON.stringify(message, null, 2));
  });
  if (row.final) lines.push('PUT /conversations/{slug} (once the thread is in: replies may have moved the status)', JSON.stringify(row.final, null, 2));
  if (row.losses.length > 0) {
    lines.push('Not carried as the export holds it:', ...row.losses.map((loss) => `  - ${loss.path}: ${loss.kind}${loss.detail ? ` (${loss.detail})` : ''}`));
  }
  if (row.problems.length > 0) {
    lines.push('Not sent, because:', ...row.problems.map((problem) => `  - ${formatProblem(problem)}`));
  }
  return lines.join('\n');
}
